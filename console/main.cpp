#include "mainwindow.h"

#include <QApplication>
#include <QLocale>
#include <QTranslator>

int main(int argc, char *argv[])
{
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tasklane-console"));
    QApplication::setApplicationVersion(QStringLiteral(TASKLANE_VERSION));
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("tasklane_console"), QStringLiteral("_"),
                        QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);
    Tasklane::MainWindow window;
    window.show();
    return QApplication::exec();
}
