#include "migrator.h"

#include "database.h"
#include "databaseerror.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcDatabase)

namespace Tasklane {

namespace {
// Any constant works; it only has to be the same in every tasklaned process.
constexpr qint64 MigrationLockKey = 7461276001LL;
} // namespace

Migrator::Migrator(const Database &database) : m_database(database) { }

Migrator::Migrator(const Database &database, QList<Migration> migrations)
    : m_database(database), m_migrations(std::move(migrations))
{ }

namespace {
QList<Migrator::Migration> loadMigrations(const QString &folder)
{
    static const QRegularExpression pattern(u"^(\\d{4})_([a-z0-9_]+)\\.sql$"_s);
    QList<Migrator::Migration> migrations;
    const QStringList files = QDir(folder).entryList({ u"*.sql"_s }, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto match = pattern.match(file);
        if (!match.hasMatch())
            continue;
        QFile source(folder + u'/' + file);
        if (!source.open(QIODevice::ReadOnly))
            continue;
        migrations.append({ match.captured(1).toInt(), match.captured(2),
                            QString::fromUtf8(source.readAll()) });
    }
    return migrations;
}
} // namespace

QList<Migrator::Migration> Migrator::available() const
{
    if (m_migrations)
        return *m_migrations;
    // Compiled into the binary, so read once (/readyz asks for the latest version every time).
    if (m_database.dialect() == SqlDialect::Sqlite) {
        static const QList<Migration> sqlite = loadMigrations(u":/migrations/sqlite"_s);
        return sqlite;
    }
    static const QList<Migration> postgres = loadMigrations(u":/migrations/postgres"_s);
    return postgres;
}

int Migrator::latestVersion() const
{
    const QList<Migration> migrations = available();
    return migrations.isEmpty() ? 0 : migrations.last().version;
}

void Migrator::ensureTable() const
{
    m_database.executeRaw(u"CREATE TABLE IF NOT EXISTS schema_migrations ("
                          "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                          "applied_at TEXT NOT NULL)"_s);
}

int Migrator::currentVersion() const
{
    return readVersion(true);
}

int Migrator::readVersion(bool mayRetry) const
{
    // Read-only, so that a readiness probe never needs (or uses) the right to create tables.
    // The table is looked up as an unqualified name resolves (QPSQL's tables() would name it
    // schema.table when it is not in `public`).
    const auto retry = mayRetry ? Database::Retry::Safe : Database::Retry::Never;
    const auto exists = m_database.fetchOne(
            m_database.dialect() == SqlDialect::Postgres
                    ? u"SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL"_s
                    : u"SELECT 1 FROM sqlite_master WHERE type = 'table' "
                      "AND name = 'schema_migrations'"_s,
            {}, retry);
    if (!exists)
        return 0;
    const auto row = m_database.fetchOne(
            u"SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations"_s, {}, retry);
    return row ? row->value(0).toInt() : 0;
}

void Migrator::unlock() const noexcept
{
    // Runs from a scope guard, often while an error unwinds, so it must not throw. A lost
    // connection (closed by Database) took its session's lock with it: nothing to release,
    // and no new connection to open for it.
    if (!m_database.hasThreadConnection())
        return;
    try {
        m_database.fetchAll(u"SELECT pg_advisory_unlock(?)"_s, { MigrationLockKey });
    } catch (const std::exception &error) {
        // The lock goes with the connection.
        qCWarning(lcDatabase, "could not release the migration lock: %s", error.what());
    }
}

QList<int> Migrator::migrate() const
{
    const bool postgres = m_database.dialect() == SqlDialect::Postgres;
    // Never retried on a new connection, like everything under it: the lock is the session's,
    // so a reconnected migrator would run unlocked beside another process.
    if (postgres)
        m_database.fetchAll(u"SELECT pg_advisory_lock(?)"_s, { MigrationLockKey });
    const auto release = qScopeGuard([&] {
        if (postgres)
            unlock();
    });

    ensureTable();
    const int current = readVersion(false);
    const int latest = latestVersion();
    if (current > latest)
        throw DatabaseError(DatabaseError::Kind::SchemaTooNew,
                            u"the database schema is at version %1, newer than this tasklaned "
                            "knows (%2): upgrade tasklaned"_s.arg(current)
                                    .arg(latest));
    QList<int> applied;
    const QList<Migration> migrations = available();
    for (const Migration &migration : migrations) {
        if (migration.version <= current)
            continue;
        Transaction transaction(m_database);
        const QStringList statements = splitStatements(migration.sql);
        for (const QString &statement : statements)
            m_database.executeRaw(statement);
        m_database.execute(
                u"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"_s,
                { migration.version, migration.name,
                  Database::bindTime(QDateTime::currentDateTimeUtc()) });
        transaction.commit();
        qCInfo(lcDatabase, "applied migration %04d_%s", migration.version,
               qUtf8Printable(migration.name));
        applied.append(migration.version);
    }
    return applied;
}

QStringList Migrator::splitStatements(const QString &sql)
{
    QStringList statements;
    QString current;
    bool inBlock = false;
    const QStringList lines = sql.split(u'\n');
    for (const QString &line : lines) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(u"--") || (trimmed.isEmpty() && current.isEmpty()))
            continue;
        current += line + u'\n';
        if (trimmed.compare(u"BEGIN"_s, Qt::CaseInsensitive) == 0
            || trimmed.endsWith(u" BEGIN"_s, Qt::CaseInsensitive))
            inBlock = true;
        if (inBlock && trimmed.compare(u"END;"_s, Qt::CaseInsensitive) != 0)
            continue;
        if (trimmed.endsWith(u';')) {
            inBlock = false;
            QString statement = current.trimmed();
            statement.chop(1);
            statements.append(statement);
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements.append(current.trimmed());
    return statements;
}

} // namespace Tasklane
