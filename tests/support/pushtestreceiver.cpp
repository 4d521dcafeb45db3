#include "pushtestreceiver.h"

#include "helperprocess.h"

#include <QDir>
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
    return startPythonHelper(m_process,
                             { QStringLiteral(TASKLANE_TEST_SUPPORT_DIR "/pushreceiver.py"),
                               u"--dir"_s, m_folder.path(), u"--subscriptions"_s,
                               QString::number(subscriptions), u"--gone"_s, QString::number(gone) },
                             "push receiver")
            .has_value();
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
