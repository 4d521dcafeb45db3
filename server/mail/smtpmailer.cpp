#include "smtpmailer.h"

#include "curllibrary.h"
#include "mailmessage.h"

#include <QHostAddress>

#include <curl/curl.h>

#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

bool isLoopbackHost(const QString &host)
{
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// The message, handed to libcurl in pieces as it asks for them.
struct Upload
{
    QByteArray data;
    qsizetype offset = 0;
};

size_t readUpload(char *buffer, size_t size, size_t count, void *userData)
{
    auto *upload = static_cast<Upload *>(userData);
    const qsizetype room = qsizetype(size * count);
    const qsizetype chunk = std::min(room, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.constData() + upload->offset, size_t(chunk));
    upload->offset += chunk;
    return size_t(chunk);
}

struct CurlEasyDeleter
{
    void operator()(CURL *curl) const { curl_easy_cleanup(curl); }
};

struct SlistDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

} // namespace

std::optional<SmtpConfig> SmtpConfig::parse(const QString &url, const QByteArray &password,
                                            const QString &tls, const QString &caFile,
                                            QString *error)
{
    SmtpConfig config;
    config.url = QUrl(url, QUrl::StrictMode);
    config.password = password;
    config.caFile = caFile;
    const QString scheme = config.url.scheme().toLower();
    if (!config.url.isValid() || (scheme != u"smtp" && scheme != u"smtps")) {
        *error = u"smtp_url must be smtp://[user@]host[:port] or smtps://..."_s;
        return std::nullopt;
    }
    if (config.url.host().isEmpty() || !config.url.password().isEmpty()
        || (!config.url.path().isEmpty() && config.url.path() != u"/") || config.url.hasQuery()
        || config.url.hasFragment()) {
        *error = u"smtp_url must be smtp://[user@]host[:port] (the password goes in "
                 "smtp_password)"_s;
        return std::nullopt;
    }
    if (!password.isEmpty() && config.url.userName().isEmpty()) {
        *error = u"smtp_password is set but smtp_url names no user"_s;
        return std::nullopt;
    }
    if (tls == u"required") {
        config.tls = Tls::Required;
    } else if (tls == u"none") {
        if (scheme == u"smtps" || !isLoopbackHost(config.url.host())) {
            *error = u"smtp_tls=none is only for an smtp:// server on this machine (loopback); "
                     "mail to %1 goes over TLS"_s.arg(config.url.host());
            return std::nullopt;
        }
        config.tls = Tls::None;
    } else {
        *error = u"smtp_tls must be required or none"_s;
        return std::nullopt;
    }
    if (config.url.port() < 0)
        config.url.setPort(scheme == u"smtps" ? 465 : 587);
    return config;
}

SmtpMailer::SmtpMailer(SmtpConfig config) : m_config(std::move(config)) { }

QString SmtpMailer::destination() const
{
    QUrl shown = m_config.url;
    shown.setPath({});
    return shown.toString(QUrl::RemovePassword);
}

void SmtpMailer::send(const MailMessage &message) const
{
    initialiseCurl();
    std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
    if (!curl)
        throw MailError(MailError::Kind::Temporary, u"libcurl could not start a transfer"_s);
    CURL *handle = curl.get();
    // The path of an SMTP URL is the name given in EHLO.
    QUrl target = m_config.url;
    target.setUserInfo({});
    const QString ehlo = m_config.ehloName.isEmpty() ? message.from.domain() : m_config.ehloName;
    target.setPath(u'/' + ehlo);
    const QByteArray url = target.toEncoded();
    const QByteArray user = m_config.url.userName().toUtf8();
    const QByteArray caFile = m_config.caFile.toUtf8();
    const QByteArray from = '<' + message.from.address.toLatin1() + '>';
    const QByteArray to = '<' + message.to.address.toLatin1() + '>';
    std::unique_ptr<curl_slist, SlistDeleter> recipients(
            curl_slist_append(nullptr, to.constData()));
    Upload upload{ message.toBytes(), 0 };
    char errorText[CURL_ERROR_SIZE] = {};

    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    if (m_config.url.scheme().toLower() == u"smtp")
        curl_easy_setopt(
                handle, CURLOPT_USE_SSL,
                long(m_config.tls == SmtpConfig::Tls::Required ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    if (!user.isEmpty()) {
        curl_easy_setopt(handle, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(handle, CURLOPT_PASSWORD, m_config.password.constData());
    }
    if (!caFile.isEmpty())
        curl_easy_setopt(handle, CURLOPT_CAINFO, caFile.constData());
    curl_easy_setopt(handle, CURLOPT_MAIL_FROM, from.constData());
    curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, readUpload);
    curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.data.size()));
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, m_config.connectTimeoutSeconds);
    curl_easy_setopt(handle, CURLOPT_SERVER_RESPONSE_TIMEOUT, m_config.replyTimeoutSeconds);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, m_config.totalTimeoutSeconds);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorText);

    const CURLcode result = curl_easy_perform(handle);
    if (result == CURLE_OK)
        return;
    long reply = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply);
    const QString detail = QString::fromUtf8(errorText[0] ? errorText : curl_easy_strerror(result));
    // A reply code is the server's answer only after these results (a stale one otherwise:
    // the greeting's, or EHLO's).
    const bool answered = result == CURLE_SEND_ERROR || result == CURLE_WEIRD_SERVER_REPLY
            || result == CURLE_LOGIN_DENIED;
    const int code = answered ? int(reply) : 0;
    // A refused login is the operator's to fix (smtp_password), not the message's fault: kept
    // for a retry rather than given up with every other message.
    const bool permanent = answered && result != CURLE_LOGIN_DENIED && reply >= 500 && reply < 600;
    throw MailError(permanent ? MailError::Kind::Permanent : MailError::Kind::Temporary,
                    code ? u"SMTP %1: %2"_s.arg(code).arg(detail) : u"SMTP: "_s + detail, code);
}

} // namespace Tasklane
