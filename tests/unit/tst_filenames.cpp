// sanitizeFileName and contentDisposition: whatever name a client sends, what is kept is one
// harmless file name, and the header that offers it back is printable ASCII.
#include "filenames.h"

#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestFileNames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sanitizes_data();
    void sanitizes();
    void offersTheNameSafely_data();
    void offersTheNameSafely();
};

void TestFileNames::sanitizes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::newRow("a plain name is kept") << u"report 2024.pdf"_s << u"report 2024.pdf"_s;
    QTest::newRow("parent folders are dropped") << u"../../x"_s << u"x"_s;
    QTest::newRow("an absolute path keeps its last component") << u"/etc/passwd"_s << u"passwd"_s;
    QTest::newRow("a Windows path keeps its last component")
            << u"C:\\Windows\\evil.exe"_s << u"evil.exe"_s;
    QTest::newRow("mixed separators") << u"a/b\\c/d.txt"_s << u"d.txt"_s;
    QTest::newRow("a line break becomes a space") << u"a\r\nb.txt"_s << u"a b.txt"_s;
    QTest::newRow("other control characters go")
            << u"a"_s + QChar(0) + u"b\u0007c\u001b\u007f\u0085\u009fd.txt"_s << u"abcd.txt"_s;
    QTest::newRow("markup characters become underscores") << u"<img>.html"_s << u"_img_.html"_s;
    QTest::newRow("every character Windows refuses becomes an underscore")
            << u"a<b>c:d\"e|f?g*h.txt"_s << u"a_b_c_d_e_f_g_h.txt"_s;
    QTest::newRow("a right-to-left override cannot disguise the extension")
            << u"invoice\u202Efdp.exe"_s << u"invoicefdp.exe"_s;
    QTest::newRow("isolates and marks go")
            << u"a\u2066b\u2067c\u2068d\u2069e\u200Ef\u200Fg\u061C.txt"_s << u"abcdefg.txt"_s;
    QTest::newRow("white space collapses, including tabs and no-break spaces")
            << u"a  \t b\u00A0\u3000c.txt"_s << u"a b c.txt"_s;
    QTest::newRow("leading and trailing dots and spaces go") << u"  ..hidden. . "_s << u"hidden"_s;
    QTest::newRow("unicode is kept") << u"Über plan ✓.pdf"_s << u"Über plan ✓.pdf"_s;
    QTest::newRow("decomposed unicode is composed (NFC)") << u"U\u0308ber.pdf"_s << u"Über.pdf"_s;
    QTest::newRow("an unpaired surrogate goes")
            << u"a"_s + QChar(0xD800) + u"b.txt"_s << u"ab.txt"_s;
    QTest::newRow("emoji are kept") << u"😀 party.png"_s << u"😀 party.png"_s;
    QTest::newRow("a Windows device name gets an underscore") << u"con.txt"_s << u"_con.txt"_s;
    QTest::newRow("a numbered device name too") << u"LPT1"_s << u"_LPT1"_s;
    QTest::newRow("a name that merely starts like a device is kept")
            << u"console.txt"_s << u"console.txt"_s;
    QTest::newRow("dot dot falls back to file") << u".."_s << u"file"_s;
    QTest::newRow("dot falls back to file") << u"."_s << u"file"_s;
    QTest::newRow("an empty name falls back to file") << QString() << u"file"_s;
    QTest::newRow("a folder path falls back to file") << u"docs/"_s << u"file"_s;
    QTest::newRow("a name of control characters falls back to file")
            << u"\u0001\u0002\u001f\u007f"_s << u"file"_s;
    QTest::newRow("a name of bidi controls and spaces falls back to file")
            << u" \u202E \u2066 "_s << u"file"_s;
    QTest::newRow("a 400-character name is cut to 255 bytes, keeping its extension")
            << QString(396, u'a') + u".pdf"_s << QString(251, u'a') + u".pdf"_s;
    QTest::newRow("a long name is cut between two-byte characters")
            << QString(300, u'é') + u".txt"_s << QString(125, u'é') + u".txt"_s;
    QTest::newRow("a long name is never cut inside a surrogate pair")
            << QString(u"😀"_s).repeated(100) + u".png"_s
            << QString(u"😀"_s).repeated(62) + u".png"_s;
    QTest::newRow("a long name without an extension is cut to 255 bytes")
            << QString(400, u'b') << QString(255, u'b');
    QTest::newRow("a long suffix is no extension to keep") << QString(200, u'c') + u"."_s
                    + QString(100, u'd') << QString(200, u'c') + u"."_s + QString(54, u'd');
    QTest::newRow("a cut stem loses its trailing spaces")
            << QString(250, u'e') + u"  x.txt"_s << QString(250, u'e') + u".txt"_s;
}

void TestFileNames::sanitizes()
{
    QFETCH(QString, name);
    QFETCH(QString, expected);
    const QString sanitized = sanitizeFileName(name);
    QCOMPARE(sanitized, expected);
    // What every sanitized name is, whatever came in.
    QVERIFY(!sanitized.isEmpty() && sanitized != u"." && sanitized != u"..");
    QVERIFY(sanitized.toUtf8().size() <= 255);
    QVERIFY(!sanitized.contains(u'/') && !sanitized.contains(u'\\'));
    for (const QChar ch : sanitized)
        QVERIFY2(ch.unicode() >= 0x20 && (ch.unicode() < 0x7F || ch.unicode() > 0x9F),
                 qPrintable(sanitized));
    QCOMPARE(sanitizeFileName(sanitized), sanitized); // idempotent
}

void TestFileNames::offersTheNameSafely_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("a plain name")
            << u"report.pdf"_s
            << QByteArray("attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    QTest::newRow("spaces are percent-encoded in filename* only")
            << u"my plan.pdf"_s
            << QByteArray("attachment; filename=\"my plan.pdf\"; filename*=UTF-8''my%20plan.pdf");
    QTest::newRow("unicode gets an ASCII fallback and UTF-8 in filename*")
            << u"Über plan ✓.pdf"_s
            << QByteArray("attachment; filename=\"Uber plan _.pdf\"; "
                          "filename*=UTF-8''%C3%9Cber%20plan%20%E2%9C%93.pdf");
    QTest::newRow("a quote, a backslash and a percent sign stay out of the fallback")
            << u"50% \"off\".txt"_s
            << QByteArray("attachment; filename=\"50_ _off_.txt\"; "
                          "filename*=UTF-8''50%25%20_off_.txt");
    QTest::newRow("a line break cannot split the header")
            << u"a\r\nSet-Cookie: x=1.txt"_s
            << QByteArray("attachment; filename=\"a Set-Cookie_ x=1.txt\"; "
                          "filename*=UTF-8''a%20Set-Cookie_%20x%3D1.txt");
    QTest::newRow("markup stays harmless") << u"<script>.html"_s
                                           << QByteArray("attachment; filename=\"_script_.html\"; "
                                                         "filename*=UTF-8''_script_.html");
    QTest::newRow("an emoji becomes one underscore in the fallback")
            << u"😀.png"_s
            << QByteArray("attachment; filename=\"_.png\"; filename*=UTF-8''%F0%9F%98%80.png");
    QTest::newRow("a path offers only its last component")
            << u"../../etc/passwd"_s
            << QByteArray("attachment; filename=\"passwd\"; filename*=UTF-8''passwd");
    QTest::newRow("nothing usable offers file")
            << u"\u0001"_s << QByteArray("attachment; filename=\"file\"; filename*=UTF-8''file");
}

void TestFileNames::offersTheNameSafely()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, expected);
    const QByteArray header = contentDisposition(name);
    QCOMPARE(header, expected);
    for (const char ch : header)
        QVERIFY2(ch >= 0x20 && ch < 0x7F, header.constData());
    // filename* carries the sanitized name exactly.
    const QByteArray encoded = header.sliced(header.indexOf("UTF-8''") + 7);
    QCOMPARE(QString::fromUtf8(QByteArray::fromPercentEncoding(encoded)), sanitizeFileName(name));
}

QTEST_GUILESS_MAIN(TestFileNames)
#include "tst_filenames.moc"
