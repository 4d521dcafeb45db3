#include "imagefixtures.h"

#include <QBuffer>
#include <QImageReader>
#include <QImageWriter>
#include <QtEndian>

#include <array>

namespace Tasklane::Test {

namespace {
// CRC-32 as PNG chunks use it (ISO 3309, the polynomial of zlib's crc32()).
quint32 crc32(QByteArrayView bytes)
{
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> t{};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    quint32 c = 0xffffffffu;
    for (const char byte : bytes)
        c = table[(c ^ quint8(byte)) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

QByteArray bigEndian(quint32 value)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray chunk(const QByteArray &type, const QByteArray &data)
{
    return bigEndian(quint32(data.size())) + type + data
            + bigEndian(crc32(QByteArray(type + data)));
}

const QByteArray PngSignature("\x89PNG\r\n\x1a\n", 8);
} // namespace

QByteArray encodeImage(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    return writer.write(image) ? bytes : QByteArray();
}

QImage decodeImage(const QByteArray &bytes, const char *format)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, format);
    return reader.read();
}

QByteArray encodeProgressiveJpeg(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "jpeg");
    writer.setProgressiveScanWrite(true);
    return writer.write(image) ? bytes : QByteArray();
}

QImage bandedImage(QSize size)
{
    QImage image(size, QImage::Format_RGB32);
    const int third = size.width() / 3;
    for (int y = 0; y < size.height(); ++y) {
        auto *row = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < size.width(); ++x)
            row[x] = x < third                 ? qRgb(255, 0, 0)
                    : x < size.width() - third ? qRgb(0, 255, 0)
                                               : qRgb(0, 0, 255);
    }
    return image;
}

QList<QByteArray> pngChunkTypes(const QByteArray &png)
{
    if (!png.startsWith(PngSignature))
        return {};
    QList<QByteArray> types;
    qsizetype at = PngSignature.size();
    while (at + 12 <= png.size()) {
        const quint32 length = qFromBigEndian<quint32>(png.constData() + at);
        if (qsizetype(length) > png.size() - at - 12)
            return {};
        types.append(png.mid(at + 4, 4));
        at += 12 + qsizetype(length);
    }
    return at == png.size() ? types : QList<QByteArray>();
}

QByteArray withPngSize(QByteArray png, quint32 width, quint32 height)
{
    // The signature, then IHDR: length (4), "IHDR", width (4), height (4), 5 more bytes, CRC.
    constexpr qsizetype Ihdr = 8;
    qToBigEndian(width, png.data() + Ihdr + 8);
    qToBigEndian(height, png.data() + Ihdr + 12);
    qToBigEndian(crc32(QByteArrayView(png).sliced(Ihdr + 4, 17)), png.data() + Ihdr + 21);
    return png;
}

QByteArray greyPngBomb(quint32 side)
{
    // Each row: filter type 0 and `side` zero bytes.
    const QByteArray raw(qsizetype(side + 1) * side, '\0');
    // qCompress's output is a 4-byte length and then a zlib stream, which IDAT holds.
    const QByteArray zlib = qCompress(raw, 9).sliced(4);
    QByteArray header = bigEndian(side) + bigEndian(side);
    header += QByteArray("\x08\x00\x00\x00\x00", 5); // 8-bit grey, no interlace
    return PngSignature + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", {});
}

QByteArray withJpegSize(QByteArray jpeg, quint16 width, quint16 height)
{
    // Markers after SOI; SOF0/SOF2 hold precision (1), height (2), width (2).
    qsizetype at = 2;
    while (at + 4 <= jpeg.size() && quint8(jpeg.at(at)) == 0xff) {
        const quint8 marker = quint8(jpeg.at(at + 1));
        const quint16 length = qFromBigEndian<quint16>(jpeg.constData() + at + 2);
        if (marker == 0xc0 || marker == 0xc2) {
            qToBigEndian(height, jpeg.data() + at + 5);
            qToBigEndian(width, jpeg.data() + at + 7);
            return jpeg;
        }
        at += 2 + length;
    }
    return {};
}

QByteArray withPngChunk(const QByteArray &png, const QByteArray &type, const QByteArray &data,
                        int times)
{
    constexpr qsizetype AfterIhdr = 8 + 25;
    return png.first(AfterIhdr) + chunk(type, data).repeated(times) + png.sliced(AfterIhdr);
}

QByteArray withPngText(const QByteArray &png, const QByteArray &key, const QByteArray &text)
{
    return withPngChunk(png, "tEXt", key + '\0' + text);
}

QByteArray withPngTextBombs(const QByteArray &png, int count, qsizetype inflatedBytes)
{
    // Keyword, its NUL, compression method 0 (zlib), the compressed text.
    const QByteArray text
            = QByteArray("Comment\0\0", 9) + qCompress(QByteArray(inflatedBytes, 'a'), 9).sliced(4);
    return withPngChunk(png, "zTXt", text, count);
}

QByteArray withRepeatedJpegScans(const QByteArray &progressiveJpeg, int extraScans)
{
    // Inside a scan's coded data a 0xff is always followed by 0x00 or a restart marker, so
    // the last ff da is the last scan's start; the file ends with EOI (ff d9).
    const qsizetype lastScan = progressiveJpeg.lastIndexOf("\xff\xda");
    if (lastScan < 0 || !progressiveJpeg.endsWith("\xff\xd9"))
        return {};
    const QByteArray scan = progressiveJpeg.sliced(lastScan, progressiveJpeg.size() - 2 - lastScan);
    return progressiveJpeg.first(progressiveJpeg.size() - 2) + scan.repeated(extraScans)
            + "\xff\xd9";
}

} // namespace Tasklane::Test
