#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Tasklane {

// Time-based one-time passwords (RFC 6238) through liboath: SHA-1, six digits, 30-second steps,
// the parameters every authenticator app takes.
namespace Totp {
inline constexpr int StepSeconds = 30;
inline constexpr int Digits = 6;
inline constexpr qsizetype SecretBytes = 20; // 160 bits: 32 base32 characters, no padding

// A new random secret.
QByteArray newSecret();
// The secret as authenticator apps take it: RFC 4648 base32 without padding.
QString base32(const QByteArray &secret);
// base32's inverse (any case, spaces ignored, padding optional); nullopt when it is not base32.
std::optional<QByteArray> fromBase32(const QString &text);
// otpauth://totp/Issuer:account?secret=...&issuer=Issuer (the Key URI format authenticator
// apps read from a QR code); issuer and account percent-encoded, neither may hold a colon.
QString provisioningUri(const QString &issuer, const QString &account, const QByteArray &secret);
// The code of the time step that holds `unixTime`.
QString codeAt(const QByteArray &secret, qint64 unixTime);
// The time step of `code` if it is the code of the step holding `unixTime` or of one step
// either side; nullopt otherwise. The comparison takes the same time wherever the codes differ.
// The caller refuses a step it has accepted before (replay).
std::optional<qint64> matchingStep(const QByteArray &secret, const QString &code, qint64 unixTime);
} // namespace Totp

} // namespace Tasklane
