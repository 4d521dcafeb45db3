#include "outboxsmssender.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString OutboxSmsSender::send(const QString &to, const QString &text) const
{
    if (!QDir().mkpath(m_folder))
        throw SmsError(u"cannot create the SMS outbox folder %1"_s.arg(m_folder), false);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString id = now.toString(u"yyyyMMdd-HHmmss-zzz"_s) + u'-'
            + QString::number(QRandomGenerator::system()->generate(), 36);
    QSaveFile file(m_folder + u'/' + id + u".json"_s);
    if (!file.open(QIODevice::WriteOnly))
        throw SmsError(u"cannot write to the SMS outbox folder %1"_s.arg(m_folder), false);
    file.write(QJsonDocument(QJsonObject{ { u"to"_s, to },
                                          { u"text"_s, text },
                                          { u"at"_s, now.toString(Qt::ISODateWithMs) } })
                       .toJson());
    if (!file.commit())
        throw SmsError(u"cannot write to the SMS outbox folder %1"_s.arg(m_folder), false);
    return id;
}

QString OutboxSmsSender::destination() const
{
    return u"outbox folder "_s + m_folder;
}

} // namespace Tasklane
