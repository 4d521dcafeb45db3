#include "adminrequests.h"

#include "authrequests.h"
#include "jsonfieldreader.h"
#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
// A field that only asks for something: true, or left out.
bool readTrue(JsonFieldReader &reader, const QString &field)
{
    const auto value = reader.value(field);
    if (!value)
        return false;
    if (!value->isBool())
        reader.addError(field, u"wrong_type"_s, u"This must be true."_s);
    else if (!value->toBool())
        reader.addError(field, u"invalid_value"_s,
                        u"Only true asks for something; leave it out otherwise."_s);
    return value->isBool() && value->toBool();
}

std::optional<Role> readRole(JsonFieldReader &reader)
{
    const auto name = reader.string(u"role"_s, JsonFieldReader::Presence::Optional, 16);
    if (!name)
        return std::nullopt;
    const auto role = roleFromString(*name);
    if (!role)
        reader.addError(u"role"_s, u"invalid_value"_s, u"This must be admin, manager or user."_s);
    return role;
}
} // namespace

QJsonObject AdminUserChanges::toJson() const
{
    QJsonObject json;
    if (role)
        json.insert(u"role"_s, roleToString(*role));
    if (status)
        json.insert(u"status"_s, accountStatusToString(*status));
    if (resetTwoFactor)
        json.insert(u"reset_two_factor"_s, true);
    if (requirePasswordChange)
        json.insert(u"require_password_change"_s, true);
    return json;
}

std::optional<AdminUserChanges> AdminUserChanges::fromJson(const QJsonObject &json,
                                                           FieldErrors *errors)
{
    using Presence = JsonFieldReader::Presence;
    JsonFieldReader reader(json);
    AdminUserChanges changes;
    changes.role = readRole(reader);
    if (const auto status = reader.string(u"status"_s, Presence::Optional, 16)) {
        changes.status = accountStatusFromString(*status);
        if (!changes.status)
            reader.addError(u"status"_s, u"invalid_value"_s,
                            u"This must be active, deactivated or locked."_s);
    }
    changes.resetTwoFactor = readTrue(reader, u"reset_two_factor"_s);
    changes.requirePasswordChange = readTrue(reader, u"require_password_change"_s);
    if (!reader.hasErrors() && !changes.role && !changes.status && !changes.resetTwoFactor
        && !changes.requirePasswordChange)
        reader.addError(u"role"_s, u"required"_s,
                        u"Give role, status, reset_two_factor or require_password_change: there "
                        "is nothing to change."_s);
    return reader.conclude(changes, errors);
}

QJsonObject AdminNewUser::toJson() const
{
    QJsonObject json{ { u"email"_s, email },
                      { u"display_name"_s, displayName },
                      { u"role"_s, roleToString(role) } };
    if (!language.isEmpty())
        json.insert(u"language"_s, language);
    return json;
}

std::optional<AdminNewUser> AdminNewUser::fromJson(const QJsonObject &json, FieldErrors *errors)
{
    using Presence = JsonFieldReader::Presence;
    JsonFieldReader reader(json);
    AdminNewUser account;
    account.email = readAccountEmail(reader, Presence::Required).value_or(QString());
    account.displayName = readAccountDisplayName(reader, Presence::Required).value_or(QString());
    account.role = readRole(reader).value_or(Role::User);
    account.language = reader.string(u"language"_s, Presence::Optional, 10, 1).value_or(QString());
    if (!account.language.isEmpty() && !isSupportedLanguage(account.language)) {
        reader.addError(u"language"_s, u"invalid_value"_s, u"This must be en or de."_s);
        account.language.clear();
    }
    return reader.conclude(account, errors);
}

} // namespace Tasklane
