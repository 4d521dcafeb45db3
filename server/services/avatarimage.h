#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <variant>

namespace Tasklane {

// A profile picture as uploaded (PNG, JPEG or WebP) turned into what is stored and served: a
// square PNG of Side × Side pixels, drawn anew from the decoded pixels, so that nothing of the
// upload but its picture survives (no metadata, no trailing bytes, no second format hidden in
// it). Pure: no I/O beyond the bytes given; safe from any thread.
class AvatarImage
{
public:
    static constexpr int Side = 256;
    // The most pixels an upload may declare in its header. Checked before anything is decoded,
    // so that a small file claiming a huge picture (a decompression bomb) costs nothing. 16
    // megapixels takes a 12-megapixel phone photo (4032 x 3024); a larger photo seldom fits in
    // the 5 MiB an upload may have anyway. Decoding one takes up to about 150 MB (a PNG or WebP
    // is decoded whole, 4 bytes a pixel, or 8 for a 16-bit PNG, then cropped; a progressive
    // JPEG keeps its coefficients too); a baseline JPEG is decoded at a reduced scale (libjpeg's
    // DCT scaling) and needs far less. AvatarService bounds how many run at once.
    static constexpr qint64 MaxPixels = 16'000'000;
    // Qt's own cap on one decode's image, in MiB: a 16-bit PNG at MaxPixels fits (122 MiB).
    static constexpr int AllocationLimitMiB = 128;

    enum class Format { Png, Jpeg, WebP };

    enum class Refusal {
        UnsupportedType, // the bytes are not PNG, JPEG or WebP (or the declared type is not one)
        TypeMismatch, // the bytes are one of them, but not the one the declared type names
        TooManyPixels, // the header declares more than MaxPixels
        TooManyScans, // a JPEG of more than ImageStructure::MaxJpegScans scans
        Undecodable, // the header or the picture is malformed or truncated
    };
    struct Rejected
    {
        Refusal refusal;
        QString detail; // for people
    };
    using Result = std::variant<QByteArray, Rejected>; // the PNG, or why not

    // The format the bytes begin with (their magic number), if one of the three.
    static std::optional<Format> sniff(QByteArrayView bytes);
    // The format a Content-Type names (parameters ignored, case-insensitive): image/png,
    // image/jpeg, image/webp.
    static std::optional<Format> fromMediaType(QByteArrayView contentType);
    static QByteArray mediaType(Format format);

    // Checks the declared type against the bytes, their structure (ImageStructure: a PNG's
    // text chunks are dropped unread, a JPEG's scans counted), the header's size against
    // MaxPixels, then decodes (applying an EXIF orientation), converts to sRGB, crops the centre
    // square and scales it to Side × Side.
    static Result normalize(QByteArrayView bytes, QByteArrayView declaredContentType);
};

} // namespace Tasklane
