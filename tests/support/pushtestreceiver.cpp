#include "pushtestreceiver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

namespace {
QJsonDocument readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll());
}
} // namespace

PushTestReceiver::~PushTestReceiver()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool PushTestReceiver::start(int subscriptions, int gone)
{
    // Debian's python3, which has python3-cryptography (a python3 of its own on PATH may not).
    m_process.setProgram(u"/usr/bin/python3"_s);
    m_process.setArguments({ QStringLiteral(TASKLANE_TEST_SUPPORT_DIR "/pushreceiver.py"),
                             u"--dir"_s, m_folder.path(), u"--subscriptions"_s,
                             QString::number(subscriptions), u"--gone"_s, QString::number(gone) });
    m_process.start();
    if (!m_process.waitForStarted(10'000))
        return false;
    QElapsedTimer timer;
    timer.start();
    QByteArray out;
    while (timer.elapsed() < 20'000 && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        out += m_process.readAllStandardOutput();
        if (out.contains("ready"))
            return true;
    }
    qWarning("the push receiver did not start: %s", m_process.readAllStandardError().constData());
    return false;
}

QList<QJsonObject> PushTestReceiver::subscriptions() const
{
    QList<QJsonObject> list;
    for (const QJsonValue &each : readJson(m_folder.filePath(u"subscriptions.json"_s)).array())
        list.append(each.toObject());
    return list;
}

QList<QJsonObject> PushTestReceiver::messages() const
{
    QList<QJsonObject> list;
    const QDir folder(m_folder.filePath(u"messages"_s));
    for (const QString &name : folder.entryList({ u"*.json"_s }, QDir::Files, QDir::Name))
        list.append(readJson(folder.filePath(name)).object());
    return list;
}

} // namespace Tasklane::Test
