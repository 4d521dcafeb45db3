// MultipartForm: well-formed multipart/form-data bodies give their parts; anything else gives a
// reason, and no input, however broken, makes the parser read outside it.
#include "multipartform.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
const QByteArray FormType = "multipart/form-data; boundary=XyZ";

// Each part as name{file name}<content type>=body, joined by " | ".
QString describe(const MultipartForm &form)
{
    QStringList parts;
    for (const MultipartForm::Part &part : form.parts()) {
        QString text = part.name;
        if (part.isFile())
            text += u'{' + part.fileName + u'}';
        if (!part.contentType.isEmpty())
            text += u'<' + QString::fromLatin1(part.contentType) + u'>';
        parts.append(text + u'=' + QString::fromLatin1(part.body));
    }
    return parts.join(u" | "_s);
}

QByteArray field(const QByteArray &name, const QByteArray &value)
{
    return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
            + "\r\n";
}

// A body whose one part carries `disposition` (after "form-data; ") and `value`.
QByteArray withDisposition(const QByteArray &disposition, const QByteArray &value = "v")
{
    return "--XyZ\r\nContent-Disposition: form-data; " + disposition + "\r\n\r\n" + value
            + "\r\n--XyZ--\r\n";
}
} // namespace

class TestMultipartForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesWellFormedBodies_data();
    void parsesWellFormedBodies();
    void refusesMalformedBodies_data();
    void refusesMalformedBodies();
    void findsAPartByName();
    void partsOutliveTheCallersBody();
    void neverReadsOutsideItsInput();
};

void TestMultipartForm::parsesWellFormedBodies_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");

    QTest::newRow("one field") << FormType << field("title", "Hello") + "--XyZ--\r\n"
                               << u"title=Hello"_s;
    QTest::newRow("a field and a file with its type") << FormType
                                                      << field("title", "Plan")
                    + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                      "filename=\"plan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n"
                      "--XyZ--" << u"title=Plan | file{plan.pdf}<application/pdf>=%PDF-1.7"_s;
    QTest::newRow("a body keeps its own CRLFs and dashes")
            << FormType << field("text", "a\r\n--b\r\nXyZ--\r\n") + "--XyZ--"
            << u"text=a\r\n--b\r\nXyZ--\r\n"_s;
    QTest::newRow("an empty body") << FormType << field("empty", "") + "--XyZ--" << u"empty="_s;
    QTest::newRow("a part whose headers end right at the next boundary has no body")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--XyZ--")
            << u"a="_s;
    QTest::newRow("a preamble and an epilogue are ignored")
            << FormType
            << "This is a preamble.\r\n" + field("a", "1") + "--XyZ--\r\nThe epilogue.\r\n"
            << u"a=1"_s;
    QTest::newRow("white space after a boundary is transport padding")
            << FormType
            << QByteArray("--XyZ \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--")
            << u"a=1"_s;
    QTest::newRow("a quoted boundary with a space and symbols")
            << QByteArray("multipart/form-data; boundary=\"a b'()+_,-./:=?\"")
            << QByteArray("--a b'()+_,-./:=?\r\nContent-Disposition: form-data; name=x\r\n\r\n1"
                          "\r\n--a b'()+_,-./:=?--")
            << u"x=1"_s;
    QTest::newRow("a boundary of 70 characters")
            << "multipart/form-data; boundary=" + QByteArray(70, 'b')
            << "--" + QByteArray(70, 'b')
                    + "\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--"
                    + QByteArray(70, 'b') + "--"
            << u"x=1"_s;
    QTest::newRow("the media type and parameter names are case-insensitive")
            << QByteArray("Multipart/Form-Data ; charset=utf-8;BOUNDARY=XyZ")
            << QByteArray("--XyZ\r\ncontent-disposition: FORM-DATA; NAME=\"a\"\r\n\r\n1\r\n--XyZ--")
            << u"a=1"_s;
    QTest::newRow("filename* (RFC 8187) wins over filename")
            << FormType
            << withDisposition("name=\"file\"; filename=\"plan.pdf\"; "
                               "filename*=UTF-8''%C3%9Cber%20plan%20%E2%9C%93.pdf")
            << u"file{Über plan ✓.pdf}=v"_s;
    QTest::newRow("filename* in ISO-8859-1 with a language")
            << FormType << withDisposition("name=file; filename*=iso-8859-1'de'%FCber.txt")
            << u"file{über.txt}=v"_s;
    QTest::newRow("a raw UTF-8 file name, as browsers send it")
            << FormType << withDisposition("name=file; filename=\"Über ✓.txt\"")
            << u"file{Über ✓.txt}=v"_s;
    QTest::newRow("a backslash in a file name is kept, as browsers send it")
            << FormType << withDisposition(R"(name=file; filename="C:\Windows\evil.exe")")
            << uR"(file{C:\Windows\evil.exe}=v)"_s;
    QTest::newRow("escaped quotes and backslashes in a file name")
            << FormType << withDisposition(R"(name=file; filename="a\"b\\c.txt")")
            << uR"(file{a"b\c.txt}=v)"_s;
    QTest::newRow("an empty file name (a file input left empty) is still a file")
            << FormType << withDisposition("name=file; filename=\"\"", "") << u"file{}="_s;
    QTest::newRow("unknown part headers and an identity transfer encoding are ignored")
            << FormType
            << QByteArray("--XyZ\r\nX-Other: 1\r\nContent-Disposition: form-data; name=a\r\n"
                          "Content-Transfer-Encoding: binary\r\n\r\n1\r\n--XyZ--")
            << u"a=1"_s;
    QTest::newRow("an empty parameter is allowed")
            << FormType << withDisposition("name=a;; ") << u"a=v"_s;
    QTest::newRow("binary bytes pass through")
            << FormType << field("bin", QByteArray("\0\xff\r\x89PNG", 7)) + "--XyZ--"
            << QString::fromLatin1(QByteArray("bin=\0\xff\r\x89PNG", 11));
    QByteArray thirtyTwo;
    QStringList thirtyTwoParts;
    for (int i = 0; i < 32; ++i) {
        thirtyTwo += field("f" + QByteArray::number(i), "x");
        thirtyTwoParts.append(u"f%1=x"_s.arg(i));
    }
    QTest::newRow("32 parts are allowed")
            << FormType << thirtyTwo + "--XyZ--" << thirtyTwoParts.join(u" | "_s);
}

void TestMultipartForm::parsesWellFormedBodies()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const MultipartForm form = MultipartForm::parse(contentType, body);
    QVERIFY2(form.isValid(), qPrintable(form.error()));
    QCOMPARE(describe(form), expected);
}

void TestMultipartForm::refusesMalformedBodies_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");

    const QByteArray good = field("a", "1") + "--XyZ--";
    QTest::newRow("another media type")
            << QByteArray("application/json") << good << u"must be multipart/form-data"_s;
    QTest::newRow("multipart/mixed") << QByteArray("multipart/mixed; boundary=XyZ") << good
                                     << u"must be multipart/form-data"_s;
    QTest::newRow("no Content-Type") << QByteArray() << good << u"must be multipart/form-data"_s;
    QTest::newRow("no boundary") << QByteArray("multipart/form-data") << good << u"no boundary"_s;
    QTest::newRow("an empty boundary")
            << QByteArray("multipart/form-data; boundary=\"\"") << good << u"1 to 70"_s;
    QTest::newRow("a boundary of 71 characters")
            << "multipart/form-data; boundary=" + QByteArray(71, 'b') << good << u"1 to 70"_s;
    QTest::newRow("a boundary ending in a space")
            << QByteArray("multipart/form-data; boundary=\"XyZ \"") << good << u"1 to 70"_s;
    QTest::newRow("a boundary with a character RFC 2046 does not allow")
            << QByteArray("multipart/form-data; boundary=\"Xy;Z\"") << good << u"1 to 70"_s;
    QTest::newRow("two boundaries")
            << QByteArray("multipart/form-data; boundary=a; boundary=b") << good << u"repeated"_s;
    QTest::newRow("an unterminated quoted boundary")
            << QByteArray("multipart/form-data; boundary=\"XyZ") << good << u"unterminated"_s;
    QTest::newRow("garbage between parameters")
            << QByteArray("multipart/form-data; boundary=XyZ junk") << good << u"Malformed"_s;
    QTest::newRow("an empty body") << FormType << QByteArray() << u"does not contain"_s;
    QTest::newRow("a body without its boundary")
            << FormType << QByteArray("just some text") << u"does not contain"_s;
    QTest::newRow("a body that only closes")
            << FormType << QByteArray("--XyZ--\r\n") << u"no parts"_s;
    QTest::newRow("a missing closing delimiter")
            << FormType << field("a", "1") << u"closing boundary is missing"_s;
    QTest::newRow("a body cut off in a part")
            << FormType << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n12")
            << u"closing boundary is missing"_s;
    QTest::newRow("a body cut off in a part's headers")
            << FormType << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a")
            << u"not terminated"_s;
    QTest::newRow("a body cut off right after a boundary")
            << FormType << QByteArray("--XyZ") << u"must end with CRLF"_s;
    QTest::newRow("a boundary followed by other text")
            << FormType
            << QByteArray("--XyZabc\r\nContent-Disposition: form-data; name=a\r\n\r\n1"
                          "\r\n--XyZ--")
            << u"must end with CRLF"_s;
    // RFC 2046, section 5.1.1: the delimiter must not occur in a part's body.
    QTest::newRow("a part's body containing its delimiter followed by other text")
            << FormType << field("text", "a\r\n--XyZa") + "--XyZ--" << u"must end with CRLF"_s;
    QTest::newRow("a boundary line ended by a bare LF")
            << FormType
            << QByteArray("--XyZ\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--")
            << u"must end with CRLF"_s;
    QTest::newRow("a part without Content-Disposition")
            << FormType << QByteArray("--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--")
            << u"no Content-Disposition"_s;
    QTest::newRow("a part without headers")
            << FormType << QByteArray("--XyZ\r\n\r\n1\r\n--XyZ--") << u"no Content-Disposition"_s;
    QTest::newRow("a part that is an attachment, not form-data")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n--XyZ--")
            << u"not form-data"_s;
    QTest::newRow("a part without a name")
            << FormType << withDisposition("filename=\"a.txt\"") << u"no name"_s;
    QTest::newRow("a part with an empty name")
            << FormType << withDisposition("name=\"\"") << u"no name"_s;
    QTest::newRow("a name that is not UTF-8")
            << FormType << withDisposition("name=\"\xff\xfe\"") << u"not UTF-8"_s;
    QTest::newRow("a file name that is not UTF-8")
            << FormType << withDisposition("name=f; filename=\"\xc3\"") << u"not UTF-8"_s;
    QTest::newRow("a file name with a control character")
            << FormType << withDisposition("name=f; filename=\"a\x01.txt\"")
            << u"control character"_s;
    QTest::newRow("filename* without a charset")
            << FormType << withDisposition("name=f; filename*=%C3%9C.txt") << u"filename*"_s;
    QTest::newRow("filename* in an unknown charset")
            << FormType << withDisposition("name=f; filename*=koi8-r''%C3.txt") << u"filename*"_s;
    QTest::newRow("filename* with a broken escape")
            << FormType << withDisposition("name=f; filename*=UTF-8''a%C") << u"filename*"_s;
    QTest::newRow("filename* that is not UTF-8")
            << FormType << withDisposition("name=f; filename*=UTF-8''%FF.txt") << u"filename*"_s;
    QTest::newRow("filename* with a character it must escape")
            << FormType << withDisposition("name=f; filename*=\"UTF-8''a b.txt\"")
            << u"filename*"_s;
    QTest::newRow("two names") << FormType << withDisposition("name=a; name=b") << u"repeated"_s;
    QTest::newRow("two Content-Dispositions")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition:"
                          " form-data; name=b\r\n\r\n1\r\n--XyZ--")
            << u"more than one Content-Disposition"_s;
    QTest::newRow("two Content-Types")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/b\r\n"
                          "Content-Type: c/d\r\n\r\n1\r\n--XyZ--")
            << u"more than one Content-Type"_s;
    QTest::newRow("a base64 transfer encoding")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\nMQ==\r\n--XyZ--")
            << u"Content-Transfer-Encoding"_s;
    QTest::newRow("a folded header line")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a\r\n folded\r\n\r\n1\r\n"
                          "--XyZ--")
            << u"malformed header line"_s;
    QTest::newRow("a header line ended by a bare LF")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a\nX: 1\r\n\r\n1\r\n"
                          "--XyZ--")
            << u"malformed header line"_s;
    QTest::newRow("a header line without a colon")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=a\r\nJunk\r\n\r\n1\r\n"
                          "--XyZ--")
            << u"malformed header line"_s;
    QTest::newRow("a header name with a space")
            << FormType
            << QByteArray("--XyZ\r\nContent-Disposition : form-data; name=a\r\n\r\n1\r\n--XyZ--")
            << u"malformed header line"_s;
    QTest::newRow("a part's headers over 8 KiB")
            << FormType
            << "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-Big: " + QByteArray(9000, 'x')
                    + "\r\n\r\n1\r\n--XyZ--"
            << u"exceeds 8192 bytes"_s;
    QByteArray thirtyThree;
    for (int i = 0; i < 33; ++i)
        thirtyThree += field("f", "x");
    QTest::newRow("33 parts are too many")
            << FormType << thirtyThree + "--XyZ--" << u"more than 32 parts"_s;
}

void TestMultipartForm::refusesMalformedBodies()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    const MultipartForm form = MultipartForm::parse(contentType, body);
    QVERIFY2(!form.isValid(), qPrintable(describe(form)));
    QVERIFY2(form.error().contains(reason), qPrintable(form.error()));
    QVERIFY(form.parts().isEmpty());
}

void TestMultipartForm::findsAPartByName()
{
    const MultipartForm form = MultipartForm::parse(
            FormType, field("a", "1") + field("file", "2") + field("file", "3") + "--XyZ--");
    QVERIFY(form.isValid());
    QVERIFY(form.part(u"file"));
    QCOMPARE(form.part(u"file")->body, QByteArrayView("2"));
    QVERIFY(!form.part(u"missing"));
    QVERIFY(!form.part(u"FILE")); // names are case-sensitive
}

void TestMultipartForm::partsOutliveTheCallersBody()
{
    // The form shares the body; the caller changing or dropping its own copy changes nothing.
    auto body = std::make_unique<QByteArray>(field("a", "hello") + "--XyZ--");
    const MultipartForm form = MultipartForm::parse(FormType, *body);
    body->fill('z');
    body.reset();
    QCOMPARE(form.part(u"a")->body, QByteArrayView("hello"));
    const MultipartForm copy = form;
    QCOMPARE(copy.part(u"a")->body, QByteArrayView("hello"));
}

void TestMultipartForm::neverReadsOutsideItsInput()
{
    // Every prefix of a rich body, every single-byte change of it, and random bytes: any answer
    // will do, as long as it comes (under ASan, without reading outside the input).
    const QByteArray body = "preamble\r\n" + field("title", "T")
            + "--XyZ  \r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\\\"b.txt\"; "
              "filename*=UTF-8''%C3%9C.txt\r\nContent-Type: text/plain\r\n\r\n\r\n--XyZ--\r\n";
    QVERIFY(MultipartForm::parse(FormType, body).isValid());
    int valid = 0;
    for (qsizetype length = 0; length <= body.size(); ++length) {
        // An exact-size copy, so that ASan sees any read past its end.
        const QByteArray prefix(body.constData(), length);
        valid += MultipartForm::parse(FormType, prefix).isValid();
    }
    QVERIFY(valid > 0 && valid < body.size());
    const QByteArray replacements = QByteArray("\r\n-\"\\;=%\0\xff XyZ", 14);
    for (qsizetype i = 0; i < body.size(); ++i) {
        for (const char replacement : replacements) {
            QByteArray changed = body;
            changed[i] = replacement;
            MultipartForm::parse(FormType, changed);
            MultipartForm::parse(changed.left(60), body);
        }
    }
    QRandomGenerator random(7);
    for (int round = 0; round < 2000; ++round) {
        QByteArray noise(random.bounded(200), Qt::Uninitialized);
        for (char &ch : noise)
            ch = replacements.at(random.bounded(int(replacements.size())));
        MultipartForm::parse(FormType, "--XyZ\r\n" + noise);
        MultipartForm::parse(QByteArray("multipart/form-data; boundary=" + noise.left(20)), noise);
    }
}

QTEST_GUILESS_MAIN(TestMultipartForm)
#include "tst_multipartform.moc"
