#include "pushsender.h"

#include "curllibrary.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

struct CurlDeleter
{
    void operator()(CURL *handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

struct Exchange
{
    const PushEndpointPolicy *policy = nullptr;
    QByteArray refusedAddress;
    qint64 retryAfter = -1;
};

// Before the request goes out on a connection: is its peer an address we may talk to?
int checkPeer(void *data, char *primaryIp, char *, int, int)
{
    auto *exchange = static_cast<Exchange *>(data);
    const QHostAddress address(QString::fromLatin1(primaryIp));
    if (!exchange->policy->mayConnectTo(address)) {
        exchange->refusedAddress = primaryIp;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

size_t readHeader(char *buffer, size_t size, size_t count, void *data)
{
    auto *exchange = static_cast<Exchange *>(data);
    const QByteArray line = QByteArray(buffer, qsizetype(size * count)).trimmed();
    const qsizetype colon = line.indexOf(':');
    if (colon > 0 && line.left(colon).trimmed().toLower() == "retry-after") {
        bool ok = false;
        const qint64 seconds = line.mid(colon + 1).trimmed().toLongLong(&ok);
        if (ok && seconds >= 0)
            exchange->retryAfter = seconds;
    }
    return size * count;
}

size_t discardBody(char *, size_t size, size_t count, void *)
{
    return size * count; // a push service's answer body says nothing we act on
}

} // namespace

PushSender::PushSender(PushEndpointPolicy policy, int timeoutSeconds)
    : m_policy(policy), m_timeoutSeconds(timeoutSeconds)
{ }

PushResponse PushSender::send(const PushRequest &request) const
{
    initialiseCurl();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl)
        throw PushTransportError("cannot start a push request");
    CURL *handle = curl.get();
    const QByteArray url = request.endpoint.toUtf8();
    std::unique_ptr<curl_slist, ListDeleter> headers;
    const auto addHeader = [&headers](const QByteArray &header) {
        headers.reset(curl_slist_append(headers.release(), header.constData()));
    };
    addHeader("Authorization: " + request.authorization);
    addHeader("TTL: " + QByteArray::number(request.ttlSeconds));
    addHeader("Content-Encoding: aes128gcm");
    addHeader("Content-Type: application/octet-stream");
    addHeader("Urgency: " + request.urgency);
    if (!request.topic.isEmpty())
        addHeader("Topic: " + request.topic);
    addHeader("Expect:"); // no 100-continue round trip for a few hundred bytes

    Exchange exchange;
    exchange.policy = &m_policy;
    char errorText[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR,
                     m_policy.allowsLoopback() ? "http,https" : "https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.constData());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, checkPeer);
    curl_easy_setopt(handle, CURLOPT_PREREQDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, readHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, discardBody);
    curl_easy_setopt(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, long(m_timeoutSeconds));
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorText);
    const CURLcode code = curl_easy_perform(handle);
    if (!exchange.refusedAddress.isEmpty())
        throw PushTransportError("refused to send to " + exchange.refusedAddress.toStdString()
                                 + ": not a public address");
    if (code != CURLE_OK)
        throw PushTransportError(std::string("push request failed: ")
                                 + (errorText[0] ? errorText : curl_easy_strerror(code)));
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return { int(status), exchange.retryAfter };
}

} // namespace Tasklane
