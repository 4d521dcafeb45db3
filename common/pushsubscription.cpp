#include "pushsubscription.h"

#include "jsonfieldreader.h"
#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

QByteArray toBase64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> decodeBase64Url(const QString &text)
{
    if (text.contains(u'+') || text.contains(u'/'))
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(
            text.toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    return decoded ? std::optional<QByteArray>(*decoded) : std::nullopt;
}

} // namespace

QJsonObject PushSubscriptionRequest::toJson() const
{
    return { { u"endpoint"_s, endpoint },
             { u"keys"_s,
               QJsonObject{ { u"p256dh"_s, QString::fromLatin1(toBase64Url(p256dh)) },
                            { u"auth"_s, QString::fromLatin1(toBase64Url(auth)) } } } };
}

std::optional<PushSubscriptionRequest> PushSubscriptionRequest::fromJson(const QJsonObject &json,
                                                                         FieldErrors *errors)
{
    using Presence = JsonFieldReader::Presence;
    JsonFieldReader reader(json);
    PushSubscriptionRequest request;
    request.endpoint
            = reader.string(u"endpoint"_s, Presence::Required, 2048, 1).value_or(QString());
    // The Push API's toJSON() also has expirationTime (null, or when it lapses): accepted.
    reader.value(u"expirationTime"_s);
    const auto keys = reader.value(u"keys"_s);
    if (!keys) {
        reader.addError(u"keys"_s, u"required"_s, u"Give keys.p256dh and keys.auth."_s);
    } else if (!keys->isObject()) {
        reader.addError(u"keys"_s, u"wrong_type"_s, u"This must be an object."_s);
    } else {
        const QJsonObject object = keys->toObject();
        const struct
        {
            QString name;
            qsizetype size;
            QByteArray *out;
        } parts[] = { { u"p256dh"_s, 65, &request.p256dh }, { u"auth"_s, 16, &request.auth } };
        for (const auto &part : parts) {
            const QString field = u"keys."_s + part.name;
            const QJsonValue value = object.value(part.name);
            if (value.isUndefined()) {
                reader.addError(field, u"required"_s, u"This is required."_s);
                continue;
            }
            const auto decoded
                    = value.isString() ? decodeBase64Url(value.toString()) : std::nullopt;
            if (!value.isString())
                reader.addError(field, u"wrong_type"_s, u"This must be a string."_s);
            else if (!decoded)
                reader.addError(field, u"invalid_format"_s, u"This must be base64url."_s);
            else if (decoded->size() != part.size)
                reader.addError(field, u"invalid_length"_s,
                                u"This must hold %1 bytes."_s.arg(part.size));
            else
                *part.out = *decoded;
        }
        for (auto key = object.begin(); key != object.end(); ++key) {
            if (key.key() != u"p256dh" && key.key() != u"auth")
                reader.addError(u"keys."_s + key.key(), u"unknown_field"_s,
                                u"The keys are p256dh and auth."_s);
        }
    }
    if (!reader.finish().isEmpty()) {
        if (errors)
            errors->append(reader.errors());
        return std::nullopt;
    }
    return request;
}

QJsonObject PushSubscription::toJson() const
{
    return { { u"id"_s, id },
             { u"endpoint"_s, endpoint },
             { u"created_at"_s, apiTimestampOrNull(createdAt) },
             { u"last_success_at"_s, apiTimestampOrNull(lastSuccessAt) } };
}

} // namespace Tasklane
