#pragma once

#include "fielderror.h"

#include <QString>

#include <stdexcept>

namespace Tasklane {

// A domain failure, named by kind. Services throw it and never name an HTTP status:
// http/problemmapping.cpp is the one place that turns kinds into statuses and problem types.
class ApiError : public std::exception
{
public:
    enum class Kind {
        MalformedJson,
        BadRequest,
        ValidationFailed,
        Unauthorized,
        InvalidCredentials,
        InvalidRefreshToken,
        InvalidAccountToken, // a link's token (email verification, password reset): unknown,
                             // spent, replaced by a newer one or expired, all alike
        InvalidMfaToken, // login's mfa_token: unknown, spent, expired or out of tries, all alike
        InvalidSecondFactor, // login/2fa: the authenticator or recovery code is wrong or used
        EmailNotVerified,
        AccountInactive, // sign-in to a deactivated or locked account (its password was right)
        PasswordChangeRequired, // an administrator asked for a new password before anything else
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PreconditionFailed,
        IdempotencyKeyReused,
        QuotaExceeded,
        InsufficientStorage,
        PayloadTooLarge,
        UnsupportedMediaType,
        HeaderFieldsTooLarge,
        RequestTimeout,
        TooManyRequests, // with retryAfterSeconds()
        UpgradeNotSupported,
        UpgradeRequired, // a WebSocket version other than 13
        UpstreamFailed, // a provider the request needed (SMS) did not take it
        ServerBusy,
        NotReady,
        Internal,
    };

    ApiError(Kind kind, QString detail, FieldErrors errors = {})
        : m_kind(kind), m_detail(std::move(detail)), m_errors(std::move(errors))
    { }

    static ApiError validation(FieldErrors errors)
    {
        return ApiError(Kind::ValidationFailed,
                        QStringLiteral("The request has invalid fields; see errors."),
                        std::move(errors));
    }

    // How long the client should wait before trying again (-1: not said).
    ApiError &withRetryAfter(qint64 seconds)
    {
        m_retryAfter = seconds;
        return *this;
    }
    qint64 retryAfterSeconds() const { return m_retryAfter; }
    // The limit a refused request was counted against (the RateLimit-* headers).
    ApiError &withRateLimit(int limit, int remaining, qint64 resetSeconds)
    {
        m_rateLimit = { limit, remaining, resetSeconds };
        return *this;
    }
    struct RateLimit
    {
        int limit = -1; // -1: none
        int remaining = 0;
        qint64 resetSeconds = 0;
    };
    const RateLimit &rateLimit() const { return m_rateLimit; }

    Kind kind() const { return m_kind; }
    const QString &detail() const { return m_detail; }
    const FieldErrors &errors() const { return m_errors; }
    const char *what() const noexcept override { return "Tasklane::ApiError"; }

private:
    Kind m_kind;
    QString m_detail;
    FieldErrors m_errors;
    qint64 m_retryAfter = -1;
    RateLimit m_rateLimit;
};

} // namespace Tasklane
