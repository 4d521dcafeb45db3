#pragma once

#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

namespace Tasklane::Test {

// A fake SMS provider for a test (tests/support/smsprovider.py) on a free loopback port: it
// checks the basic authentication and keeps what it was sent. Numbers starting +1555000 are
// refused for good (400), +1555999 for now (503).
class SmsTestProvider
{
public:
    static constexpr const char *Account = "AC-test";
    static constexpr const char *Token = "sms-token-for-tests";

    SmsTestProvider() = default;
    ~SmsTestProvider();
    Q_DISABLE_COPY_MOVE(SmsTestProvider)

    bool start();
    QString url() const;
    // tasklaned's arguments for this provider (sms_url, sms_account, sms_from; the token
    // through TASKLANE_SMS_TOKEN, see token()).
    QStringList serverArguments() const;
    // What it was sent, oldest first: {to, from, body, status, authorized}.
    QList<QJsonObject> messages() const;

private:
    QTemporaryDir m_folder;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace Tasklane::Test
