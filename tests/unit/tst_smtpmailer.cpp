// SmtpMailer against a real SMTP server (aiosmtpd, started per row): delivery in clear on
// loopback, with STARTTLS, with implicit TLS and with authentication; the server's refusals
// sorted into permanent (5xx) and temporary (4xx, a refused login, TLS or network trouble);
// SmtpConfig's checks; OutboxMailer's files.
#include "curllibrary.h"
#include "mailmessage.h"
#include "outboxmailer.h"
#include "smtpmailer.h"
#include "smtptestserver.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ReceivedMail;
using Tasklane::Test::SmtpTestServer;

class TestSmtpMailer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void configuration_data();
    void configuration();
    void delivers_data();
    void delivers();
    void refusalsAreSorted_data();
    void refusalsAreSorted();
    void outboxWritesWholeFilesNamedByMessageId();
};

namespace {

MailMessage message(const QString &to)
{
    MailMessage mail;
    mail.from = { u"noreply@tasklane.example"_s, u"Tasklane"_s };
    mail.to = { to, u"Jürgen"_s };
    mail.subject = u"Erinnerung: Steuererklärung"_s;
    mail.text = u"Hallo\n.\n..dots stay\n"_s;
    mail.html = u"<p>Hallo</p>"_s;
    mail.messageId = u"job-42@tasklane.example"_s;
    mail.date = QDateTime::currentDateTimeUtc();
    return mail;
}

SmtpConfig config(const SmtpTestServer &server, const QString &tls, bool trustServer = true,
                  const QByteArray &password = {})
{
    QString error;
    auto parsed = SmtpConfig::parse(server.url(), password, tls,
                                    trustServer ? server.certificateFile() : QString(), &error);
    if (!parsed)
        qFatal("%s", qPrintable(error));
    parsed->replyTimeoutSeconds = 5;
    return *parsed;
}

} // namespace

void TestSmtpMailer::initTestCase()
{
    initialiseCurl();
}

void TestSmtpMailer::configuration_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QString>("tls");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::newRow("STARTTLS on 587 by default")
            << u"smtp://mail.example"_s << QByteArray() << u"required"_s << QString();
    QTest::newRow("implicit TLS with a user") << u"smtps://tasks@mail.example:465"_s
                                              << QByteArray("pw") << u"required"_s << QString();
    QTest::newRow("clear text on loopback")
            << u"smtp://127.0.0.1:25"_s << QByteArray() << u"none"_s << QString();
    QTest::newRow("clear text to another host")
            << u"smtp://mail.example:25"_s << QByteArray() << u"none"_s << u"loopback"_s;
    QTest::newRow("clear text with smtps")
            << u"smtps://127.0.0.1"_s << QByteArray() << u"none"_s << u"loopback"_s;
    QTest::newRow("an unknown TLS mode")
            << u"smtp://127.0.0.1"_s << QByteArray() << u"try"_s << u"smtp_tls"_s;
    QTest::newRow("a password without a user")
            << u"smtp://mail.example"_s << QByteArray("pw") << u"required"_s << u"no user"_s;
    QTest::newRow("the password in the URL")
            << u"smtp://u:pw@mail.example"_s << QByteArray() << u"required"_s << u"smtp_password"_s;
    QTest::newRow("HTTP") << u"http://mail.example"_s << QByteArray() << u"required"_s
                          << u"smtp://"_s;
    QTest::newRow("no host") << u"smtp://"_s << QByteArray() << u"required"_s << u"smtp://"_s;
    QTest::newRow("a query") << u"smtp://mail.example?x=1"_s << QByteArray() << u"required"_s
                             << u"smtp://"_s;
}

void TestSmtpMailer::configuration()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, password);
    QFETCH(QString, tls);
    QFETCH(QString, error);
    QString reason;
    const auto parsed = SmtpConfig::parse(url, password, tls, {}, &reason);
    if (error.isEmpty()) {
        QVERIFY2(parsed, qPrintable(reason));
        QVERIFY(parsed->url.port() > 0);
    } else {
        QVERIFY(!parsed);
        QVERIFY2(reason.contains(error), qPrintable(reason));
    }
}

void TestSmtpMailer::delivers_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("tls");
    QTest::addColumn<QString>("user");
    QTest::newRow("clear text on loopback") << u"plain"_s << u"none"_s << QString();
    QTest::newRow("STARTTLS") << u"starttls"_s << u"required"_s << QString();
    QTest::newRow("implicit TLS") << u"smtps"_s << u"required"_s << QString();
    QTest::newRow("STARTTLS and a login") << u"starttls"_s << u"required"_s << u"tasklane"_s;
}

void TestSmtpMailer::delivers()
{
    QFETCH(QString, mode);
    QFETCH(QString, tls);
    QFETCH(QString, user);
    SmtpTestServer server({ mode, user, u"s3cret"_s, 0 });
    QVERIFY(server.start());
    const SmtpMailer mailer(config(server, tls, true, user.isEmpty() ? QByteArray() : "s3cret"));
    mailer.send(message(u"juergen@example.com"_s));
    QTRY_COMPARE(server.messages().size(), 1);
    const ReceivedMail mail = server.messages().first();
    QCOMPARE(mail.header("Subject"), u"Erinnerung: Steuererklärung"_s);
    QCOMPARE(mail.header("Message-ID"), u"<job-42@tasklane.example>"_s);
    QCOMPARE(mail.header("X-RcptTo"), u"juergen@example.com"_s); // the envelope
    QCOMPARE(mail.header("X-MailFrom"), u"noreply@tasklane.example"_s);
    QCOMPARE(mail.text, u"Hallo\r\n.\r\n..dots stay\r\n"_s); // dot-stuffing undone intact
    QVERIFY(!mailer.destination().contains(u"s3cret"_s));
}

void TestSmtpMailer::refusalsAreSorted_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("tls");
    QTest::addColumn<bool>("trustServer");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QString>("recipient");
    QTest::addColumn<bool>("permanent");
    QTest::addColumn<int>("replyCode");
    QTest::newRow("no such mailbox (550)") << u"plain"_s << u"none"_s << true << QByteArray()
                                           << u"perm-fail@example.com"_s << true << 550;
    QTest::newRow("try again later (451)") << u"plain"_s << u"none"_s << true << QByteArray()
                                           << u"temp-fail@example.com"_s << false << 451;
    QTest::newRow("a wrong password (535): the operator's to fix")
            << u"starttls"_s << u"required"_s << true << QByteArray("wrong") << u"a@example.com"_s
            << false << 535;
    QTest::newRow("a certificate not trusted") << u"starttls"_s << u"required"_s << false
                                               << QByteArray() << u"a@example.com"_s << false << 0;
    QTest::newRow("TLS required, the server offers none")
            << u"plain"_s << u"required"_s << true << QByteArray() << u"a@example.com"_s << false
            << 0;
    QTest::newRow("nobody listening") << u"stopped"_s << u"none"_s << true << QByteArray()
                                      << u"a@example.com"_s << false << 0;
}

void TestSmtpMailer::refusalsAreSorted()
{
    QFETCH(QString, mode);
    QFETCH(QString, tls);
    QFETCH(bool, trustServer);
    QFETCH(QByteArray, password);
    QFETCH(QString, recipient);
    QFETCH(bool, permanent);
    QFETCH(int, replyCode);
    const bool login = !password.isEmpty();
    SmtpTestServer server({ mode == u"stopped" ? u"plain"_s : mode,
                            login ? u"tasklane"_s : QString(), u"s3cret"_s, 0 });
    QVERIFY(server.start());
    if (mode == u"stopped")
        server.stop();
    const SmtpMailer mailer(config(server, tls, trustServer, password));
    try {
        mailer.send(message(recipient));
        QFAIL("the message was accepted");
    } catch (const MailError &error) {
        QCOMPARE(error.isPermanent(), permanent);
        QCOMPARE(error.replyCode(), replyCode);
        QVERIFY(!QString::fromUtf8(error.what()).contains(u"s3cret"_s));
        QVERIFY(!QString::fromUtf8(error.what()).contains(u"wrong"_s));
    }
    QCOMPARE(server.messages().size(), 0);
}

void TestSmtpMailer::outboxWritesWholeFilesNamedByMessageId()
{
    QTemporaryDir folder;
    const OutboxMailer outbox(folder.filePath(u"outbox"_s));
    MailMessage mail = message(u"a@example.com"_s);
    mail.messageId = u"../../etc/passwd@x"_s;
    outbox.send(mail);
    outbox.send(mail); // a retry writes the same file again
    const QStringList files = QDir(folder.filePath(u"outbox"_s)).entryList(QDir::Files);
    QCOMPARE(files.size(), 1);
    QVERIFY(files.first().endsWith(u".eml"_s));
    QVERIFY(!files.first().contains(u'/'));
    QVERIFY(outbox.pathOf(mail).startsWith(folder.filePath(u"outbox/"_s)));
    QFile file(outbox.pathOf(mail));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const ReceivedMail stored = ReceivedMail::parse(file.readAll());
    QCOMPARE(stored.header("Subject"), u"Erinnerung: Steuererklärung"_s);
    QCOMPARE(stored.html, u"<p>Hallo</p>"_s);

    // A batch: every message its file, the one sent before among them replaced, and no
    // temporary file left behind.
    QList<MailMessage> batch;
    for (int n = 0; n < 3; ++n) {
        MailMessage each = message(u"b%1@example.com"_s.arg(n));
        each.messageId = u"batch-%1@x"_s.arg(n);
        batch.append(each);
    }
    mail.subject = u"Sent again"_s;
    batch.append(mail);
    outbox.sendAll(batch);
    const QStringList all = QDir(folder.filePath(u"outbox"_s)).entryList(QDir::Files);
    QCOMPARE(all.size(), 4);
    for (const QString &name : all)
        QVERIFY2(name.endsWith(u".eml"_s), qPrintable(name));
    QFile again(outbox.pathOf(mail));
    QVERIFY(again.open(QIODevice::ReadOnly));
    QCOMPARE(ReceivedMail::parse(again.readAll()).header("Subject"), u"Sent again"_s);
}

QTEST_GUILESS_MAIN(TestSmtpMailer)
#include "tst_smtpmailer.moc"
