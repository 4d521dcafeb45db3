#pragma once

#include "avatar.h"
#include "avatarrepository.h"
#include "principal.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Tasklane {

class Database;
class PrincipalCache;

// Profile pictures: who may set, remove and see one. Throws ApiError.
class AvatarService
{
public:
    // The largest upload: 5 MiB.
    static constexpr qint64 MaxUploadBytes = 5 * 1024 * 1024;

    AvatarService(const Database &database, PrincipalCache &principals)
        : m_database(database), m_principals(principals)
    { }

    // The upload as it will be stored (AvatarImage::normalize); CPU work, no database: for the
    // hashing pool. UnsupportedMediaType for a type other than PNG, JPEG or WebP or one the
    // bytes belie, ValidationFailed (field "avatar") for a bomb or a broken picture.
    static QByteArray prepare(QByteArrayView upload, QByteArrayView contentType);
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
};

} // namespace Tasklane
