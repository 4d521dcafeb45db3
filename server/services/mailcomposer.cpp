#include "mailcomposer.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

QString resourceText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error("missing mail template " + path.toStdString());
    return QString::fromUtf8(file.readAll());
}

// The template with each {{name}} replaced by its value, in one pass: a value holding
// "{{...}}" (a task titled so) is never read as a placeholder itself. With `escape`, values
// are HTML-escaped, but for names starting "html_", which the composer built of escaped parts.
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
        out += escape && !name.startsWith(u"html_"_s) ? value.toHtmlEscaped() : value;
        at = close + 2;
    }
    return out;
}

} // namespace

MailComposer::MailComposer(QString publicUrl)
    : m_publicUrl(std::move(publicUrl)), m_taskText(resourceText(u":/mail/task.txt"_s)),
      m_taskHtml(resourceText(u":/mail/task.html"_s)),
      m_digestText(resourceText(u":/mail/digest.txt"_s)),
      m_digestHtml(resourceText(u":/mail/digest.html"_s)),
      m_accountText(resourceText(u":/mail/account.txt"_s)),
      m_accountHtml(resourceText(u":/mail/account.html"_s))
{ }

QString MailComposer::tr(const char *source, const QString &language) const
{
    return m_texts.text(source, language);
}

QString MailComposer::taskLink(qint64 taskId) const
{
    return m_publicUrl + u"/api/v1/tasks/"_s + QString::number(taskId);
}

QString MailComposer::dueText(const Task &task, const QString &language) const
{
    if (task.dueAt.isValid())
        return tr(QT_TRANSLATE_NOOP("Mail", "Due: %1"), language)
                .arg(task.dueAt.toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s));
    if (task.dueDate.isValid())
        return tr(QT_TRANSLATE_NOOP("Mail", "Due: %1"), language)
                .arg(task.dueDate.toString(Qt::ISODate));
    return {};
}

std::pair<QString, QString> MailComposer::wording(const Delivery &delivery, const QString &title,
                                                  const QString &actorName,
                                                  const QString &language) const
{
    const auto t = [&](const char *source) { return tr(source, language); };
    const QString actor = actorName.isEmpty() ? t(QT_TRANSLATE_NOOP("Mail", "Someone")) : actorName;
    const QJsonObject &details = delivery.details;
    if (delivery.event == u"due_soon")
        return { t(QT_TRANSLATE_NOOP("Mail", "Due soon: %1")).arg(title),
                 t(QT_TRANSLATE_NOOP("Mail", "this task is due soon:")) };
    if (delivery.event == u"overdue")
        return { t(QT_TRANSLATE_NOOP("Mail", "Overdue: %1")).arg(title),
                 t(QT_TRANSLATE_NOOP("Mail", "this task is overdue:")) };
    if (delivery.event == u"shared")
        return { t(QT_TRANSLATE_NOOP("Mail", "Shared with you: %1")).arg(title),
                 t(QT_TRANSLATE_NOOP("Mail", "%1 shared this task with you:")).arg(actor) };
    if (delivery.event == u"changed") {
        QStringList fields;
        for (const QJsonValue &field : details.value(u"fields"_s).toArray())
            fields.append(field.toString());
        return { t(QT_TRANSLATE_NOOP("Mail", "Changed: %1")).arg(title),
                 t(QT_TRANSLATE_NOOP("Mail", "%1 changed this task (%2):"))
                         .arg(actor, fields.join(u", "_s)) };
    }
    if (delivery.event == u"blocker_done")
        return { t(QT_TRANSLATE_NOOP("Mail", "Unblocked: %1")).arg(title),
                 t(QT_TRANSLATE_NOOP("Mail", "a task this one waited for is done (%1):"))
                         .arg(details.value(u"blocker_title"_s).toString()) };
    return { (delivery.late ? t(QT_TRANSLATE_NOOP("Mail", "Reminder (late): %1"))
                            : t(QT_TRANSLATE_NOOP("Mail", "Reminder: %1")))
                     .arg(title),
             t(QT_TRANSLATE_NOOP("Mail", "this is your reminder for the task:")) };
}

MailComposer::Mail MailComposer::taskNotice(const Delivery &delivery, const Task &task,
                                            const User &recipient, const QString &actorName) const
{
    const QString &language = recipient.language;
    const auto t = [&](const char *source) { return tr(source, language); };
    const auto [subject, intro] = wording(delivery, task.title, actorName, language);
    const QString link = taskLink(task.id);
    const QHash<QString, QString> values{
        { u"greeting"_s, t(QT_TRANSLATE_NOOP("Mail", "Hello %1,")).arg(recipient.displayName) },
        { u"intro"_s, intro },
        { u"title"_s, task.title },
        { u"subject"_s, subject },
        { u"due_line"_s, dueText(task, language) },
        { u"late_line"_s,
          delivery.late ? t(QT_TRANSLATE_NOOP("Mail",
                                              "(Sent late: it was due at %1 UTC, while the "
                                              "server was down.)"))
                                  .arg(delivery.dueAt.toUTC().toString(u"yyyy-MM-dd HH:mm"_s))
                        : QString() },
        { u"open_line"_s, t(QT_TRANSLATE_NOOP("Mail", "Open it: %1")).arg(link) },
        { u"open_label"_s, t(QT_TRANSLATE_NOOP("Mail", "Open it in Tasklane")) },
        { u"link"_s, link },
        { u"language"_s, language },
    };
    return { subject, fill(m_taskText, values, false), fill(m_taskHtml, values, true) };
}

namespace {
// The words of each account mail (QT_TRANSLATE_NOOP sources, translated when written).
struct AccountWords
{
    const char *subject;
    const char *intro; // %1 is the detail (EmailChanging's new address, AccountLocked's
                       // minutes, Invited's administrator)
    const char *action;
    const char *outro;
};

AccountWords accountWords(AccountMail kind)
{
    switch (kind) {
    case AccountMail::VerifyEmail:
        return { QT_TRANSLATE_NOOP("Mail", "Confirm your email address"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "please confirm that this is your email address for Tasklane "
                                   "by opening the link below. It works once, for 24 hours."),
                 QT_TRANSLATE_NOOP("Mail", "Confirm the address"),
                 QT_TRANSLATE_NOOP("Mail", "If you did not ask for this, ignore this message.") };
    case AccountMail::ResetPassword:
        return { QT_TRANSLATE_NOOP("Mail", "Reset your Tasklane password"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "someone asked to reset the password of your Tasklane "
                                   "account. To choose a new one, open the link below. It works "
                                   "once, for one hour."),
                 QT_TRANSLATE_NOOP("Mail", "Choose a new password"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "If you did not ask for this, ignore this message: your "
                                   "password stays as it is.") };
    case AccountMail::AccountExists:
        return { QT_TRANSLATE_NOOP("Mail", "Someone tried to sign up with your address"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "someone tried to create a Tasklane account with this email "
                                   "address, which has an account already. If it was you, sign "
                                   "in, or reset your password if you have forgotten it:"),
                 QT_TRANSLATE_NOOP("Mail", "Reset the password"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "If it was not you, ignore this message; nothing changed.") };
    case AccountMail::TwoFactorEnabled:
        return { QT_TRANSLATE_NOOP("Mail", "Two-step sign-in is on"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "two-step sign-in was turned on for your Tasklane account: "
                                   "signing in now needs a code from your authenticator app as "
                                   "well as your password."),
                 QT_TRANSLATE_NOOP("Mail", "Reset the password"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "If you did not do this, someone has your password: reset it "
                                   "at once and tell your administrator.") };
    case AccountMail::TwoFactorDisabled:
        return { QT_TRANSLATE_NOOP("Mail", "Two-step sign-in is off"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "two-step sign-in was turned off for your Tasklane account: "
                                   "signing in needs only your password now."),
                 QT_TRANSLATE_NOOP("Mail", "Reset the password"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "If you did not do this, someone has your password and a "
                                   "code: reset the password at once and tell your "
                                   "administrator.") };
    case AccountMail::AccountLocked:
        return { QT_TRANSLATE_NOOP("Mail", "Sign-in to your Tasklane account is locked"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "after repeated failed attempts to sign in to your Tasklane "
                                   "account, signing in is locked for %1 minutes. Then it works "
                                   "again as before; a password reset lifts the lock at once."),
                 QT_TRANSLATE_NOOP("Mail", "Reset the password"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "If these attempts were not yours, someone may be guessing "
                                   "your password: choose a long one that you use nowhere "
                                   "else.") };
    case AccountMail::Invited:
        return { QT_TRANSLATE_NOOP("Mail", "Your Tasklane account is ready"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "%1 made a Tasklane account for you with this email address. "
                                   "To start, choose your password by opening the link below. "
                                   "It works once, for seven days."),
                 QT_TRANSLATE_NOOP("Mail", "Choose your password"),
                 QT_TRANSLATE_NOOP("Mail",
                                   "If you did not expect this, ignore this message, or tell "
                                   "your administrator. When the link has expired, ask for a "
                                   "new one with \"Forgot password\".") };
    case AccountMail::EmailChanging: break;
    }
    return { QT_TRANSLATE_NOOP("Mail", "Your Tasklane email address is changing"),
             QT_TRANSLATE_NOOP("Mail",
                               "the email address of your Tasklane account is being changed "
                               "to %1. The change takes effect once that address is "
                               "confirmed."),
             QT_TRANSLATE_NOOP("Mail", "Reset the password"),
             QT_TRANSLATE_NOOP("Mail",
                               "If you did not ask for this, reset your password at once.") };
}
} // namespace

MailComposer::Mail MailComposer::accountNotice(AccountMail kind, const User &recipient,
                                               const QString &link, const QString &detail) const
{
    const auto t = [&](const char *source) { return tr(source, recipient.language); };
    const AccountWords words = accountWords(kind);
    const QString subject = t(words.subject);
    QString intro = t(words.intro);
    if (kind == AccountMail::EmailChanging || kind == AccountMail::AccountLocked
        || kind == AccountMail::Invited)
        intro = intro.arg(detail);
    const QHash<QString, QString> values{
        { u"greeting"_s, t(QT_TRANSLATE_NOOP("Mail", "Hello %1,")).arg(recipient.displayName) },
        { u"intro"_s, intro },
        { u"action"_s, t(words.action) },
        { u"outro"_s, t(words.outro) },
        { u"subject"_s, subject },
        { u"link"_s, link },
        { u"language"_s, recipient.language },
    };
    return { subject, fill(m_accountText, values, false), fill(m_accountHtml, values, true) };
}

MailComposer::Mail MailComposer::digest(const DigestContent &content, QDate day,
                                        const User &recipient) const
{
    const QString &language = recipient.language;
    const auto t = [&](const char *source) { return tr(source, language); };
    QString text;
    QString html;
    const auto section
            = [&](const QString &heading, const QList<std::pair<QString, QString>> &items) {
                  if (items.isEmpty())
                      return;
                  text += heading + u"\n\n"_s;
                  html += u"<h3>"_s + heading.toHtmlEscaped() + u"</h3>\n<ul>\n"_s;
                  for (const auto &[line, link] : items) {
                      text += u"  - "_s + line + u"\n    "_s + link + u'\n';
                      html += u"<li><a href=\""_s + link.toHtmlEscaped() + u"\">"_s
                              + line.toHtmlEscaped() + u"</a></li>\n"_s;
                  }
                  text += u'\n';
                  html += u"</ul>\n"_s;
              };
    const auto taskItems = [&](const QList<Task> &tasks) {
        QList<std::pair<QString, QString>> items;
        for (const Task &task : tasks)
            items.append(
                    { task.title + u" ("_s + dueText(task, language) + u')', taskLink(task.id) });
        return items;
    };
    section(t(QT_TRANSLATE_NOOP("Mail", "Overdue")), taskItems(content.overdue));
    section(t(QT_TRANSLATE_NOOP("Mail", "Due today")), taskItems(content.dueToday));
    QList<std::pair<QString, QString>> held;
    for (const DigestContent::Held &each : content.held)
        held.append({ wording(each.delivery, each.title, {}, language).first,
                      taskLink(each.delivery.taskId) });
    section(t(QT_TRANSLATE_NOOP("Mail", "Since your last digest")), held);

    const QString subject
            = t(QT_TRANSLATE_NOOP("Mail", "Your tasks for %1")).arg(day.toString(Qt::ISODate));
    const QHash<QString, QString> values{
        { u"greeting"_s, t(QT_TRANSLATE_NOOP("Mail", "Hello %1,")).arg(recipient.displayName) },
        { u"intro"_s, t(QT_TRANSLATE_NOOP("Mail", "here is your daily digest.")) },
        { u"subject"_s, subject },
        { u"sections"_s, text.trimmed() },
        { u"html_sections"_s, html },
        { u"language"_s, language },
    };
    return { subject, fill(m_digestText, values, false), fill(m_digestHtml, values, true) };
}

} // namespace Tasklane
