#include "useradminservice.h"

#include "accountclosureservice.h"
#include "accountmailjob.h"
#include "accountservice.h"
#include "activitylog.h"
#include "apierror.h"
#include "cursorcodec.h"
#include "database.h"
#include "jobqueue.h"
#include "mfachallengerepository.h"
#include "principalcache.h"
#include "sessionending.h"
#include "twofactorrepository.h"

#include <QJsonDocument>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcUserAdmin, "tasklane.admin")

namespace Tasklane {

namespace {
// What a cursor is bound to: the search that made it.
QJsonObject searchKey(const UserRepository::Search &search)
{
    return { { u"q"_s, search.text },
             { u"r"_s, search.role ? roleToString(*search.role) : QString() },
             { u"s"_s, search.status ? accountStatusToString(*search.status) : QString() },
             { u"t"_s, search.twoFactor ? QJsonValue(*search.twoFactor) : QJsonValue() },
             { u"o"_s, int(search.sort) },
             { u"d"_s, search.descending } };
}

ApiError badCursor()
{
    return ApiError(ApiError::Kind::BadRequest, u"A query parameter is not valid; see errors."_s,
                    { { u"cursor"_s, u"invalid_value"_s,
                        u"Use the next_cursor of this same listing."_s } });
}

ApiError noSuchUser()
{
    return ApiError(ApiError::Kind::NotFound, u"There is no such user."_s);
}

QJsonObject fromTo(const QString &from, const QString &to)
{
    return { { u"from"_s, from }, { u"to"_s, to } };
}
} // namespace

UserAdminService::UserAdminService(const Database &database, const CursorCodec &cursors,
                                   const AccountService &accounts, const JobQueue &jobs,
                                   PrincipalCache &principals)
    : m_database(database), m_cursors(cursors), m_accounts(accounts), m_jobs(jobs),
      m_principals(principals)
{ }

Page<User> UserAdminService::list(const UserRepository::Search &search, const QString &cursor,
                                  int limit) const
{
    const QJsonObject key = searchKey(search);
    std::optional<User> after;
    if (!cursor.isEmpty()) {
        const auto payload = m_cursors.decode(cursor);
        if (!payload || payload->value(u"f"_s).toObject() != key)
            throw badCursor();
        // The last row of the page before: its id and the sort column's value.
        User last;
        last.id = payload->value(u"i"_s).toInteger();
        last.email = payload->value(u"e"_s).toString();
        last.displayName = payload->value(u"n"_s).toString();
        last.createdAt
                = QDateTime::fromMSecsSinceEpoch(payload->value(u"c"_s).toInteger(), Qt::UTC);
        if (last.id < 1)
            throw badCursor();
        after = last;
    }
    Page<User> page;
    page.items = UserRepository(m_database).search(search, after, limit + 1);
    if (page.items.size() > limit) {
        page.items.resize(limit);
        const User &last = page.items.last();
        page.nextCursor = m_cursors.encode({ { u"f"_s, key },
                                             { u"i"_s, last.id },
                                             { u"e"_s, last.email },
                                             { u"n"_s, last.displayName },
                                             { u"c"_s, last.createdAt.toMSecsSinceEpoch() } });
    }
    return page;
}

User UserAdminService::get(qint64 id) const
{
    const auto record = UserRepository(m_database).findById(id);
    if (!record)
        throw noSuchUser();
    return record->user;
}

User UserAdminService::change(const Principal &administrator, qint64 id,
                              const AdminUserChanges &changes) const
{
    const UserRepository users(m_database);
    Transaction transaction(m_database);
    // The administrators' rows, then the account's: the order every writer of the roster keeps
    // (AccountClosureService), so that two changes at once wait instead of deadlocking.
    const QList<qint64> admins = users.lockActiveAdmins();
    const auto record = users.lockForWrite(id);
    if (!record)
        throw noSuchUser();
    const User before = record->user;
    const Role role = changes.role.value_or(before.role);
    const AccountStatus status = changes.status.value_or(before.status);
    if (role != Role::Admin || status != AccountStatus::Active)
        AccountClosureService::refuseLastAdmin(admins, before);

    QJsonObject details;
    if (role != before.role) {
        users.setRole(id, role);
        details.insert(u"role"_s, fromTo(roleToString(before.role), roleToString(role)));
    }
    if (status != before.status) {
        users.setStatus(id, status);
        details.insert(u"status"_s,
                       fromTo(accountStatusToString(before.status), accountStatusToString(status)));
        if (status != AccountStatus::Active) {
            SessionEnding::write(m_database, id);
            m_accounts.abandonPendingLinks(id);
        }
    }
    if (changes.resetTwoFactor && before.twoFactorEnabled) {
        TwoFactorRepository(m_database).clear(id);
        MfaChallengeRepository(m_database).revokeAll(id);
        m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::twoFactorChanged(id, false),
                       QDateTime::currentDateTimeUtc());
        details.insert(u"two_factor_reset"_s, true);
    }
    if (changes.requirePasswordChange && !before.passwordChangeRequired) {
        users.setPasswordChangeRequired(id, true);
        details.insert(u"password_change_required"_s, true);
    }
    if (!details.isEmpty()) {
        ActivityEntry entry
                = ActivityLog::entry(ActivityAction::UserChangedByAdmin, id, administrator.origin);
        entry.actorId = administrator.user.id;
        entry.targetType = u"user"_s;
        entry.targetId = id;
        entry.details = details;
        ActivityLog::record(m_database, entry);
    }
    transaction.commit();
    m_principals.forgetUser(id);
    if (!details.isEmpty())
        qCInfo(lcUserAdmin, "administrator %lld changed user %lld: %s", administrator.user.id, id,
               qUtf8Printable(
                       QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))));
    return get(id);
}

} // namespace Tasklane
