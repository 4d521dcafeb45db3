#pragma once

class QCoreApplication;

namespace Tasklane {

// tasklaned's command line: `serve` (default), `migrate`, `user create`, `routes`, `jobs`.
// Returns the process exit code.
int runTasklaned(QCoreApplication &application);

} // namespace Tasklane
