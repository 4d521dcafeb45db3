// AvatarImage: an upload becomes a fresh 256 x 256 PNG of its centre square, or is refused for
// what it is: another type, a type its bytes belie, a decompression bomb (refused from its
// header, before decoding), or a broken file. Nothing but the pixels survives: no text, no
// profile, no trailing payload of a polyglot.
#include "avatarimage.h"
#include "imagefixtures.h"
#include "testserver.h"

#include <QCoreApplication>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
using Refusal = AvatarImage::Refusal;

const QByteArray Gif = QByteArray::fromHex(
        "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b");

// Which of red, green or blue the pixel mostly is.
char dominant(QRgb pixel)
{
    if (qRed(pixel) > 200 && qGreen(pixel) < 60 && qBlue(pixel) < 60)
        return 'r';
    if (qGreen(pixel) > 200 && qRed(pixel) < 60 && qBlue(pixel) < 60)
        return 'g';
    if (qBlue(pixel) > 200 && qRed(pixel) < 60 && qGreen(pixel) < 60)
        return 'b';
    return '?';
}

// The colours along the middle row (left, centre, right) and the middle column (top, bottom).
QByteArray compass(const QImage &image)
{
    const int last = image.width() - 1, middle = image.width() / 2;
    const char colours[]
            = { dominant(image.pixel(2, middle)), dominant(image.pixel(middle, middle)),
                dominant(image.pixel(last - 2, middle)), dominant(image.pixel(middle, 2)),
                dominant(image.pixel(middle, last - 2)) };
    return QByteArray(colours, sizeof colours);
}

// A JPEG with an EXIF orientation (6: turn 90 degrees clockwise to show it), in an APP1
// segment right after SOI: a big-endian TIFF header and one IFD of one SHORT entry.
QByteArray withExifOrientation(const QByteArray &jpeg, quint16 orientation)
{
    QByteArray tiff = QByteArray("MM\0\x2a\0\0\0\x08", 8);
    tiff += QByteArray("\0\x01", 2); // one entry
    tiff += QByteArray("\x01\x12\0\x03\0\0\0\x01", 8); // orientation, SHORT, count 1
    QByteArray value(4, '\0');
    qToBigEndian(orientation, value.data());
    tiff += value + QByteArray(4, '\0'); // no next IFD
    const QByteArray payload = QByteArray("Exif\0\0", 6) + tiff;
    QByteArray length(2, '\0');
    qToBigEndian(quint16(payload.size() + 2), length.data());
    return jpeg.first(2) + "\xff\xe1" + length + payload + jpeg.sliced(2);
}
} // namespace

class TestAvatarImage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
    void keepsNothingButThePixels();
    void keepsTransparency();
    void textChunksAreNeverInflated();
};

void TestAvatarImage::accepts_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("contentType");
    // compass(): left, centre, right of the middle row; top and bottom of the middle column.
    QTest::addColumn<QByteArray>("colours");

    const QByteArray widePng = encodeImage(bandedImage({ 600, 200 }), "png");
    QTest::newRow("a wide PNG gives its centre square") << widePng << "image/png"_ba
                                                        << "ggggg"_ba;
    QTest::newRow("the type's case and parameters do not matter")
            << widePng << "Image/PNG; charset=binary"_ba
            << "ggggg"_ba;
    QTest::newRow("a square JPEG, scaled down")
            << encodeImage(bandedImage({ 1200, 1200 }), "jpeg") << "image/jpeg"_ba
            << "rgbgg"_ba;
    QTest::newRow("a progressive JPEG")
            << encodeProgressiveJpeg(bandedImage({ 300, 300 })) << "image/jpeg"_ba
            << "rgbgg"_ba;
    QImage deep = bandedImage({ 300, 100 }).convertToFormat(QImage::Format_RGBA64);
    QTest::newRow("a 16-bit PNG") << encodeImage(deep, "png") << "image/png"_ba
                                  << "ggggg"_ba;
    QTest::newRow("a PNG with text chunks, dropped unread")
            << withPngTextBombs(encodeImage(bandedImage({ 30, 30 }), "png"), 3, 1000)
            << "image/png"_ba
            << "rgbgg"_ba;
    QTest::newRow("a tall WebP") << encodeImage(bandedImage({ 300, 900 }), "webp")
                                 << "image/webp"_ba
                                 << "rgbgg"_ba;
    QTest::newRow("a tiny PNG, scaled up")
            << encodeImage(bandedImage({ 3, 3 }), "png") << "image/png"_ba
            << "rgbgg"_ba;
    // Stored 300 x 150, shown turned a quarter clockwise: the red left band on top, the blue
    // right band below, green across the middle row.
    QTest::newRow("a JPEG's EXIF orientation is applied")
            << withExifOrientation(encodeImage(bandedImage({ 300, 150 }), "jpeg"), 6)
            << "image/jpeg"_ba
            << "gggrb"_ba;
}

void TestAvatarImage::accepts()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, colours);
    QVERIFY(!bytes.isEmpty());
    const AvatarImage::Result result = AvatarImage::normalize(bytes, contentType);
    const auto *png = std::get_if<QByteArray>(&result);
    // (QVERIFY2 reads its message whether or not the check holds.)
    const auto *rejected = std::get_if<AvatarImage::Rejected>(&result);
    QVERIFY2(png, rejected ? qPrintable(rejected->detail) : "");
    const QImage image = decodeImage(*png, "png");
    QCOMPARE(image.size(), QSize(AvatarImage::Side, AvatarImage::Side));
    QCOMPARE(compass(image), colours);
}

void TestAvatarImage::refuses_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<Refusal>("refusal");

    const QByteArray png = encodeImage(bandedImage({ 60, 40 }), "png");
    const QByteArray jpeg = encodeImage(bandedImage({ 60, 40 }), "jpeg");
    QTest::newRow("a GIF") << Gif << "image/gif"_ba << Refusal::UnsupportedType;
    QTest::newRow("a GIF called a PNG") << Gif << "image/png"_ba << Refusal::UnsupportedType;
    QTest::newRow("no type") << png << QByteArray() << Refusal::UnsupportedType;
    QTest::newRow("an SVG type") << png << "image/svg+xml"_ba << Refusal::UnsupportedType;
    QTest::newRow("a PNG called a JPEG") << png << "image/jpeg"_ba << Refusal::TypeMismatch;
    QTest::newRow("a JPEG called a WebP") << jpeg << "image/webp"_ba << Refusal::TypeMismatch;
    QTest::newRow("a PNG header claiming 100,000 x 100,000 pixels")
            << withPngSize(png, 100'000, 100'000) << "image/png"_ba << Refusal::TooManyPixels;
    QTest::newRow("a PNG header one row over the cap")
            << withPngSize(png, 4'000, 4'001) << "image/png"_ba << Refusal::TooManyPixels;
    QTest::newRow("a PNG header at the cap, its pixels missing")
            << withPngSize(png, 4'000, 4'000) << "image/png"_ba << Refusal::Undecodable;
    QTest::newRow("a real PNG bomb: 10,000 x 10,000 pixels in 100 KB")
            << greyPngBomb(10'000) << "image/png"_ba << Refusal::TooManyPixels;
    QTest::newRow("a JPEG header claiming 60,000 x 60,000 pixels")
            << withJpegSize(jpeg, 60'000, 60'000) << "image/jpeg"_ba << Refusal::TooManyPixels;
    QTest::newRow("a PNG header claiming no pixels")
            << withPngSize(png, 0, 0) << "image/png"_ba << Refusal::Undecodable;
    QTest::newRow("half a PNG") << png.first(png.size() / 2) << "image/png"_ba
                                << Refusal::Undecodable;
    QTest::newRow("HTML behind a PNG signature")
            << QByteArray("\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>")
            << "image/png"_ba << Refusal::Undecodable;
    QTest::newRow("a progressive JPEG of 150 scans")
            << withRepeatedJpegScans(encodeProgressiveJpeg(bandedImage({ 64, 64 })), 140)
            << "image/jpeg"_ba << Refusal::TooManyScans;
    QTest::newRow("a PNG chunk longer than the file")
            << withPngChunk(png, "tEXt", "x").first(png.size()) << "image/png"_ba
            << Refusal::Undecodable;
    QTest::newRow("a JPEG signature and nothing else")
            << QByteArray("\xff\xd8\xff\xe0") << "image/jpeg"_ba << Refusal::Undecodable;
}

void TestAvatarImage::refuses()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, contentType);
    QFETCH(Refusal, refusal);
    QVERIFY(!bytes.isEmpty());
    const AvatarImage::Result result = AvatarImage::normalize(bytes, contentType);
    const auto *rejected = std::get_if<AvatarImage::Rejected>(&result);
    QVERIFY2(rejected, "accepted");
    QCOMPARE(rejected->refusal, refusal);
    QVERIFY(!rejected->detail.isEmpty());
}

void TestAvatarImage::keepsNothingButThePixels()
{
    // A PNG with a text chunk (where a camera app puts a location) and a payload after its
    // end (a polyglot: also an HTML page and a ZIP), a JPEG with a comment and EXIF.
    const QByteArray canary = "canary-gps-51.5007N-0.1246W";
    const QByteArray png
            = withPngText(encodeImage(bandedImage({ 64, 64 }), "png"), "Location", canary)
            + "<html><script>alert('" + canary + "')</script></html>PK\x03\x04" + canary;
    QImage tagged = bandedImage({ 64, 64 });
    tagged.setText(u"Description"_s, QString::fromLatin1(canary));
    const QByteArray jpeg = withExifOrientation(encodeImage(tagged, "jpeg"), 1);
    QVERIFY(jpeg.contains(canary));

    for (const auto &[bytes, type] :
         { std::pair(png, "image/png"_ba), std::pair(jpeg, "image/jpeg"_ba) }) {
        const AvatarImage::Result result = AvatarImage::normalize(bytes, type);
        const auto *out = std::get_if<QByteArray>(&result);
        QVERIFY2(out, type.constData());
        QVERIFY(!out->contains(canary));
        QVERIFY(!out->contains("<script"));
        // Well formed to its last byte (nothing after IEND), and no chunk but the picture's
        // own: no tEXt, iTXt, zTXt, eXIf, iCCP or tIME.
        const QList<QByteArray> chunks = pngChunkTypes(*out);
        QVERIFY2(!chunks.isEmpty(), "not a well-formed PNG");
        QCOMPARE(chunks.first(), "IHDR"_ba);
        QCOMPARE(chunks.last(), "IEND"_ba);
        for (const QByteArray &chunk : chunks)
            QVERIFY2(chunk == "IHDR" || chunk == "IDAT" || chunk == "IEND" || chunk == "pHYs",
                     chunk.constData());
    }
}

void TestAvatarImage::keepsTransparency()
{
    // Exactly the stored size (not scaled), fully transparent, a colour hidden under it.
    QImage clear(AvatarImage::Side, AvatarImage::Side, QImage::Format_ARGB32);
    clear.fill(qRgba(255, 0, 0, 0));
    const AvatarImage::Result result
            = AvatarImage::normalize(encodeImage(clear, "png"), "image/png");
    const auto *png = std::get_if<QByteArray>(&result);
    QVERIFY(png);
    const QImage image = decodeImage(*png, "png");
    QVERIFY(image.hasAlphaChannel());
    QCOMPARE(qAlpha(image.pixel(128, 128)), 0);
    QCOMPARE(qRed(image.pixel(128, 128)), 0);
}

void TestAvatarImage::textChunksAreNeverInflated()
{
    // 40 zTXt chunks of 7 MB each (libpng's limit is 8 MB a chunk) in a file of a few
    // hundred KB: libpng inflates them all while reading the header, and Qt copies them as
    // text, gigabytes before the picture's size could be checked.
    const QByteArray bomb
            = withPngTextBombs(encodeImage(bandedImage({ 16, 16 }), "png"), 40, 7'000'000);
    QVERIFY(bomb.size() < 1024 * 1024);
    const qint64 peakBefore = processMemoryKiB(QCoreApplication::applicationPid(), "VmHWM");
    const AvatarImage::Result result = AvatarImage::normalize(bomb, "image/png");
    const qint64 peakAfter = processMemoryKiB(QCoreApplication::applicationPid(), "VmHWM");
    QVERIFY(std::holds_alternative<QByteArray>(result));
    QVERIFY2(peakAfter - peakBefore < 64 * 1024,
             qPrintable(u"peak grew by %1 KiB"_s.arg(peakAfter - peakBefore)));
}

QTEST_GUILESS_MAIN(TestAvatarImage)
#include "tst_avatarimage.moc"
