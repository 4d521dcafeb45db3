#include "qrcodesvg.h"

#include <qrencode.h>

#include <memory>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString qrCodeSvg(const QByteArray &text)
{
    // casesensitive = 1: with 0 the library upper-cases letters, and a secret or a percent
    // escape would no longer read back as written.
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
            QRcode_encodeString(text.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
    if (!code)
        throw std::runtime_error("the text does not fit a QR code");
    constexpr int Quiet = 4; // modules of blank margin (ISO/IEC 18004)
    const int width = code->width;
    const int size = width + 2 * Quiet;
    QString path;
    // Bit 0 of each module's byte says dark; runs of dark modules in a row are one rectangle.
    const auto dark = [&](int x, int y) { return (code->data[y * width + x] & 1) != 0; };
    for (int y = 0; y < width; ++y) {
        for (int x = 0; x < width; ++x) {
            if (!dark(x, y))
                continue;
            int run = 1;
            while (x + run < width && dark(x + run, y))
                ++run;
            path += u"M%1 %2h%3v1h-%3z"_s.arg(x + Quiet).arg(y + Quiet).arg(run);
            x += run - 1;
        }
    }
    return u"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %1 %1\" "
           "shape-rendering=\"crispEdges\"><rect width=\"%1\" height=\"%1\" fill=\"#fff\"/>"
           "<path fill=\"#000\" d=\"%2\"/></svg>"_s.arg(size)
                   .arg(path);
}

} // namespace Tasklane
