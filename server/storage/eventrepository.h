#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>

#include <limits>

namespace Tasklane {

class Database;

// An event of the real-time feed as stored: its data is the JSON object's text, sent as is.
struct StoredEvent
{
    qint64 id = 0;
    QByteArray type;
    qint64 taskId = 0;
    QByteArray data;
    QList<qint64> audience; // who may receive it: fixed when it was written
    QDateTime createdAt;

    // The message a client receives (RealtimeEvent::wireText).
    QByteArray wireText() const;
};

// All SQL of the real-time feed: events, who each is for, and how far retention has pruned.
//
// Ids are drawn when an event is written and become visible when its transaction commits, which
// on PostgreSQL need not be in the order they were drawn: a reader that saw id 11 may see 10
// commit later. So every writer takes a shared advisory lock (EventsLockKey) before drawing an
// id, held until its transaction ends, and settledThrough() takes it exclusively, which waits
// for every writer that drew an id: below what it answers, nothing can still appear. The lock is
// shared between writers, so that their commits still go together. On SQLite, writers take
// turns: ids become visible in order.
class EventRepository
{
public:
    static constexpr qint64 EventsLockKey = 0x7461736b6c616e65; // "tasklane"

    explicit EventRepository(const Database &database) : m_database(database) { }

    // Who an event is for: the users who may see a task once the writing transaction's changes
    // so far are made (its owner and everyone it is shared with), and listed users besides.
    // Listed users get a row of their own in event_recipients (a resume finds it by their id);
    // readers are found through the task by a resume, unless `addressReaders` gives them rows
    // too (a purge: the task will be gone).
    struct Audience
    {
        qint64 readersOf = 0; // a task id; 0: none
        QList<qint64> users;
        bool addressReaders = false;
    };

    // Appends an event in the caller's transaction: on PostgreSQL held back until just before
    // COMMIT when the transaction holds writes back (Database::pendingWrites), so that the events
    // of a shared commit take one statement. Events of one transaction are numbered in the order
    // they were appended. A held one's audience is read when it is written, at COMMIT: the
    // units of a shared commit are one moment to everyone else. Commit
    // observers hear of Database::Change::Event with its id. `data` is a JSON object's text.
    void append(QByteArrayView type, qint64 taskId, const QByteArray &data,
                const Audience &audience, const QDateTime &at) const;

    // Events with ids above `afterId`, in order, at most `limit` (the fan-out's read).
    QList<StoredEvent> after(qint64 afterId, int limit) const;
    // The events for `userId` with ids above `afterId` (and at most `throughId`), in order, at
    // most `limit` (a resume): those addressed to them, and those of the tasks they see now that
    // were for them when written. A task they have lost since is left out: its last event for
    // them, the end of their share (or its purge), is addressed to them.
    QList<StoredEvent> forUser(qint64 userId, qint64 afterId, int limit,
                               qint64 throughId = std::numeric_limits<qint64>::max()) const;
    // The greatest id committed or pruned: 0 while there has never been an event.
    qint64 lastId() const;
    // An id below or at which every event has committed or rolled back: no other can appear
    // there. Waits (briefly) for writers that drew ids to end. Runs its own transaction.
    qint64 settledThrough() const;
    // The greatest id retention removed: a cursor below it may have missed events.
    qint64 prunedThrough() const;
    // Tells the other processes listening on PostgreSQL (EventListener::Channel) that events
    // were committed. Nothing on SQLite.
    void announce() const;
    // Removes up to `limit` of the oldest events written before `before`, with their recipients;
    // returns how many. Runs in the caller's transaction, if any.
    int pruneBefore(const QDateTime &before, int limit) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
