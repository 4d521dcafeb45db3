#pragma once

#include "principal.h"
#include "session.h"

namespace Tasklane {

class Database;
class PrincipalCache;

// One's own sessions (refresh-token families): listing them, ending one, ending all but the
// one asking. An ended session's access tokens stop working at once in this process and within
// the principal cache's lifetime in others. Throws ApiError.
class SessionService
{
public:
    SessionService(const Database &database, PrincipalCache &principals)
        : m_database(database), m_principals(principals)
    { }

    SessionList list(const Principal &principal) const;
    // NotFound unless it is a live session of the caller's.
    void end(const Principal &principal, qint64 sessionId) const;
    // How many ended.
    int endOthers(const Principal &principal) const;

private:
    const Database &m_database;
    PrincipalCache &m_principals;
};

} // namespace Tasklane
