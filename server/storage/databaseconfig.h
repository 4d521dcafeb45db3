#pragma once

#include <QString>

#include <optional>

namespace Tasklane {

enum class SqlDialect { Sqlite, Postgres };

// Where the data lives, parsed from the --db URL:
//   sqlite:PATH, sqlite:///ABSOLUTE/PATH, or a bare path      -> an SQLite file
//   postgres://USER@HOST:PORT/NAME?sslmode=...&connect_timeout=... -> PostgreSQL
// The PostgreSQL password comes from TASKLANE_DB_PASSWORD(_FILE), or the URL as a last resort.
struct DatabaseConfig
{
    SqlDialect dialect = SqlDialect::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString name;
    QString connectOptions; // QPSQL options, "key=value;key=value"
    // SQLite: how long a statement waits for another connection's write lock before failing
    // as busy (503).
    int busyTimeoutMs = 5000;
    // SQLite: how much of the file each connection reads through mmap (PRAGMA mmap_size): no
    // read() copy per page. Searches read many pages: 466 -> 512-543/s, p99 50 -> 38 ms.
    qint64 mmapBytes = 0;

    bool isPostgres() const { return dialect == SqlDialect::Postgres; }
    // For logs and messages: never includes the password.
    QString describe() const;

    static std::optional<DatabaseConfig> fromUrl(const QString &url, QString *error);
};

} // namespace Tasklane
