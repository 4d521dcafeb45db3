#include "accountmaillogrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

std::optional<qint64> AccountMailLogRepository::reserve(qint64 userId, const QString &mail,
                                                        const QDateTime &now, int maxPerHour) const
{
    const auto count = m_database.fetchOne(
            u"SELECT COUNT(*) FROM account_mail_log WHERE user_id = ? AND mail = ? "
            "AND sent_at > ?"_s,
            { userId, mail, Database::bindTime(now.addSecs(-3600)) });
    if (!count || count->value(0).toInt() >= maxPerHour)
        return std::nullopt;
    const auto row = m_database.fetchOne(u"INSERT INTO account_mail_log (user_id, mail, sent_at) "
                                         "VALUES (?, ?, ?) RETURNING id"_s,
                                         { userId, mail, Database::bindTime(now) });
    return row ? std::optional<qint64>(row->value(0).toLongLong()) : std::nullopt;
}

void AccountMailLogRepository::release(qint64 id) const
{
    m_database.execute(u"DELETE FROM account_mail_log WHERE id = ?"_s, { id });
}

int AccountMailLogRepository::purgeBefore(const QDateTime &before) const
{
    return m_database.execute(u"DELETE FROM account_mail_log WHERE sent_at < ?"_s,
                              { Database::bindTime(before) });
}

} // namespace Tasklane
