// tasklane-commitgroup: how many task creates per second commit durably, with and without a
// CommitGroup, from 1, 4, 8 and 16 threads (not a test: it prints figures).
//   tasklane-commitgroup [UNITS [POSTGRES_URL]]
// Each unit resembles POST /tasks: the task row (INSERT ... RETURNING id), its two tags (one
// statement), a history row and an idempotency row. "group" runs the units through one
// CommitGroup in batches (on either database); "transaction" gives each unit a Transaction of
// its own, as CommitGroup's Alone mode does; on PostgreSQL "1-statement" does the same with the
// whole create in one statement (WITH ... INSERT). SQLite: a file in a temporary folder under /tmp
// (WAL, synchronous=FULL, as tasklaned opens it). PostgreSQL: the URL given, or
// TASKLANE_TEST_PG_ADMIN_URL (password from TASKLANE_TEST_PG_PASSWORD), with tables of its own,
// dropped at the end; for figures that mean anything its cluster must sync its commits, as
// `scripts/pg-cluster.sh start DIR durable` makes it (the tests' cluster does not). UNITS
// defaults to 4000 per run. Exit status 2 on a usage error, 1 when a unit fails.
#include "commitgroup.h"
#include "database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTemporaryDir>
#include <QUuid>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {

using Clock = std::chrono::steady_clock;

void createTables(const Database &database)
{
    const bool postgres = database.config().isPostgres();
    const QString id = postgres ? u"BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"_s
                                : u"INTEGER PRIMARY KEY"_s;
    for (const QString &table :
         { u"bench_idempotency"_s, u"bench_history"_s, u"bench_tags"_s, u"bench_tasks"_s })
        database.executeRaw(u"DROP TABLE IF EXISTS "_s + table);
    database.executeRaw(u"CREATE TABLE bench_tasks (id "_s + id
                        + u", owner_id BIGINT NOT NULL, title TEXT NOT NULL, "
                          "title_key TEXT NOT NULL, description TEXT NOT NULL, "
                          "status TEXT NOT NULL, priority SMALLINT NOT NULL, "
                          "tags_text TEXT NOT NULL, due_sort TEXT NOT NULL, "
                          "version BIGINT NOT NULL DEFAULT 1, created_at TEXT NOT NULL, "
                          "updated_at TEXT NOT NULL)"_s);
    database.executeRaw(u"CREATE INDEX bench_tasks_owner_created ON bench_tasks "
                        "(owner_id, created_at, id)"_s);
    database.executeRaw(
            u"CREATE INDEX bench_tasks_owner_due ON bench_tasks (owner_id, due_sort, id)"_s);
    database.executeRaw(u"CREATE INDEX bench_tasks_owner_title ON bench_tasks "
                        "(owner_id, title_key, id)"_s);
    database.executeRaw(u"CREATE TABLE bench_tags (task_id BIGINT NOT NULL REFERENCES "
                        "bench_tasks (id) ON DELETE CASCADE, position INTEGER NOT NULL, "
                        "tag TEXT NOT NULL, PRIMARY KEY (task_id, position))"_s);
    database.executeRaw(u"CREATE TABLE bench_history (id "_s + id
                        + u", task_id BIGINT NOT NULL REFERENCES bench_tasks (id) ON DELETE "
                          "CASCADE, actor_id BIGINT NOT NULL, action TEXT NOT NULL, "
                          "at TEXT NOT NULL, detail TEXT NOT NULL)"_s);
    database.executeRaw(u"CREATE TABLE bench_idempotency (owner_id BIGINT NOT NULL, "
                        "key TEXT NOT NULL, task_id BIGINT NOT NULL, created_at TEXT NOT NULL, "
                        "PRIMARY KEY (owner_id, key))"_s);
}

void dropTables(const Database &database)
{
    for (const QString &table :
         { u"bench_idempotency"_s, u"bench_history"_s, u"bench_tags"_s, u"bench_tasks"_s })
        database.executeRaw(u"DROP TABLE IF EXISTS "_s + table);
}

void emptyTables(const Database &database)
{
    if (database.config().isPostgres()) {
        database.executeRaw(
                u"TRUNCATE bench_idempotency, bench_history, bench_tags, bench_tasks"_s);
        return;
    }
    for (const QString &table :
         { u"bench_idempotency"_s, u"bench_history"_s, u"bench_tags"_s, u"bench_tasks"_s })
        database.executeRaw(u"DELETE FROM "_s + table);
}

// One task create: four statements.
void createTask(const Database &database, int owner, int n)
{
    const QVariant now = Database::bindTime(QDateTime::currentDateTimeUtc());
    const QString title = u"Task %1 of owner %2"_s.arg(n).arg(owner);
    const qint64 id = database.fetchOne(u"INSERT INTO bench_tasks (owner_id, title, title_key, "
                                        "description, status, priority, tags_text, due_sort, "
                                        "created_at, updated_at) VALUES (?, ?, ?, ?, 'todo', 2, "
                                        "?, 'infinity', ?, ?) RETURNING id"_s,
                                        { owner, title, title.toCaseFolded(),
                                          u"Something to do, described at some length."_s,
                                          u"home\nurgent"_s, now, now })
                              ->value(0)
                              .toLongLong();
    database.execute(u"INSERT INTO bench_tags (task_id, position, tag) VALUES (?, 0, 'home'), "
                     "(?, 1, 'urgent')"_s,
                     { id, id });
    database.execute(u"INSERT INTO bench_history (task_id, actor_id, action, at, detail) VALUES "
                     "(?, ?, 'created', ?, '{}')"_s,
                     { id, owner, now });
    database.execute(u"INSERT INTO bench_idempotency (owner_id, key, task_id, created_at) VALUES "
                     "(?, ?, ?, ?)"_s,
                     { owner, QUuid::createUuid().toString(QUuid::WithoutBraces), id, now });
}

// The same create as one statement (PostgreSQL only: SQLite has no INSERT inside WITH), one
// round trip instead of four.
void createTaskInOneStatement(const Database &database, int owner, int n)
{
    const QVariant now = Database::bindTime(QDateTime::currentDateTimeUtc());
    const QString title = u"Task %1 of owner %2"_s.arg(n).arg(owner);
    database.fetchOne(
            u"WITH task AS (INSERT INTO bench_tasks (owner_id, title, title_key, description, "
            "status, priority, tags_text, due_sort, created_at, updated_at) VALUES (?, ?, ?, ?, "
            "'todo', 2, ?, 'infinity', ?, ?) RETURNING id), "
            "tags AS (INSERT INTO bench_tags (task_id, position, tag) SELECT id, 0, 'home' FROM "
            "task UNION ALL SELECT id, 1, 'urgent' FROM task), "
            "history AS (INSERT INTO bench_history (task_id, actor_id, action, at, detail) "
            "SELECT id, ?::bigint, 'created', ?::text, '{}' FROM task) "
            "INSERT INTO bench_idempotency (owner_id, key, task_id, created_at) "
            "SELECT ?::bigint, ?::text, id, ?::text FROM task RETURNING task_id"_s,
            { owner, title, title.toCaseFolded(), u"Something to do, described at some length."_s,
              u"home\nurgent"_s, now, now, owner, now, owner,
              QUuid::createUuid().toString(QUuid::WithoutBraces), now });
}

// How the units of a run commit.
enum class Mode { Transaction, Group, OneStatement };

struct Result
{
    double seconds = 0;
    int units = 0;
    int failures = 0;
    quint64 batches = 0;
    double p50Ms = 0;
    double p99Ms = 0;
};

// `units` task creates from `threads` threads, through `group` or (null) a Transaction each.
Result measure(const Database &database, CommitGroup *group, bool oneStatement, int threads,
               int units)
{
    const int perThread = units / threads;
    std::vector<std::vector<double>> latencies(static_cast<size_t>(threads));
    std::atomic<int> failures = 0;
    std::barrier start(threads + 1);
    std::barrier finish(threads + 1);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            // Open the connection and prepare the statements before the clock starts.
            {
                Transaction transaction(database);
                createTask(database, 1000 + t, -1);
                transaction.commit();
            }
            std::vector<double> &mine = latencies[size_t(t)];
            mine.reserve(size_t(perThread));
            start.arrive_and_wait();
            for (int n = 0; n < perThread; ++n) {
                const auto began = Clock::now();
                try {
                    if (group) {
                        group->run([&database, t, n] { createTask(database, t, n); });
                    } else {
                        Transaction transaction(database);
                        if (oneStatement)
                            createTaskInOneStatement(database, t, n);
                        else
                            createTask(database, t, n);
                        transaction.commit();
                    }
                } catch (const std::exception &error) {
                    if (failures++ == 0)
                        std::fprintf(stderr, "a unit failed: %s\n", error.what());
                }
                mine.push_back(
                        std::chrono::duration<double, std::milli>(Clock::now() - began).count());
            }
            finish.arrive_and_wait();
        });
    }
    const quint64 batchesBefore = group ? group->counters().batches : 0;
    start.arrive_and_wait();
    const auto began = Clock::now();
    finish.arrive_and_wait();
    const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
    for (std::thread &thread : pool)
        thread.join();

    std::vector<double> all;
    for (const auto &mine : latencies)
        all.insert(all.end(), mine.begin(), mine.end());
    std::sort(all.begin(), all.end());
    Result result;
    result.seconds = seconds;
    result.units = perThread * threads;
    result.failures = failures;
    result.batches = group ? group->counters().batches - batchesBefore : quint64(result.units);
    result.p50Ms = all[all.size() / 2];
    result.p99Ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    return result;
}

bool runAll(const char *label, const Database &database, int units)
{
    createTables(database);
    bool ok = true;
    for (const int threads : { 1, 4, 8, 16 }) {
        for (const Mode mode : { Mode::Transaction, Mode::Group, Mode::OneStatement }) {
            if (mode == Mode::OneStatement && !database.config().isPostgres())
                continue;
            emptyTables(database);
            CommitGroup group(database, CommitGroup::Mode::Batches);
            const Result result = measure(database, mode == Mode::Group ? &group : nullptr,
                                          mode == Mode::OneStatement, threads, units);
            ok = ok && result.failures == 0;
            const char *name = mode == Mode::Group ? "group"
                    : mode == Mode::Transaction    ? "transaction"
                                                   : "1-statement";
            std::printf("%-10s  %-11s  %7d  %6d  %8.0f  %7llu  %6.1f  %7.2f  %7.2f  %s\n", label,
                        name, threads, result.units, result.units / result.seconds, result.batches,
                        double(result.units) / double(std::max<quint64>(1, result.batches)),
                        result.p50Ms, result.p99Ms,
                        result.failures ? qPrintable(u"%1 failed"_s.arg(result.failures)) : "");
            std::fflush(stdout);
        }
    }
    dropTables(database);
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int units = argc > 1 ? std::atoi(argv[1]) : 4000;
    if (argc > 3 || units < 16) {
        std::fprintf(stderr, "usage: tasklane-commitgroup [UNITS [POSTGRES_URL]]\n");
        return 2;
    }
    std::printf("%-10s  %-11s  %7s  %6s  %8s  %7s  %6s  %7s  %7s\n", "database", "mode", "threads",
                "units", "units/s", "batches", "per", "p50 ms", "p99 ms");
    bool ok = true;
    {
        QTemporaryDir folder(u"/tmp/tasklane-commitgroup-XXXXXX"_s);
        DatabaseConfig config;
        config.sqlitePath = folder.filePath(u"bench.db"_s);
        const Database database(config);
        ok = runAll("sqlite", database, units) && ok;
    }
    const QString url = argc > 2 ? QString::fromLocal8Bit(argv[2])
                                 : qEnvironmentVariable("TASKLANE_TEST_PG_ADMIN_URL");
    if (!url.isEmpty()) {
        QString error;
        std::optional<DatabaseConfig> config = DatabaseConfig::fromUrl(url, &error);
        if (!config || !config->isPostgres()) {
            std::fprintf(stderr, "not a PostgreSQL URL: %s\n", qPrintable(error));
            return 2;
        }
        if (config->password.isEmpty())
            config->password = qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD");
        const Database database(*config);
        ok = runAll("postgresql", database, units) && ok;
    }
    return ok ? 0 : 1;
}
