#include "evidence.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Tasklane::Test::Evidence {

namespace {
// The answer fields that hold secrets (a recovery_codes array's strings too).
const QSet<QString> &secretFields()
{
    static const QSet<QString> names{ u"access_token"_s,  u"refresh_token"_s, u"mfa_token"_s,
                                      u"token"_s,         u"secret"_s,        u"recovery_codes"_s,
                                      u"recovery_code"_s, u"ticket"_s,        u"auth"_s };
    return names;
}

QMutex &fileMutex()
{
    static QMutex mutex;
    return mutex;
}

// "<folder>/<kind>-<pid>-<n>.<extension>": one process's files never collide with another's.
QString fileName(const QString &kind, const QString &extension)
{
    static int sequence = 0;
    return directory() + u'/' + kind + u'-' + QString::number(QCoreApplication::applicationPid())
            + u'-' + QString::number(++sequence) + u'.' + extension;
}

void recordAll(const QJsonValue &value, bool secret)
{
    if (value.isString()) {
        if (secret)
            recordSecret(value.toString());
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array)
            recordAll(item, secret);
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            recordAll(it.value(), secret || secretFields().contains(it.key()));
    }
}
} // namespace

QString directory()
{
    static const QString folder = [] {
        const QString path = qEnvironmentVariable("TASKLANE_TEST_EVIDENCE");
        if (!path.isEmpty())
            QDir().mkpath(path);
        return path;
    }();
    return folder;
}

void recordSecret(const QString &secret)
{
    if (directory().isEmpty() || secret.size() < MinimumCanaryLength || secret.contains(u'\n'))
        return;
    const QMutexLocker lock(&fileMutex());
    static const QString canaries = directory() + u"/canaries-"_s
            + QString::number(QCoreApplication::applicationPid()) + u".txt"_s;
    QFile file(canaries);
    if (file.open(QIODevice::Append))
        file.write(secret.toUtf8() + '\n');
}

void recordSecretsIn(const QJsonValue &json)
{
    if (!directory().isEmpty())
        recordAll(json, false);
}

void recordLog(const QString &kind, const QByteArray &text)
{
    if (directory().isEmpty() || text.isEmpty())
        return;
    const QMutexLocker lock(&fileMutex());
    QFile file(fileName(kind, u"log"_s));
    if (file.open(QIODevice::WriteOnly))
        file.write(text);
}

} // namespace Tasklane::Test::Evidence
