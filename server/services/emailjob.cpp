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
// The template with each {{name}} replaced by its value (HTML-escaped when `escape`), in one
// pass: a value holding "{{...}}" (a task titled so) is never read as a placeholder itself.
QString fill(const QString &text, const QHash<QString, QString> &values, bool escape)
{
    QString out;
    out.reserve(text.size() * 2);
    qsizetype at = 0;
    while (at < text.size()) {
        const qsizetype open = text.indexOf(u"{{"_s, at);
        const qsizetype close = open < 0 ? -1 : text.indexOf(u"}}"_s, open + 2);
        if (close < 0) {
            out += QStringView(text).sliced(at);
            break;
        }
        out += QStringView(text).sliced(at, open - at);
        const QString name = text.sliced(open + 2, close - open - 2);
        const QString value = values.value(name);
        out += escape ? value.toHtmlEscaped() : value;
        at = close + 2;
    }
    return out;
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
    const QString language = user->user.language;
    const auto tr
            = [this, &language](const char *source) { return m_texts.text(source, language); };
    message.subject = (delivery->late ? tr(QT_TRANSLATE_NOOP("Mail", "Reminder (late): %1"))
                                      : tr(QT_TRANSLATE_NOOP("Mail", "Reminder: %1")))
                              .arg(title);
    QString dueLine;
    if (task->task.dueAt.isValid())
        dueLine = tr(QT_TRANSLATE_NOOP("Mail", "Due: %1"))
                          .arg(task->task.dueAt.toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s));
    else if (task->task.dueDate.isValid())
        dueLine = tr(QT_TRANSLATE_NOOP("Mail", "Due: %1"))
                          .arg(task->task.dueDate.toString(Qt::ISODate));
    const QString link
            = m_settings.publicUrl + u"/api/v1/tasks/"_s + QString::number(task->task.id);
    const QHash<QString, QString> values{
        { u"greeting"_s, tr(QT_TRANSLATE_NOOP("Mail", "Hello %1,")).arg(user->user.displayName) },
        { u"intro"_s, tr(QT_TRANSLATE_NOOP("Mail", "this is your reminder for the task:")) },
        { u"title"_s, title },
        { u"subject"_s, message.subject },
        { u"due_line"_s, dueLine },
        { u"late_line"_s,
          delivery->late ? tr(QT_TRANSLATE_NOOP("Mail",
                                                "(Sent late: it was due at %1 UTC, while the "
                                                "server was down.)"))
                                   .arg(delivery->dueAt.toString(u"yyyy-MM-dd HH:mm"_s))
                         : QString() },
        { u"open_line"_s, tr(QT_TRANSLATE_NOOP("Mail", "Open it: %1")).arg(link) },
        { u"open_label"_s, tr(QT_TRANSLATE_NOOP("Mail", "Open it in Tasklane")) },
        { u"link"_s, link },
        { u"language"_s, language },
    };
    message.text = fill(resourceText(u":/mail/reminder.txt"_s), values, false);
    message.html = fill(resourceText(u":/mail/reminder.html"_s), values, true);
    message.messageId = job.uid + u'@' + m_settings.from.domain();
    message.date = now;
    message.language = language;
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
