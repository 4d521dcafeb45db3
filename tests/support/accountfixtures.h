#pragma once

#include "apiclient.h"
#include "smtptestserver.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <functional>

namespace Tasklane::Test {

struct Account; // taskfixtures.h
class TestServer;

// The email a test's server has sent so far, oldest first: its outbox folder (no smtp_url), or
// what an SMTP test server received.
using MailSource = std::function<QList<ReceivedMail>()>;
MailSource outboxOf(const TestServer &server);
MailSource receivedBy(const SmtpTestServer &smtp);

// Whether a message is about an account (a link to verify an address, reset a password, ...)
// rather than a notification: its X-Tasklane-Mail header says "account".
bool isAccountMail(const ReceivedMail &message);
// The notifications among the mail, account mail left out, oldest first.
QList<ReceivedMail> notices(const MailSource &mail);

// The messages to `address` (case-insensitive), oldest first.
QList<ReceivedMail> mailTo(const MailSource &mail, const QString &address);
// The token of the newest link to `page` ("/verify-email", "/reset-password") in a message to
// `address`, waiting up to 10 s for the `count`-th such message to arrive; empty if it did not.
QString awaitLinkToken(const MailSource &mail, const QString &address, const QString &page,
                       int count = 1);

// Follows the verification link sent to `email` with `client` (signed in as its account, or
// not); true when it was accepted.
bool verifyAddress(ApiClient &client, const QString &email, const MailSource &mail);
bool verifyAccount(Account &account, const MailSource &mail);
// A new account, signed in, its address verified through the link its sign-up sent: what a
// user who shares tasks and gets email notifications is.
Account signUpVerified(const QUrl &url, const MailSource &mail, const QString &emailPrefix);
Account signUpVerified(const TestServer &server, const QString &emailPrefix);
// An account of `role` (admin, manager, user) made by `tasklaned user create` on the server's
// database, signed in; an empty one (id 0) if that failed.
Account createdByCommand(TestServer &server, const QString &email, const QString &role);

} // namespace Tasklane::Test
