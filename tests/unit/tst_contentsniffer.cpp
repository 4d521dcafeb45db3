// ContentSniffer: real files' first bytes give their types, whatever they are called, from any
// number of threads at once.
#include "contentsniffer.h"

#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
// A 1x1 RGB PNG (signature, IHDR, IDAT, IEND), made with zlib.
const QByteArray Png = QByteArray::fromHex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c"
        "63f8cfc0000003010100c9fe92ef0000000049454e44ae426082");
// The start of a JFIF file: SOI, then the APP0 segment.
const QByteArray Jpeg = QByteArray::fromHex("ffd8ffe000104a46494600010100000100010000ffdb0043");
// A 1x1 GIF89a.
const QByteArray Gif = QByteArray::fromHex(
        "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b");
// A ZIP of one stored file, a.txt ("hello"), made with Python's zipfile.
const QByteArray Zip = QByteArray::fromHex(
        "504b0304140000000000bc917e5d86a61036050000000500000005000000612e74787468656c6c6f504b01"
        "021403140000000000bc917e5d86a610360500000005000000050000000000000000000000800100000000"
        "612e747874504b0506000000000100010033000000280000000000");
const QByteArray Pdf = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                       "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
const QByteArray Html = "<!DOCTYPE html>\n<html><head><title>Hi</title></head>"
                        "<body><script>alert(1)</script></body></html>\n";
const QByteArray Svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
                       "<script>alert(1)</script></svg>\n";

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator random(42);
    random.fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    return bytes;
}
} // namespace

class TestContentSniffer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sniffsTheBytes_data();
    void sniffsTheBytes();
    void looksOnlyAtTheStart();
    void worksFromManyThreadsAtOnce();
};

void TestContentSniffer::sniffsTheBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("type");
    QTest::newRow("a PNG image") << Png << u"image/png"_s;
    QTest::newRow("a JPEG image") << Jpeg << u"image/jpeg"_s;
    QTest::newRow("a GIF image") << Gif << u"image/gif"_s;
    QTest::newRow("a PDF document") << Pdf << u"application/pdf"_s;
    QTest::newRow("a ZIP archive") << Zip << u"application/zip"_s;
    QTest::newRow("plain UTF-8 text")
            << QByteArray("Grüße aus Köln ✓\nA second line.\n") << u"text/plain"_s;
    QTest::newRow("plain ASCII text")
            << QByteArray("hello world\n").repeated(1000) << u"text/plain"_s;
    QTest::newRow("an HTML page") << Html << u"text/html"_s;
    QTest::newRow("an SVG image (scriptable: the lead must not serve it inline)")
            << Svg << u"image/svg+xml"_s;
    QTest::newRow("nothing at all") << QByteArray() << u"application/octet-stream"_s;
    QTest::newRow("random bytes") << randomBytes(4096) << u"application/octet-stream"_s;
    QTest::newRow("a PNG whatever follows it") << Png + randomBytes(100 * 1024) << u"image/png"_s;
}

void TestContentSniffer::sniffsTheBytes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, type);
    QCOMPARE(ContentSniffer::mimeType(bytes), type);
}

void TestContentSniffer::looksOnlyAtTheStart()
{
    // Text for 64 KiB, then binary bytes: libmagic would call the whole buffer binary data.
    QByteArray text = QByteArray("plain words\n").repeated(ContentSniffer::SniffBytes / 12 + 1);
    text.truncate(ContentSniffer::SniffBytes);
    const QByteArray binary = randomBytes(1000);
    QCOMPARE(ContentSniffer::mimeType(QByteArray(text + binary)), u"text/plain"_s);
    QCOMPARE(ContentSniffer::mimeType(QByteArray(text.left(100) + binary)),
             u"application/octet-stream"_s);
}

void TestContentSniffer::worksFromManyThreadsAtOnce()
{
    const QList<std::pair<QByteArray, QString>> samples{
        { Png, u"image/png"_s },  { Pdf, u"application/pdf"_s },
        { Html, u"text/html"_s }, { Zip, u"application/zip"_s },
        { Gif, u"image/gif"_s },  { QByteArray("just text\n"), u"text/plain"_s },
    };
    std::atomic_int wrong{ 0 }, done{ 0 };
    QList<QThread *> threads;
    for (int t = 0; t < 4; ++t) {
        threads.append(QThread::create([&samples, &wrong, &done, t] {
            for (int i = 0; i < 200; ++i) {
                const auto &[bytes, type] = samples.at((i + t) % samples.size());
                if (ContentSniffer::mimeType(bytes) != type)
                    ++wrong;
                ++done;
            }
        }));
        threads.last()->start();
    }
    for (QThread *thread : std::as_const(threads)) {
        QVERIFY(thread->wait(60'000));
        delete thread;
    }
    QCOMPARE(done.load(), 800);
    QCOMPARE(wrong.load(), 0);
}

QTEST_GUILESS_MAIN(TestContentSniffer)
#include "tst_contentsniffer.moc"
