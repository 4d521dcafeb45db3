#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

// What a verified access token says.
struct AccessClaims
{
    qint64 userId = 0;
    QString jti;
    // To the millisecond (the iat_ms claim) when the token carries it, else to the second (iat).
    QDateTime issuedAt;
    QDateTime expiresAt;
    qint64 sessionId = 0; // the sid claim: the session it belongs to (0: none, an older token)
};

// Issues and verifies access tokens: JWS compact JWTs signed with HMAC-SHA256 (RFC 7519).
// Verification accepts only the algorithms on its allow-list (HS256; never "none"), checks
// iss, aud, exp, nbf and iat with a small clock leeway, and compares signatures in constant time.
// Besides iat (whole seconds, RFC 7519) tokens carry iat_ms, the issue time in milliseconds: a
// password change revokes the tokens issued before it, and a login in the same second after it
// must not be revoked with them.
class JwtCodec
{
public:
    JwtCodec(QByteArray secret, QString issuer, QString audience, qint64 lifetimeSeconds);

    // A token of `userId` in session `sessionId` (0: none; then it carries no sid claim).
    QString issue(qint64 userId, qint64 sessionId = 0, AccessClaims *claims = nullptr) const;
    // The claims of a valid token; nullopt with a reason (for logs, not clients) otherwise.
    std::optional<AccessClaims> verify(QByteArrayView token, QString *reason = nullptr) const;
    qint64 lifetimeSeconds() const { return m_lifetimeSeconds; }

    static constexpr qint64 LeewaySeconds = 30;
    static constexpr qsizetype MaxTokenLength = 4096;

private:
    QByteArray sign(QByteArrayView signingInput) const;

    QByteArray m_secret;
    QString m_issuer;
    QString m_audience;
    qint64 m_lifetimeSeconds;
};

} // namespace Tasklane
