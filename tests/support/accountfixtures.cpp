#include "accountfixtures.h"

#include "evidence.h"

#include "taskfixtures.h"
#include "testserver.h"
#include "tokenpair.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

MailSource outboxOf(const TestServer &server)
{
    // A QString, not the QStringBuilder that `+` makes (it would refer to temporaries).
    const QString folder = server.dataDir() + u"/outbox"_s;
    return [folder] { return ReceivedMail::readFolder(folder); };
}

MailSource receivedBy(const SmtpTestServer &smtp)
{
    return [&smtp] { return smtp.messages(); };
}

bool isAccountMail(const ReceivedMail &message)
{
    return message.header("X-Tasklane-Mail") == u"account";
}

QList<ReceivedMail> notices(const MailSource &mail)
{
    QList<ReceivedMail> found = mail();
    found.removeIf(isAccountMail);
    return found;
}

QList<ReceivedMail> mailTo(const MailSource &mail, const QString &address)
{
    QList<ReceivedMail> found;
    for (const ReceivedMail &message : mail()) {
        if (message.header("To").contains(address, Qt::CaseInsensitive))
            found.append(message);
    }
    return found;
}

QString awaitLinkToken(const MailSource &mail, const QString &address, const QString &page,
                       int count)
{
    const QRegularExpression link(QRegularExpression::escape(page)
                                  + u"\\?token=([A-Za-z0-9_-]+)"_s);
    QElapsedTimer waited;
    waited.start();
    while (true) {
        int seen = 0;
        QString token;
        for (const ReceivedMail &message : mailTo(mail, address)) {
            const QRegularExpressionMatch match = link.match(message.text);
            if (match.hasMatch()) {
                ++seen;
                token = match.captured(1);
            }
        }
        if (seen >= count) {
            Evidence::recordSecret(token);
            return token;
        }
        if (waited.elapsed() > 10'000)
            return {};
        QTest::qWait(50);
    }
}

bool verifyAddress(ApiClient &client, const QString &email, const MailSource &mail)
{
    const QString token = awaitLinkToken(mail, email, u"/verify-email"_s);
    if (token.isEmpty()) {
        qWarning("no verification link reached %s", qPrintable(email));
        return false;
    }
    ApiReply *reply = finished(client.verifyEmail(token));
    if (reply->status() != 200) {
        qWarning("verification failed: %d %s", reply->status(), reply->body().constData());
        return false;
    }
    return true;
}

bool verifyAccount(Account &account, const MailSource &mail)
{
    return verifyAddress(account.api(), account.user.email, mail);
}

Account signUpVerified(const QUrl &url, const MailSource &mail, const QString &emailPrefix)
{
    Account account = signUpAccount(url, emailPrefix);
    verifyAccount(account, mail);
    return account;
}

Account signUpVerified(const TestServer &server, const QString &emailPrefix)
{
    return signUpVerified(server.url(), outboxOf(server), emailPrefix);
}

Account createdByCommand(TestServer &server, const QString &email, const QString &role)
{
    Account account;
    const QString password = strongPassword();
    if (server.runCommand({ u"user"_s, u"create"_s, u"--email"_s, email, u"--role"_s, role },
                          password.toUtf8() + '\n')
        != 0)
        return account;
    account.client = std::make_unique<ApiClient>(server.url());
    ApiReply *login = finished(account.client->login(email, password));
    const TokenPair tokens = TokenPair::fromJson(login->json()).value_or(TokenPair());
    account.client->setAccessToken(tokens.accessToken);
    account.user.email = email;
    account.user.password = password;
    account.user.accessToken = tokens.accessToken;
    account.user.refreshToken = tokens.refreshToken;
    account.user.id = finished(account.client->me())->json().value(u"id"_s).toInteger();
    return account;
}

} // namespace Tasklane::Test
