#pragma once

#include "databaseconfig.h"

#include <QtGlobal>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

namespace Tasklane {

class Database;

// Shares one transaction, and so one durable commit (an fsync), between units of work that
// threads submit at the same time: each thread's run() returns once the transaction holding its
// unit has committed, as if the unit had had a transaction of its own.
//
// The first thread to arrive while no batch is running leads: it takes the waiting units (its own
// and those of threads that arrived while the previous batch committed, oldest first, at most
// maxBatch), runs BEGIN, the units, then COMMIT, on its own connection, and wakes the threads
// whose units it ran. The units first run one after the other without savepoints; if one throws,
// the whole batch is rolled back and run again with each unit inside a SAVEPOINT: then a unit
// that throws is rolled back to its savepoint alone and its exception rethrown to its own
// caller; the others of its batch go on. In the first run, units may hold writes back
// (Database::pendingWrites): after the last unit, each kind of held-back write is made for the
// whole batch in one statement, before COMMIT; if that statement fails, the batch is run again
// with savepoints, where nothing is held back. A BEGIN or COMMIT
// that fails, or a connection lost during the batch, fails every unit of the batch with that error:
// none of them was committed. A thread with only its own unit to run (one database thread, or no
// one else writing) gets a plain transaction for it.
//
// That is the default on SQLite, which has one writer at a time and syncs at every commit. On
// PostgreSQL the default is for each unit to commit alone, on its own thread and connection:
// the server already covers commits that arrive together with one WAL flush, and its backends
// run the units side by side, where a batch runs every statement one after the other on the
// leader's connection (bench/commitgroup.cpp measured batches slower from 4 threads on).
// Except for units that would wait for each other anyway: units submitted with the same key
// (runKeyed, e.g. changes to one task, which all take its row lock) queue on a lane of that key
// and share batches as above, led by one of their own threads; units of other keys run beside
// them. One after the other, each alone would hold the row lock through its round trips and
// its commit's WAL flush, while the others of its key wait in the database.
//
// The contract for a unit, since it may run on another thread (the leader's):
//  - it touches the database only through the Database given to the group, whose statements run
//    on the calling thread's connection (the leader's, inside the shared transaction), and
//    otherwise only what it captured; never the submitting thread's thread-local state
//    (QThread::currentThread(), a thread_local cache, a request context stored per thread);
//  - it does not begin, commit or roll back a transaction itself (Database refuses a nested
//    BEGIN), and makes no savepoint named tasklane_unit;
//  - it is short and does no waiting of its own (no network call, no password hash, no lock the
//    caller may hold): the whole batch and every thread in it waits for it;
//  - what it writes to captured variables is read by its caller only after run() returns (run()
//    orders those writes before its return);
//  - it may run twice (the second time after the first was rolled back), so it sets what it
//    captures rather than adding to it, and has no effect outside the database.
class CommitGroup
{
public:
    // How many batches and units committed, and how many batches failed as a whole.
    struct Counters
    {
        quint64 batches = 0;
        quint64 units = 0;
        quint64 failedBatches = 0;
    };

    // How units commit: in batches shared between threads (above), led by one of the waiting
    // threads (Batches) or run by a thread of the group's own (Writer), or each alone in a
    // transaction of its own on the calling thread (Alone).
    //
    // Writer is Batches with one difference: every batch runs on the same thread, and so on
    // the same connection. SQLite drops a connection's page cache whenever another connection
    // has written since its last transaction; with the lead passing from thread to thread, every
    // batch began by reading back (pread) the pages the previous one had just written, about
    // 16 pages a task. The writer's cache stays warm, for the price of one thread hand-off.
    enum class Mode { Batches, Writer, Alone };
    // Writer on SQLite, Alone on PostgreSQL.
    static Mode defaultMode(SqlDialect dialect);

    // A group over `database` in its dialect's default mode, whose batches hold at most
    // `maxBatch` units (at least 1).
    explicit CommitGroup(const Database &database, int maxBatch = 64);
    // A group in the mode given (tests and benchmarks compare the two).
    CommitGroup(const Database &database, Mode mode, int maxBatch = 64);
    ~CommitGroup();
    Q_DISABLE_COPY_MOVE(CommitGroup)

    // Runs `unit` in a transaction shared with the units other threads submit meanwhile and
    // returns once that transaction has committed; rethrows the unit's own exception, or the
    // batch's (DatabaseError from BEGIN, COMMIT or a lost connection) when the batch failed.
    // Called inside a transaction of the calling thread's own, it runs the unit there at once,
    // inside a savepoint, and its changes commit (or not) with that transaction.
    //
    // `holding`: whether the unit may hold writes back (Database::pendingWrites) only while it
    // shares a batch with others (WhenShared), or also when it runs alone (Always): for a unit
    // that is a batch of its own (the outcomes of a batch of jobs), whose caller runs it again
    // with WhenShared when it fails, as a failed statement of held-back writes fails it whole.
    enum class Holding { WhenShared, Always };
    void run(std::function<void()> unit, Holding holding = Holding::WhenShared);
    // run() for a unit that would wait for the others with the same `key` in the database (it
    // locks the same row): in Alone mode, units of one key share batches with each other (led
    // by one of their threads) and units of other keys run beside them; in the other modes, the
    // same as run().
    void runKeyed(qint64 key, std::function<void()> unit);

    // run() for a unit that returns a value: returns (a copy of) it once committed.
    template<class F, class R = std::remove_cvref_t<std::invoke_result_t<F &>>,
             std::enable_if_t<!std::is_void_v<R>, bool> = true>
    R run(F f)
    {
        std::optional<R> result;
        run(std::function<void()>([&] { result.emplace(f()); }), Holding::WhenShared);
        return std::move(*result);
    }

    Mode mode() const { return m_mode; }
    int maxBatch() const { return m_maxBatch; }
    Counters counters() const;
    // How many submitted units wait for a batch to take them (the running batch's excluded).
    int waiting() const;

private:
    struct Unit;
    // Units waiting for a batch, oldest first, and whether one of their threads leads them.
    struct Lane
    {
        std::deque<Unit *> queue;
        bool leading = false;
        std::optional<qint64> key; // a lane of m_keyed, removed when left empty
    };

    // Queues `unit` on `lane` and waits until it is done, leading the lane's batches whenever
    // no one else does; rethrows the unit's error.
    void runOnLane(Lane &lane, Unit &unit, std::unique_lock<std::mutex> &lock);
    // Runs the lane's units as the leader until `own` is done.
    void lead(Lane &lane, Unit &own, std::unique_lock<std::mutex> &lock);
    // The Writer's thread: runs batches until the group is destroyed.
    void write();
    // Takes the lane's oldest units (at most maxBatch), runs them as one batch with the mutex
    // released, then marks them done and wakes their submitters (all but `own`, the caller's).
    void runQueuedBatch(Lane &lane, std::unique_lock<std::mutex> &lock, const Unit *own);
    // One transaction over `batch`; sets each unit's error (none when it committed).
    void runBatch(const std::deque<Unit *> &batch);
    // The batch in one transaction without savepoints; false (everything rolled back) when a
    // unit failed or BEGIN did, so that runBatch runs it again with savepoints.
    bool runOptimistically(const std::deque<Unit *> &batch);
    // One unit inside its own savepoint of the open transaction. False when the transaction
    // itself can no longer go on (the savepoint could not be made or rolled back).
    bool runInSavepoint(Unit &unit, std::exception_ptr *batchError);

    const Database &m_database;
    const Mode m_mode;
    const int m_maxBatch;

    mutable std::mutex m_mutex;
    Lane m_shared; // Batches and Writer: every unit
    std::unordered_map<qint64, Lane> m_keyed; // Alone: runKeyed's units, while a key has any
    // Writer mode: the thread, woken when a unit is queued or the group ends.
    std::condition_variable m_writerWake;
    bool m_stopping = false;
    std::thread m_writer;

    std::atomic<quint64> m_batches{ 0 };
    std::atomic<quint64> m_units{ 0 };
    std::atomic<quint64> m_failedBatches{ 0 };
};

} // namespace Tasklane
