#include "jwtcodec.h"

#include "securerandom.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
const QByteArray Hs256Header = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");

std::optional<QJsonObject> decodeJsonPart(QByteArrayView part)
{
    bool ok = false;
    const QByteArray json = base64UrlDecode(part.toByteArray(), &ok);
    if (!ok)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

std::optional<AccessClaims> reject(QString *reason, const QString &why)
{
    if (reason)
        *reason = why;
    return std::nullopt;
}
} // namespace

JwtCodec::JwtCodec(QByteArray secret, QString issuer, QString audience, qint64 lifetimeSeconds)
    : m_secret(std::move(secret)), m_issuer(std::move(issuer)), m_audience(std::move(audience)),
      m_lifetimeSeconds(lifetimeSeconds)
{ }

QByteArray JwtCodec::sign(QByteArrayView signingInput) const
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), m_secret.constData(), int(m_secret.size()),
         reinterpret_cast<const unsigned char *>(signingInput.data()), size_t(signingInput.size()),
         mac, &length);
    return QByteArray(reinterpret_cast<const char *>(mac), int(length));
}

QString JwtCodec::issue(qint64 userId, qint64 sessionId, AccessClaims *claims) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    AccessClaims issued{ userId, SecureRandom::token(16), now, now.addSecs(m_lifetimeSeconds),
                         sessionId };
    QJsonObject payload{ { u"iss"_s, m_issuer },
                         { u"aud"_s, m_audience },
                         { u"sub"_s, QString::number(userId) },
                         { u"iat"_s, now.toSecsSinceEpoch() },
                         { u"iat_ms"_s, now.toMSecsSinceEpoch() },
                         { u"nbf"_s, now.toSecsSinceEpoch() },
                         { u"exp"_s, issued.expiresAt.toSecsSinceEpoch() },
                         { u"jti"_s, issued.jti } };
    if (sessionId > 0)
        payload.insert(u"sid"_s, sessionId);
    const QByteArray signingInput = Hs256Header + '.'
            + base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    if (claims)
        *claims = issued;
    return QString::fromLatin1(signingInput + '.' + base64UrlEncode(sign(signingInput)));
}

std::optional<AccessClaims> JwtCodec::verify(QByteArrayView token, QString *reason) const
{
    if (token.size() > MaxTokenLength)
        return reject(reason, u"token too long"_s);
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype lastDot = token.lastIndexOf('.');
    if (firstDot <= 0 || lastDot == firstDot || lastDot == token.size() - 1
        || token.sliced(firstDot + 1, lastDot - firstDot - 1).contains('.'))
        return reject(reason, u"not a JWS compact token"_s);

    const auto header = decodeJsonPart(token.first(firstDot));
    if (!header)
        return reject(reason, u"unreadable header"_s);
    // The algorithm allow-list: the header may only confirm what we use, never choose it.
    static const QStringList allowedAlgorithms{ u"HS256"_s };
    if (!allowedAlgorithms.contains(header->value(u"alg"_s).toString()))
        return reject(reason, u"algorithm not allowed"_s);
    if (header->contains(u"crit"_s))
        return reject(reason, u"critical header extensions are not supported"_s);

    bool ok = false;
    const QByteArray signature = base64UrlDecode(token.sliced(lastDot + 1).toByteArray(), &ok);
    if (!ok || !constantTimeEquals(signature, sign(token.first(lastDot))))
        return reject(reason, u"bad signature"_s);

    const auto payload = decodeJsonPart(token.sliced(firstDot + 1, lastDot - firstDot - 1));
    if (!payload)
        return reject(reason, u"unreadable payload"_s);
    if (payload->value(u"iss"_s).toString() != m_issuer)
        return reject(reason, u"wrong issuer"_s);
    const QJsonValue audience = payload->value(u"aud"_s);
    const bool audienceOk = audience.isArray() ? audience.toArray().contains(QJsonValue(m_audience))
                                               : audience.toString() == m_audience;
    if (!audienceOk)
        return reject(reason, u"wrong audience"_s);

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QJsonValue exp = payload->value(u"exp"_s);
    const QJsonValue iat = payload->value(u"iat"_s);
    const QJsonValue nbf = payload->value(u"nbf"_s);
    if (!exp.isDouble() || !iat.isDouble() || (!nbf.isUndefined() && !nbf.isDouble()))
        return reject(reason, u"missing or malformed time claims"_s);
    if (exp.toInteger() + LeewaySeconds <= now)
        return reject(reason, u"expired"_s);
    if (nbf.isDouble() && nbf.toInteger() - LeewaySeconds > now)
        return reject(reason, u"not yet valid"_s);
    if (iat.toInteger() - LeewaySeconds > now)
        return reject(reason, u"issued in the future"_s);
    // iat_ms refines iat and must agree with it; a token without it counts as issued at the
    // start of its second (the earliest it can have been), so a revocation in that second
    // covers it.
    QDateTime issuedAt = QDateTime::fromSecsSinceEpoch(iat.toInteger(), Qt::UTC);
    if (const QJsonValue iatMs = payload->value(u"iat_ms"_s); !iatMs.isUndefined()) {
        const qint64 ms = iatMs.toInteger(-1);
        if (!iatMs.isDouble() || ms < 0 || ms / 1000 != iat.toInteger())
            return reject(reason, u"iat_ms does not match iat"_s);
        issuedAt = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    }

    bool idOk = false;
    const qint64 userId = payload->value(u"sub"_s).toString().toLongLong(&idOk);
    const QString jti = payload->value(u"jti"_s).toString();
    if (!idOk || userId <= 0 || jti.isEmpty() || jti.size() > 64)
        return reject(reason, u"missing subject or token id"_s);

    qint64 sessionId = 0;
    if (const QJsonValue sid = payload->value(u"sid"_s); !sid.isUndefined()) {
        sessionId = sid.toInteger(-1);
        if (!sid.isDouble() || sessionId <= 0)
            return reject(reason, u"malformed sid"_s);
    }

    return AccessClaims{ userId, jti, issuedAt,
                         QDateTime::fromSecsSinceEpoch(exp.toInteger(), Qt::UTC), sessionId };
}

} // namespace Tasklane
