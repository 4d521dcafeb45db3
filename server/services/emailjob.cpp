#include "emailjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "mailer.h"
#include "taskrepository.h"
#include "userrepository.h"

#include <QFile>
#include <QHash>

using namespace Qt::StringLiterals;

namespace Tasklane {

const QString EmailJob::Kind = u"email"_s;

namespace {

QString resourceText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error("missing mail template " + path.toStdString());
    return QString::fromUtf8(file.readAll());
}

// {{name}} placeholders replaced; `escape`: values HTML-escaped.
QString fill(QString text, const QHash<QString, QString> &values, bool escape)
{
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        text.replace(u"{{"_s + it.key() + u"}}"_s,
                     escape ? it.value().toHtmlEscaped() : it.value());
    return text;
}

} // namespace

EmailJob::EmailJob(const Database &database, const Mailer &mailer, MailSettings settings)
    : m_database(database), m_mailer(mailer), m_settings(std::move(settings))
{ }

std::optional<JobFollowUp> EmailJob::run(const Job &job) const
{
    const DeliveryRepository deliveries(m_database);
    const auto delivery = deliveries.find(job.payload.value(u"delivery_id"_s).toInteger());
    // Sent already (a retry after the send), or forgotten. A failed one is tried again: an
    // operator retried its dead job.
    if (!delivery || delivery->status == u"sent")
        return std::nullopt;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto user = UserRepository(m_database).findById(delivery->userId);
    const auto task = TaskRepository(m_database).findForUser(delivery->taskId, delivery->userId);
    if (!user || !task) {
        deliveries.markFailed(delivery->id, {},
                              user ? u"the task is gone or no longer visible to its user"_s
                                   : u"the account is gone"_s,
                              now);
        return std::nullopt;
    }
    MailMessage message;
    message.from = m_settings.from;
    message.to = { user->user.email, user->user.displayName };
    if (!MailAddress::isValid(message.to.address)) {
        deliveries.markFailed(delivery->id, message.to.address, u"not a deliverable address"_s,
                              now);
        throw JobFailure(u"not a deliverable address: %1"_s.arg(message.to.address), true);
    }
    const QString title = task->task.title;
    message.subject = (delivery->late ? u"Reminder (late): "_s : u"Reminder: "_s) + title;
    QString dueLine;
    if (task->task.dueAt.isValid())
        dueLine = u"Due: "_s + task->task.dueAt.toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s);
    else if (task->task.dueDate.isValid())
        dueLine = u"Due: "_s + task->task.dueDate.toString(Qt::ISODate);
    const QHash<QString, QString> values{
        { u"name"_s, user->user.displayName },
        { u"title"_s, title },
        { u"subject"_s, message.subject },
        { u"due_line"_s, dueLine },
        { u"late_line"_s,
          delivery->late ? u"(Sent late: it was due at %1 UTC, while the server was down.)"_s.arg(
                  delivery->dueAt.toString(u"yyyy-MM-dd HH:mm"_s))
                         : QString() },
        { u"link"_s, m_settings.publicUrl + u"/api/v1/tasks/"_s + QString::number(task->task.id) },
        { u"language"_s, u"en"_s },
    };
    message.text = fill(resourceText(u":/mail/reminder.txt"_s), values, false);
    message.html = fill(resourceText(u":/mail/reminder.html"_s), values, true);
    message.messageId = job.uid + u'@' + m_settings.from.domain();
    message.date = now;
    message.language = u"en"_s;
    if (delivery->late)
        message.extraHeaders.append({ "X-Tasklane-Late", u"yes"_s });
    DeliveryAttempt attempt;
    attempt.deliveryId = delivery->id;
    attempt.jobId = job.id;
    attempt.channel = delivery->channel;
    attempt.recipient = message.to.address;
    try {
        m_mailer.send(message);
    } catch (const MailError &error) {
        const QString text = QString::fromUtf8(error.what());
        attempt.outcome = error.isPermanent() ? u"permanent_failure"_s : u"temporary_failure"_s;
        attempt.error = text;
        attempt.at = QDateTime::currentDateTimeUtc();
        Transaction transaction(m_database);
        deliveries.recordAttempt(attempt);
        if (error.isPermanent())
            deliveries.markFailed(delivery->id, message.to.address, text, attempt.at);
        else
            deliveries.noteError(delivery->id, text, attempt.at);
        transaction.commit();
        throw JobFailure(text, error.isPermanent());
    }
    attempt.outcome = u"sent"_s;
    attempt.at = QDateTime::currentDateTimeUtc();
    Transaction transaction(m_database);
    deliveries.recordAttempt(attempt);
    deliveries.markSent(delivery->id, message.to.address, attempt.at);
    transaction.commit();
    return std::nullopt;
}

} // namespace Tasklane
