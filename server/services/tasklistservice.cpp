#include "tasklistservice.h"

#include "apierror.h"
#include "cursorcodec.h"
#include "database.h"
#include "taskjsoncache.h"
#include "tasklistcache.h"
#include "taskrepository.h"
#include "taskrequests.h"
#include "timezones.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

// `text` as a JSON string, quotes and escapes included.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{ text }).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

ApiError expiredCursor(qint64 ttlSeconds)
{
    return ApiError(ApiError::Kind::BadRequest,
                    u"The cursor has expired: a listing's cursors last %1 seconds from its first "
                    "page. List again from the first page."_s.arg(ttlSeconds),
                    { { u"cursor"_s, u"expired"_s, u"Start again without a cursor."_s } });
}

ApiError badCursor()
{
    return ApiError(ApiError::Kind::BadRequest,
                    u"The cursor is not one of this listing (its filters or order differ, or it "
                    "was altered)."_s,
                    { { u"cursor"_s, u"invalid_value"_s,
                        u"Use the next_cursor of a page of this same listing."_s } });
}

// The first date whose start (in `zone`) is at or after `instant`: an all-day task is due
// at or after the instant exactly when its date is on or after this one.
QDate firstDateStartingAtOrAfter(const QDateTime &instant, const QString &zone)
{
    const QDate date = TimeZones::dateAt(instant, zone);
    return TimeZones::startOfDay(date, zone) >= instant ? date : date.addDays(1);
}

void narrowFrom(TaskListFilter &filter, const QDateTime &at, const QDate &date)
{
    filter.dueRange = true;
    if (!filter.dueAtFrom.isValid() || at > filter.dueAtFrom)
        filter.dueAtFrom = at;
    if (!filter.dueDateFrom.isValid() || date > filter.dueDateFrom)
        filter.dueDateFrom = date;
}

void narrowUntil(TaskListFilter &filter, const QDateTime &at, const QDate &date)
{
    filter.dueRange = true;
    if (!filter.dueAtUntil.isValid() || at < filter.dueAtUntil)
        filter.dueAtUntil = at;
    if (!filter.dueDateUntil.isValid() || date < filter.dueDateUntil)
        filter.dueDateUntil = date;
}

// A due_before/due_after bound as an instant and the matching first date.
std::pair<QDateTime, QDate> boundOf(const DueBound &bound, const QString &zone)
{
    if (bound.date.isValid())
        return { TimeZones::startOfDay(bound.date, zone), bound.date };
    return { bound.instant, firstDateStartingAtOrAfter(bound.instant, zone) };
}

} // namespace

TaskListService::TaskListService(const Database &database, const CursorCodec &cursors,
                                 TaskJsonCache &json, TaskListCache &pages, qint64 cursorTtlSeconds)
    : m_database(database), m_cursors(cursors), m_json(json), m_pages(pages),
      m_cursorTtlSeconds(cursorTtlSeconds)
{ }

int TaskListService::pruneExpiredSnapshots(const QDateTime &now) const
{
    return TaskListRepository(m_database)
            .pruneSortMoves(now.addSecs(-m_cursorTtlSeconds - SnapshotMarginSeconds));
}

TaskListFilter TaskListService::resolve(const Principal &principal, const TaskQuery &query,
                                        const QDateTime &now, TaskScope scope)
{
    TaskListFilter filter;
    filter.userId = principal.user.id;
    filter.everyone = scope == TaskScope::Everyone;
    filter.ownerId = query.ownerId;
    filter.statuses = query.statuses;
    filter.priorities = query.priorities;
    filter.categoryId = query.categoryId;
    filter.tagKey = foldCase(query.tag);
    filter.assigneeId = query.assigneeId;
    filter.ready = query.ready;
    filter.text = query.text;
    filter.trashed = query.trashed;
    filter.sort = query.sort;
    filter.descending = query.descending;

    const QString zone = principal.user.timeZone;
    const QDate today = TimeZones::dateAt(now, zone);
    const auto startOf = [&zone](const QDate &date) { return TimeZones::startOfDay(date, zone); };
    if (query.due) {
        switch (*query.due) {
        case DueWindow::Today:
            narrowFrom(filter, startOf(today), today);
            narrowUntil(filter, startOf(today.addDays(1)), today.addDays(1));
            break;
        case DueWindow::Tomorrow:
            narrowFrom(filter, startOf(today.addDays(1)), today.addDays(1));
            narrowUntil(filter, startOf(today.addDays(2)), today.addDays(2));
            break;
        case DueWindow::Overdue:
            // Past its due time, or an all-day task of an earlier day; and not done.
            narrowUntil(filter, now, today);
            filter.openOnly = true;
            break;
        case DueWindow::Upcoming:
            narrowFrom(filter, startOf(today.addDays(1)), today.addDays(1));
            break;
        case DueWindow::None: filter.withoutDue = true; break;
        }
    }
    if (query.dueAfter.isSet()) {
        const auto [at, date] = boundOf(query.dueAfter, zone);
        narrowFrom(filter, at, date);
    }
    if (query.dueBefore.isSet()) {
        const auto [at, date] = boundOf(query.dueBefore, zone);
        narrowUntil(filter, at, date);
    }
    return filter;
}

QByteArray TaskListPage::toJson() const
{
    QByteArray json;
    qsizetype size = 64;
    for (const QByteArray &item : items)
        size += item.size() + 1;
    json.reserve(size + nextCursor.size());
    json += "{\"items\":[";
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i > 0)
            json += ',';
        json += items.at(i);
    }
    json += "],\"next_cursor\":";
    // A cursor is base64url and a dot: nothing in it needs escaping.
    if (nextCursor.isEmpty())
        json += "null";
    else
        json += '"' + nextCursor.toLatin1() + '"';
    if (total)
        json += ",\"total\":" + QByteArray::number(*total);
    json += '}';
    return json;
}

bool TaskListService::isCacheable(const TaskQuery &query)
{
    return !query.due && !query.ready && query.text.isEmpty() && !query.dueBefore.date.isValid()
            && !query.dueAfter.date.isValid();
}

namespace {
// The cache's key of a page: everything that chooses it (the cursor and limit too).
QString pageKey(const TaskQuery &query)
{
    return query.toUrlQuery().toString(QUrl::FullyEncoded);
}
} // namespace

QByteArray TaskListService::listJson(const Principal &principal, const TaskQuery &query) const
{
    if (!isCacheable(query) || !m_pages.isEnabled())
        return list(principal, query).toJson();
    const TaskListCache::Generation readAt = m_pages.snapshot();
    QByteArray json = list(principal, query).toJson();
    m_pages.remember(principal.user.id, pageKey(query), json, readAt);
    return json;
}

std::optional<QByteArray> TaskListService::cachedListJson(const Principal &principal,
                                                          const TaskQuery &query) const
{
    if (!isCacheable(query))
        return std::nullopt;
    return m_pages.find(principal.user.id, pageKey(query));
}

TaskListPage TaskListService::list(const Principal &principal, const TaskQuery &query,
                                   TaskScope scope) const
{
    const TaskListFilter filter = resolve(principal, query, QDateTime::currentDateTimeUtc(), scope);
    // A cursor of one scope is not one of the other's listing.
    const QString fingerprint = QString::fromLatin1(query.fingerprint().toHex())
            + (scope == TaskScope::Everyone ? u"e"_s : QString());
    const TaskListRepository listing(m_database);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // A cursor: the filters' fingerprint (f), the last task's key and id (k, i), the moment of
    // the listing's first page (s, for sorts whose keys change) and when that was (t).
    std::optional<TaskListPosition> after;
    qint64 listedAt = now;
    const bool keysMove = query.sort != TaskSortField::Created;
    if (!query.cursor.isEmpty()) {
        const auto payload = m_cursors.decode(query.cursor);
        if (!payload || payload->value(u"f"_s).toString() != fingerprint
            || !payload->value(u"i"_s).isDouble() || !payload->value(u"t"_s).isDouble())
            throw badCursor();
        after = TaskListPosition{ payload->value(u"k"_s).toVariant(),
                                  payload->value(u"i"_s).toInteger(),
                                  payload->value(u"s"_s).toString() };
        if (keysMove && !listing.isSnapshot(after->snapshot))
            throw badCursor();
        if (query.sort == TaskSortField::Priority)
            after->key = after->key.toInt();
        listedAt = payload->value(u"t"_s).toInteger();
        if (now - listedAt > m_cursorTtlSeconds)
            throw expiredCursor(m_cursorTtlSeconds);
    }
    TaskListPage page;
    QString snapshot = after ? after->snapshot : QString();
    QList<TaskStamp> stamps = listing.list(filter, after, query.limit + 1, &snapshot);
    if (stamps.size() > query.limit) {
        stamps.resize(query.limit);
        const TaskStamp &last = stamps.last();
        QJsonObject cursor{ { u"f"_s, fingerprint },
                            { u"k"_s,
                              QJsonValue::fromVariant(listing.positionKey(last, query.sort)) },
                            { u"i"_s, last.id },
                            { u"t"_s, listedAt } };
        if (keysMove)
            cursor.insert(u"s"_s, snapshot);
        page.nextCursor = m_cursors.encode(cursor);
    }
    // Each task's JSON from the cache when its version is there, the rest in one read.
    page.items.resize(stamps.size());
    QList<qint64> missing;
    for (qsizetype i = 0; i < stamps.size(); ++i) {
        page.items[i] = m_json.find(stamps.at(i).id, stamps.at(i).version);
        if (page.items.at(i).isNull())
            missing.append(stamps.at(i).id);
    }
    if (!missing.isEmpty()) {
        const TaskRepository tasks(m_database);
        const QHash<qint64, TaskRecord> records = scope == TaskScope::Everyone
                ? tasks.findMany(missing)
                : tasks.findManyForUser(missing, principal.user.id);
        for (qsizetype i = 0; i < stamps.size(); ++i) {
            if (!page.items.at(i).isNull())
                continue;
            // A task changed between the two reads is shown as it is now.
            const auto record = records.constFind(stamps.at(i).id);
            if (record != records.constEnd())
                page.items[i] = m_json.jsonOf(*record);
        }
        page.items.removeIf([](const QByteArray &json) { return json.isNull(); });
    }
    if (query.includeTotal)
        page.total = listing.count(filter);
    return page;
}

TaskSearchPage TaskListService::search(const Principal &principal, const TaskQuery &query) const
{
    if (query.text.isEmpty())
        throw ApiError(ApiError::Kind::BadRequest, u"Say what to search for with q."_s,
                       { { u"q"_s, u"required"_s, u"This parameter is required."_s } });
    const TaskListFilter filter = resolve(principal, query, QDateTime::currentDateTimeUtc());
    const QString fingerprint = QString::fromLatin1(query.fingerprint().toHex());
    int offset = 0;
    if (!query.cursor.isEmpty()) {
        const auto payload = m_cursors.decode(query.cursor);
        if (!payload || payload->value(u"f"_s).toString() != fingerprint
            || !payload->value(u"o"_s).isDouble())
            throw badCursor();
        offset = payload->value(u"o"_s).toInt();
    }
    const TaskListRepository listing(m_database);
    TaskSearchPage page;
    QList<TaskSearchHit> hits = listing.search(filter, offset, query.limit + 1);
    if (hits.size() > query.limit) {
        hits.resize(query.limit);
        page.nextCursor
                = m_cursors.encode({ { u"f"_s, fingerprint }, { u"o"_s, offset + query.limit } });
    }
    // Each task's JSON from the cache when its version is there, the rest in one read; the
    // snippet goes in as the last member.
    QList<qint64> missing;
    QList<QByteArray> json(hits.size());
    for (qsizetype i = 0; i < hits.size(); ++i) {
        const TaskSearchHit &hit = hits.at(i);
        json[i] = hit.record ? m_json.jsonOf(*hit.record) : m_json.find(hit.id, hit.version);
        if (json.at(i).isNull())
            missing.append(hit.id);
    }
    if (!missing.isEmpty()) {
        const QHash<qint64, TaskRecord> records
                = TaskRepository(m_database).findManyForUser(missing, principal.user.id);
        for (qsizetype i = 0; i < hits.size(); ++i) {
            const auto record = records.constFind(hits.at(i).id);
            if (json.at(i).isNull() && record != records.constEnd())
                json[i] = m_json.jsonOf(*record);
        }
    }
    for (qsizetype i = 0; i < hits.size(); ++i) {
        if (json.at(i).isNull())
            continue; // gone between the two reads
        QByteArray item = json.at(i);
        item.chop(1); // the closing brace
        item += ",\"snippet\":" + jsonString(hits.at(i).snippet) + '}';
        page.items.append(item);
    }
    if (query.includeTotal) {
        TaskListFilter counted = filter;
        page.total = listing.count(counted);
    }
    return page;
}

} // namespace Tasklane
