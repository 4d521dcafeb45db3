#include "localtimezone.h"

#include <QByteArray>

#include <time.h>

namespace Tasklane {

void pinLocalTimeZone()
{
    if (qEnvironmentVariableIsSet("TZ"))
        return;
    // The leading colon: the rest names a zone file (POSIX leaves it to the implementation;
    // glibc reads the file), the same one glibc reads when TZ is unset.
    qputenv("TZ", QByteArrayLiteral(":/etc/localtime"));
    tzset();
}

} // namespace Tasklane
