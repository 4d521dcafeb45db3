#pragma once

#include "problem.h"
#include "taskquery.h"
#include "taskrequests.h"
#include "twofactor.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace Tasklane {

using RawHeaders = QList<QPair<QByteArray, QByteArray>>;

// One call to the Tasklane API. Emits finished() once; then status, headers and body are set.
// A transport failure leaves status() at 0 and sets networkError().
class ApiReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiReply)

public:
    explicit ApiReply(QNetworkReply *reply, QObject *parent = nullptr);

    bool isFinished() const { return m_finished; }
    int status() const { return m_status; }
    QByteArray body() const { return m_body; }
    QJsonObject json() const;
    QByteArray header(const QByteArray &name) const;
    // The problem details body, when the server answered with one.
    std::optional<Problem> problem() const;
    QNetworkReply::NetworkError networkError() const { return m_networkError; }
    QString errorString() const { return m_errorString; }

Q_SIGNALS:
    void finished();

private:
    void collect();

    QPointer<QNetworkReply> m_reply;
    bool m_finished = false;
    int m_status = 0;
    QByteArray m_body;
    RawHeaders m_headers;
    QNetworkReply::NetworkError m_networkError = QNetworkReply::NoError;
    QString m_errorString;
};

// A client of the Tasklane REST API on QNetworkAccessManager, used by the console and the
// integration tests. Every call returns an ApiReply owned by the client.
class ApiClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)

public:
    explicit ApiClient(const QUrl &baseUrl, QObject *parent = nullptr);

    QUrl baseUrl() const { return m_baseUrl; }
    // The bearer token sent with every later call; empty sends none.
    void setAccessToken(const QString &token) { m_accessToken = token; }
    QString accessToken() const { return m_accessToken; }

    ApiReply *signup(const QString &email, const QString &password, const QString &displayName);
    ApiReply *login(const QString &email, const QString &password);
    ApiReply *refreshToken(const QString &refreshToken);
    ApiReply *logout(const QString &refreshToken);
    ApiReply *verifyEmail(const QString &token);
    ApiReply *resendVerification();
    ApiReply *forgotPassword(const QString &email);
    ApiReply *resetPassword(const QString &token, const QString &newPassword);
    // Two-factor authentication (TOTP).
    ApiReply *loginSecondFactor(const QString &mfaToken, const SecondFactor &factor);
    ApiReply *enableTwoFactor(const QString &password);
    ApiReply *confirmTwoFactor(const QString &code);
    ApiReply *disableTwoFactor(const QString &password, const SecondFactor &factor);
    ApiReply *regenerateRecoveryCodes(const QString &password, const SecondFactor &factor);
    ApiReply *me();
    ApiReply *updateMe(const QJsonObject &changes);
    // Leaving: the password, and a second factor when 2FA is on (AccountClosureRequest).
    ApiReply *deactivateAccount(const AccountClosureRequest &request);
    ApiReply *deleteAccount(const AccountClosureRequest &request);
    // GET /users/me/export: every piece of one's data as one JSON document.
    ApiReply *exportAccount();
    // Profile pictures: `image` sent as is, declared as `contentType` (image/png, image/jpeg or
    // image/webp); the avatar of `userId` (0: one's own) with If-None-Match when `knownEtag`.
    ApiReply *setAvatar(const QByteArray &image, const QByteArray &contentType);
    ApiReply *removeAvatar();
    ApiReply *avatar(qint64 userId = 0, const QByteArray &knownEtag = {});

    // Tasks. `ifMatch`: the version the change is meant for (0 sends no If-Match).
    ApiReply *createTask(const TaskChanges &task, const QByteArray &idempotencyKey = {});
    ApiReply *task(qint64 id);
    ApiReply *listTasks(const TaskQuery &query = {});
    ApiReply *searchTasks(const TaskQuery &query);
    ApiReply *updateTask(qint64 id, const TaskChanges &changes, qint64 ifMatch = 0);
    ApiReply *trashTask(qint64 id, qint64 ifMatch = 0);
    ApiReply *restoreTask(qint64 id);
    ApiReply *purgeTask(qint64 id);
    ApiReply *completeTask(qint64 id);
    ApiReply *skipTask(qint64 id);
    ApiReply *shareTask(qint64 id, const AssignRequest &request);
    ApiReply *unshareTask(qint64 id, qint64 userId);
    ApiReply *taskHistory(qint64 id, const QString &cursor = {});
    ApiReply *categories();
    ApiReply *createCategory(const CategoryChanges &category);

    // Any request, as raw as HTTP allows through QNetworkAccessManager: for tests and tools.
    ApiReply *send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                   const RawHeaders &headers = {});
    ApiReply *sendJson(const QByteArray &method, const QString &path, const QJsonObject &body);

private:
    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QString m_accessToken;
};

} // namespace Tasklane
