// tasklane-seed: fills a Tasklane database for bench/tasks.sh, through the storage layer (the
// same repositories tasklaned writes with, in large transactions): USERS users with
// TASKS_PER_USER tasks each, plus one user with BIG_USER_TASKS tasks. Every user's password is
// PASSWORD. Writes to OUT one line per user: "email task-id task-id ..." (at most 20 ids).
//   tasklane-seed DB_URL USERS TASKS_PER_USER BIG_USER_TASKS PASSWORD OUT
// DB_URL is sqlite:PATH or postgres://USER@HOST:PORT/NAME (password from TASKLANE_DB_PASSWORD).
// A PostgreSQL database is vacuumed and analysed at the end, as after any bulk load.
#include "database.h"
#include "databaseconfig.h"
#include "migrator.h"
#include "passwordhasher.h"
#include "taskhistoryrepository.h"
#include "taskrepository.h"
#include "taskservice.h"
#include "userrepository.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSqlRecord>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {

// Words for titles and descriptions: a few common ones (which most tasks share, as real lists
// do) and many rarer ones, so that searches have both broad and narrow matches.
const QStringList Common{ u"review"_s, u"call"_s,  u"email"_s, u"plan"_s, u"buy"_s,
                          u"fix"_s,    u"write"_s, u"check"_s, u"book"_s, u"send"_s };
const QStringList Rare{
    u"invoice"_s,   u"dentist"_s,   u"garden"_s,   u"budget"_s,     u"passport"_s, u"insurance"_s,
    u"quarterly"_s, u"report"_s,    u"birthday"_s, u"groceries"_s,  u"car"_s,      u"tax"_s,
    u"meeting"_s,   u"slides"_s,    u"backup"_s,   u"server"_s,     u"renewal"_s,  u"contract"_s,
    u"flight"_s,    u"hotel"_s,     u"plumber"_s,  u"library"_s,    u"laptop"_s,   u"printer"_s,
    u"recipe"_s,    u"vet"_s,       u"school"_s,   u"newsletter"_s, u"roadmap"_s,  u"hiring"_s,
    u"interview"_s, u"migration"_s, u"database"_s, u"release"_s,    u"security"_s, u"audit"_s,
    u"pharmacy"_s,  u"bicycle"_s,   u"painting"_s, u"concert"_s,
};
const QStringList Tags{ u"work"_s,  u"home"_s,   u"errand"_s, u"health"_s,
                        u"money"_s, u"travel"_s, u"family"_s, u"urgent"_s };

QString pick(const QStringList &words, QRandomGenerator &random)
{
    return words.at(int(random.bounded(quint32(words.size()))));
}

TaskRecord makeTask(qint64 ownerId, QRandomGenerator &random, const QDateTime &now)
{
    TaskRecord record;
    Task &task = record.task;
    task.ownerId = ownerId;
    task.title = pick(Common, random) + u' ' + pick(Rare, random) + u' ' + pick(Rare, random);
    QStringList sentence;
    for (int i = 0; i < 12; ++i)
        sentence.append(i % 3 == 0 ? pick(Common, random) : pick(Rare, random));
    task.description = sentence.join(u' ') + u'.';
    task.status = TaskStatus(random.bounded(3));
    task.priority = TaskPriority(1 + random.bounded(3));
    const int tagCount = int(random.bounded(3));
    for (int i = 0; i < tagCount; ++i) {
        const QString tag = pick(Tags, random);
        if (!task.tags.contains(tag))
            task.tags.append(tag);
    }
    const int due = int(random.bounded(10));
    if (due < 6)
        task.dueAt = now.addSecs(qint64(random.bounded(120 * 24)) * 3600 - 60 * 24 * 3600);
    else if (due < 8)
        task.dueDate = now.date().addDays(qint64(random.bounded(120)) - 60);
    task.version = 1;
    task.createdAt = now;
    task.updatedAt = now;
    if (task.status == TaskStatus::Done)
        task.completedAt = now;
    return record;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 7) {
        std::fprintf(stderr,
                     "usage: tasklane-seed DB_URL USERS TASKS_PER_USER BIG_USER_TASKS "
                     "PASSWORD OUT\n");
        return 2;
    }
    QString error;
    auto config = DatabaseConfig::fromUrl(args.at(1), &error);
    if (!config) {
        std::fprintf(stderr, "tasklane-seed: %s\n", qPrintable(error));
        return 2;
    }
    config->password = qEnvironmentVariable("TASKLANE_DB_PASSWORD");
    const int users = args.at(2).toInt();
    const int perUser = args.at(3).toInt();
    const int bigUser = args.at(4).toInt();
    Database database(*config);
    Migrator(database).migrate();
    // One hash for everyone: seeding 1,000 accounts should not take 1,000 hashes.
    const QString hash = PasswordHasher().hash(args.at(5));
    QFile out(args.at(6));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 1;
    QRandomGenerator random(20261130);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const UserRepository userRows(database);
    const TaskRepository taskRows(database);
    const TaskHistoryRepository history(database);
    QElapsedTimer timer;
    timer.start();
    qint64 written = 0;
    for (int u = 0; u <= users; ++u) {
        const bool big = u == users;
        const QString email = big ? u"bench-big@example.com"_s : u"bench-%1@example.com"_s.arg(u);
        const int count = big ? bigUser : perUser;
        QList<qint64> ids;
        std::optional<Transaction> transaction(std::in_place, database);
        const auto user = userRows.create(email, u"Bench %1"_s.arg(u), hash, Role::User, true);
        if (!user) {
            std::fprintf(stderr, "tasklane-seed: %s exists already\n", qPrintable(email));
            return 1;
        }
        for (int i = 0; i < count; ++i) {
            const TaskRecord task = makeTask(user->id, random, now);
            const qint64 id = taskRows.insert(task);
            // Its "created" record, as TaskService writes it.
            TaskHistoryRecord created;
            created.taskId = id;
            created.actorId = user->id;
            created.at = now;
            created.action = u"created"_s;
            created.changes = initialFields(task.task);
            history.append(created);
            if (ids.size() < 20)
                ids.append(id);
            if (++written % 5000 == 0) { // commits of a bounded size
                transaction->commit();
                std::fprintf(stderr, "\r%lld tasks", written);
                transaction.emplace(database);
            }
        }
        transaction->commit();
        QStringList line{ email };
        for (qint64 id : std::as_const(ids))
            line.append(QString::number(id));
        out.write(line.join(u' ').toUtf8() + '\n');
    }
    std::fprintf(stderr, "\r%lld tasks for %d users in %.1f s\n", written, users + 1,
                 double(timer.elapsed()) / 1000);
    if (database.config().isPostgres()) {
        // What PostgreSQL's manual advises after a bulk load ("Populating a Database"), and what
        // autovacuum does in time to a database filled over weeks: planner statistics, hint bits
        // and the visibility map set. Without it the first reads of every row write its page
        // back, and the first search benchmark measured that (p99 97 ms, then 43 ms).
        // Only the tables the seed filled, as autovacuum would: it leaves a table nobody wrote
        // to unanalysed, and the planner then guesses its size. Analysed while empty, a table
        // is planned as empty until autovacuum looks again, about a minute after rows arrive:
        // the foreign-key checks of the delivery log then scanned all of `deliveries` for each
        // row (0.9 ms a row after 20,000 deliveries, against 3 us with the table analysed).
        timer.restart();
        QStringList filled;
        for (const QSqlRecord &row :
             database.fetchAll(u"SELECT tablename FROM pg_tables WHERE schemaname = "
                               "current_schema() ORDER BY tablename"_s)) {
            const QString table = row.value(0).toString();
            if (database.fetchOne(u"SELECT EXISTS (SELECT 1 FROM \"%1\")"_s.arg(table))
                        ->value(0)
                        .toBool())
                filled.append(table);
        }
        for (const QString &table : std::as_const(filled))
            database.executeRaw(u"VACUUM ANALYZE \"%1\""_s.arg(table));
        std::fprintf(stderr, "VACUUM ANALYZE of %s in %.1f s\n",
                     qUtf8Printable(filled.join(u", "_s)), double(timer.elapsed()) / 1000);
    }
    return 0;
}
