#include "commands.h"

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
    return Tasklane::runTasklaned(application);
}
