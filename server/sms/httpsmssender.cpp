#include "httpsmssender.h"

#include "curllibrary.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <curl/curl.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

struct CurlDeleter
{
    void operator()(CURL *handle) const { curl_easy_cleanup(handle); }
};

size_t collect(char *buffer, size_t size, size_t count, void *data)
{
    auto *body = static_cast<QByteArray *>(data);
    if (body->size() < 64 * 1024) // an answer is a few hundred bytes; keep no more than this
        body->append(buffer, qsizetype(size * count));
    return size * count;
}

QByteArray formValue(const QString &value)
{
    return QUrl::toPercentEncoding(value);
}

} // namespace

std::optional<SmsProviderConfig> SmsProviderConfig::parse(const QString &url,
                                                          const QString &account,
                                                          const QByteArray &token,
                                                          const QString &from, QString *error)
{
    const auto refuse = [error](const QString &why) -> std::optional<SmsProviderConfig> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    SmsProviderConfig config;
    config.url = QUrl(url, QUrl::StrictMode);
    if (!config.url.isValid() || config.url.host().isEmpty() || !config.url.userInfo().isEmpty()
        || (config.url.scheme() != u"https" && config.url.scheme() != u"http"))
        return refuse(u"sms_url must be https://host/path (the provider's messages endpoint)"_s);
    if (config.url.scheme() == u"http" && !QHostAddress(config.url.host()).isLoopback()
        && config.url.host() != u"localhost")
        return refuse(u"sms_url must be https:// (http:// only for a provider on loopback)"_s);
    if (account.isEmpty() || token.isEmpty())
        return refuse(u"sms_url needs sms_account and sms_token"_s);
    if (from.isEmpty())
        return refuse(u"sms_url needs sms_from, the sender number"_s);
    config.account = account;
    config.token = token;
    config.from = from;
    return config;
}

QString HttpSmsSender::send(const QString &to, const QString &text) const
{
    initialiseCurl();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl)
        throw SmsError(u"cannot start an SMS request"_s, false);
    CURL *handle = curl.get();
    const bool whatsapp = m_config.from.startsWith(u"whatsapp:"_s);
    const QByteArray form = "To=" + formValue(whatsapp ? u"whatsapp:"_s + to : to)
            + "&From=" + formValue(m_config.from) + "&Body=" + formValue(text);
    const QByteArray url = m_config.url.toEncoded();
    const QByteArray account = m_config.account.toUtf8();
    QByteArray answer;
    char errorText[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(handle, CURLOPT_USERNAME, account.constData());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, m_config.token.constData());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, form.constData());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(form.size()));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, long(m_config.timeoutSeconds));
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorText);
    const CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK)
        throw SmsError(u"the SMS provider did not answer: %1"_s.arg(QString::fromUtf8(
                               errorText[0] ? errorText : curl_easy_strerror(code))),
                       false);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
        const QJsonObject body = QJsonDocument::fromJson(answer).object();
        return body.value(u"sid"_s).toString(body.value(u"id"_s).toString());
    }
    // The provider's own words, briefly: its error says which number or field it refused.
    const QString said = QString::fromUtf8(answer.left(300)).simplified();
    throw SmsError(u"the SMS provider answered %1: %2"_s.arg(status).arg(said),
                   status != 429 && status < 500);
}

QString HttpSmsSender::destination() const
{
    return m_config.url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
}

} // namespace Tasklane
