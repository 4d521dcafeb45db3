#pragma once
#include <optional>

#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace Tasklane::Test {

// Starts one of the tests' Python helpers (a mail server, a push service, an SMS provider) with
// Debian's python3, which has the modules they need (a python3 of its own on PATH may not), and
// waits up to 20 s for the line it prints once it listens, which starts with "ready". Returns
// that line (without its newline), or nothing with a warning naming `what` and its errors.
std::optional<QByteArray> startPythonHelper(QProcess &process, const QStringList &arguments,
                                            const char *what);

} // namespace Tasklane::Test
