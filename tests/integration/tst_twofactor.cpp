// Two-factor authentication (TOTP) through the real tasklaned (issue 11, point 3), the attacks
// first: a code replayed, a recovery code used twice, an mfa_token reused, out of tries or
// expired, one challenge spent twice at once; then the QR code read back as an authenticator
// app would, the secret sealed at rest, turning 2FA off, new recovery codes, and a password
// reset ending the sign-ins waiting for a code.
#include "accountfixtures.h"
#include "database.h"
#include "securerandom.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "tokenpair.h"
#include "totp.h"
#include "twofactor.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
const QString PublicUrl = u"https://tasks.example.test"_s;

// An account with 2FA on, as its owner's authenticator app and drawer hold it.
struct TwoFactorAccount
{
    Account account;
    TwoFactorSetup setup;
    QByteArray secret;
    QStringList recoveryCodes;
};

QString problemType(const ApiReply *reply)
{
    const auto problem = reply->problem();
    return problem ? problem->type : QString();
}

// The code an authenticator shows `seconds` from now.
QString codeIn(const QByteArray &secret, qint64 seconds = 0)
{
    return Totp::codeAt(secret, QDateTime::currentSecsSinceEpoch() + seconds);
}

SecondFactor totp(const QString &code)
{
    return { SecondFactor::Kind::Totp, code };
}

SecondFactor recovery(const QString &code)
{
    return { SecondFactor::Kind::RecoveryCode, normalizeRecoveryCode(code).value_or(code) };
}
} // namespace

class TestTwoFactor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void aReplayedCodeIsRefused();
    void aRecoveryCodeWorksOnce();
    void anMfaTokenWorksOnce();
    void anMfaTokenDiesAfterFiveWrongCodes();
    void anExpiredMfaTokenIsRefused();
    void oneChallengeSpentTwiceAtOnceWorksOnce();
    void oneCodeOnTwoChallengesAtOnceWorksOnce();
    void enablingTakesEffectOnlyOnceConfirmed();
    void theQrCodeReadsBackAsTheUri();
    void theSecretIsSealedAtRest();
    void disablingNeedsThePasswordAndACode();
    void newRecoveryCodesReplaceTheOld();
    void aPasswordResetEndsSignInsWaitingForACode();

private:
    // A new verified account with 2FA set up and confirmed (its confirming code used).
    TwoFactorAccount twoFactorAccount(const QString &prefix);
    // POST /auth/login for the account; the mfa_token it answers with (empty: it did not ask).
    QString passwordStep(const TwoFactorAccount &owner);

    std::unique_ptr<TestServer> m_server;
    MailSource m_mail;
};

void TestTwoFactor::initTestCase()
{
    TestServer::Options options;
    options.arguments = { u"--public-url"_s, PublicUrl };
    m_server = std::make_unique<TestServer>(options);
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_mail = outboxOf(*m_server);
}

void TestTwoFactor::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

TwoFactorAccount TestTwoFactor::twoFactorAccount(const QString &prefix)
{
    TwoFactorAccount owner{ signUpVerified(*m_server, prefix), {}, {}, {} };
    ApiReply *enabled = finished(owner.account.api().enableTwoFactor(owner.account.user.password));
    if (enabled->status() != 200) {
        qWarning("enable-2fa: %d %s", enabled->status(), enabled->body().constData());
        return owner;
    }
    owner.setup = TwoFactorSetup::fromJson(enabled->json()).value_or(TwoFactorSetup());
    owner.secret = Totp::fromBase32(owner.setup.secret).value_or(QByteArray());
    ApiReply *confirmed = finished(owner.account.api().confirmTwoFactor(codeIn(owner.secret)));
    if (confirmed->status() != 200) {
        qWarning("confirm: %d %s", confirmed->status(), confirmed->body().constData());
        return owner;
    }
    owner.recoveryCodes
            = RecoveryCodes::fromJson(confirmed->json()).value_or(RecoveryCodes()).codes;
    return owner;
}

QString TestTwoFactor::passwordStep(const TwoFactorAccount &owner)
{
    ApiClient client(m_server->url());
    ApiReply *reply = finished(client.login(owner.account.user.email, owner.account.user.password));
    if (reply->status() != 200)
        return {};
    const auto challenge = MfaChallenge::fromJson(reply->json());
    return challenge ? challenge->mfaToken : QString();
}

void TestTwoFactor::aReplayedCodeIsRefused()
{
    const TwoFactorAccount owner = twoFactorAccount(u"replay"_s);
    QCOMPARE(owner.recoveryCodes.size(), 10);
    ApiClient client(m_server->url());
    // The confirming code's step is spent: the next step's code (one step ahead is allowed).
    const QString code = codeIn(owner.secret, Totp::StepSeconds);
    ApiReply *first = finished(client.loginSecondFactor(passwordStep(owner), totp(code)));
    QCOMPARE(first->status(), 200);
    QVERIFY(TokenPair::fromJson(first->json()));

    // The same code again, on a fresh challenge: refused although it is still in its window.
    const QString again = passwordStep(owner);
    QVERIFY(!again.isEmpty());
    ApiReply *replayed = finished(client.loginSecondFactor(again, totp(code)));
    QCOMPARE(replayed->status(), 401);
    QCOMPARE(problemType(replayed), u"urn:tasklane:problem:invalid-second-factor"_s);
    QVERIFY(!replayed->body().contains("access_token"));
    // So is the code before it (the confirming step), older than the last one used.
    ApiReply *older = finished(client.loginSecondFactor(again, totp(codeIn(owner.secret))));
    QCOMPARE(older->status(), 401);
    QTRY_VERIFY(m_server->logs().contains("a code of a time step used before was refused"));
}

void TestTwoFactor::aRecoveryCodeWorksOnce()
{
    const TwoFactorAccount owner = twoFactorAccount(u"recovery"_s);
    QCOMPARE(owner.recoveryCodes.size(), 10);
    QCOMPARE(QSet<QString>(owner.recoveryCodes.begin(), owner.recoveryCodes.end()).size(), 10);
    static const QRegularExpression shape(u"^[a-z2-7]{4}(-[a-z2-7]{4}){3}$"_s);
    for (const QString &code : owner.recoveryCodes)
        QVERIFY2(shape.match(code).hasMatch(), qPrintable(code));

    ApiClient client(m_server->url());
    // Typed in capitals with spaces: the same code.
    QString typed = owner.recoveryCodes.first().toUpper();
    typed.replace(u'-', u' ');
    ApiReply *used = finished(client.loginSecondFactor(passwordStep(owner), recovery(typed)));
    QCOMPARE(used->status(), 200);
    ApiReply *again = finished(
            client.loginSecondFactor(passwordStep(owner), recovery(owner.recoveryCodes.first())));
    QCOMPARE(again->status(), 401);
    QCOMPARE(problemType(again), u"urn:tasklane:problem:invalid-second-factor"_s);
    // The others still work.
    ApiReply *another = finished(
            client.loginSecondFactor(passwordStep(owner), recovery(owner.recoveryCodes.at(1))));
    QCOMPARE(another->status(), 200);
}

void TestTwoFactor::anMfaTokenWorksOnce()
{
    const TwoFactorAccount owner = twoFactorAccount(u"once"_s);
    ApiClient client(m_server->url());
    ApiReply *login = finished(client.login(owner.account.user.email, owner.account.user.password));
    QCOMPARE(login->status(), 200);
    // No tokens yet: only the promise of the second step.
    QVERIFY(!login->json().contains(u"access_token"_s));
    QVERIFY(!login->json().contains(u"refresh_token"_s));
    const auto challenge = MfaChallenge::fromJson(login->json());
    QVERIFY2(challenge, login->body().constData());
    QCOMPARE(challenge->expiresIn, 300);
    QCOMPARE(challenge->mfaToken.size(), 43); // 256 bits, base64url

    ApiReply *signedIn = finished(
            client.loginSecondFactor(challenge->mfaToken, recovery(owner.recoveryCodes.at(0))));
    QCOMPARE(signedIn->status(), 200);
    const auto tokens = TokenPair::fromJson(signedIn->json());
    QVERIFY(tokens);
    ApiClient session(m_server->url());
    session.setAccessToken(tokens->accessToken);
    ApiReply *me = finished(session.me());
    QCOMPARE(me->status(), 200);
    QCOMPARE(me->json().value(u"two_factor_enabled"_s), QJsonValue(true));

    // The token again, with another good code: it was spent.
    ApiReply *reused = finished(
            client.loginSecondFactor(challenge->mfaToken, recovery(owner.recoveryCodes.at(1))));
    QCOMPARE(reused->status(), 401);
    QCOMPARE(problemType(reused), u"urn:tasklane:problem:invalid-mfa-token"_s);
    // A made-up token is refused alike.
    ApiReply *madeUp = finished(
            client.loginSecondFactor(QString(43, u'A'), recovery(owner.recoveryCodes.at(1))));
    QCOMPARE(madeUp->status(), 401);
    QCOMPARE(problemType(madeUp), u"urn:tasklane:problem:invalid-mfa-token"_s);
}

void TestTwoFactor::anMfaTokenDiesAfterFiveWrongCodes()
{
    const TwoFactorAccount owner = twoFactorAccount(u"tries"_s);
    ApiClient client(m_server->url());
    const QString token = passwordStep(owner);
    QVERIFY(!token.isEmpty());
    const QString right = codeIn(owner.secret, Totp::StepSeconds);
    const QString wrong
            = QString::number((right.toInt() + 500'000) % 1'000'000).rightJustified(6, u'0');
    for (int attempt = 1; attempt <= 5; ++attempt) {
        ApiReply *reply = finished(client.loginSecondFactor(token, totp(wrong)));
        QCOMPARE(reply->status(), 401);
        QCOMPARE(problemType(reply), u"urn:tasklane:problem:invalid-second-factor"_s);
    }
    // Out of tries: the right code no longer helps this token.
    ApiReply *late = finished(client.loginSecondFactor(token, totp(right)));
    QCOMPARE(late->status(), 401);
    QCOMPARE(problemType(late), u"urn:tasklane:problem:invalid-mfa-token"_s);
    // A new sign-in is not affected by the old token's tries.
    ApiReply *fresh = finished(client.loginSecondFactor(passwordStep(owner), totp(right)));
    QCOMPARE(fresh->status(), 200);
}

void TestTwoFactor::anExpiredMfaTokenIsRefused()
{
    const TwoFactorAccount owner = twoFactorAccount(u"expired"_s);
    ApiClient client(m_server->url());
    const QString token = passwordStep(owner);
    QVERIFY(!token.isEmpty());
    // Stored with its five minutes of life; ended here rather than waited out.
    const QList<QVariantList> stored = m_server->querySql(
            u"SELECT created_at, expires_at FROM mfa_challenges WHERE user_id = %1"_s.arg(
                    owner.account.id()));
    QCOMPARE(stored.size(), 1);
    const QDateTime created = Database::readTime(stored.at(0).at(0));
    const QDateTime expires = Database::readTime(stored.at(0).at(1));
    QVERIFY2(qAbs(created.secsTo(expires) - 300) <= 1,
             qPrintable(u"%1 s"_s.arg(created.secsTo(expires))));
    QVERIFY(m_server->executeSql(
            u"UPDATE mfa_challenges SET expires_at = created_at WHERE user_id = %1"_s.arg(
                    owner.account.id())));
    ApiReply *late = finished(client.loginSecondFactor(token, recovery(owner.recoveryCodes.at(0))));
    QCOMPARE(late->status(), 401);
    QCOMPARE(problemType(late), u"urn:tasklane:problem:invalid-mfa-token"_s);
}

void TestTwoFactor::oneChallengeSpentTwiceAtOnceWorksOnce()
{
    const TwoFactorAccount owner = twoFactorAccount(u"racing"_s);
    const QString token = passwordStep(owner);
    QVERIFY(!token.isEmpty());
    // Six clients at once, each with a different good recovery code.
    std::vector<std::unique_ptr<ApiClient>> clients;
    QList<ApiReply *> replies;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<ApiClient>(m_server->url()));
        replies.append(
                clients.back()->loginSecondFactor(token, recovery(owner.recoveryCodes.at(i))));
    }
    int accepted = 0;
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        QVERIFY2(reply->status() == 200 || reply->status() == 401, reply->body().constData());
        accepted += reply->status() == 200;
    }
    QCOMPARE(accepted, 1);
}

void TestTwoFactor::oneCodeOnTwoChallengesAtOnceWorksOnce()
{
    // Two sign-ins waiting, one code sent to both at once: its step is used by one of them.
    const TwoFactorAccount owner = twoFactorAccount(u"samecode"_s);
    const QString code = codeIn(owner.secret, Totp::StepSeconds);
    std::vector<std::unique_ptr<ApiClient>> clients;
    QList<ApiReply *> replies;
    for (int i = 0; i < 4; ++i) {
        const QString token = passwordStep(owner);
        QVERIFY(!token.isEmpty());
        clients.push_back(std::make_unique<ApiClient>(m_server->url()));
        replies.append(clients.back()->loginSecondFactor(token, totp(code)));
    }
    int accepted = 0;
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        QVERIFY2(reply->status() == 200 || reply->status() == 401, reply->body().constData());
        accepted += reply->status() == 200;
    }
    QCOMPARE(accepted, 1);
}

void TestTwoFactor::enablingTakesEffectOnlyOnceConfirmed()
{
    Account account = signUpVerified(*m_server, u"enabling"_s);
    ApiClient &api = account.api();
    ApiReply *wrongPassword = finished(api.enableTwoFactor(u"not the password at all"_s));
    QCOMPARE(wrongPassword->status(), 422);
    QVERIFY(wrongPassword->body().contains("\"password\""));

    ApiReply *enabled = finished(api.enableTwoFactor(account.user.password));
    QCOMPARE(enabled->status(), 200);
    QCOMPARE(enabled->header("Cache-Control"), QByteArray("no-store"));
    const auto setup = TwoFactorSetup::fromJson(enabled->json());
    QVERIFY(setup);
    static const QRegularExpression base32(u"^[A-Z2-7]{32}$"_s);
    QVERIFY2(base32.match(setup->secret).hasMatch(), qPrintable(setup->secret));
    QCOMPARE(setup->otpauthUri,
             u"otpauth://totp/Tasklane:"_s
                     + QString::fromLatin1(QUrl::toPercentEncoding(account.user.email))
                     + u"?secret="_s + setup->secret + u"&issuer=Tasklane"_s);
    QVERIFY(setup->qrSvg.startsWith(u"<svg "_s));

    // Not in force yet: the password alone still signs in.
    ApiClient other(m_server->url());
    ApiReply *plain = finished(other.login(account.user.email, account.user.password));
    QCOMPARE(plain->status(), 200);
    QVERIFY(TokenPair::fromJson(plain->json()));
    QCOMPARE(finished(api.me())->json().value(u"two_factor_enabled"_s), QJsonValue(false));

    const QByteArray secret = Totp::fromBase32(setup->secret).value_or(QByteArray());
    const QString right = codeIn(secret);
    const QString wrong
            = QString::number((right.toInt() + 500'000) % 1'000'000).rightJustified(6, u'0');
    ApiReply *refused = finished(api.confirmTwoFactor(wrong));
    QCOMPARE(refused->status(), 422);
    QVERIFY(refused->body().contains("\"code\""));
    ApiReply *confirmed = finished(api.confirmTwoFactor(right));
    QCOMPARE(confirmed->status(), 200);
    QCOMPARE(RecoveryCodes::fromJson(confirmed->json())->codes.size(), 10);
    QCOMPARE(finished(api.me())->json().value(u"two_factor_enabled"_s), QJsonValue(true));

    // In force: the password alone gets a challenge, not tokens.
    ApiReply *challenged = finished(other.login(account.user.email, account.user.password));
    QCOMPARE(challenged->status(), 200);
    QVERIFY(MfaChallenge::fromJson(challenged->json()));
    // Once on, a second setup is refused, and so is confirming again.
    QCOMPARE(finished(api.enableTwoFactor(account.user.password))->status(), 409);
    QCOMPARE(finished(api.confirmTwoFactor(codeIn(secret, Totp::StepSeconds)))->status(), 409);
    // The owner hears of it by email.
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const ReceivedMail &mail : mailTo(m_mail, account.user.email))
                    if (mail.header("Subject") == u"Two-step sign-in is on"_s)
                        return true;
                return false;
            }(),
            10'000);
}

void TestTwoFactor::theQrCodeReadsBackAsTheUri()
{
    // Rendered as a browser would and read by a QR decoder, as an authenticator app's camera.
    const QString render = QStandardPaths::findExecutable(u"rsvg-convert"_s);
    const QString decode = QStandardPaths::findExecutable(u"zbarimg"_s);
    QVERIFY2(!render.isEmpty() && !decode.isEmpty(),
             "rsvg-convert and zbarimg are in the install step (librsvg2-bin, zbar-tools)");
    Account account = signUpVerified(*m_server, u"qr"_s);
    ApiReply *enabled = finished(account.api().enableTwoFactor(account.user.password));
    QCOMPARE(enabled->status(), 200);
    const auto setup = TwoFactorSetup::fromJson(enabled->json());
    QVERIFY(setup);

    QTemporaryDir folder;
    const QString svg = folder.filePath(u"qr.svg"_s), png = folder.filePath(u"qr.png"_s);
    QFile file(svg);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(setup->qrSvg.toUtf8());
    file.close();
    QProcess rsvg;
    rsvg.start(render, { u"--width=400"_s, u"--output"_s, png, svg });
    QVERIFY(rsvg.waitForFinished(30'000));
    QCOMPARE(rsvg.exitCode(), 0);
    QProcess zbar;
    zbar.start(decode, { u"--raw"_s, u"-q"_s, png });
    QVERIFY(zbar.waitForFinished(30'000));
    QCOMPARE(zbar.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(zbar.readAllStandardOutput()).trimmed(), setup->otpauthUri);
}

void TestTwoFactor::theSecretIsSealedAtRest()
{
    const TwoFactorAccount owner = twoFactorAccount(u"sealed"_s);
    QVERIFY(!owner.secret.isEmpty());
    const QList<QVariantList> row = m_server->querySql(
            u"SELECT totp_secret FROM users WHERE id = %1"_s.arg(owner.account.id()));
    QCOMPARE(row.size(), 1);
    const QString stored = row.at(0).at(0).toString();
    QVERIFY(!stored.isEmpty());
    for (const QString &form : { owner.setup.secret, owner.setup.secret.toLower(),
                                 QString::fromLatin1(owner.secret.toHex()),
                                 QString::fromLatin1(owner.secret.toBase64()) })
        QVERIFY2(!stored.contains(form, Qt::CaseInsensitive), qPrintable(stored));
    // Recovery codes only as salted hashes.
    const QList<QVariantList> codes = m_server->querySql(
            u"SELECT salt, code_hash FROM recovery_codes WHERE user_id = %1"_s.arg(
                    owner.account.id()));
    QCOMPARE(codes.size(), 10);
    QSet<QString> unsalted;
    for (const QString &shown : owner.recoveryCodes)
        unsalted.insert(sha256Hex(normalizeRecoveryCode(shown).value().toLatin1()));
    for (const QVariantList &code : codes) {
        QCOMPARE(code.at(0).toString().size(), 32); // 128 bits of salt, hex
        QVERIFY(!unsalted.contains(code.at(1).toString()));
    }
    // The key, made on first start, readable by the server's user alone.
    QFile key(m_server->dataDir() + u"/totp-key"_s);
    QVERIFY(key.exists());
    QCOMPARE(key.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
}

void TestTwoFactor::disablingNeedsThePasswordAndACode()
{
    TwoFactorAccount owner = twoFactorAccount(u"disabling"_s);
    ApiClient &api = owner.account.api();
    const QString pending = passwordStep(owner); // a sign-in waiting when 2FA goes off
    QVERIFY(!pending.isEmpty());
    const QString code = codeIn(owner.secret, Totp::StepSeconds);
    ApiReply *wrongPassword
            = finished(api.disableTwoFactor(u"not the password at all"_s, totp(code)));
    QCOMPARE(wrongPassword->status(), 422);
    QVERIFY(wrongPassword->body().contains("\"password\""));
    ApiReply *noFactor = finished(api.sendJson("POST", u"/api/v1/auth/disable-2fa"_s,
                                               { { u"password"_s, owner.account.user.password } }));
    QCOMPARE(noFactor->status(), 422);
    const QString wrong
            = QString::number((code.toInt() + 500'000) % 1'000'000).rightJustified(6, u'0');
    ApiReply *wrongCode = finished(api.disableTwoFactor(owner.account.user.password, totp(wrong)));
    QCOMPARE(wrongCode->status(), 422);
    QVERIFY(wrongCode->body().contains("\"code\""));
    QCOMPARE(finished(api.me())->json().value(u"two_factor_enabled"_s), QJsonValue(true));

    ApiReply *disabled = finished(api.disableTwoFactor(owner.account.user.password, totp(code)));
    QCOMPARE(disabled->status(), 204);
    QCOMPARE(finished(api.me())->json().value(u"two_factor_enabled"_s), QJsonValue(false));
    // The sign-in that was waiting cannot finish; a new one needs only the password.
    ApiClient client(m_server->url());
    ApiReply *stale
            = finished(client.loginSecondFactor(pending, recovery(owner.recoveryCodes.at(0))));
    QCOMPARE(stale->status(), 401);
    ApiReply *plain = finished(client.login(owner.account.user.email, owner.account.user.password));
    QCOMPARE(plain->status(), 200);
    QVERIFY(TokenPair::fromJson(plain->json()));
    QCOMPARE(m_server->querySql(u"SELECT count(*) FROM recovery_codes WHERE user_id = %1"_s.arg(
                                        owner.account.id()))
                     .at(0)
                     .at(0)
                     .toInt(),
             0);
    // Off twice is a conflict, not a success.
    QCOMPARE(finished(api.disableTwoFactor(owner.account.user.password, totp(code)))->status(),
             409);
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const ReceivedMail &mail : mailTo(m_mail, owner.account.user.email))
                    if (mail.header("Subject") == u"Two-step sign-in is off"_s)
                        return true;
                return false;
            }(),
            10'000);
}

void TestTwoFactor::newRecoveryCodesReplaceTheOld()
{
    TwoFactorAccount owner = twoFactorAccount(u"regenerate"_s);
    ApiClient &api = owner.account.api();
    // A recovery code proves the second factor here too (it is spent by it).
    ApiReply *made = finished(api.regenerateRecoveryCodes(owner.account.user.password,
                                                          recovery(owner.recoveryCodes.at(0))));
    QCOMPARE(made->status(), 200);
    const QStringList fresh = RecoveryCodes::fromJson(made->json())->codes;
    QCOMPARE(fresh.size(), 10);
    for (const QString &code : fresh)
        QVERIFY(!owner.recoveryCodes.contains(code));
    ApiClient client(m_server->url());
    ApiReply *old = finished(
            client.loginSecondFactor(passwordStep(owner), recovery(owner.recoveryCodes.at(1))));
    QCOMPARE(old->status(), 401);
    ApiReply *current
            = finished(client.loginSecondFactor(passwordStep(owner), recovery(fresh.at(0))));
    QCOMPARE(current->status(), 200);
}

void TestTwoFactor::aPasswordResetEndsSignInsWaitingForACode()
{
    TwoFactorAccount owner = twoFactorAccount(u"resetting"_s);
    const QString pending = passwordStep(owner);
    QVERIFY(!pending.isEmpty());
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.forgotPassword(owner.account.user.email))->status(), 202);
    const QString token = awaitLinkToken(m_mail, owner.account.user.email, u"/reset-password"_s);
    QVERIFY(!token.isEmpty());
    const QString newPassword = strongPassword();
    QCOMPARE(finished(anonymous.resetPassword(token, newPassword))->status(), 204);
    ApiReply *stale
            = finished(anonymous.loginSecondFactor(pending, recovery(owner.recoveryCodes.at(0))));
    QCOMPARE(stale->status(), 401);
    QCOMPARE(problemType(stale), u"urn:tasklane:problem:invalid-mfa-token"_s);
    // A reset does not turn 2FA off: the new password still needs the second step.
    ApiReply *login = finished(anonymous.login(owner.account.user.email, newPassword));
    QCOMPARE(login->status(), 200);
    QVERIFY(MfaChallenge::fromJson(login->json()));
}

QTEST_GUILESS_MAIN(TestTwoFactor)
#include "tst_twofactor.moc"
