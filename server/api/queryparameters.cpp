#include "queryparameters.h"

#include "taskquery.h"
#include "user.h"

#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Tasklane::QueryParameters {

ApiError bad(const QString &name, const QString &message)
{
    return ApiError(ApiError::Kind::BadRequest, u"A query parameter is not valid; see errors."_s,
                    { { name, u"invalid_value"_s, message } });
}

void allowOnly(const QUrlQuery &query, const QStringList &allowed)
{
    QStringList seen;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[name, value] : items) {
        if (!allowed.contains(name))
            throw bad(name.left(TaskQuery::MaxTextLength),
                      u"This is not a parameter of this route."_s);
        if (seen.contains(name))
            throw bad(name, u"This parameter is given more than once."_s);
        seen.append(name);
    }
}

int limit(const QUrlQuery &query, int fallback, int maximum)
{
    if (!query.hasQueryItem(u"limit"_s))
        return fallback;
    bool ok = false;
    const int value = query.queryItemValue(u"limit"_s).toInt(&ok);
    if (!ok || value < 1)
        throw bad(u"limit"_s, u"This must be a whole number from 1 to %1."_s.arg(maximum));
    return std::min(value, maximum);
}

qint64 id(const QUrlQuery &query, const QString &name)
{
    if (!query.hasQueryItem(name))
        return 0;
    bool ok = false;
    const qint64 value = query.queryItemValue(name).toLongLong(&ok);
    if (!ok || value < 1)
        throw bad(name, u"This must be an id (a whole number from 1)."_s);
    return value;
}

namespace {
QDateTime timeParameter(const QUrlQuery &query, const QString &name)
{
    if (!query.hasQueryItem(name))
        return {};
    // With its zone: a time without one would mean whatever zone the server runs in.
    static const QRegularExpression zone(u"(Z|z|[+-]\\d\\d:\\d\\d)$"_s);
    const QString text = query.queryItemValue(name, QUrl::FullyDecoded);
    const QDateTime time = fromApiTimestamp(text);
    if (!time.isValid() || !zone.match(text).hasMatch())
        throw bad(name, u"This must be an RFC 3339 time with a zone."_s);
    return time;
}
} // namespace

std::pair<QDateTime, QDateTime> timeRange(const QUrlQuery &query)
{
    const QDateTime since = timeParameter(query, u"since"_s);
    const QDateTime until = timeParameter(query, u"until"_s);
    if (since.isValid() && until.isValid() && until <= since)
        throw bad(u"until"_s, u"This must be later than since."_s);
    return { since, until };
}

TaskQuery taskQuery(const QUrlQuery &query)
{
    FieldErrors errors;
    const auto parsed = TaskQuery::fromUrlQuery(query, &errors);
    if (!parsed)
        throw ApiError(ApiError::Kind::BadRequest, u"A query parameter is not valid; see errors."_s,
                       errors);
    return *parsed;
}

} // namespace Tasklane::QueryParameters
