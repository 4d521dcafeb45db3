#pragma once

#include "fielderror.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tasklane {

// Two-factor authentication (TOTP, RFC 6238) as the API carries it: what the client sends and
// what it gets back. The server's checks of a code's value are its own; these only read shapes.

// A six-digit authenticator code, spaces removed; nullopt unless exactly six ASCII digits.
std::optional<QString> normalizeTotpCode(const QString &text);
// A recovery code as typed ("7k2m-qaxd-4hpt-w3ne", any case, with or without hyphens and
// spaces): its sixteen base32 characters in lower case; nullopt when it is not one.
std::optional<QString> normalizeRecoveryCode(const QString &text);
// Sixteen lower-case base32 characters shown in four groups of four.
QString formatRecoveryCode(const QString &normalized);

// The proof of the second factor: a current code from the authenticator, or a recovery code.
struct SecondFactor
{
    enum class Kind { Totp, RecoveryCode };
    Kind kind = Kind::Totp;
    QString value; // normalised
};

// POST /auth/enable-2fa {password}
struct EnableTwoFactorRequest
{
    QString password;

    QJsonObject toJson() const;
    static std::optional<EnableTwoFactorRequest> fromJson(const QJsonObject &json,
                                                          FieldErrors *errors);
};

// POST /auth/enable-2fa/confirm {code}: the authenticator's code proves it holds the secret.
struct ConfirmTwoFactorRequest
{
    QString code;

    QJsonObject toJson() const;
    static std::optional<ConfirmTwoFactorRequest> fromJson(const QJsonObject &json,
                                                           FieldErrors *errors);
};

// POST /auth/disable-2fa and POST /auth/2fa/recovery-codes {password, code | recovery_code}:
// the password and a second factor, exactly one of the two kinds.
struct TwoFactorProofRequest
{
    QString password;
    SecondFactor factor;

    QJsonObject toJson() const;
    static std::optional<TwoFactorProofRequest> fromJson(const QJsonObject &json,
                                                         FieldErrors *errors);
};

// POST /users/me/deactivate and DELETE /users/me {password, code | recovery_code}: the password,
// and a second factor, which the server requires when the account has 2FA on.
struct AccountClosureRequest
{
    QString password;
    std::optional<SecondFactor> factor;

    QJsonObject toJson() const;
    static std::optional<AccountClosureRequest> fromJson(const QJsonObject &json,
                                                         FieldErrors *errors);
};

// POST /auth/login/2fa {mfa_token, code | recovery_code}
struct SecondFactorLoginRequest
{
    QString mfaToken;
    SecondFactor factor;

    QJsonObject toJson() const;
    static std::optional<SecondFactorLoginRequest> fromJson(const QJsonObject &json,
                                                            FieldErrors *errors);
};

// What enable-2fa answers: the new secret in the three forms an authenticator app takes.
// Shown once; it works only after a code from it is confirmed.
struct TwoFactorSetup
{
    QString secret; // base32, no padding
    QString otpauthUri; // otpauth://totp/Issuer:account?secret=...&issuer=Issuer
    QString qrSvg; // the URI as a QR code, an SVG document

    QJsonObject toJson() const;
    static std::optional<TwoFactorSetup> fromJson(const QJsonObject &json);
};

// Single-use recovery codes, as shown once when they are made.
struct RecoveryCodes
{
    QStringList codes;

    QJsonObject toJson() const;
    static std::optional<RecoveryCodes> fromJson(const QJsonObject &json);
};

// What login answers instead of tokens when the account has 2FA on: the token that carries
// the password's success to POST /auth/login/2fa (single use, short-lived).
struct MfaChallenge
{
    QString mfaToken;
    qint64 expiresIn = 0; // seconds

    QJsonObject toJson() const; // {"mfa_required": true, "mfa_token": ..., "expires_in": ...}
    static std::optional<MfaChallenge> fromJson(const QJsonObject &json);
};

} // namespace Tasklane
