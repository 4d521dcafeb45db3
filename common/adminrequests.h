#pragma once

#include "accountstatus.h"
#include "fielderror.h"
#include "role.h"

#include <QJsonObject>

#include <optional>

namespace Tasklane {

// PATCH /admin/users/{id}: what an administrator changes about an account. At least one field.
struct AdminUserChanges
{
    std::optional<Role> role;
    std::optional<AccountStatus> status; // deactivated or locked end its sessions
    bool resetTwoFactor = false; // "reset_two_factor": true turns 2FA off (secret, codes)
    // "require_password_change": true: the owner's tokens reach only /users/me and logout until
    // they set a new password.
    bool requirePasswordChange = false;

    QJsonObject toJson() const;
    static std::optional<AdminUserChanges> fromJson(const QJsonObject &json, FieldErrors *errors);
};

// POST /admin/users: an account an administrator makes for someone, who then gets an email
// with a link to choose their password.
struct AdminNewUser
{
    QString email; // normalised
    QString displayName;
    Role role = Role::User; // "role", user when left out
    QString language; // of the invitation and later mail; empty: the server's default

    QJsonObject toJson() const;
    static std::optional<AdminNewUser> fromJson(const QJsonObject &json, FieldErrors *errors);
};

} // namespace Tasklane
