#include "commands.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tasklaned"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKLANE_VERSION));
    return Tasklane::runTasklaned(application);
}
