#include "avatarimage.h"

#include "imagestructure.h"

#include <QBuffer>
#include <QColorSpace>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>

#include <cstring>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

QByteArray readerFormat(AvatarImage::Format format)
{
    switch (format) {
    case AvatarImage::Format::Png: return "png";
    case AvatarImage::Format::Jpeg: return "jpeg";
    case AvatarImage::Format::WebP: return "webp";
    }
    return {};
}

AvatarImage::Rejected rejected(AvatarImage::Refusal refusal, QString detail)
{
    return { refusal, std::move(detail) };
}

// A new image of the same pixels and nothing else: QImage carries text (PNG tEXt chunks, JPEG
// comments), a colour space (an ICC profile) and a resolution from the file it was read from,
// and the PNG writer writes them back. Copying the scan lines into a fresh image leaves them
// behind. Premultiplying on the way zeroes the colour of fully transparent pixels, which
// could otherwise carry data no viewer shows.
QImage pixelsOnly(const QImage &image)
{
    const QImage::Format format
            = image.hasAlphaChannel() ? QImage::Format_ARGB32 : QImage::Format_RGB32;
    const QImage source = image.hasAlphaChannel()
            ? image.convertToFormat(QImage::Format_ARGB32_Premultiplied).convertToFormat(format)
            : image.convertToFormat(format);
    QImage clean(source.size(), format);
    const auto rowBytes = size_t(source.width()) * 4;
    for (int y = 0; y < source.height(); ++y)
        std::memcpy(clean.scanLine(y), source.constScanLine(y), rowBytes);
    return clean;
}

} // namespace

std::optional<AvatarImage::Format> AvatarImage::sniff(QByteArrayView bytes)
{
    if (bytes.startsWith("\x89PNG\r\n\x1a\n"))
        return Format::Png;
    if (bytes.startsWith("\xff\xd8\xff"))
        return Format::Jpeg;
    if (bytes.size() >= 12 && bytes.startsWith("RIFF") && bytes.sliced(8, 4) == "WEBP")
        return Format::WebP;
    return std::nullopt;
}

std::optional<AvatarImage::Format> AvatarImage::fromMediaType(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray type = (semicolon < 0 ? contentType : contentType.first(semicolon))
                                    .trimmed()
                                    .toByteArray()
                                    .toLower();
    if (type == "image/png")
        return Format::Png;
    if (type == "image/jpeg")
        return Format::Jpeg;
    if (type == "image/webp")
        return Format::WebP;
    return std::nullopt;
}

QByteArray AvatarImage::mediaType(Format format)
{
    return "image/" + readerFormat(format);
}

AvatarImage::Result AvatarImage::normalize(QByteArrayView bytes, QByteArrayView declaredContentType)
{
    const auto declared = fromMediaType(declaredContentType);
    if (!declared)
        return rejected(Refusal::UnsupportedType,
                        u"Send a PNG, JPEG or WebP image, with Content-Type image/png, "
                        "image/jpeg or image/webp."_s);
    const auto actual = sniff(bytes);
    if (!actual)
        return rejected(Refusal::UnsupportedType, u"The body is not a PNG, JPEG or WebP image."_s);
    if (*actual != *declared)
        return rejected(Refusal::TypeMismatch,
                        u"The body is %1, not %2 as its Content-Type says."_s.arg(
                                QString::fromLatin1(mediaType(*actual)),
                                QString::fromLatin1(mediaType(*declared))));

    QByteArray data;
    if (*actual == Format::Png) {
        auto picture = ImageStructure::picturePngChunks(bytes);
        if (!picture)
            return rejected(Refusal::Undecodable, u"The PNG's chunks are malformed."_s);
        data = std::move(*picture);
    } else {
        if (*actual == Format::Jpeg) {
            const auto scans = ImageStructure::jpegScanCount(bytes);
            if (!scans)
                return rejected(Refusal::Undecodable, u"The JPEG's segments are malformed."_s);
            if (*scans > ImageStructure::MaxJpegScans)
                return rejected(
                        Refusal::TooManyScans,
                        u"The JPEG has more than %1 scans."_s.arg(ImageStructure::MaxJpegScans));
        }
        data = bytes.toByteArray();
    }
    QBuffer buffer(&data);
    buffer.open(QIODevice::ReadOnly);
    // The format is the one sniffed, and Qt may not guess another: a file that is two formats
    // at once is read as the one its magic number and Content-Type agree on, or not at all.
    QImageReader reader(&buffer, readerFormat(*actual));
    reader.setAutoDetectImageFormat(false);
    reader.setDecideFormatFromContent(false);
    reader.setAllocationLimit(AllocationLimitMiB);

    // The header alone: nothing is decoded before the size is known to be acceptable.
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return rejected(Refusal::Undecodable, u"The image's header cannot be read."_s);
    if (qint64(size.width()) * size.height() > MaxPixels)
        return rejected(Refusal::TooManyPixels,
                        u"The image is %1 × %2 pixels; at most %3 megapixels are accepted."_s.arg(
                                QString::number(size.width()), QString::number(size.height()),
                                QString::number(MaxPixels / 1'000'000)));

    // The centre square, decoded straight to Side × Side where the format can (JPEG), scaled
    // after decoding otherwise. The clip is in the stored orientation; a centred square stays
    // centred when the EXIF orientation turns it.
    const int side = std::min(size.width(), size.height());
    reader.setClipRect(QRect((size.width() - side) / 2, (size.height() - side) / 2, side, side));
    reader.setScaledSize(QSize(Side, Side));
    reader.setQuality(100); // smooth scaling
    reader.setAutoTransform(true);
    QImage image = reader.read();
    if (image.isNull())
        return rejected(Refusal::Undecodable,
                        u"The image cannot be decoded: %1."_s.arg(reader.errorString()));
    if (image.size() != QSize(Side, Side))
        image = image.scaled(Side, Side, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);

    if (!image.hasAlphaChannel() && image.format() != QImage::Format_RGB32)
        image.convertTo(QImage::Format_RGB32);
    else if (image.hasAlphaChannel() && image.format() != QImage::Format_ARGB32)
        image.convertTo(QImage::Format_ARGB32);
    // Stored pixels are sRGB, what a browser assumes of an untagged PNG.
    if (image.colorSpace().isValid() && image.colorSpace() != QColorSpace(QColorSpace::SRgb))
        image.convertToColorSpace(QColorSpace(QColorSpace::SRgb));

    QByteArray png;
    QBuffer output(&png);
    output.open(QIODevice::WriteOnly);
    QImageWriter writer(&output, "png");
    if (!writer.write(pixelsOnly(image)))
        return rejected(Refusal::Undecodable,
                        u"The image cannot be encoded: %1."_s.arg(writer.errorString()));
    return png;
}

} // namespace Tasklane
