#include "userrepository.h"

#include "database.h"
#include "databaseerror.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
const QString UserColumns
        = u"id, email, display_name, password_hash, role, created_at, updated_at, time_zone, "
          "language, email_verified_at, pending_email, totp_enabled_at, bio, contact_phone, "
          "locale, "
          "EXISTS (SELECT 1 FROM avatars a WHERE a.user_id = users.id), status, "
          "password_change_required"_s;

UserRecord toRecord(const QSqlRecord &row)
{
    UserRecord record;
    record.user.id = row.value(0).toLongLong();
    record.user.email = row.value(1).toString();
    record.user.displayName = row.value(2).toString();
    record.passwordHash = row.value(3).toString();
    record.user.role = roleFromString(row.value(4).toString()).value_or(Role::User);
    record.user.createdAt = Database::readTime(row.value(5));
    record.user.updatedAt = Database::readTime(row.value(6));
    record.user.timeZone = row.value(7).toString();
    record.user.language = row.value(8).toString();
    record.user.emailVerified = !row.value(9).isNull();
    record.user.pendingEmail = row.value(10).toString();
    record.user.twoFactorEnabled = !row.value(11).isNull();
    record.user.bio = row.value(12).toString();
    record.user.phone = row.value(13).toString();
    record.user.locale = row.value(14).toString();
    record.user.hasAvatar = row.value(15).toBool();
    record.user.status
            = accountStatusFromString(row.value(16).toString()).value_or(AccountStatus::Locked);
    record.user.passwordChangeRequired = row.value(17).toBool();
    return record;
}
} // namespace

std::optional<User> UserRepository::create(const QString &email, const QString &displayName,
                                           const QString &passwordHash, Role role,
                                           bool emailVerified) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto row = m_database.fetchOne(
            u"INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at, "
            "email_verified_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING "
            "RETURNING id"_s,
            { email, displayName, passwordHash, roleToString(role), Database::bindTime(now),
              Database::bindTime(now),
              emailVerified ? Database::bindTime(now) : QVariant(QMetaType::fromType<QString>()) });
    if (!row)
        return std::nullopt;
    // Read back what was stored, so the answer shows the database's own rounding of times.
    const auto created = findById(row->value(0).toLongLong());
    return created ? std::optional<User>(created->user) : std::nullopt;
}

std::optional<UserRecord> UserRepository::findByEmail(const QString &email) const
{
    const auto row
            = m_database.fetchOne(u"SELECT "_s + UserColumns + u" FROM users WHERE email = ?"_s,
                                  { email }, Database::Retry::Safe);
    return row ? std::optional<UserRecord>(toRecord(*row)) : std::nullopt;
}

std::optional<UserRecord> UserRepository::findById(qint64 id) const
{
    const auto row = m_database.fetchOne(u"SELECT "_s + UserColumns + u" FROM users WHERE id = ?"_s,
                                         { id }, Database::Retry::Safe);
    return row ? std::optional<UserRecord>(toRecord(*row)) : std::nullopt;
}

std::optional<UserRecord> UserRepository::lockForWrite(qint64 id) const
{
    const QString lock
            = m_database.dialect() == SqlDialect::Postgres ? u" FOR NO KEY UPDATE"_s : QString();
    const auto row = m_database.fetchOne(
            u"SELECT "_s + UserColumns + u" FROM users WHERE id = ?"_s + lock, { id });
    return row ? std::optional<UserRecord>(toRecord(*row)) : std::nullopt;
}

QHash<qint64, User> UserRepository::findMany(const QList<qint64> &ids) const
{
    QHash<qint64, User> found;
    const QList<QSqlRecord> rows = m_database.fetchAllIn(
            u"SELECT "_s + UserColumns + u" FROM users WHERE id IN ("_s, {},
            QVariantList(ids.cbegin(), ids.cend()), u")"_s, 64, Database::Retry::Safe);
    for (const QSqlRecord &row : rows) {
        const UserRecord record = toRecord(row);
        found.insert(record.user.id, record.user);
    }
    return found;
}

std::optional<UserRecord> UserRepository::findUnlessTokenRevoked(qint64 id, const QString &jti,
                                                                 const QDateTime &issuedAt,
                                                                 qint64 sessionId) const
{
    // Both dialects compare the cutoff as a time: TIMESTAMPTZ on PostgreSQL, and on SQLite
    // bindTime's fixed-width UTC text, whose order is the order of the times it names.
    const auto row = m_database.fetchOne(
            u"SELECT "_s + UserColumns
                    + u" FROM users WHERE id = ? AND status = 'active' "
                      "AND (tokens_valid_after IS NULL OR tokens_valid_after < ?) AND NOT EXISTS "
                      "(SELECT 1 FROM revoked_access_tokens WHERE jti = ?) AND NOT EXISTS "
                      "(SELECT 1 FROM sessions WHERE id = ? AND ended_at IS NOT NULL)"_s,
            { id, Database::bindTime(issuedAt), jti, sessionId }, Database::Retry::Safe);
    return row ? std::optional<UserRecord>(toRecord(*row)) : std::nullopt;
}

bool UserRepository::invalidateTokensIssuedUntil(qint64 id, const QDateTime &cutoff) const
{
    const QVariant time = Database::bindTime(cutoff);
    return m_database.execute(u"UPDATE users SET tokens_valid_after = CASE WHEN "
                              "tokens_valid_after IS NULL OR tokens_valid_after < ? THEN ? "
                              "ELSE tokens_valid_after END WHERE id = ?"_s,
                              { time, time, id })
            == 1;
}

QList<User> UserRepository::search(const Search &search, const std::optional<User> &after,
                                   int limit) const
{
    const QString column = search.sort == Search::Sort::Email ? u"email"_s
            : search.sort == Search::Sort::Name               ? u"display_name"_s
                                                              : u"created_at"_s;
    QString sql = u"SELECT "_s + UserColumns + u" FROM users WHERE 1 = 1"_s;
    QVariantList values;
    if (!search.text.isEmpty()) {
        // A LIKE pattern of the text itself: its own %, _ and \ match only themselves.
        QString escaped = search.text.toLower();
        escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
        const QString pattern = u"%"_s + escaped + u"%"_s;
        sql += u" AND (lower(email) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')"_s;
        values << pattern << pattern;
    }
    if (search.role) {
        sql += u" AND role = ?"_s;
        values << roleToString(*search.role);
    }
    if (search.status) {
        sql += u" AND status = ?"_s;
        values << accountStatusToString(*search.status);
    }
    if (search.twoFactor)
        sql += *search.twoFactor ? u" AND totp_enabled_at IS NOT NULL"_s
                                 : u" AND totp_enabled_at IS NULL"_s;
    const QString direction = search.descending ? u" DESC"_s : QString();
    if (after) {
        const QVariant key = search.sort == Search::Sort::Email ? QVariant(after->email)
                : search.sort == Search::Sort::Name             ? QVariant(after->displayName)
                                                    : Database::bindTime(after->createdAt);
        const QString beyond = search.descending ? u"<"_s : u">"_s;
        sql += u" AND (%1 %2 ? OR (%1 = ? AND id %2 ?))"_s.arg(column, beyond);
        values << key << key << after->id;
    }
    sql += u" ORDER BY %1%2, id%2 LIMIT ?"_s.arg(column, direction);
    values << limit;
    QList<User> users;
    for (const QSqlRecord &row : m_database.fetchAll(sql, values, Database::Retry::Safe))
        users.append(toRecord(row).user);
    return users;
}

bool UserRepository::setRole(qint64 id, Role role) const
{
    return m_database.execute(
                   u"UPDATE users SET role = ?, updated_at = ? WHERE id = ?"_s,
                   { roleToString(role), Database::bindTime(QDateTime::currentDateTimeUtc()), id })
            == 1;
}

void UserRepository::setPasswordChangeRequired(qint64 id, bool required) const
{
    m_database.execute(u"UPDATE users SET password_change_required = ? WHERE id = ?"_s,
                       { required, id });
}

bool UserRepository::setStatus(qint64 id, AccountStatus status) const
{
    return m_database.execute(u"UPDATE users SET status = ?, updated_at = ? WHERE id = ?"_s,
                              { accountStatusToString(status),
                                Database::bindTime(QDateTime::currentDateTimeUtc()), id })
            == 1;
}

QList<qint64> UserRepository::lockActiveAdmins() const
{
    // One lock for the roster (PostgreSQL; SQLite's writers are serial), taken before any
    // account's row: two changes that could leave no active administrator wait for each other,
    // and the second reads what the first committed. A lock on the administrators' rows would
    // also stall their own sign-ins and changes for as long as the change runs.
    if (m_database.dialect() == SqlDialect::Postgres)
        m_database.fetchOne(u"SELECT pg_advisory_xact_lock(CAST(? AS bigint))"_s,
                            { AdminRosterLockKey });
    QList<qint64> ids;
    for (const QSqlRecord &row : m_database.fetchAll(
                 u"SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id"_s))
        ids.append(row.value(0).toLongLong());
    return ids;
}

bool UserRepository::remove(qint64 id) const
{
    return m_database.execute(u"DELETE FROM users WHERE id = ?"_s, { id }) == 1;
}

void UserRepository::markUpdated(qint64 id, const QDateTime &now) const
{
    m_database.execute(u"UPDATE users SET updated_at = ? WHERE id = ?"_s,
                       { Database::bindTime(now), id });
}

void UserRepository::setPendingEmail(qint64 id, const QString &email) const
{
    m_database.execute(u"UPDATE users SET pending_email = ?, updated_at = ? WHERE id = ?"_s,
                       { email.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : email,
                         Database::bindTime(QDateTime::currentDateTimeUtc()), id });
}

UserRepository::UpdateResult UserRepository::confirmEmail(qint64 id, const QString &email) const
{
    const QVariant now = Database::bindTime(QDateTime::currentDateTimeUtc());
    try {
        const int changed = m_database.execute(
                u"UPDATE users SET email = ?, email_verified_at = COALESCE(CASE WHEN email = ? "
                "THEN email_verified_at END, ?), pending_email = CASE WHEN pending_email = ? "
                "THEN NULL ELSE pending_email END, updated_at = ? WHERE id = ? "
                "AND (email = ? OR pending_email = ?)"_s,
                { email, email, now, email, now, id, email, email });
        if (changed == 0)
            return UpdateResult::NotFound;
        // Email notifications start (NotificationSettingsRepository::findMany).
        m_database.noteChanged(Database::Change::NotificationSettings, id);
        return UpdateResult::Updated;
    } catch (const DatabaseError &error) {
        if (error.kind() == DatabaseError::Kind::UniqueViolation)
            return UpdateResult::EmailTaken;
        throw;
    }
}

void UserRepository::markVerified(qint64 id, const QString &email) const
{
    if (m_database.execute(u"UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) "
                           "WHERE id = ? AND email = ?"_s,
                           { Database::bindTime(QDateTime::currentDateTimeUtc()), id, email })
        > 0)
        m_database.noteChanged(Database::Change::NotificationSettings, id);
}

UserRepository::UpdateResult UserRepository::update(qint64 id, const Changes &changes) const
{
    // Absent: NULL, which COALESCE turns into the column's own value. Present but empty (a
    // cleared bio, say, which JSON hands over as a null QString): '', never NULL.
    const auto nullable = [](const std::optional<QString> &value) {
        if (!value)
            return QVariant(QMetaType::fromType<QString>());
        return QVariant(value->isNull() ? u""_s : *value);
    };
    try {
        // One statement with COALESCE keeps the SQL fixed whatever combination of fields changes.
        const int changed = m_database.execute(
                u"UPDATE users SET email = COALESCE(?, email), "
                "display_name = COALESCE(?, display_name), "
                "password_hash = COALESCE(?, password_hash), "
                "time_zone = COALESCE(?, time_zone), language = COALESCE(?, language), "
                "bio = COALESCE(?, bio), contact_phone = COALESCE(?, contact_phone), "
                "locale = COALESCE(?, locale), "
                "updated_at = ? WHERE id = ? AND password_hash = COALESCE(?, password_hash) "
                "AND email = COALESCE(?, email)"_s,
                { nullable(changes.email), nullable(changes.displayName),
                  nullable(changes.passwordHash), nullable(changes.timeZone),
                  nullable(changes.language), nullable(changes.bio), nullable(changes.phone),
                  nullable(changes.locale), Database::bindTime(QDateTime::currentDateTimeUtc()), id,
                  nullable(changes.expectedPasswordHash), nullable(changes.expectedEmail) });
        return changed == 0 ? UpdateResult::NotFound : UpdateResult::Updated;
    } catch (const DatabaseError &error) {
        if (error.kind() == DatabaseError::Kind::UniqueViolation && changes.email)
            return UpdateResult::EmailTaken;
        throw;
    }
}

} // namespace Tasklane
