#pragma once

#include <QByteArray>
#include <QString>

namespace Tasklane {

// `text` as a QR code (libqrencode, 8-bit mode, error correction M, the smallest version that
// holds it) drawn as an SVG document: one path of dark modules on a white square with the
// four-module quiet zone, to be scaled by whoever shows it. Throws std::runtime_error when the
// text does not fit a QR code.
QString qrCodeSvg(const QByteArray &text);

} // namespace Tasklane
