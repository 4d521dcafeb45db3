#include "curllibrary.h"

#include <curl/curl.h>

#include <csignal>
#include <mutex>

namespace Tasklane {

void initialiseCurl()
{
    static std::once_flag once;
    std::call_once(once, [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        std::signal(SIGPIPE, SIG_IGN);
    });
}

} // namespace Tasklane
