#include "avatarservice.h"

#include "activitylog.h"
#include "apierror.h"
#include "avatarimage.h"
#include "database.h"
#include "principalcache.h"
#include "userrepository.h"

#include <QCryptographicHash>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAvatars, "tasklane.avatars")

namespace Tasklane {

QByteArray AvatarService::prepare(QByteArrayView upload, QByteArrayView contentType) const
{
    if (upload.isEmpty())
        throw ApiError::validation({ { u"avatar"_s, u"empty"_s, u"The image is empty."_s } });
    if (!m_decodeSlots.tryAcquire(1, DecodeWaitMs))
        throw ApiError(ApiError::Kind::ServerBusy,
                       u"Too many pictures are being processed; try again shortly."_s)
                .withRetryAfter(5);
    AvatarImage::Result result = [&] {
        const QSemaphoreReleaser slot(m_decodeSlots);
        return AvatarImage::normalize(upload, contentType);
    }();
    if (auto *png = std::get_if<QByteArray>(&result))
        return std::move(*png);
    const auto &why = std::get<AvatarImage::Rejected>(result);
    switch (why.refusal) {
    case AvatarImage::Refusal::UnsupportedType:
    case AvatarImage::Refusal::TypeMismatch:
        throw ApiError(ApiError::Kind::UnsupportedMediaType, why.detail);
    case AvatarImage::Refusal::TooManyPixels:
        throw ApiError::validation({ { u"avatar"_s, u"too_many_pixels"_s, why.detail } });
    case AvatarImage::Refusal::TooManyScans:
        throw ApiError::validation({ { u"avatar"_s, u"too_many_scans"_s, why.detail } });
    case AvatarImage::Refusal::Undecodable: break;
    }
    throw ApiError::validation({ { u"avatar"_s, u"invalid_image"_s, why.detail } });
}

AvatarInfo AvatarService::store(const Principal &principal, const QByteArray &png) const
{
    const qint64 userId = principal.user.id;
    // 128 bits of the picture's SHA-256: the same picture, the same tag, on every server.
    const QByteArray etag
            = QCryptographicHash::hash(png, QCryptographicHash::Sha256).first(16).toHex();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Transaction transaction(m_database);
    UserRepository users(m_database);
    if (!users.lockForWrite(userId))
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token's user no longer exists."_s);
    AvatarRepository(m_database).put(userId, png, etag, now);
    users.markUpdated(userId, now);
    ActivityLog::record(m_database, ActivityLog::entry(ActivityAction::AvatarChanged, principal));
    transaction.commit();
    // /users/me shows avatar_url: what this process cached of the user is out of date.
    m_principals.forgetUser(userId);
    qCInfo(lcAvatars, "user %lld set an avatar of %lld bytes", userId, qlonglong(png.size()));
    AvatarInfo info;
    info.url = avatarPath(userId);
    info.width = AvatarImage::Side;
    info.height = AvatarImage::Side;
    info.bytes = png.size();
    info.etag = QString::fromLatin1('"' + etag + '"');
    info.updatedAt = Database::readTime(Database::bindTime(now));
    return info;
}

void AvatarService::remove(const Principal &principal) const
{
    const qint64 userId = principal.user.id;
    Transaction transaction(m_database);
    UserRepository users(m_database);
    if (!users.lockForWrite(userId))
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token's user no longer exists."_s);
    if (!AvatarRepository(m_database).remove(userId))
        throw ApiError(ApiError::Kind::NotFound, u"You have no avatar."_s);
    users.markUpdated(userId, QDateTime::currentDateTimeUtc());
    ActivityLog::record(m_database, ActivityLog::entry(ActivityAction::AvatarRemoved, principal));
    transaction.commit();
    m_principals.forgetUser(userId);
    qCInfo(lcAvatars, "user %lld removed their avatar", userId);
}

StoredAvatar AvatarService::read(const Principal &viewer, qint64 userId,
                                 QByteArrayView knownEtag) const
{
    const AvatarRepository avatars(m_database);
    const bool seesWithoutSharing
            = viewer.user.id == userId || roleSatisfies(viewer.user.role, Role::Manager);
    auto found = seesWithoutSharing ? avatars.find(userId, knownEtag)
                                    : avatars.findIfSharing(userId, viewer.user.id, knownEtag);
    if (!found)
        throw ApiError(ApiError::Kind::NotFound, u"There is no such avatar."_s);
    return std::move(*found);
}

} // namespace Tasklane
