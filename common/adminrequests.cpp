#include "adminrequests.h"

#include "jsonfieldreader.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QJsonObject AdminUserChanges::toJson() const
{
    QJsonObject json;
    if (role)
        json.insert(u"role"_s, roleToString(*role));
    if (status)
        json.insert(u"status"_s, accountStatusToString(*status));
    if (resetTwoFactor)
        json.insert(u"reset_two_factor"_s, true);
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
    if (const auto reset = reader.value(u"reset_two_factor"_s)) {
        if (!reset->isBool())
            reader.addError(u"reset_two_factor"_s, u"wrong_type"_s, u"This must be true."_s);
        else if (!reset->toBool())
            reader.addError(u"reset_two_factor"_s, u"invalid_value"_s,
                            u"Only true asks for something; leave it out otherwise."_s);
        else
            changes.resetTwoFactor = true;
    }
    if (!reader.hasErrors() && !changes.role && !changes.status && !changes.resetTwoFactor)
        reader.addError(u"role"_s, u"required"_s,
                        u"Give role, status or reset_two_factor: there is nothing to change."_s);
    return reader.conclude(changes, errors);
}

} // namespace Tasklane
