#pragma once

#include "apiclient.h"
#include "testserver.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

#include <memory>

namespace Tasklane::Test {

// A signed-in user with a client of their own.
struct Account
{
    std::unique_ptr<ApiClient> client;
    SignedInUser user;
    ApiClient &api() const { return *client; }
    qint64 id() const { return user.id; }
};
// A new user of the server at `url`, signed up and logged in (see signUpAndLogIn).
Account signUpAccount(const QUrl &url, const QString &emailPrefix);

// The account's client pointed at `url` (a restarted server listens on a new port), still
// signed in.
void reconnect(Account &account, const QUrl &url);

// Waits for `reply` to finish (see waitFor) and returns it, for one-line calls.
ApiReply *finished(ApiReply *reply);

// An API timestamp `seconds` from now.
QString apiTimeIn(qint64 seconds);

// POST /api/v1/tasks with exactly these fields; the created task, or an empty object (with a
// warning saying why) when the server did not answer 201.
QJsonObject createTask(ApiClient &client, const QJsonObject &fields);
// A task with this title and, optionally, more fields; its id, or 0 on failure.
qint64 createTaskId(ApiClient &client, const QString &title, QJsonObject fields = {});
// PATCH /api/v1/tasks/{id} with these fields.
ApiReply *patchTask(ApiClient &client, qint64 id, const QJsonObject &fields);

// The ids of a page's items, in order.
QList<qint64> idsOf(const QJsonObject &page);
// Whether `reply` is a problem+json of this status and type slug.
bool isProblem(const ApiReply *reply, int status, const QString &slug);
// Whether the problem's errors name `field` (and, when given, with this code).
bool namesField(const ApiReply *reply, const QString &field, const QString &code = {});
// The errors' messages, joined, for failure messages and for what a message must name.
QString errorMessages(const ApiReply *reply);

} // namespace Tasklane::Test
