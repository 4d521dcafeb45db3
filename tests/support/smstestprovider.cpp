#include "smstestprovider.h"

#include "helperprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

SmsTestProvider::~SmsTestProvider()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool SmsTestProvider::start()
{
    const auto ready = startPythonHelper(
            m_process,
            { QStringLiteral(TASKLANE_TEST_SUPPORT_DIR "/smsprovider.py"), u"--dir"_s,
              m_folder.path(), u"--account"_s, QString::fromLatin1(Account), u"--token"_s,
              QString::fromLatin1(Token) },
            "SMS test provider");
    if (ready) // "ready PORT"
        m_port = quint16(ready->mid(6).toUInt());
    return m_port != 0;
}

QString SmsTestProvider::url() const
{
    return u"http://127.0.0.1:%1/2010-04-01/Accounts/%2/Messages.json"_s.arg(m_port).arg(
            QString::fromLatin1(Account));
}

QStringList SmsTestProvider::serverArguments() const
{
    return { u"--sms-url"_s,     url(),
             u"--sms-account"_s, QString::fromLatin1(Account),
             u"--sms-from"_s,    u"+15005550006"_s };
}

QList<QJsonObject> SmsTestProvider::messages() const
{
    QList<QJsonObject> list;
    const QDir folder(m_folder.path());
    for (const QString &name : folder.entryList({ u"*.json"_s }, QDir::Files, QDir::Name)) {
        QFile file(folder.filePath(name));
        if (file.open(QIODevice::ReadOnly))
            list.append(QJsonDocument::fromJson(file.readAll()).object());
    }
    return list;
}

} // namespace Tasklane::Test
