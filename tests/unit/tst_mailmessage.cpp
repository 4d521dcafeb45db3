// MailMessage and MailAddress: what a notification email looks like on the wire. No user text
// can add a header; non-ASCII text is encoded and decodes back exactly; the parts decode to
// the text and HTML given; every line ends in CRLF and stays short.
#include "mailmessage.h"
#include "smtptestserver.h"

#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ReceivedMail;

class TestMailMessage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addresses_data();
    void addresses();
    void headersCarryTextButNeverANewHeader_data();
    void headersCarryTextButNeverANewHeader();
    void partsDecodeToWhatWasGiven();
};

namespace {

MailMessage message(const QString &subject, const QString &name = u"Ada"_s)
{
    MailMessage mail;
    mail.from = { u"noreply@tasklane.example"_s, u"Tasklane"_s };
    mail.to = { u"ada@example.com"_s, name };
    mail.subject = subject;
    mail.text = u"Plain text\nsecond line"_s;
    mail.html = u"<p>HTML</p>"_s;
    mail.messageId = u"abc123@tasklane.example"_s;
    mail.date = QDateTime(QDate(2027, 3, 15), QTime(8, 0), QTimeZone::utc());
    mail.language = u"de"_s;
    return mail;
}

} // namespace

void TestMailMessage::addresses_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << u"ada@example.com"_s << true;
    QTest::newRow("plus and dots") << u"ada.l+tasks@mail.example.co.uk"_s << true;
    QTest::newRow("a CR LF and a second command") << u"a@example.com\r\nRCPT TO:<b@x.y>"_s << false;
    QTest::newRow("angle brackets") << u"<a@example.com>"_s << false;
    QTest::newRow("a space") << u"a b@example.com"_s << false;
    QTest::newRow("a quoted local part") << u"\"a b\"@example.com"_s << false;
    QTest::newRow("no at sign") << u"example.com"_s << false;
    QTest::newRow("two at signs") << u"a@b@example.com"_s << false;
    QTest::newRow("two dots in a row") << u"a..b@example.com"_s << false;
    QTest::newRow("a leading dot") << u".a@example.com"_s << false;
    QTest::newRow("a dot before the at sign") << u"a.@example.com"_s << false;
    QTest::newRow("non-ASCII") << u"jürgen@example.com"_s << false;
    QTest::newRow("a domain label starting with a dash") << u"a@-example.com"_s << false;
    QTest::newRow("too long") << (QString(250, u'a') + u"@x.y"_s) << false;
}

void TestMailMessage::addresses()
{
    QFETCH(QString, address);
    QFETCH(bool, valid);
    QCOMPARE(MailAddress::isValid(address), valid);
}

void TestMailMessage::headersCarryTextButNeverANewHeader_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expectedSubject");
    QTest::addColumn<QString>("expectedName");
    // An ASCII name is quoted, whatever it holds.
    QTest::newRow("ASCII") << u"Reminder: pay rent"_s << u"Ada"_s << u"Reminder: pay rent"_s
                           << u"\"Ada\""_s;
    QTest::newRow("a subject with CR LF and a Bcc")
            << u"Hi\r\nBcc: victim@evil.example"_s << u"Ada"_s << u"Hi Bcc: victim@evil.example"_s
            << u"\"Ada\""_s;
    QTest::newRow("a bare LF, a NUL and a line separator")
            << u"a\nb\u0000c\u2028d"_s << u"Ada\nTo: x@evil.example"_s << u"a b c d"_s
            << u"\"Ada To: x@evil.example\""_s;
    const QString german = u"Erinnerung: „Steuererklärung“ ist morgen fällig ✅ — bitte "
                           "rechtzeitig erledigen, sonst drohen Säumniszuschläge 💸"_s;
    QTest::newRow("long German with emoji")
            << german << u"Jürgen Müller"_s << german << u"Jürgen Müller"_s;
    QTest::newRow("a name with quotes and a comma")
            << u"x"_s << u"Lovelace, \"Ada\""_s << u"x"_s << u"\"Lovelace, \\\"Ada\\\"\""_s;
}

void TestMailMessage::headersCarryTextButNeverANewHeader()
{
    QFETCH(QString, subject);
    QFETCH(QString, name);
    QFETCH(QString, expectedSubject);
    QFETCH(QString, expectedName);
    const QByteArray bytes = message(subject, name).toBytes("BOUNDARY");
    const ReceivedMail mail = ReceivedMail::parse(bytes);
    QCOMPARE(mail.headerCount("Subject"), 1);
    QCOMPARE(mail.headerCount("Bcc"), 0);
    QCOMPARE(mail.headerCount("To"), 1);
    QCOMPARE(mail.header("Subject"), expectedSubject);
    QCOMPARE(mail.header("To"), expectedName + u" <ada@example.com>"_s);
    // Only the headers the message writes: From To Subject Date Message-ID Content-Language
    // MIME-Version Content-Type.
    QCOMPARE(mail.rawHeaders.size(), 8);
    // Every line ends in CRLF; no header line is longer than 78 characters but for the
    // folded words' own limit of 75 plus the fold.
    const QByteArray head = bytes.left(bytes.indexOf("\r\n\r\n"));
    QVERIFY(!QByteArray(bytes).replace("\r\n", "").contains('\n'));
    QVERIFY(!QByteArray(bytes).replace("\r\n", "").contains('\r'));
    for (const QByteArray &line : head.split('\n'))
        QVERIFY2(line.size() <= 77, line.constData()); // 76 and the CR
    for (char c : bytes)
        QVERIFY(uchar(c) < 0x80); // 7-bit on the wire: everything else is encoded
}

void TestMailMessage::partsDecodeToWhatWasGiven()
{
    MailMessage mail = message(u"Fällig"_s);
    mail.text = u"Hallo Jürgen,\n\n„Steuererklärung“ ist morgen fällig.\n.\n"_s
            + QString(2000, u'x'); // one line far over SMTP's 998 octets
    mail.html = u"<p>Hallo <b>Jürgen</b></p>"_s;
    const QByteArray bytes = mail.toBytes("b-1");
    for (const QByteArray &line : bytes.split('\n'))
        QVERIFY(line.size() <= 78);
    const ReceivedMail received = ReceivedMail::parse(bytes);
    QString expectedText = mail.text;
    expectedText.replace(u"\n"_s, u"\r\n"_s);
    QCOMPARE(received.text, expectedText);
    QCOMPARE(received.html, mail.html);
    QCOMPARE(received.header("Date"), u"15 Mar 2027 08:00:00 +0000"_s);
    QCOMPARE(received.header("Message-ID"), u"<abc123@tasklane.example>"_s);
    QCOMPARE(received.header("Content-Language"), u"de"_s);
    QCOMPARE(received.header("From"), u"\"Tasklane\" <noreply@tasklane.example>"_s);
    QVERIFY(received.header("Content-Type").startsWith(u"multipart/alternative"_s));
    // HTML last: the part a mail reader prefers.
    QVERIFY(bytes.indexOf("text/plain") < bytes.indexOf("text/html"));
}

QTEST_GUILESS_MAIN(TestMailMessage)
#include "tst_mailmessage.moc"
