#include "activityservice.h"

#include "apierror.h"
#include "cursorcodec.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
// What a cursor is bound to: the listing's owner and filter, so that a cursor is followed
// only in the listing that made it.
QJsonObject filterKey(const ActivityRepository::Filter &filter)
{
    return { { u"u"_s, filter.userId },
             { u"c"_s, filter.actorId },
             { u"a"_s, QJsonArray::fromStringList(filter.actions) },
             { u"o"_s, filter.succeeded ? QJsonValue(*filter.succeeded) : QJsonValue() },
             { u"s"_s, filter.since.isValid() ? filter.since.toMSecsSinceEpoch() : 0 },
             { u"t"_s, filter.until.isValid() ? filter.until.toMSecsSinceEpoch() : 0 } };
}
} // namespace

Page<ActivityEntry> ActivityService::listOwn(const Principal &principal,
                                             ActivityRepository::Filter filter,
                                             const QString &cursor, int limit) const
{
    filter.userId = principal.user.id;
    Page<ActivityEntry> page = list(filter, u"own"_s, cursor, limit);
    // Where another known user acted on this account (an administrator) is theirs, not this
    // user's to see; an unknown actor's (a failed sign-in) stays, as a warning.
    for (ActivityEntry &entry : page.items) {
        if (entry.actorId != 0 && entry.actorId != principal.user.id) {
            entry.clientAddress.clear();
            entry.userAgent.clear();
        }
    }
    return page;
}

Page<ActivityEntry> ActivityService::listAll(const ActivityRepository::Filter &filter,
                                             const QString &cursor, int limit) const
{
    return list(filter, u"all"_s, cursor, limit);
}

Page<ActivityEntry> ActivityService::list(const ActivityRepository::Filter &filter,
                                          const QString &listing, const QString &cursor,
                                          int limit) const
{
    QJsonObject key = filterKey(filter);
    key.insert(u"l"_s, listing);
    qint64 beforeId = 0;
    if (!cursor.isEmpty()) {
        const auto payload = m_cursors.decode(cursor);
        if (!payload || payload->value(u"f"_s).toObject() != key
            || !payload->value(u"n"_s).isDouble())
            throw ApiError(ApiError::Kind::BadRequest,
                           u"A query parameter is not valid; see errors."_s,
                           { { u"cursor"_s, u"invalid_value"_s,
                               u"Use the next_cursor of this same listing."_s } });
        beforeId = payload->value(u"n"_s).toInteger();
    }
    Page<ActivityEntry> page;
    page.items = ActivityRepository(m_database).list(filter, beforeId, limit + 1);
    if (page.items.size() > limit) {
        page.items.resize(limit);
        page.nextCursor = m_cursors.encode({ { u"f"_s, key }, { u"n"_s, page.items.last().id } });
    }
    return page;
}

} // namespace Tasklane
