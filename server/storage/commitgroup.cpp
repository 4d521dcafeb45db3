#include "commitgroup.h"

#include "database.h"
#include "databaseerror.h"

#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCommitGroup, "tasklane.db")

namespace Tasklane {

// One submitted unit, on its submitter's stack; the leader touches it only until it sets `done`
// (under the group's mutex), after which the submitter may return and destroy it.
struct CommitGroup::Unit
{
    std::function<void()> work;
    Holding holding = Holding::WhenShared;
    std::exception_ptr error;
    bool done = false;
    // Wakes the submitter alone (with the group's mutex): its unit is done, or it is the
    // oldest waiting and no one leads. One shared condition would wake every waiting thread at
    // every batch, most of them to wait again.
    std::condition_variable wake;
};

CommitGroup::Mode CommitGroup::defaultMode(SqlDialect dialect)
{
    return dialect == SqlDialect::Sqlite ? Mode::Writer : Mode::Alone;
}

CommitGroup::CommitGroup(const Database &database, int maxBatch)
    : CommitGroup(database, defaultMode(database.dialect()), maxBatch)
{ }

CommitGroup::CommitGroup(const Database &database, Mode mode, int maxBatch)
    : m_database(database), m_mode(mode), m_maxBatch(std::max(1, maxBatch))
{
    if (m_mode == Mode::Writer)
        m_writer = std::thread([this] { write(); });
}

CommitGroup::~CommitGroup()
{
    if (m_writer.joinable()) {
        {
            const std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_writerWake.notify_one();
        m_writer.join();
    }
}

void CommitGroup::write()
{
    std::unique_lock lock(m_mutex);
    while (true) {
        m_writerWake.wait(lock, [this] { return m_stopping || !m_shared.queue.empty(); });
        if (m_shared.queue.empty())
            break; // stopping, and nothing is left to run
        runQueuedBatch(m_shared, lock, nullptr);
    }
    lock.unlock();
    m_database.closeThreadConnection();
}

CommitGroup::Counters CommitGroup::counters() const
{
    return { m_batches.load(), m_units.load(), m_failedBatches.load() };
}

int CommitGroup::waiting() const
{
    const std::lock_guard lock(m_mutex);
    size_t waiting = m_shared.queue.size();
    for (const auto &[key, lane] : m_keyed)
        waiting += lane.queue.size();
    return int(waiting);
}

void CommitGroup::run(std::function<void()> work, Holding holdingWrites)
{
    Unit unit;
    unit.work = std::move(work);
    unit.holding = holdingWrites;
    if (m_database.inTransaction()) {
        // The caller's own transaction decides when (and whether) the unit commits; waiting for
        // a batch here would wait for ourselves, as the leader's connection could not see our
        // uncommitted rows (and on SQLite would wait for our write lock).
        // Nothing held back either: the caller may need the unit's rows (their ids) at once.
        const bool holding = m_database.holdsWrites();
        m_database.setHoldingWrites(false);
        std::exception_ptr transactionError;
        runInSavepoint(unit, &transactionError);
        m_database.setHoldingWrites(holding);
        if (unit.error)
            std::rethrow_exception(unit.error);
        if (transactionError)
            std::rethrow_exception(transactionError);
        return;
    }
    if (m_mode == Mode::Alone) {
        runBatch({ &unit });
        if (unit.error)
            std::rethrow_exception(unit.error);
        return;
    }

    std::unique_lock lock(m_mutex);
    if (m_mode == Mode::Writer) {
        m_shared.queue.push_back(&unit);
        if (m_shared.queue.size() == 1)
            m_writerWake.notify_one(); // otherwise it is busy, or already woken
        unit.wake.wait(lock, [&unit] { return unit.done; });
        lock.unlock();
        if (unit.error)
            std::rethrow_exception(unit.error);
        return;
    }
    runOnLane(m_shared, unit, lock);
}

void CommitGroup::runKeyed(qint64 key, std::function<void()> work)
{
    if (m_mode != Mode::Alone || m_database.inTransaction()) {
        run(std::move(work));
        return;
    }
    Unit unit;
    unit.work = std::move(work);
    std::unique_lock lock(m_mutex);
    // A lane lives while it has units: its leader removes it when it leaves it empty. A
    // reference into the map stays valid while others are added (its nodes do not move).
    Lane &lane = m_keyed[key];
    lane.key = key;
    runOnLane(lane, unit, lock);
}

void CommitGroup::runOnLane(Lane &lane, Unit &unit, std::unique_lock<std::mutex> &lock)
{
    lane.queue.push_back(&unit);
    while (!unit.done) {
        if (!lane.leading)
            lead(lane, unit, lock);
        else
            unit.wake.wait(lock);
    }
    lock.unlock();
    if (unit.error)
        std::rethrow_exception(unit.error);
}

void CommitGroup::lead(Lane &lane, Unit &own, std::unique_lock<std::mutex> &lock)
{
    lane.leading = true;
    // Oldest first, and the leader stops once its own unit is done: a unit waits only for the
    // units queued before it, never behind a stream of later ones, and no thread leads (runs
    // others' units) for longer than it takes to reach its own.
    while (!own.done) {
        runQueuedBatch(lane, lock, &own);
        if (own.done) {
            lane.leading = false;
            if (!lane.queue.empty()) {
                lane.queue.front()->wake.notify_one(); // the oldest waiting takes over
            } else if (lane.key) {
                m_keyed.erase(*lane.key); // no one waits on it: it goes, and `lane` with it
            }
        }
    }
}

void CommitGroup::runQueuedBatch(Lane &lane, std::unique_lock<std::mutex> &lock, const Unit *own)
{
    std::deque<Unit *> batch;
    while (!lane.queue.empty() && batch.size() < size_t(m_maxBatch)) {
        batch.push_back(lane.queue.front());
        lane.queue.pop_front();
    }
    lock.unlock();
    try {
        runBatch(batch);
    } catch (...) { // only allocation can fail here; still, no unit may think it committed
        for (Unit *unit : batch) {
            if (!unit->error)
                unit->error = std::current_exception();
        }
    }
    lock.lock();
    for (Unit *unit : batch) {
        unit->done = true;
        if (unit != own)
            unit->wake.notify_one(); // under the mutex: the unit lives until its owner sees done
    }
}

bool CommitGroup::runOptimistically(const std::deque<Unit *> &batch)
{
    try {
        m_database.begin();
    } catch (...) {
        return false; // the careful run below fails the batch with this error
    }
    // Units may hold writes back, for one statement each kind makes for the whole batch.
    m_database.setHoldingWrites(true);
    try {
        for (Unit *unit : batch)
            unit->work();
        m_database.flushPendingWrites();
    } catch (...) {
        // Some unit fails, or the statement of the writes held back does: undo them all, and run
        // them again each in a savepoint (where nothing is held back, so that a failure is its
        // unit's alone).
        try {
            m_database.rollback();
        } catch (const std::exception &error) {
            qCWarning(lcCommitGroup, "rollback of a batch failed: %s", error.what());
        }
        return false;
    }
    try {
        m_database.commit();
    } catch (...) {
        const std::exception_ptr commitError = std::current_exception();
        try {
            m_database.rollback();
        } catch (const std::exception &error) {
            qCWarning(lcCommitGroup, "rollback of a batch failed: %s", error.what());
        }
        m_failedBatches.fetch_add(1, std::memory_order_relaxed);
        for (Unit *unit : batch)
            unit->error = commitError;
        return true;
    }
    m_batches.fetch_add(1, std::memory_order_relaxed);
    m_units.fetch_add(quint64(batch.size()), std::memory_order_relaxed);
    return true;
}

void CommitGroup::runBatch(const std::deque<Unit *> &batch)
{
    // A unit alone needs no savepoint: if it fails, the whole transaction is rolled back.
    const bool alone = batch.size() == 1;
    // Several: first all in one go, without savepoints. A savepoint is not free (SQLite's FTS5
    // flushes its pending index data at every one), and units rarely fail; when one does, the
    // batch is rolled back and run again below, each unit in its own savepoint.
    if (!alone && runOptimistically(batch))
        return;
    std::exception_ptr batchError;
    try {
        m_database.begin();
    } catch (...) {
        batchError = std::current_exception();
    }
    if (!batchError) {
        // A unit alone that is a batch of its own may hold its writes back too: COMMIT makes
        // them; if that fails, its caller runs it again without.
        if (alone && batch.front()->holding == Holding::Always)
            m_database.setHoldingWrites(true);
        for (Unit *unit : batch) {
            if (alone) {
                try {
                    unit->work();
                } catch (...) {
                    unit->error = std::current_exception();
                }
            } else if (!runInSavepoint(*unit, &batchError)) {
                break; // the units after it do not run: they fail with batchError
            }
        }
        const bool anyToCommit = std::any_of(batch.begin(), batch.end(),
                                             [](const Unit *unit) { return !unit->error; });
        if (!batchError && anyToCommit) {
            try {
                m_database.commit();
            } catch (...) {
                batchError = std::current_exception();
            }
        }
        if (batchError || !anyToCommit) {
            // Also after a failed COMMIT: SQLite keeps the transaction open when a deferred
            // foreign key fails it. A lost connection is dropped here instead.
            try {
                m_database.rollback();
            } catch (const std::exception &error) {
                qCWarning(lcCommitGroup, "rollback of a batch failed: %s", error.what());
            }
        }
    }

    if (batchError) {
        m_failedBatches.fetch_add(1, std::memory_order_relaxed);
        for (Unit *unit : batch) {
            if (!unit->error)
                unit->error = batchError;
        }
        return;
    }
    const auto committed = std::count_if(batch.begin(), batch.end(),
                                         [](const Unit *unit) { return !unit->error; });
    if (committed > 0) {
        m_batches.fetch_add(1, std::memory_order_relaxed);
        m_units.fetch_add(quint64(committed), std::memory_order_relaxed);
    }
}

bool CommitGroup::runInSavepoint(Unit &unit, std::exception_ptr *batchError)
{
    try {
        m_database.executeRaw(u"SAVEPOINT tasklane_unit"_s);
    } catch (...) {
        *batchError = std::current_exception();
        return false;
    }
    try {
        unit.work();
        // A unit that committed or rolled back by itself broke the contract; the statements
        // below would then run outside any transaction.
        if (!m_database.inTransaction())
            throw DatabaseError(DatabaseError::Kind::Statement,
                                u"a unit of a commit group ended its transaction"_s);
        m_database.executeRaw(u"RELEASE SAVEPOINT tasklane_unit"_s);
        return true;
    } catch (...) {
        unit.error = std::current_exception();
    }
    // On PostgreSQL a failed statement aborts the whole transaction unless its savepoint is
    // rolled back; everywhere, the unit's earlier statements must not commit with the others.
    try {
        m_database.rollbackToSavepoint(u"tasklane_unit"_s);
        m_database.executeRaw(u"RELEASE SAVEPOINT tasklane_unit"_s);
    } catch (...) {
        *batchError = std::current_exception();
        return false;
    }
    return true;
}

} // namespace Tasklane
