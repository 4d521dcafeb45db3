#include "activity.h"

#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

const QStringList &ActivityAction::all()
{
    static const QStringList names{
        SignedUp,           LoggedIn,           LoginFailed,          LoggedOut,
        AccountLocked,      EmailVerified,      EmailChangeRequested, EmailChanged,
        PasswordChanged,

        PasswordReset,      ProfileChanged,     AvatarChanged,        AvatarRemoved,
        TwoFactorEnabled,   TwoFactorDisabled,  RecoveryCodesRenewed, SecondFactorFailed,
        SessionEnded,       OtherSessionsEnded, TaskCreated,          TaskChanged,
        TaskDeleted,        TaskShared,         TaskUnshared,         AccountDeactivated,
        AccountDeleted,     DataExported,       JobRetried,           UserChangedByAdmin,
        UserDeletedByAdmin, UserCreatedByAdmin,
    };
    return names;
}

namespace {
QJsonValue idOrNull(qint64 id)
{
    return id ? QJsonValue(id) : QJsonValue();
}
} // namespace

QJsonObject ActivityEntry::toJson() const
{
    return { { u"id"_s, id },
             { u"at"_s, toApiTimestamp(at) },
             { u"user_id"_s, idOrNull(userId) },
             { u"actor_id"_s, idOrNull(actorId) },
             { u"action"_s, action },
             { u"outcome"_s, succeeded ? u"success"_s : u"failure"_s },
             { u"target_type"_s, stringOrNull(targetType) },
             { u"target_id"_s, idOrNull(targetId) },
             { u"client_address"_s, clientAddress },
             { u"user_agent"_s, userAgent },
             { u"details"_s, details } };
}

std::optional<ActivityEntry> ActivityEntry::fromJson(const QJsonObject &json)
{
    if (!json.value(u"id"_s).isDouble() || !json.value(u"action"_s).isString())
        return std::nullopt;
    ActivityEntry entry;
    entry.id = json.value(u"id"_s).toInteger();
    entry.at = fromApiTimestamp(json.value(u"at"_s).toString());
    entry.userId = json.value(u"user_id"_s).toInteger();
    entry.actorId = json.value(u"actor_id"_s).toInteger();
    entry.action = json.value(u"action"_s).toString();
    entry.succeeded = json.value(u"outcome"_s).toString() == u"success";
    entry.targetType = json.value(u"target_type"_s).toString();
    entry.targetId = json.value(u"target_id"_s).toInteger();
    entry.clientAddress = json.value(u"client_address"_s).toString();
    entry.userAgent = json.value(u"user_agent"_s).toString();
    entry.details = json.value(u"details"_s).toObject();
    return entry;
}

} // namespace Tasklane
