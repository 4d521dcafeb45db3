#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

namespace Tasklane {

// A secret the server keeps in a file of its own (the signing key, the VAPID key when none is
// configured): read when it exists, its mode put back to 0600 (with a warning) when someone
// loosened it; otherwise made by `generate` and written with mode 0600, never readable by
// others in between. `what` names it in errors and logs. Throws std::runtime_error.
QByteArray loadOrCreateSecretFile(const QString &path, const char *what,
                                  const std::function<QByteArray()> &generate);

} // namespace Tasklane
