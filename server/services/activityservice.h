#pragma once

#include "activity.h"
#include "activityrepository.h"
#include "page.h"
#include "principal.h"

namespace Tasklane {

class CursorCodec;
class Database;

// Reading the activity log. Throws ApiError.
class ActivityService
{
public:
    ActivityService(const Database &database, const CursorCodec &cursors)
        : m_database(database), m_cursors(cursors)
    { }

    // The principal's own entries (those of their account, whoever acted) that `filter`
    // selects (its userId is set here), newest first; `cursor` is a next_cursor of the same
    // listing.
    Page<ActivityEntry> listOwn(const Principal &principal, ActivityRepository::Filter filter,
                                const QString &cursor, int limit) const;
    // Everyone's entries that `filter` selects (GET /admin/activity: whose account, who acted,
    // actions, outcome, time), newest first. Who may call it is declared at the route.
    Page<ActivityEntry> listAll(const ActivityRepository::Filter &filter, const QString &cursor,
                                int limit) const;

private:
    // One page of `filter`'s entries; the cursor is bound to the filter and to `listing`.
    Page<ActivityEntry> list(const ActivityRepository::Filter &filter, const QString &listing,
                             const QString &cursor, int limit) const;

    const Database &m_database;
    const CursorCodec &m_cursors;
};

} // namespace Tasklane
