#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// Applies the versioned schema migrations shipped as resources
// (:/migrations/<dialect>/NNNN_name.sql), each in its own transaction, recording them in
// schema_migrations. Refuses a database whose schema is newer than this binary knows. On PostgreSQL
// an advisory lock keeps several starting processes from migrating at once.
class Migrator
{
public:
    struct Migration
    {
        int version = 0;
        QString name;
        QString sql;
    };

    explicit Migrator(const Database &database);
    // Applies `migrations` instead of the ones shipped (tests).
    Migrator(const Database &database, QList<Migration> migrations);

    QList<Migration> available() const;
    int latestVersion() const;
    // The highest applied version, 0 for an empty database.
    int currentVersion() const;
    // Applies what is pending; returns the versions applied. Throws DatabaseError, also when
    // the connection is lost part-way (the lock went with it: nothing is retried).
    QList<int> migrate() const;

    // Splits a migration into single statements (QSQLITE runs one per exec): a statement ends
    // with a semicolon at the end of a line, except inside a BEGIN ... END; block.
    static QStringList splitStatements(const QString &sql);

private:
    void ensureTable() const;
    int readVersion(bool mayRetry) const;
    void unlock() const noexcept;

    const Database &m_database;
    std::optional<QList<Migration>> m_migrations;
};

} // namespace Tasklane
