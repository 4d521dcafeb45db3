#pragma once

#include "user.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// A user row with what only the server may see.
struct UserRecord
{
    User user;
    QString passwordHash;
};

// All SQL of the users table.
class UserRepository
{
public:
    explicit UserRepository(const Database &database) : m_database(database) { }

    // Inserts a user; nullopt when the email is already taken. `emailVerified`: an operator
    // vouches for the address (the `user create` command); sign-up proves it by its link.
    std::optional<User> create(const QString &email, const QString &displayName,
                               const QString &passwordHash, Role role,
                               bool emailVerified = false) const;
    std::optional<UserRecord> findByEmail(const QString &email) const;
    std::optional<UserRecord> findById(qint64 id) const;
    // In the caller's transaction: the user, their row locked until it ends (FOR NO KEY UPDATE
    // on PostgreSQL; SQLite's write transactions are serial). Writers that touch a user's
    // account tokens take this first, so that they always lock in the same order.
    std::optional<UserRecord> lockForWrite(qint64 id) const;
    // The accounts of `ids` that exist, by id (any number of ids).
    QHash<qint64, User> findMany(const QList<qint64> &ids) const;
    // The user behind an access token, unless that token has been revoked: by its jti (logout),
    // because it was issued at or before the user's tokens_valid_after (a password reset,
    // every session ended), or because its session (`sessionId`, 0: none) has ended. The one
    // query of each authenticated request that the principal cache does not answer.
    std::optional<UserRecord> findUnlessTokenRevoked(qint64 id, const QString &jti,
                                                     const QDateTime &issuedAt,
                                                     qint64 sessionId = 0) const;
    // Invalidates every access token of the user issued at or before `cutoff` (never moving an
    // earlier-set later cutoff back); false when there is no such user.
    bool invalidateTokensIssuedUntil(qint64 id, const QDateTime &cutoff) const;

    // Applies the given changes (absent fields stay as they are).
    struct Changes
    {
        std::optional<QString> email;
        std::optional<QString> displayName;
        std::optional<QString> passwordHash;
        std::optional<QString> timeZone;
        std::optional<QString> language;
        std::optional<QString> bio; // empty clears it
        std::optional<QString> phone; // the contact number; empty clears it
        std::optional<QString> locale;
        // When set, the row changes only if its password hash is still this one (the one the
        // current password was checked against).
        std::optional<QString> expectedPasswordHash;
        // When set, the row changes only if its address is still this one.
        std::optional<QString> expectedEmail;
    };
    // NotFound: no such user, or (with expectedPasswordHash) its password changed meanwhile.
    enum class UpdateResult { Updated, NotFound, EmailTaken };
    // EmailTaken comes from the unique index itself, so two concurrent changes to one address
    // cannot both succeed. On PostgreSQL that failure aborts the caller's transaction.
    UpdateResult update(qint64 id, const Changes &changes) const;
    // The new address waiting for its verification link; empty clears it.
    void setPendingEmail(qint64 id, const QString &email) const;
    // `email` verified by its link: it becomes the account's address (if it was not already),
    // verified, and no longer pending. Only while it is still the account's address or the one
    // waiting (NotFound otherwise: a link for an address given up). EmailTaken when another
    // account has it by now (on PostgreSQL that aborts the caller's transaction).
    UpdateResult confirmEmail(qint64 id, const QString &email) const;
    // The administrators' directory (GET /admin/users): accounts whose email or display name
    // contains `text` (ASCII letters case-folded), of a role, a status, with or without 2FA,
    // ordered by `sort` then id, after the row a page ended on.
    struct Search
    {
        QString text; // empty: any
        std::optional<Role> role;
        std::optional<AccountStatus> status;
        std::optional<bool> twoFactor;
        enum class Sort { Created, Email, Name } sort = Sort::Created;
        bool descending = false;
    };
    // `after`: the last row of the previous page (its id and sort column are read), none for
    // the first page.
    QList<User> search(const Search &search, const std::optional<User> &after, int limit) const;
    // Whether the owner must set a new password before anything else (an administrator asks;
    // a new password lifts it).
    void setPasswordChangeRequired(qint64 id, bool required) const;
    // The account's role; false when there is no such user.
    bool setRole(qint64 id, Role role) const;
    // Whether the account may sign in (the caller ends its sessions); false when there is no
    // such user.
    bool setStatus(qint64 id, AccountStatus status) const;
    // In the caller's transaction, before it locks any account's row: the active
    // administrators, with the roster locked until it ends (an advisory lock on PostgreSQL), so
    // that the last of them cannot be removed, deactivated or demoted by two writers at once.
    QList<qint64> lockActiveAdmins() const;
    static constexpr qint64 AdminRosterLockKey = 7351000002; // beside the dependencies' ...01
    // Deletes the account; the rows that name it go with it (foreign keys: CASCADE, or SET NULL
    // where a record outlives it). False when there is no such user.
    bool remove(qint64 id) const;
    // The profile changed elsewhere (its avatar): updated_at moves to `now`.
    void markUpdated(qint64 id, const QDateTime &now) const;
    // Marks the address verified if it is still the account's `email` (a reset link followed).
    void markVerified(qint64 id, const QString &email) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
