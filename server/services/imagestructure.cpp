#include "imagestructure.h"

#include <QtEndian>

namespace Tasklane::ImageStructure {

namespace {
const QByteArrayView PngSignature("\x89PNG\r\n\x1a\n", 8);

bool drawsThePicture(QByteArrayView type)
{
    return type == "IHDR" || type == "PLTE" || type == "tRNS" || type == "IDAT" || type == "IEND"
            || type == "gAMA" || type == "cHRM" || type == "sRGB" || type == "sBIT";
}

quint8 byteAt(QByteArrayView bytes, qsizetype at)
{
    return quint8(bytes[at]);
}
} // namespace

std::optional<QByteArray> picturePngChunks(QByteArrayView png)
{
    if (!png.startsWith(PngSignature))
        return std::nullopt;
    QByteArray kept = PngSignature.toByteArray();
    bool profileKept = false;
    qsizetype at = PngSignature.size();
    while (true) {
        // Length (4), type (4), data (length), CRC (4).
        if (png.size() - at < 12)
            return std::nullopt;
        const quint32 length = qFromBigEndian<quint32>(png.data() + at);
        if (length > quint32(png.size() - at - 12))
            return std::nullopt;
        const QByteArrayView type = png.sliced(at + 4, 4);
        if (at == PngSignature.size() && type != "IHDR")
            return std::nullopt;
        const QByteArrayView chunk = png.sliced(at, 12 + qsizetype(length));
        if (drawsThePicture(type)) {
            kept += chunk;
        } else if (type == "iCCP" && !profileKept && length <= MaxPngProfileBytes) {
            kept += chunk;
            profileKept = true;
        }
        at += chunk.size();
        if (type == "IEND")
            return kept;
    }
}

std::optional<int> jpegScanCount(QByteArrayView jpeg)
{
    if (!jpeg.startsWith("\xff\xd8"))
        return std::nullopt;
    const qsizetype size = jpeg.size();
    qsizetype at = 2;
    int scans = 0;
    while (at < size) {
        if (byteAt(jpeg, at) != 0xff)
            return std::nullopt;
        while (at + 1 < size && byteAt(jpeg, at + 1) == 0xff) // fill bytes
            ++at;
        if (at + 1 >= size)
            return std::nullopt;
        const quint8 marker = byteAt(jpeg, at + 1);
        at += 2;
        if (marker == 0xd9) // EOI: what follows is no part of the picture
            return scans;
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) // no length
            continue;
        if (size - at < 2)
            return std::nullopt;
        const quint16 length = qFromBigEndian<quint16>(jpeg.data() + at);
        if (length < 2 || length > size - at)
            return std::nullopt;
        at += length;
        if (marker != 0xda)
            continue;
        if (++scans > MaxJpegScans)
            return scans;
        // The entropy-coded data: up to the next marker. A 0xff in it is followed by a
        // stuffed 0x00, a restart marker, or more 0xff.
        while (at < size) {
            if (byteAt(jpeg, at) != 0xff || at + 1 >= size) {
                ++at;
                continue;
            }
            const quint8 next = byteAt(jpeg, at + 1);
            if (next == 0x00 || (next >= 0xd0 && next <= 0xd7))
                at += 2;
            else if (next == 0xff)
                ++at;
            else
                break;
        }
    }
    return scans; // no EOI: truncated, for the decoder to judge
}

} // namespace Tasklane::ImageStructure
