#pragma once

namespace Tasklane {

// libcurl's process-wide set-up (curl_global_init), for everything that talks through it
// (SmtpMailer, PushSender): once per process, before any thread uses it; each sender calls it
// too, for tests that do not go through main. Also ignores SIGPIPE for the whole process:
// libcurl is told not to use signals (its timeouts would otherwise raise SIGALRM in whichever
// thread), and then a peer closing a TLS connection would end the process with SIGPIPE while
// OpenSSL writes to it (libcurl-thread(3)). Qt's own sockets already write with MSG_NOSIGNAL,
// so nothing else changes.
void initialiseCurl();

} // namespace Tasklane
