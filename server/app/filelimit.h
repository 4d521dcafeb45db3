#pragma once

#include <QtGlobal>

namespace Tasklane::FileLimit {

// Raises this process's soft limit of open files (RLIMIT_NOFILE) to its hard limit: every
// real-time connection holds a socket, and systemd starts services with a soft limit of 1024.
// Safe here: Qt's event dispatchers and libpq use poll(), not select(), so no descriptor is too
// high for them. Returns the limit in force afterwards.
qint64 raise();
// The soft limit in force now.
qint64 current();

} // namespace Tasklane::FileLimit
