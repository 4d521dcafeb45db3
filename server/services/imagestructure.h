#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace Tasklane {

// Checks of an image file's structure made before any decoder sees it, for what the decoders
// do not bound themselves. Pure; safe from any thread.
namespace ImageStructure {

// The most compressed bytes of an ICC profile kept in a PNG (libpng inflates it, up to 8 MB).
constexpr qsizetype MaxPngProfileBytes = 64 * 1024;
// The most scans a JPEG may have. A progressive JPEG has about ten; libjpeg decodes any
// number (warning only when they repeat), each over the whole picture, so a small file of
// thousands of scans takes minutes.
constexpr int MaxJpegScans = 100;

// A PNG of only the chunks that draw its picture: IHDR, PLTE, tRNS, IDAT, IEND, and the
// colour chunks gAMA, cHRM, sRGB, sBIT and one iCCP of at most MaxPngProfileBytes; nothing
// after IEND. libpng inflates every zTXt and iTXt chunk (up to 8 MB each, any number of them)
// while it reads the header, before the picture's size can be checked, so the text chunks are
// dropped first. nullopt when the chunks are malformed (a length past the end, no IHDR first).
std::optional<QByteArray> picturePngChunks(QByteArrayView png);

// How many scans (SOS segments) a JPEG has, counted up to MaxJpegScans + 1; nullopt when its
// segments are malformed.
std::optional<int> jpegScanCount(QByteArrayView jpeg);

} // namespace ImageStructure

} // namespace Tasklane
