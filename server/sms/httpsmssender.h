#pragma once

#include "smssender.h"

#include <QByteArray>
#include <QUrl>

#include <optional>

namespace Tasklane {

// Where and how to reach an HTTP SMS provider (settings sms_url, sms_account, sms_token,
// sms_from): https://, or http:// to a provider on this machine (loopback) only.
struct SmsProviderConfig
{
    QUrl url;
    QString account;
    QByteArray token;
    QString from; // the sender number or name the provider knows
    int timeoutSeconds = 15;

    // nullopt with one sentence in *error when the settings do not make a provider.
    static std::optional<SmsProviderConfig> parse(const QString &url, const QString &account,
                                                  const QByteArray &token, const QString &from,
                                                  QString *error);
};

// The provider most SMS APIs resemble: a form POST (To, From, Body) to `url` with HTTP basic
// authentication (account, token), answered 2xx with a JSON body whose "sid" or "id" names the
// message. A "whatsapp:" prefix on `from` is carried over to the recipient, the way such APIs
// take WhatsApp messages. 429 and 5xx are temporary; other 4xx permanent.
class HttpSmsSender final : public SmsSender
{
public:
    explicit HttpSmsSender(SmsProviderConfig config) : m_config(std::move(config)) { }
    QString send(const QString &to, const QString &text) const override;
    QString destination() const override;

private:
    SmsProviderConfig m_config;
};

} // namespace Tasklane
