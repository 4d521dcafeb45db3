#include "helperprocess.h"

#include <QElapsedTimer>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

std::optional<QByteArray> startPythonHelper(QProcess &process, const QStringList &arguments,
                                            const char *what)
{
    process.setProgram(u"/usr/bin/python3"_s);
    process.setArguments(arguments);
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start();
    if (process.waitForStarted(10'000)) {
        QElapsedTimer timer;
        timer.start();
        QByteArray out;
        while (timer.elapsed() < 20'000 && process.state() == QProcess::Running) {
            process.waitForReadyRead(100);
            out += process.readAllStandardOutput();
            const qsizetype ready = out.indexOf("ready");
            const qsizetype end = ready < 0 ? -1 : out.indexOf('\n', ready);
            if (end > 0)
                return out.mid(ready, end - ready).trimmed();
        }
    }
    qWarning("the %s did not start: %s", what, process.readAllStandardError().constData());
    return std::nullopt;
}

} // namespace Tasklane::Test
