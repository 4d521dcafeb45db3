#pragma once

#include "accountstatus.h"
#include "role.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// A Tasklane account as the API shows it (never its password hash).
struct User
{
    qint64 id = 0;
    QString email;
    QString displayName;
    Role role = Role::User;
    AccountStatus status = AccountStatus::Active; // only an active account signs in
    bool passwordChangeRequired = false; // an administrator asks for a new password first
    QString timeZone = QStringLiteral("UTC"); // IANA name
    QString language = QStringLiteral("en"); // of the email they get: en or de
    bool emailVerified = false; // the address's link was followed (or an operator vouched)
    QString pendingEmail; // a new address waiting for its link; empty: none
    bool twoFactorEnabled = false; // sign-in needs an authenticator code too (TOTP confirmed)
    QString bio; // up to 2,000 characters about oneself; empty: none
    QString phone; // a contact number, E.164; empty: none (not the SMS number, /users/me/phone)
    QString locale = QStringLiteral("en"); // BCP 47 (en, de, de-AT, pt-BR ...)
    bool hasAvatar = false; // a picture is served at avatarPath(id) (shown as avatar_url)
    QDateTime createdAt;
    QDateTime updatedAt;

    QJsonObject toJson() const;
    static std::optional<User> fromJson(const QJsonObject &json);
    friend bool operator==(const User &, const User &) = default;
};

// The languages notification email comes in.
bool isSupportedLanguage(const QString &language);

// RFC 3339 in UTC with milliseconds, the one timestamp format of the API.
QString toApiTimestamp(const QDateTime &time);
// toApiTimestamp's text, or JSON null for an invalid time; a string, or null when empty.
QJsonValue apiTimestampOrNull(const QDateTime &time);
QJsonValue stringOrNull(const QString &text);
QDateTime fromApiTimestamp(const QString &text);

} // namespace Tasklane
