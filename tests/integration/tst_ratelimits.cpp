// Rate limits and lockout through the real tasklaned (issue 11, point 4): sign-in requests per
// client address and per account, signed-in requests per user, X-Forwarded-For believed only
// from a trusted proxy, limits lifted when their window ends; failed sign-ins slowed down and
// then locked, alike for known and unknown addresses, still locked after a restart, and
// unlocked by a password reset; wrong 2FA codes counted like wrong passwords.
#include "accountfixtures.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "tokenpair.h"
#include "totp.h"
#include "twofactor.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
constexpr int Window = 3; // seconds: long enough to fill, short enough to wait out

QString uniqueEmail(const QString &prefix)
{
    return prefix + u'-' + QString::number(QDateTime::currentMSecsSinceEpoch())
            + QString::number(QRandomGenerator::global()->bounded(100000)) + u"@example.com"_s;
}

QString problemSlug(const ApiReply *reply)
{
    const auto problem = reply->problem();
    return problem ? problem->slug() : QString();
}

// Waits for the start of the next window (windows are aligned to the epoch), so that a burst
// falls in one window.
void awaitWindowStart()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 windowMs = Window * 1000;
    QThread::msleep(quint64(windowMs - now % windowMs + 50));
}

// A login with this address and password (through a given X-Forwarded-For, if any).
ApiReply *login(ApiClient &client, const QString &email, const QString &password,
                const QByteArray &forwardedFor = {})
{
    const QByteArray body
            = QJsonDocument(QJsonObject{ { u"email"_s, email }, { u"password"_s, password } })
                      .toJson(QJsonDocument::Compact);
    RawHeaders headers{ { "Content-Type", "application/json" } };
    if (!forwardedFor.isEmpty())
        headers.append({ "X-Forwarded-For", forwardedFor });
    return finished(client.send("POST", u"/api/v1/auth/login"_s, body, headers));
}

// Sends `request` again while it is slowed down (429), waiting what Retry-After says.
ApiReply *pastSlowdown(const std::function<ApiReply *()> &request)
{
    ApiReply *reply = request();
    for (int tries = 0; reply->status() == 429 && tries < 10; ++tries) {
        const int wait = reply->header("Retry-After").toInt();
        if (wait <= 0 || wait > 60)
            break;
        QThread::msleep(quint64(wait) * 1000 + 50);
        reply = request();
    }
    return reply;
}
} // namespace

class TestRateLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signInRequestsPerAddressAreLimitedAndLifted();
    void signInRequestsPerAccountAreLimitedWhateverTheAddress();
    void forwardedForCountsOnlyFromATrustedProxy();
    void signedInRequestsPerUserAreLimited();
    void failedSignInsSlowDownThenLockAlikeForUnknownAddresses();
    void aLockoutOutlivesARestartAndEndsWithAReset();
    void wrongCodesCountTowardTheLockout();
    void wrongCurrentPasswordsCountTowardTheLockout();

private:
    std::unique_ptr<TestServer> startServer(const QStringList &arguments);
};

std::unique_ptr<TestServer> TestRateLimits::startServer(const QStringList &arguments)
{
    TestServer::Options options;
    options.arguments = arguments;
    auto server = std::make_unique<TestServer>(options);
    if (!server->start()) {
        qWarning("%s", server->logs().constData());
        return nullptr;
    }
    return server;
}

void TestRateLimits::signInRequestsPerAddressAreLimitedAndLifted()
{
    const auto server = startServer({ u"--rate-limit-auth"_s, u"3"_s,
                                      u"--rate-limit-window-seconds"_s, QString::number(Window) });
    QVERIFY(server);
    ApiClient client(server->url());
    awaitWindowStart();
    // Three sign-in requests of any kind from one address, each about another account.
    QCOMPARE(login(client, uniqueEmail(u"a"_s), strongPassword())->status(), 401);
    QCOMPARE(finished(client.forgotPassword(uniqueEmail(u"b"_s)))->status(), 202);
    QCOMPARE(login(client, uniqueEmail(u"c"_s), strongPassword())->status(), 401);
    ApiReply *refused = login(client, uniqueEmail(u"d"_s), strongPassword());
    QCOMPARE(refused->status(), 429);
    QCOMPARE(problemSlug(refused), u"too-many-requests"_s);
    QVERIFY(refused->header("Content-Type").startsWith("application/problem+json"));
    const int retryAfter = refused->header("Retry-After").toInt();
    QVERIFY2(retryAfter >= 1 && retryAfter <= Window, refused->header("Retry-After").constData());
    QCOMPARE(refused->header("RateLimit-Limit"), QByteArray("3"));
    QCOMPARE(refused->header("RateLimit-Remaining"), QByteArray("0"));
    QCOMPARE(refused->header("RateLimit-Reset").toInt(), retryAfter);
    // Other routes are not sign-in routes: the health check still answers.
    QCOMPARE(finished(client.send("GET", u"/healthz"_s))->status(), 200);

    // Lifted when the window ends.
    QThread::msleep(quint64(retryAfter) * 1000 + 100);
    QCOMPARE(login(client, uniqueEmail(u"e"_s), strongPassword())->status(), 401);
}

void TestRateLimits::signInRequestsPerAccountAreLimitedWhateverTheAddress()
{
    // Behind a trusted proxy each request comes from another client address: only the
    // per-account count can stop them.
    const auto server
            = startServer({ u"--rate-limit-auth"_s, u"3"_s, u"--rate-limit-window-seconds"_s,
                            QString::number(Window), u"--trusted-proxies"_s, u"127.0.0.1"_s });
    QVERIFY(server);
    ApiClient client(server->url());
    const QString target = uniqueEmail(u"target"_s);
    awaitWindowStart();
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(login(client, target, strongPassword(), "203.0.113." + QByteArray::number(i))
                         ->status(),
                 401);
    ApiReply *refused = login(client, target, strongPassword(), "203.0.113.4");
    QCOMPARE(refused->status(), 429);
    QCOMPARE(refused->header("RateLimit-Limit"), QByteArray("3"));
    // The address's case does not make another account.
    QCOMPARE(login(client, target.toUpper(), strongPassword(), "203.0.113.5")->status(), 429);
    // Its owner can still ask for a reset link: that is counted apart.
    QCOMPARE(finished(client.forgotPassword(target))->status(), 202);
    // Another account from those addresses is not affected.
    QCOMPARE(login(client, uniqueEmail(u"other"_s), strongPassword(), "203.0.113.6")->status(),
             401);
}

void TestRateLimits::forwardedForCountsOnlyFromATrustedProxy()
{
    const QStringList limits{ u"--rate-limit-auth"_s, u"3"_s, u"--rate-limit-window-seconds"_s,
                              QString::number(Window) };
    // No trusted proxy: a client writing X-Forwarded-For is still counted as itself.
    {
        const auto server = startServer(limits);
        QVERIFY(server);
        ApiClient client(server->url());
        awaitWindowStart();
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(login(client, uniqueEmail(u"spoof"_s), strongPassword(),
                           "198.51.100." + QByteArray::number(i))
                             ->status(),
                     401);
        QCOMPARE(login(client, uniqueEmail(u"spoof"_s), strongPassword(), "198.51.100.9")->status(),
                 429);
    }
    // A trusted proxy: the entry it added names the client; what the client wrote to its left
    // does not (the same client trying a fresh address every time is still one client).
    {
        QStringList trusted = limits;
        trusted << u"--trusted-proxies"_s << u"127.0.0.0/8, ::1"_s;
        const auto server = startServer(trusted);
        QVERIFY(server);
        ApiClient client(server->url());
        awaitWindowStart();
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(login(client, uniqueEmail(u"proxied"_s), strongPassword(),
                           "10.9.9." + QByteArray::number(i) + ", 192.0.2.7")
                             ->status(),
                     401);
        QCOMPARE(login(client, uniqueEmail(u"proxied"_s), strongPassword(), "10.9.9.99, 192.0.2.7")
                         ->status(),
                 429);
        // Another client behind the same proxy has a budget of its own.
        QCOMPARE(login(client, uniqueEmail(u"proxied"_s), strongPassword(), "192.0.2.8")->status(),
                 401);
    }
}

void TestRateLimits::signedInRequestsPerUserAreLimited()
{
    const auto server = startServer({ u"--rate-limit-api"_s, u"5"_s,
                                      u"--rate-limit-window-seconds"_s, QString::number(Window) });
    QVERIFY(server);
    Account first = signUpAccount(server->url(), u"busy"_s);
    Account second = signUpAccount(server->url(), u"calm"_s);
    awaitWindowStart();
    for (int i = 1; i <= 5; ++i) {
        ApiReply *reply = finished(first.api().me());
        QCOMPARE(reply->status(), 200);
        QCOMPARE(reply->header("RateLimit-Limit"), QByteArray("5"));
        QCOMPARE(reply->header("RateLimit-Remaining"), QByteArray::number(5 - i));
    }
    ApiReply *refused = finished(first.api().listTasks());
    QCOMPARE(refused->status(), 429);
    QCOMPARE(problemSlug(refused), u"too-many-requests"_s);
    QVERIFY(refused->header("Retry-After").toInt() >= 1);
    QCOMPARE(refused->header("RateLimit-Remaining"), QByteArray("0"));
    // Another user has a budget of their own.
    QCOMPARE(finished(second.api().me())->status(), 200);
    // Lifted with the window.
    QThread::msleep(quint64(refused->header("RateLimit-Reset").toInt()) * 1000 + 100);
    QCOMPARE(finished(first.api().me())->status(), 200);
}

void TestRateLimits::failedSignInsSlowDownThenLockAlikeForUnknownAddresses()
{
    const auto server = startServer({ u"--lockout-threshold"_s, u"5"_s });
    QVERIFY(server);
    const MailSource mail = outboxOf(*server);
    Account known = signUpVerified(*server, u"guessed"_s);
    const QString unknown = uniqueEmail(u"nobody"_s);
    ApiClient client(server->url());
    // The same answers, failure by failure, for an account and an address without one.
    for (const QString &email : { known.user.email, unknown }) {
        QStringList answers;
        for (int failure = 1; failure <= 5; ++failure) {
            // From the third failure on, the next try must wait: one sent at once is refused
            // (and not counted).
            if (failure > 3) {
                ApiReply *early = login(client, email, u"wrong password!"_s);
                QCOMPARE(early->status(), 429);
                QVERIFY(early->header("Retry-After").toInt() >= 1);
            }
            ApiReply *reply
                    = pastSlowdown([&] { return login(client, email, u"wrong password!"_s); });
            answers << QString::number(reply->status()) + u' ' + problemSlug(reply);
        }
        QCOMPARE(answers, QStringList(5, u"401 invalid-credentials"_s));
        // Locked: the generic answer at once, unslowed; for the account even with its right
        // password.
        ApiReply *locked = login(client, email, known.user.password);
        QCOMPARE(locked->status(), 401);
        QCOMPARE(problemSlug(locked), u"invalid-credentials"_s);
    }
    // The owner of the account is told; nobody is told about an address without one.
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const ReceivedMail &message : mailTo(mail, known.user.email))
                    if (message.header("Subject")
                        == u"Sign-in to your Tasklane account is locked"_s)
                        return true;
                return false;
            }(),
            10'000);
    QVERIFY(mailTo(mail, unknown).isEmpty());
}

void TestRateLimits::aLockoutOutlivesARestartAndEndsWithAReset()
{
    auto server = startServer({ u"--lockout-threshold"_s, u"3"_s });
    QVERIFY(server);
    const MailSource mail = outboxOf(*server);
    Account account = signUpVerified(*server, u"locked"_s);
    ApiClient client(server->url());
    for (int failure = 1; failure <= 3; ++failure)
        QCOMPARE(pastSlowdown([&] {
                     return login(client, account.user.email, u"wrong password!"_s);
                 })->status(),
                 401);
    QCOMPARE(login(client, account.user.email, account.user.password)->status(), 401);

    // Stopped and started again on the same database: still locked.
    QCOMPARE(server->stop(), 0);
    QVERIFY(server->start());
    ApiClient after(server->url());
    QCOMPARE(login(after, account.user.email, account.user.password)->status(), 401);

    // A password reset proves the address: the lock is lifted at once.
    QCOMPARE(finished(after.forgotPassword(account.user.email))->status(), 202);
    const QString token = awaitLinkToken(mail, account.user.email, u"/reset-password"_s);
    QVERIFY(!token.isEmpty());
    const QString newPassword = strongPassword();
    QCOMPARE(finished(after.resetPassword(token, newPassword))->status(), 204);
    QCOMPARE(login(after, account.user.email, newPassword)->status(), 200);
}

void TestRateLimits::wrongCodesCountTowardTheLockout()
{
    const auto server = startServer({ u"--lockout-threshold"_s, u"4"_s });
    QVERIFY(server);
    Account account = signUpVerified(*server, u"coded"_s);
    ApiReply *enabled = finished(account.api().enableTwoFactor(account.user.password));
    QCOMPARE(enabled->status(), 200);
    const QByteArray secret
            = Totp::fromBase32(TwoFactorSetup::fromJson(enabled->json())->secret).value();
    QCOMPARE(finished(account.api().confirmTwoFactor(
                              Totp::codeAt(secret, QDateTime::currentSecsSinceEpoch())))
                     ->status(),
             200);
    ApiClient client(server->url());
    const QString right = Totp::codeAt(secret, QDateTime::currentSecsSinceEpoch() + 30);
    const QString wrong
            = QString::number((right.toInt() + 500'000) % 1'000'000).rightJustified(6, u'0');
    // Each wrong code is a failure of the account's, on a fresh challenge each time.
    for (int failure = 1; failure <= 4; ++failure) {
        ApiReply *reply = pastSlowdown([&] {
            ApiReply *password = login(client, account.user.email, account.user.password);
            if (password->status() != 200)
                return password;
            const auto challenge = MfaChallenge::fromJson(password->json());
            return finished(client.loginSecondFactor(challenge ? challenge->mfaToken : QString(),
                                                     { SecondFactor::Kind::Totp, wrong }));
        });
        QCOMPARE(reply->status(), 401);
    }
    // Locked now: the password step itself is refused, before any code.
    ApiReply *locked = login(client, account.user.email, account.user.password);
    QCOMPARE(locked->status(), 401);
    QCOMPARE(problemSlug(locked), u"invalid-credentials"_s);
}

void TestRateLimits::wrongCurrentPasswordsCountTowardTheLockout()
{
    // A stolen session guessing the password where a change asks for it is a sign-in attempt.
    const auto server = startServer({ u"--lockout-threshold"_s, u"3"_s });
    QVERIFY(server);
    Account account = signUpAccount(server->url(), u"stolen"_s);
    const auto change = [&](const QString &current) {
        return finished(account.api().updateMe(
                { { u"password"_s, strongPassword() }, { u"current_password"_s, current } }));
    };
    for (int failure = 1; failure <= 3; ++failure)
        QCOMPARE(pastSlowdown([&] { return change(u"a wrong guess!"_s); })->status(), 422);
    // Locked: the session is told so (a 401 would read as an expired token), and signing in
    // with the right password gets the generic answer.
    ApiReply *refused = change(account.user.password);
    QCOMPARE(refused->status(), 429);
    QVERIFY(refused->header("Retry-After").toInt() > 60);
    ApiClient client(server->url());
    QCOMPARE(login(client, account.user.email, account.user.password)->status(), 401);
    // Other requests of the session go on.
    QCOMPARE(finished(account.api().me())->status(), 200);
}

QTEST_GUILESS_MAIN(TestRateLimits)
#include "tst_ratelimits.moc"
