#include "loginthrottlerepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

std::optional<LoginFailures> LoginThrottleRepository::find(const QString &identifier) const
{
    const auto row = m_database.fetchOne(u"SELECT failures, last_failure_at, locked_until "
                                         "FROM login_throttle WHERE identifier = ?"_s,
                                         { identifier }, Database::Retry::Safe);
    if (!row)
        return std::nullopt;
    LoginFailures found;
    found.failures = row->value(0).toInt();
    found.lastFailureAt = Database::readTime(row->value(1));
    if (!row->value(2).isNull())
        found.lockedUntil = Database::readTime(row->value(2));
    return found;
}

int LoginThrottleRepository::recordFailure(const QString &identifier, const QDateTime &now,
                                           const QDateTime &freshAfter) const
{
    const QVariant at = Database::bindTime(now);
    const auto row = m_database.fetchOne(
            u"INSERT INTO login_throttle (identifier, failures, last_failure_at) VALUES (?, 1, ?) "
            "ON CONFLICT (identifier) DO UPDATE SET failures = CASE WHEN "
            "login_throttle.last_failure_at < ? THEN 1 ELSE login_throttle.failures + 1 END, "
            "last_failure_at = ? RETURNING failures"_s,
            { identifier, at, Database::bindTime(freshAfter), at });
    return row ? row->value(0).toInt() : 1;
}

bool LoginThrottleRepository::lock(const QString &identifier, const QDateTime &now,
                                   const QDateTime &until) const
{
    return m_database.execute(u"UPDATE login_throttle SET locked_until = ? WHERE identifier = ? "
                              "AND (locked_until IS NULL OR locked_until <= ?)"_s,
                              { Database::bindTime(until), identifier, Database::bindTime(now) })
            == 1;
}

void LoginThrottleRepository::clear(const QString &identifier) const
{
    m_database.execute(u"DELETE FROM login_throttle WHERE identifier = ?"_s, { identifier });
}

int LoginThrottleRepository::purge(const QDateTime &before, const QDateTime &now) const
{
    return m_database.execute(u"DELETE FROM login_throttle WHERE last_failure_at < ? "
                              "AND (locked_until IS NULL OR locked_until < ?)"_s,
                              { Database::bindTime(before), Database::bindTime(now) });
}

} // namespace Tasklane
