#include "adminrequests.h"

#include "jsonfieldreader.h"

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
    if (const auto role = reader.string(u"role"_s, Presence::Optional, 16)) {
        changes.role = roleFromString(*role);
        if (!changes.role)
            reader.addError(u"role"_s, u"invalid_value"_s,
                            u"This must be admin, manager or user."_s);
    }
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

} // namespace Tasklane
