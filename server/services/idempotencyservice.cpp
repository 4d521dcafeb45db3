#include "idempotencyservice.h"

#include "apierror.h"
#include "commitgroup.h"
#include "database.h"
#include "securerandom.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

IdempotencyService::IdempotencyService(const Database &database, CommitGroup &writes,
                                       qint64 keyLifetimeSeconds)
    : m_database(database), m_writes(writes), m_keyLifetimeSeconds(keyLifetimeSeconds)
{ }

int IdempotencyService::purgeExpired(const QDateTime &now) const
{
    return IdempotencyRepository(m_database).removeOlderThan(now.addSecs(-m_keyLifetimeSeconds));
}

bool IdempotencyService::isValidKey(const QByteArray &key)
{
    return !key.isEmpty() && key.size() <= 255
            && std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

IdempotencyService::Result IdempotencyService::run(qint64 userId, const QString &key,
                                                   const QString &requestHash,
                                                   const std::function<StoredAnswer()> &write) const
{
    const IdempotencyRepository keys(m_database);
    const auto replay = [&](const IdempotencyRepository::Entry &entry) {
        if (!constantTimeEquals(entry.requestHash.toLatin1(), requestHash.toLatin1()))
            throw ApiError(ApiError::Kind::IdempotencyKeyReused,
                           u"This Idempotency-Key was used with a different request; use a new "
                           "key for a new request."_s);
        return Result{ entry.answer, true };
    };
    Result result;
    try {
        m_writes.run([&] {
            if (const auto entry = keys.find(userId, key)) {
                result = replay(*entry);
                return;
            }
            result.answer = write();
            result.replayed = false;
            if (result.answer.status >= 200 && result.answer.status < 300)
                keys.insert(userId, key, requestHash, result.answer);
        });
    } catch (const DatabaseError &error) {
        // The same key arrived twice at once and the other request won: its answer is ours.
        if (error.kind() != DatabaseError::Kind::UniqueViolation)
            throw;
        const auto entry = keys.find(userId, key);
        if (!entry)
            throw;
        result = replay(*entry);
    }
    return result;
}

} // namespace Tasklane
