#pragma once

#include <QString>

#include <stdexcept>

namespace Tasklane {

// A failed database operation. The message is fit for the log (no bound values, no secrets)
// and is never sent to a client: the HTTP layer maps the kind to 500 or 503 instead
// (problemmapping.cpp).
class DatabaseError : public std::runtime_error
{
public:
    enum class Kind {
        // The database cannot be reached, or the connection was lost (PostgreSQL ended it):
        // 503, and the thread's connection is reopened on next use.
        Connection,
        // The database is there but another writer holds the lock past the busy timeout
        // (SQLite busy or locked; PostgreSQL serialization failure, deadlock, lock timeout):
        // 503 with Retry-After; the connection stays.
        Busy,
        // Any other failed statement: a bug (500).
        Statement,
        // A statement broke a unique index (a repository may turn it into a domain answer,
        // such as "this email is taken").
        UniqueViolation,
        // A statement broke another constraint (CHECK, FOREIGN KEY, NOT NULL): the caller maps
        // it to a domain answer when the input can cause it; uncaught, it is a bug (500).
        Constraint,
        // The storage itself failed: an I/O error, a corrupt file, a full disk (500, logged
        // as such: it needs an operator, not a retry).
        Storage,
        SchemaTooNew,
    };

    DatabaseError(Kind kind, const QString &message)
        : std::runtime_error(message.toStdString()), m_kind(kind)
    { }
    Kind kind() const { return m_kind; }
    QString message() const { return QString::fromStdString(what()); }

private:
    Kind m_kind;
};

} // namespace Tasklane
