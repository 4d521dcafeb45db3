#pragma once

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <utility>

namespace Tasklane::Test {

// A message as the SMTP server stored it, taken apart: headers unfolded and RFC 2047-decoded,
// the text and HTML parts decoded from their transfer encoding.
struct ReceivedMail
{
    QByteArray raw;
    QList<std::pair<QByteArray, QByteArray>> rawHeaders; // as received (unfolded)
    QString text;
    QString html;

    // The first header of that name, decoded; empty if none.
    QString header(const QByteArray &name) const;
    int headerCount(const QByteArray &name) const;
    static ReceivedMail parse(const QByteArray &raw);
    static QString decodeHeader(const QByteArray &value);
    // The .eml files of a folder (tasklaned's outbox), oldest first.
    static QList<ReceivedMail> readFolder(const QString &folder);
};

// A real SMTP server for a test (aiosmtpd, tests/support/smtpserver.py) on a free loopback
// port, keeping what it accepts in a Maildir of the test's own. TLS modes use a self-signed
// certificate for localhost and 127.0.0.1 (certificateFile(): the CA file to trust).
class SmtpTestServer
{
public:
    struct Options
    {
        QString mode = QStringLiteral("plain"); // plain, starttls or smtps
        QString user; // set: AUTH required
        QString password;
        double dataDelaySeconds = 0; // how long the server thinks before accepting a message
    };

    SmtpTestServer();
    explicit SmtpTestServer(Options options);
    ~SmtpTestServer();

    bool start();
    void stop();
    quint16 port() const { return m_port; }
    // smtp://[user@]127.0.0.1:port, or smtps://... in smtps mode.
    QString url() const;
    QString certificateFile() const;
    QString maildir() const;
    // Every message received so far, oldest first.
    QList<ReceivedMail> messages() const;

private:
    Options m_options;
    QTemporaryDir m_folder;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace Tasklane::Test
