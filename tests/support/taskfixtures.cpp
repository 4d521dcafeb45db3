#include "taskfixtures.h"

#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

Account signUpAccount(const QUrl &url, const QString &emailPrefix)
{
    Account account;
    account.client = std::make_unique<ApiClient>(url);
    account.user = signUpAndLogIn(*account.client, emailPrefix);
    return account;
}

void reconnect(Account &account, const QUrl &url)
{
    account.client = std::make_unique<ApiClient>(url);
    account.client->setAccessToken(account.user.accessToken);
}

QString apiTimeIn(qint64 seconds)
{
    return toApiTimestamp(QDateTime::currentDateTimeUtc().addSecs(seconds));
}

ApiReply *finished(ApiReply *reply)
{
    if (!waitFor(reply))
        qWarning("no answer to a request within the time allowed");
    return reply;
}

QJsonObject createTask(ApiClient &client, const QJsonObject &fields)
{
    ApiReply *reply = finished(client.sendJson("POST", u"/api/v1/tasks"_s, fields));
    if (reply->status() != 201) {
        qWarning("creating a task failed: %d %s", reply->status(), reply->body().constData());
        return {};
    }
    return reply->json();
}

qint64 createTaskId(ApiClient &client, const QString &title, QJsonObject fields)
{
    fields.insert(u"title"_s, title);
    return createTask(client, fields).value(u"id"_s).toInteger();
}

ApiReply *patchTask(ApiClient &client, qint64 id, const QJsonObject &fields)
{
    return finished(client.sendJson("PATCH", u"/api/v1/tasks/%1"_s.arg(id), fields));
}

QList<qint64> idsOf(const QJsonObject &page)
{
    QList<qint64> ids;
    const QJsonArray items = page.value(u"items"_s).toArray();
    for (const QJsonValue &item : items)
        ids.append(item.toObject().value(u"id"_s).toInteger());
    return ids;
}

bool isProblem(const ApiReply *reply, int status, const QString &slug)
{
    const auto problem = reply->problem();
    return reply->status() == status && problem && problem->status == status
            && problem->slug() == slug;
}

bool namesField(const ApiReply *reply, const QString &field, const QString &code)
{
    const auto problem = reply->problem();
    if (!problem)
        return false;
    return std::any_of(problem->errors.cbegin(), problem->errors.cend(),
                       [&](const FieldError &error) {
                           return error.field == field && (code.isEmpty() || error.code == code);
                       });
}

QString errorMessages(const ApiReply *reply)
{
    const auto problem = reply->problem();
    if (!problem)
        return {};
    QStringList messages{ problem->detail };
    for (const FieldError &error : problem->errors)
        messages.append(error.field + u": "_s + error.message);
    return messages.join(u" | "_s);
}

} // namespace Tasklane::Test
