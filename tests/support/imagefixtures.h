#pragma once

#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QList>
#include <QSize>

namespace Tasklane::Test {

// `image` encoded in `format` ("png", "jpeg", "webp") by Qt; empty if Qt cannot.
QByteArray encodeImage(const QImage &image, const char *format);
// `bytes` decoded as `format` by Qt; a null image if they are not one.
QImage decodeImage(const QByteArray &bytes, const char *format);
// `image` as a progressive JPEG.
QByteArray encodeProgressiveJpeg(const QImage &image);
// A picture of `size` in three vertical bands, red, green and blue from left to right (so a
// centre crop of a wide one is green).
QImage bandedImage(QSize size);

// The chunk types of a PNG file, in order ("IHDR", "IDAT", ..., "IEND"); empty if the bytes
// are not a well-formed PNG (bad signature, a chunk running past the end).
QList<QByteArray> pngChunkTypes(const QByteArray &png);
// A PNG's own header rewritten to claim width × height, its CRC recomputed so that a decoder
// believes it: a small file declaring a huge picture.
QByteArray withPngSize(QByteArray png, quint32 width, quint32 height);
// A valid PNG of side × side black 8-bit grey pixels, highly compressed: a real decompression
// bomb (10,000 pixels a side is 100 KB on disk and 400 MB decoded as ARGB32).
QByteArray greyPngBomb(quint32 side);
// A JPEG's start-of-frame rewritten to claim width × height (at most 65,535 each).
QByteArray withJpegSize(QByteArray jpeg, quint16 width, quint16 height);
// A PNG with a chunk of `type` and `data` after its header, `times` times.
QByteArray withPngChunk(const QByteArray &png, const QByteArray &type, const QByteArray &data,
                        int times = 1);
// A PNG with a tEXt chunk of `key` and `text` after its header.
QByteArray withPngText(const QByteArray &png, const QByteArray &key, const QByteArray &text);
// A PNG with `count` zTXt chunks, each inflating to `inflatedBytes` (a text-chunk bomb).
QByteArray withPngTextBombs(const QByteArray &png, int count, qsizetype inflatedBytes);
// A progressive JPEG (as Qt writes it) with its last scan repeated `extraScans` times.
QByteArray withRepeatedJpegScans(const QByteArray &progressiveJpeg, int extraScans);

} // namespace Tasklane::Test
