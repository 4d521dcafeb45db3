#include "commands.h"
#include "curllibrary.h"
#include "filelimit.h"
#include "jsonlog.h"
#include "localtimezone.h"

#include <QCoreApplication>

#include <sys/stat.h>

int main(int argc, char *argv[])
{
    // Everything tasklaned creates (data folder, SQLite database and its WAL, the generated
    // signing key) holds hashes or secrets: owner only, whatever umask it was started with.
    umask(0077);
    // Qt's own event dispatcher rather than glib's (Debian's QtCore links glib and picks it by
    // default): glib's writes its wake-up eventfd for every event posted, two a request on the
    // event loop, and scans its whole notifier list when one is removed. Read by Qt when the
    // application is created; a QT_NO_GLIB already in the environment is left as it is.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    // The system's time zone read once, not at every local-time conversion (see the header).
    Tasklane::pinLocalTimeZone();
    // Room for thousands of real-time connections (ServerApp logs the limit and its cap).
    Tasklane::FileLimit::raise();
    // libcurl's process-wide set-up, before any thread exists.
    Tasklane::initialiseCurl();
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tasklaned"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKLANE_VERSION));
    const int code = Tasklane::runTasklaned(application);
    Tasklane::JsonLog::shutdown(); // every queued log line written; later ones synchronously
    return code;
}
