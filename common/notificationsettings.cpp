#include "notificationsettings.h"

#include "jsonfieldreader.h"

#include <QRegularExpression>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace Tasklane {

const QStringList NotificationSettings::EventTypes{
    u"shared"_s, u"changed"_s, u"reminder"_s, u"due_soon"_s, u"overdue"_s, u"blocker_done"_s
};
const QStringList NotificationSettings::Channels{ u"in_app"_s, u"email"_s, u"push"_s, u"sms"_s };

namespace {

QString timeText(QTime time)
{
    return time.toString(u"HH:mm"_s);
}

// "HH:MM", 00:00 to 23:59.
std::optional<QTime> parseTime(const QString &text)
{
    static const QRegularExpression shape(u"^([01][0-9]|2[0-3]):[0-5][0-9]$"_s);
    if (!shape.match(text).hasMatch())
        return std::nullopt;
    return QTime::fromString(text, u"HH:mm"_s);
}

} // namespace

NotificationSettings NotificationSettings::defaults()
{
    // Made once; each caller gets a shallow copy (Qt's containers detach only when changed):
    // a change to a task with a hundred readers asks for a hundred of them.
    static const NotificationSettings made = [] {
        NotificationSettings settings;
        for (const QString &type : EventTypes)
            settings.channels.insert(type, { u"in_app"_s, u"email"_s });
        return settings;
    }();
    return made;
}

bool NotificationSettings::wants(const QString &eventType, const QString &channel) const
{
    return channels.value(eventType).contains(channel);
}

bool NotificationSettings::isQuietAt(QTime localTime) const
{
    if (!quietStart || !quietEnd)
        return false;
    if (*quietStart < *quietEnd)
        return localTime >= *quietStart && localTime < *quietEnd;
    return localTime >= *quietStart || localTime < *quietEnd; // across midnight
}

QJsonObject NotificationSettings::toJson() const
{
    QJsonObject events;
    for (const QString &type : EventTypes) {
        QJsonObject perChannel;
        for (const QString &channel : Channels)
            perChannel.insert(channel, wants(type, channel));
        events.insert(type, perChannel);
    }
    QJsonObject json{ { u"events"_s, events },
                      { u"digest"_s,
                        QJsonObject{ { u"enabled"_s, digest },
                                     { u"hour"_s, digestHour },
                                     { u"instead_of_email"_s, digestInsteadOfEmail } } } };
    json.insert(u"quiet_hours"_s,
                hasQuietHours() ? QJsonValue(QJsonObject{ { u"start"_s, timeText(*quietStart) },
                                                          { u"end"_s, timeText(*quietEnd) } })
                                : QJsonValue(QJsonValue::Null));
    return json;
}

NotificationSettings NotificationSettings::fromStoredJson(const QJsonObject &json)
{
    NotificationSettings settings = defaults();
    const QJsonObject events = json.value(u"events"_s).toObject();
    for (const QString &type : EventTypes) {
        const QJsonObject perChannel = events.value(type).toObject();
        for (const QString &channel : Channels) {
            const QJsonValue on = perChannel.value(channel);
            if (on.isBool() && on.toBool())
                settings.channels[type].insert(channel);
            else if (on.isBool())
                settings.channels[type].remove(channel);
        }
    }
    const QJsonObject quiet = json.value(u"quiet_hours"_s).toObject();
    const auto start = parseTime(quiet.value(u"start"_s).toString());
    const auto end = parseTime(quiet.value(u"end"_s).toString());
    if (start && end && *start != *end) {
        settings.quietStart = start;
        settings.quietEnd = end;
    }
    const QJsonObject digest = json.value(u"digest"_s).toObject();
    settings.digest = digest.value(u"enabled"_s).toBool(false);
    settings.digestHour = std::clamp(digest.value(u"hour"_s).toInt(7), 0, 23);
    settings.digestInsteadOfEmail = digest.value(u"instead_of_email"_s).toBool(false);
    return settings;
}

std::optional<NotificationSettings> NotificationSettings::patched(const NotificationSettings &base,
                                                                  const QJsonObject &patch,
                                                                  FieldErrors *errors)
{
    NotificationSettings settings = base;
    JsonFieldReader reader(patch);
    const auto objectOf = [&reader](const QString &field,
                                    const QJsonValue &value) -> std::optional<QJsonObject> {
        if (!value.isObject()) {
            reader.addError(field, u"wrong_type"_s, u"This must be an object."_s);
            return std::nullopt;
        }
        return value.toObject();
    };

    if (const auto value = reader.value(u"events"_s)) {
        if (const auto events = objectOf(u"events"_s, *value)) {
            for (auto type = events->begin(); type != events->end(); ++type) {
                const QString typeField = u"events."_s + type.key();
                if (!EventTypes.contains(type.key())) {
                    reader.addError(typeField, u"unknown_field"_s,
                                    u"Event types are %1."_s.arg(EventTypes.join(u", "_s)));
                    continue;
                }
                const auto perChannel = objectOf(typeField, type.value());
                if (!perChannel)
                    continue;
                for (auto channel = perChannel->begin(); channel != perChannel->end(); ++channel) {
                    const QString field = typeField + u'.' + channel.key();
                    if (!Channels.contains(channel.key()))
                        reader.addError(field, u"unknown_field"_s,
                                        u"Channels are %1."_s.arg(Channels.join(u", "_s)));
                    else if (!channel.value().isBool())
                        reader.addError(field, u"wrong_type"_s, u"This must be true or false."_s);
                    else if (channel.value().toBool())
                        settings.channels[type.key()].insert(channel.key());
                    else
                        settings.channels[type.key()].remove(channel.key());
                }
            }
        }
    }

    if (const auto value = reader.value(u"quiet_hours"_s)) {
        if (value->isNull()) {
            settings.quietStart.reset();
            settings.quietEnd.reset();
        } else if (const auto quiet = objectOf(u"quiet_hours"_s, *value)) {
            std::optional<QTime> times[2];
            const QString names[2] = { u"start"_s, u"end"_s };
            for (int i = 0; i < 2; ++i) {
                const QString field = u"quiet_hours."_s + names[i];
                const QJsonValue text = quiet->value(names[i]);
                if (text.isUndefined())
                    reader.addError(field, u"required"_s, u"Give both start and end."_s);
                else if (!text.isString())
                    reader.addError(field, u"wrong_type"_s, u"This must be a string."_s);
                else if (!(times[i] = parseTime(text.toString())))
                    reader.addError(field, u"invalid_format"_s,
                                    u"This must be a time of day as HH:MM (00:00 to 23:59)."_s);
            }
            for (auto key = quiet->begin(); key != quiet->end(); ++key) {
                if (key.key() != names[0] && key.key() != names[1])
                    reader.addError(u"quiet_hours."_s + key.key(), u"unknown_field"_s,
                                    u"Quiet hours have a start and an end."_s);
            }
            if (times[0] && times[1] && *times[0] == *times[1])
                reader.addError(u"quiet_hours.end"_s, u"invalid_value"_s,
                                u"The quiet hours must end at another time than they start."_s);
            settings.quietStart = times[0];
            settings.quietEnd = times[1];
        }
    }

    if (const auto value = reader.value(u"digest"_s)) {
        if (const auto digest = objectOf(u"digest"_s, *value)) {
            for (auto key = digest->begin(); key != digest->end(); ++key) {
                const QString field = u"digest."_s + key.key();
                if (key.key() == u"enabled" || key.key() == u"instead_of_email") {
                    if (!key.value().isBool()) {
                        reader.addError(field, u"wrong_type"_s, u"This must be true or false."_s);
                        continue;
                    }
                    (key.key() == u"enabled" ? settings.digest : settings.digestInsteadOfEmail)
                            = key.value().toBool();
                } else if (key.key() == u"hour") {
                    const auto hour = wholeNumber(key.value());
                    if (!key.value().isDouble() || !hour)
                        reader.addError(field, u"wrong_type"_s, u"This must be a whole number."_s);
                    else if (*hour < 0 || *hour > 23)
                        reader.addError(field, u"out_of_range"_s,
                                        u"This must be an hour from 0 to 23."_s);
                    else
                        settings.digestHour = int(*hour);
                } else {
                    reader.addError(field, u"unknown_field"_s,
                                    u"The digest has enabled, hour and instead_of_email."_s);
                }
            }
        }
    }

    if (!reader.finish().isEmpty()) {
        if (errors)
            errors->append(reader.errors());
        return std::nullopt;
    }
    return settings;
}

} // namespace Tasklane
