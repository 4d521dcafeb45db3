#pragma once

#include "delivery.h"
#include "mailtexts.h"
#include "task.h"
#include "user.h"

#include <QDate>
#include <QList>
#include <QString>

namespace Tasklane {

// What a daily digest tells: the user's open tasks that are overdue and due that day, and the
// emails that waited for it (each with its task's title).
struct DigestContent
{
    QList<Task> overdue;
    QList<Task> dueToday;
    struct Held
    {
        Delivery delivery;
        QString title;
    };
    QList<Held> held;

    bool isEmpty() const { return overdue.isEmpty() && dueToday.isEmpty() && held.isEmpty(); }
};

// The email about an account itself, each with one link.
enum class AccountMail {
    VerifyEmail, // confirm this address (sign-up, a new address): the link carries a token
    ResetPassword, // choose a new password: the link carries a token
    AccountExists, // someone signed up with an address that has an account already
    EmailChanging, // to the old address: the account's address is being changed
    TwoFactorEnabled, // sign-in now needs an authenticator code
    TwoFactorDisabled, // sign-in no longer needs one
    AccountLocked, // sign-in is locked for a while after repeated failures
    Invited, // an administrator made an account: choose its password (a token link)
};

// Writes notification email from the templates in resources/mail (plain text and HTML), in
// the recipient's language (MailTexts). Links start with `publicUrl`, never with a request's
// Host. Values are put into the templates in one pass, HTML-escaped in the HTML part: user
// text (a title holding "{{...}}" or markup) is only ever text. Thread-safe.
class MailComposer
{
public:
    // Reads the templates once (they are compiled into the binary).
    explicit MailComposer(QString publicUrl);

    struct Mail
    {
        QString subject;
        QString text;
        QString html;
    };

    // A message about one task: a reminder, due soon, overdue, shared, changed, blocker done.
    // `actorName`: who shared or changed it.
    Mail taskNotice(const Delivery &delivery, const Task &task, const User &recipient,
                    const QString &actorName) const;
    // The daily digest of `day` (on the recipient's wall clock).
    Mail digest(const DigestContent &content, QDate day, const User &recipient) const;

    // A message about the recipient's account. `link`: where it points (a token's page);
    // `detail`: the new address for EmailChanging, the minutes of the lock for AccountLocked.
    Mail accountNotice(AccountMail kind, const User &recipient, const QString &link,
                       const QString &detail = {}) const;
    // Where the account pages are: public_url + path (e.g. "/reset-password").
    QString accountLink(const QString &path) const { return m_publicUrl + path; }

    // The subject and the line before the task's title of a message about a task (email;
    // the title and body of a push message).
    std::pair<QString, QString> wording(const Delivery &delivery, const QString &title,
                                        const QString &actorName, const QString &language) const;

private:
    QString tr(const char *source, const QString &language) const;
    QString dueText(const Task &task, const QString &language) const;
    QString taskLink(qint64 taskId) const;

    const QString m_publicUrl;
    const QString m_taskText;
    const QString m_taskHtml;
    const QString m_digestText;
    const QString m_digestHtml;
    const QString m_accountText;
    const QString m_accountHtml;
    const MailTexts m_texts;
};

} // namespace Tasklane
