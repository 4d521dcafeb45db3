#pragma once

#include "avatar.h"
#include "avatarrepository.h"
#include "principal.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QSemaphore>

namespace Tasklane {

class Database;
class PrincipalCache;

// Profile pictures: who may set, remove and see one. Throws ApiError.
class AvatarService
{
public:
    // The largest upload: 5 MiB.
    static constexpr qint64 MaxUploadBytes = 5 * 1024 * 1024;
    // Decodes at once in this process (each may take about 150 MB: AvatarImage::MaxPixels),
    // and how long an upload waits for its turn before a 503.
    static constexpr int MaxConcurrentDecodes = 2;
    static constexpr int DecodeWaitMs = 10'000;

    AvatarService(const Database &database, PrincipalCache &principals)
        : m_database(database), m_principals(principals)
    { }

    // The upload as it will be stored (AvatarImage::normalize); CPU work, no database: for the
    // hashing pool. UnsupportedMediaType for a type other than PNG, JPEG or WebP or one the
    // bytes belie, ValidationFailed (field "avatar") for a bomb or a broken picture,
    // ServerBusy when MaxConcurrentDecodes are under way for longer than DecodeWaitMs.
    QByteArray prepare(QByteArrayView upload, QByteArrayView contentType) const;
    // Stores a prepared picture as the principal's avatar.
    AvatarInfo store(const Principal &principal, const QByteArray &png) const;
    // NotFound when they had none.
    void remove(const Principal &principal) const;
    // User `userId`'s avatar as `viewer` may see it: their own, a user they share a task with,
    // anyone's for a manager or an admin. NotFound otherwise, alike for no avatar and no right
    // to it.
    StoredAvatar read(const Principal &viewer, qint64 userId, QByteArrayView knownEtag) const;

private:
    const Database &m_database;
    PrincipalCache &m_principals;
    mutable QSemaphore m_decodeSlots{ MaxConcurrentDecodes };
};

} // namespace Tasklane
