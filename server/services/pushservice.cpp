#include "pushservice.h"

#include "apierror.h"
#include "commitgroup.h"
#include "jsonfieldreader.h"
#include "pushendpointpolicy.h"
#include "pushsubscriptionrepository.h"
#include "webpushcrypto.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

PushSubscription PushService::subscribe(const Principal &principal, const QJsonObject &body,
                                        bool *created) const
{
    FieldErrors errors;
    const auto request = PushSubscriptionRequest::fromJson(body, &errors);
    if (!request)
        throw ApiError::validation(errors);
    if (!P256Key::fromPublic(request->p256dh))
        throw ApiError::validation(
                { { u"keys.p256dh"_s, u"invalid_value"_s, u"This is not a P-256 public key."_s } });
    // Resolves the endpoint's host: before the write, not inside it.
    if (const auto refusal = m_policy.refusal(request->endpoint))
        throw ApiError::validation({ { u"endpoint"_s, u"invalid_value"_s, *refusal } });
    return m_writes.run([&] {
        return PushSubscriptionRepository(m_database)
                .save(principal.user.id, *request, QDateTime::currentDateTimeUtc(), created);
    });
}

void PushService::unsubscribe(const Principal &principal, const QJsonObject &body) const
{
    JsonFieldReader reader(body);
    const auto endpoint = reader.string(u"endpoint"_s, JsonFieldReader::Presence::Required,
                                        PushEndpointPolicy::MaxLength, 1);
    // What a browser's subscription object holds besides: accepted, not needed.
    reader.value(u"keys"_s);
    reader.value(u"expirationTime"_s);
    if (!reader.finish().isEmpty())
        throw ApiError::validation(reader.errors());
    m_writes.run([&] {
        if (!PushSubscriptionRepository(m_database).remove(principal.user.id, *endpoint))
            throw ApiError(ApiError::Kind::NotFound, u"There is no such subscription."_s);
    });
}

QString PushService::vapidPublicKey() const
{
    return QString::fromLatin1(base64Url(m_vapidPublicKey));
}

} // namespace Tasklane
