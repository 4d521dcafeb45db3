#include "apiclient.h"

#include "authrequests.h"
#include "avatar.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace Tasklane {

ApiReply::ApiReply(QNetworkReply *reply, QObject *parent) : QObject(parent), m_reply(reply)
{
    connect(reply, &QNetworkReply::finished, this, &ApiReply::collect);
}

void ApiReply::collect()
{
    if (!m_reply)
        return;
    m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_body = m_reply->readAll();
    m_headers = m_reply->rawHeaderPairs();
    // HTTP error statuses are answers, not failures: only a transport error counts as one.
    if (m_status == 0) {
        m_networkError = m_reply->error();
        m_errorString = m_reply->errorString();
    }
    m_reply->deleteLater();
    m_finished = true;
    Q_EMIT finished();
}

QJsonObject ApiReply::json() const
{
    return QJsonDocument::fromJson(m_body).object();
}

QByteArray ApiReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

std::optional<Problem> ApiReply::problem() const
{
    if (!header("Content-Type").startsWith(QByteArray(Problem::MediaType.data())))
        return std::nullopt;
    return Problem::fromJson(json());
}

ApiClient::ApiClient(const QUrl &baseUrl, QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this)), m_baseUrl(baseUrl)
{
    m_network->setAutoDeleteReplies(false);
}

ApiReply *ApiClient::signup(const QString &email, const QString &password,
                            const QString &displayName)
{
    return sendJson("POST", u"/api/v1/auth/signup"_s,
                    SignupRequest{ email, password, displayName }.toJson());
}

ApiReply *ApiClient::login(const QString &email, const QString &password)
{
    return sendJson("POST", u"/api/v1/auth/login"_s, LoginRequest{ email, password }.toJson());
}

ApiReply *ApiClient::loginSecondFactor(const QString &mfaToken, const SecondFactor &factor)
{
    return sendJson("POST", u"/api/v1/auth/login/2fa"_s,
                    SecondFactorLoginRequest{ mfaToken, factor }.toJson());
}

ApiReply *ApiClient::enableTwoFactor(const QString &password)
{
    return sendJson("POST", u"/api/v1/auth/enable-2fa"_s,
                    EnableTwoFactorRequest{ password }.toJson());
}

ApiReply *ApiClient::confirmTwoFactor(const QString &code)
{
    return sendJson("POST", u"/api/v1/auth/enable-2fa/confirm"_s,
                    ConfirmTwoFactorRequest{ code }.toJson());
}

ApiReply *ApiClient::disableTwoFactor(const QString &password, const SecondFactor &factor)
{
    return sendJson("POST", u"/api/v1/auth/disable-2fa"_s,
                    TwoFactorProofRequest{ password, factor }.toJson());
}

ApiReply *ApiClient::regenerateRecoveryCodes(const QString &password, const SecondFactor &factor)
{
    return sendJson("POST", u"/api/v1/auth/2fa/recovery-codes"_s,
                    TwoFactorProofRequest{ password, factor }.toJson());
}

ApiReply *ApiClient::refreshToken(const QString &refreshToken)
{
    return sendJson("POST", u"/api/v1/auth/refresh-token"_s,
                    RefreshTokenRequest{ refreshToken }.toJson());
}

ApiReply *ApiClient::logout(const QString &refreshToken)
{
    return sendJson("POST", u"/api/v1/auth/logout"_s, RefreshTokenRequest{ refreshToken }.toJson());
}

ApiReply *ApiClient::verifyEmail(const QString &token)
{
    return sendJson("POST", u"/api/v1/auth/verify-email"_s,
                    AccountTokenRequest{ token, {} }.toJson());
}

ApiReply *ApiClient::resendVerification()
{
    return sendJson("POST", u"/api/v1/auth/verify-email/resend"_s, QJsonObject());
}

ApiReply *ApiClient::forgotPassword(const QString &email)
{
    return sendJson("POST", u"/api/v1/auth/forgot-password"_s,
                    ForgotPasswordRequest{ email }.toJson());
}

ApiReply *ApiClient::resetPassword(const QString &token, const QString &newPassword)
{
    return sendJson("POST", u"/api/v1/auth/reset-password"_s,
                    AccountTokenRequest{ token, newPassword }.toJson());
}

ApiReply *ApiClient::me()
{
    return send("GET", u"/api/v1/users/me"_s);
}

ApiReply *ApiClient::updateMe(const QJsonObject &changes)
{
    return sendJson("PATCH", u"/api/v1/users/me"_s, changes);
}

namespace {
QString taskPath(qint64 id, const QString &rest = {})
{
    return u"/api/v1/tasks/%1"_s.arg(id) + rest;
}

RawHeaders ifMatchHeader(qint64 version)
{
    if (version <= 0)
        return {};
    return { { "If-Match", '"' + QByteArray::number(version) + '"' } };
}
} // namespace

ApiReply *ApiClient::createTask(const TaskChanges &task, const QByteArray &idempotencyKey)
{
    RawHeaders headers{ { "Content-Type", "application/json" } };
    if (!idempotencyKey.isEmpty())
        headers.append(qMakePair(QByteArray("Idempotency-Key"), idempotencyKey));
    return send("POST", u"/api/v1/tasks"_s,
                QJsonDocument(task.toJson()).toJson(QJsonDocument::Compact), headers);
}

ApiReply *ApiClient::task(qint64 id)
{
    return send("GET", taskPath(id));
}

ApiReply *ApiClient::listTasks(const TaskQuery &query)
{
    const QString parameters = query.toUrlQuery().toString(QUrl::FullyEncoded);
    return send("GET", u"/api/v1/tasks"_s + (parameters.isEmpty() ? QString() : u'?' + parameters));
}

ApiReply *ApiClient::searchTasks(const TaskQuery &query)
{
    return send("GET",
                u"/api/v1/tasks/search?"_s + query.toUrlQuery().toString(QUrl::FullyEncoded));
}

ApiReply *ApiClient::updateTask(qint64 id, const TaskChanges &changes, qint64 ifMatch)
{
    RawHeaders headers = ifMatchHeader(ifMatch);
    headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    return send("PATCH", taskPath(id),
                QJsonDocument(changes.toJson()).toJson(QJsonDocument::Compact), headers);
}

ApiReply *ApiClient::trashTask(qint64 id, qint64 ifMatch)
{
    return send("DELETE", taskPath(id), {}, ifMatchHeader(ifMatch));
}

ApiReply *ApiClient::restoreTask(qint64 id)
{
    return send("POST", taskPath(id, u"/restore"_s));
}

ApiReply *ApiClient::purgeTask(qint64 id)
{
    return send("DELETE", taskPath(id, u"?permanent=true"_s));
}

ApiReply *ApiClient::completeTask(qint64 id)
{
    return send("POST", taskPath(id, u"/complete"_s));
}

ApiReply *ApiClient::skipTask(qint64 id)
{
    return send("POST", taskPath(id, u"/skip"_s));
}

ApiReply *ApiClient::setAvatar(const QByteArray &image, const QByteArray &contentType)
{
    return send("PUT", u"/api/v1/users/me/avatar"_s, image, { { "Content-Type", contentType } });
}

ApiReply *ApiClient::deactivateAccount(const AccountClosureRequest &request)
{
    return sendJson("POST", u"/api/v1/users/me/deactivate"_s, request.toJson());
}

ApiReply *ApiClient::deleteAccount(const AccountClosureRequest &request)
{
    return sendJson("DELETE", u"/api/v1/users/me"_s, request.toJson());
}

ApiReply *ApiClient::exportAccount()
{
    return send("GET", u"/api/v1/users/me/export"_s);
}

ApiReply *ApiClient::removeAvatar()
{
    return send("DELETE", u"/api/v1/users/me/avatar"_s);
}

ApiReply *ApiClient::avatar(qint64 userId, const QByteArray &knownEtag)
{
    RawHeaders headers;
    if (!knownEtag.isEmpty())
        headers.append({ "If-None-Match", knownEtag });
    return send("GET", userId ? avatarPath(userId) : u"/api/v1/users/me/avatar"_s, {}, headers);
}

ApiReply *ApiClient::shareTask(qint64 id, const AssignRequest &request)
{
    return sendJson("POST", taskPath(id, u"/assign"_s), request.toJson());
}

ApiReply *ApiClient::unshareTask(qint64 id, qint64 userId)
{
    return send("DELETE", taskPath(id, u"/assign/%1"_s.arg(userId)));
}

ApiReply *ApiClient::taskHistory(qint64 id, const QString &cursor)
{
    return send("GET",
                taskPath(id, u"/history"_s)
                        + (cursor.isEmpty() ? QString()
                                            : u"?cursor="_s
                                           + QString::fromLatin1(QUrl::toPercentEncoding(cursor))));
}

ApiReply *ApiClient::categories()
{
    return send("GET", u"/api/v1/categories"_s);
}

ApiReply *ApiClient::createCategory(const CategoryChanges &category)
{
    return sendJson("POST", u"/api/v1/categories"_s, category.toJson());
}

ApiReply *ApiClient::sendJson(const QByteArray &method, const QString &path,
                              const QJsonObject &body)
{
    return send(method, path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                { { "Content-Type", "application/json" } });
}

ApiReply *ApiClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                          const RawHeaders &headers)
{
    QUrl url = m_baseUrl;
    const qsizetype query = path.indexOf(u'?');
    url.setPath(query < 0 ? path : path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!m_accessToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_accessToken.toUtf8());
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    auto *buffer = new QBuffer;
    buffer->setData(body);
    buffer->open(QIODevice::ReadOnly);
    QNetworkReply *reply
            = body.isEmpty() && method != "POST" && method != "PATCH" && method != "PUT"
            ? m_network->sendCustomRequest(request, method)
            : m_network->sendCustomRequest(request, method, buffer);
    buffer->setParent(reply);
    return new ApiReply(reply, this);
}

} // namespace Tasklane
