#include "commands.h"
#include "jsonlog.h"

#include <QCoreApplication>

#include <sys/stat.h>

int main(int argc, char *argv[])
{
    // Everything tasklaned creates (data folder, SQLite database and its WAL, the generated
    // signing key) holds hashes or secrets: owner only, whatever umask it was started with.
    umask(0077);
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tasklaned"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKLANE_VERSION));
    const int code = Tasklane::runTasklaned(application);
    Tasklane::JsonLog::shutdown(); // every queued log line written; later ones synchronously
    return code;
}
