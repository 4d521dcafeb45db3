#include "notificationservice.h"

#include "apierror.h"
#include "commitgroup.h"
#include "cursorcodec.h"
#include "database.h"
#include "notificationrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
ApiError notFound()
{
    return ApiError(ApiError::Kind::NotFound, u"There is no such notification."_s);
}
} // namespace

NotificationService::NotificationService(const Database &database, CommitGroup &writes,
                                         const CursorCodec &cursors)
    : m_database(database), m_writes(writes), m_cursors(cursors)
{ }

Page<Notification> NotificationService::list(const Principal &principal, bool unreadOnly,
                                             const QString &cursor, int limit) const
{
    // A cursor: the last id listed (n), for this user (u) and filter (r).
    qint64 beforeId = 0;
    if (!cursor.isEmpty()) {
        const auto payload = m_cursors.decode(cursor);
        if (!payload || payload->value(u"u"_s).toInteger() != principal.user.id
            || payload->value(u"r"_s).toBool() != unreadOnly || !payload->value(u"n"_s).isDouble())
            throw ApiError(ApiError::Kind::BadRequest,
                           u"A query parameter is not valid; see errors."_s,
                           { { u"cursor"_s, u"invalid_value"_s,
                               u"Use the next_cursor of this same listing."_s } });
        beforeId = payload->value(u"n"_s).toInteger();
    }
    Page<Notification> page;
    page.items = NotificationRepository(m_database)
                         .list(principal.user.id, unreadOnly, beforeId, limit + 1);
    if (page.items.size() > limit) {
        page.items.resize(limit);
        page.nextCursor = m_cursors.encode({ { u"u"_s, principal.user.id },
                                             { u"r"_s, unreadOnly },
                                             { u"n"_s, page.items.last().id } });
    }
    return page;
}

Notification NotificationService::markRead(const Principal &principal, qint64 id) const
{
    return m_writes.run([&] {
        const NotificationRepository notifications(m_database);
        if (!notifications.markRead(principal.user.id, id, QDateTime::currentDateTimeUtc()))
            throw notFound();
        return *notifications.find(principal.user.id, id);
    });
}

int NotificationService::markAllRead(const Principal &principal) const
{
    return m_writes.run([&] {
        return NotificationRepository(m_database)
                .markAllRead(principal.user.id, QDateTime::currentDateTimeUtc());
    });
}

void NotificationService::remove(const Principal &principal, qint64 id) const
{
    m_writes.run([&] {
        if (!NotificationRepository(m_database).remove(principal.user.id, id))
            throw notFound();
    });
}

} // namespace Tasklane
