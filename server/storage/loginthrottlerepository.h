#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// The failed sign-ins of one identifier (the address typed), as stored.
struct LoginFailures
{
    int failures = 0;
    QDateTime lastFailureAt;
    QDateTime lockedUntil; // invalid: not locked
};

// All SQL of the login_throttle table. Each statement commits on its own unless the caller
// holds a transaction.
class LoginThrottleRepository
{
public:
    explicit LoginThrottleRepository(const Database &database) : m_database(database) { }

    std::optional<LoginFailures> find(const QString &identifier) const;
    // Counts a failure at `now`; a count whose last failure is older than `freshAfter` starts
    // again at one. The count, this failure included.
    int recordFailure(const QString &identifier, const QDateTime &now,
                      const QDateTime &freshAfter) const;
    // Locks the identifier until `until` unless it is locked already; true when this call
    // locked it (so that the owner is told once).
    bool lock(const QString &identifier, const QDateTime &now, const QDateTime &until) const;
    // Forgets the identifier's failures (a sign-in succeeded, the password was reset).
    void clear(const QString &identifier) const;
    // Deletes rows whose last failure is older than `before` and that are not locked now.
    int purge(const QDateTime &before, const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
