#pragma once

#include "fielderror.h"
#include "jsonfieldreader.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// Limits of the account fields, the same for the server's checks and the console's forms.
namespace AccountLimits {
inline constexpr qsizetype EmailMaxLength = 254; // RFC 5321 path limit
inline constexpr qsizetype DisplayNameMaxLength = 100;
inline constexpr qsizetype PasswordMinLength = 12;
inline constexpr qsizetype PasswordMaxLength = 128;
inline constexpr qsizetype TimeZoneMaxLength = 64;
inline constexpr qsizetype BioMaxLength = 2000;
inline constexpr qsizetype LocaleMaxLength = 35; // BCP 47's longest common form, and some
} // namespace AccountLimits

// Lower-cases and checks the shape of an address (local@domain.tld, no spaces or controls).
// Returns the normalised address, or nullopt when it is not one.
std::optional<QString> normalizeEmail(const QString &email);
// A display name: 1..100 characters, no control characters, not only white space.
bool isValidDisplayName(const QString &name);
// A locale as BCP 47 language[-Script][-REGION] that QLocale knows, in canonical case
// ("de-at" -> "de-AT", "zh-hant-tw" -> "zh-Hant-TW"); nullopt otherwise.
std::optional<QString> normalizeLocale(const QString &tag);
// A contact number as typed ("+49 30 1234-5678", "+1 (555) 010-9999"): E.164 once spaces,
// hyphens, dots and parentheses are gone; nullopt when it is not one.
std::optional<QString> normalizeContactPhone(const QString &typed);

// The email and display_name fields of a request that names an account (sign-up, a change of
// profile, an administrator's new account): the address normalised; a field error otherwise.
std::optional<QString> readAccountEmail(JsonFieldReader &reader,
                                        JsonFieldReader::Presence presence);
std::optional<QString> readAccountDisplayName(JsonFieldReader &reader,
                                              JsonFieldReader::Presence presence);

// Each parser reads one request body strictly; on any problem it returns nullopt and appends
// every field error to `errors`. The password's membership of the common list is the server's
// check, not these.
struct SignupRequest
{
    QString email; // normalised
    QString password;
    QString displayName;

    QJsonObject toJson() const;
    static std::optional<SignupRequest> fromJson(const QJsonObject &json, FieldErrors *errors);
};

struct LoginRequest
{
    QString email; // normalised when it has the shape of one, as typed otherwise
    QString password;

    QJsonObject toJson() const;
    static std::optional<LoginRequest> fromJson(const QJsonObject &json, FieldErrors *errors);
};

// The body of refresh-token and logout.
struct RefreshTokenRequest
{
    QString refreshToken;

    QJsonObject toJson() const;
    static std::optional<RefreshTokenRequest> fromJson(const QJsonObject &json,
                                                       FieldErrors *errors);
};

// The bodies of verify-email {token} and of reset-password {token, password}: a token from a
// link sent by email (43 base64url characters; anything else simply matches nothing).
struct AccountTokenRequest
{
    QString token;
    QString password; // reset-password only: the new one

    QJsonObject toJson() const;
    static std::optional<AccountTokenRequest> fromJson(const QJsonObject &json, bool withPassword,
                                                       FieldErrors *errors);
};

// forgot-password {email}: any text of an address's length is taken, so that a malformed
// address gets the same answer as an unknown one.
struct ForgotPasswordRequest
{
    QString email; // normalised when it has the shape of one

    QJsonObject toJson() const;
    static std::optional<ForgotPasswordRequest> fromJson(const QJsonObject &json,
                                                         FieldErrors *errors);
};

// PATCH /users/me: every field optional; email and password changes need current_password.
// `role` is recognised only so that the server can refuse it as forbidden.
struct UpdateMeRequest
{
    std::optional<QString> displayName;
    std::optional<QString> email; // normalised
    std::optional<QString> newPassword;
    std::optional<QString> currentPassword;
    std::optional<QString> timeZone; // an IANA name; the server checks that it knows it
    std::optional<QString> language; // en or de
    std::optional<QString> bio; // empty clears it
    std::optional<QString> phone; // normalised E.164; empty clears it
    std::optional<QString> locale; // normalised BCP 47
    bool triesToChangeRole = false;

    QJsonObject toJson() const;
    static std::optional<UpdateMeRequest> fromJson(const QJsonObject &json, FieldErrors *errors);
};

} // namespace Tasklane
