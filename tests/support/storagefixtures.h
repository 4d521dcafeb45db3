#pragma once

#include <QString>

namespace Tasklane {
class Database;
}

namespace Tasklane::Test {

// Rows for the storage tests, written straight through the repositories (no server).

// A user named `name` (email name@example.com, role user, the address verified unless asked
// otherwise); their id, or 0 on failure.
qint64 makeUser(const Database &database, const QString &name, bool emailVerified = true);
// A task of `ownerId` at version 1, created now; its id.
qint64 makeTask(const Database &database, qint64 ownerId, const QString &title);

} // namespace Tasklane::Test
