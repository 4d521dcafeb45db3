#include "user.h"

#include "avatar.h"

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString toApiTimestamp(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    // Formatted by hand: QDateTime::toString() costs several microseconds, which showed in the
    // profile of every response that carries a user.
    const qint64 msecs = time.toMSecsSinceEpoch();
    const qint64 days = msecs >= 0 ? msecs / 86'400'000 : (msecs - 86'399'999) / 86'400'000;
    const qint64 msOfDay = msecs - days * 86'400'000;
    const QDate date = QDate(1970, 1, 1).addDays(days);
    char buffer[32];
    const int length = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                     date.year(), date.month(), date.day(),
                                     int(msOfDay / 3'600'000), int(msOfDay / 60'000 % 60),
                                     int(msOfDay / 1000 % 60), int(msOfDay % 1000));
    return QString::fromLatin1(buffer, length);
}

QJsonValue apiTimestampOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(toApiTimestamp(time)) : QJsonValue(QJsonValue::Null);
}

QJsonValue stringOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

bool isSupportedLanguage(const QString &language)
{
    return language == u"en" || language == u"de";
}

QDateTime fromApiTimestamp(const QString &text)
{
    return QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
}

QJsonObject User::toJson() const
{
    return { { u"id"_s, id },
             { u"email"_s, email },
             { u"display_name"_s, displayName },
             { u"role"_s, roleToString(role) },
             { u"status"_s, accountStatusToString(status) },
             { u"password_change_required"_s, passwordChangeRequired },
             { u"time_zone"_s, timeZone },
             { u"language"_s, language },
             { u"email_verified"_s, emailVerified },
             { u"two_factor_enabled"_s, twoFactorEnabled },
             { u"bio"_s, bio },
             { u"phone"_s, stringOrNull(phone) },
             { u"locale"_s, locale },
             { u"avatar_url"_s, hasAvatar ? QJsonValue(avatarPath(id)) : QJsonValue() },
             { u"pending_email"_s, stringOrNull(pendingEmail) },
             { u"created_at"_s, toApiTimestamp(createdAt) },
             { u"updated_at"_s, toApiTimestamp(updatedAt) } };
}

std::optional<User> User::fromJson(const QJsonObject &json)
{
    const auto role = roleFromString(json.value(u"role"_s).toString());
    if (!json.value(u"id"_s).isDouble() || !json.value(u"email"_s).isString() || !role)
        return std::nullopt;
    User user;
    user.id = json.value(u"id"_s).toInteger();
    user.email = json.value(u"email"_s).toString();
    user.displayName = json.value(u"display_name"_s).toString();
    user.role = *role;
    user.status = accountStatusFromString(json.value(u"status"_s).toString())
                          .value_or(AccountStatus::Active);
    user.passwordChangeRequired = json.value(u"password_change_required"_s).toBool();
    user.timeZone = json.value(u"time_zone"_s).toString(u"UTC"_s);
    user.language = json.value(u"language"_s).toString(u"en"_s);
    user.emailVerified = json.value(u"email_verified"_s).toBool();
    user.twoFactorEnabled = json.value(u"two_factor_enabled"_s).toBool();
    user.bio = json.value(u"bio"_s).toString();
    user.phone = json.value(u"phone"_s).toString();
    user.locale = json.value(u"locale"_s).toString(u"en"_s);
    user.hasAvatar = json.value(u"avatar_url"_s).isString();
    user.pendingEmail = json.value(u"pending_email"_s).toString();
    user.createdAt = fromApiTimestamp(json.value(u"created_at"_s).toString());
    user.updatedAt = fromApiTimestamp(json.value(u"updated_at"_s).toString());
    return user;
}

} // namespace Tasklane
