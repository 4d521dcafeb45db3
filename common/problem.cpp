#include "problem.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString Problem::slug() const
{
    return type.startsWith(TypePrefix) ? type.mid(TypePrefix.size()) : type;
}

QJsonObject Problem::toJson() const
{
    QJsonObject json{ { u"type"_s, type }, { u"title"_s, title }, { u"status"_s, status } };
    if (!detail.isEmpty())
        json.insert(u"detail"_s, detail);
    if (!instance.isEmpty())
        json.insert(u"instance"_s, instance);
    if (!requestId.isEmpty())
        json.insert(u"request_id"_s, requestId);
    if (!errors.isEmpty()) {
        QJsonArray list;
        for (const FieldError &error : errors)
            list.append(error.toJson());
        json.insert(u"errors"_s, list);
    }
    return json;
}

QByteArray Problem::toJsonBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
}

std::optional<Problem> Problem::fromJson(const QJsonObject &json)
{
    if (!json.value(u"type"_s).isString() || !json.value(u"status"_s).isDouble())
        return std::nullopt;
    Problem problem;
    problem.type = json.value(u"type"_s).toString();
    problem.title = json.value(u"title"_s).toString();
    problem.status = json.value(u"status"_s).toInt();
    problem.detail = json.value(u"detail"_s).toString();
    problem.instance = json.value(u"instance"_s).toString();
    problem.requestId = json.value(u"request_id"_s).toString();
    const QJsonArray errors = json.value(u"errors"_s).toArray();
    for (const QJsonValue &error : errors)
        problem.errors.append(FieldError::fromJson(error.toObject()));
    return problem;
}

} // namespace Tasklane
