#pragma once

#include "mailer.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>

namespace Tasklane {

// How to reach the mail server (settings smtp_url, smtp_password, smtp_tls, smtp_ca_file).
struct SmtpConfig
{
    enum class Tls {
        Required, // smtp://: STARTTLS or nothing is sent; smtps://: TLS from the start
        None, // plain text, accepted only for a mail server on this machine (loopback)
    };

    QUrl url; // smtp://[user@]host[:port] or smtps://...; the user name authenticates
    QByteArray password;
    Tls tls = Tls::Required;
    QString caFile; // a private CA's certificates (PEM); empty: the system's
    QString ehloName; // how this server names itself in EHLO
    long connectTimeoutSeconds = 10;
    long replyTimeoutSeconds = 30; // per SMTP reply
    long totalTimeoutSeconds = 120; // the whole message

    // The configuration, or nullopt with the reason in `error`: an unknown scheme, no host, a
    // path or query, TLS off for a host that is not loopback, a password without a user name.
    static std::optional<SmtpConfig> parse(const QString &url, const QByteArray &password,
                                           const QString &tls, const QString &caFile,
                                           QString *error);
};

// Sends each message in an SMTP session of its own through libcurl: TLS as configured
// (certificates checked), authentication when a user name is given, one recipient a message.
// A 5xx reply to the sender, the recipient or the message is a permanent failure; everything
// else (4xx replies, refused logins, network failures, timeouts) is worth retrying.
class SmtpMailer final : public Mailer
{
public:
    explicit SmtpMailer(SmtpConfig config);

    void send(const MailMessage &message) const override;
    QString destination() const override;

private:
    SmtpConfig m_config;
};

} // namespace Tasklane
