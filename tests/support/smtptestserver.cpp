#include "smtptestserver.h"

#include "helperprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTcpServer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

namespace {

QByteArray unfold(const QByteArray &headers)
{
    QByteArray out = headers;
    out.replace("\r\n ", " ").replace("\r\n\t", " ").replace("\n ", " ").replace("\n\t", " ");
    return out;
}

QByteArray decodeTransfer(const QByteArray &body, const QByteArray &encoding)
{
    if (encoding.trimmed().toLower() == "base64")
        return QByteArray::fromBase64(QByteArray(body).replace("\r\n", "").replace("\n", ""));
    return body;
}

// Splits "headers CRLF CRLF body".
std::pair<QByteArray, QByteArray> splitEntity(const QByteArray &entity)
{
    qsizetype end = entity.indexOf("\r\n\r\n");
    qsizetype skip = 4;
    if (end < 0) {
        end = entity.indexOf("\n\n");
        skip = 2;
    }
    if (end < 0)
        return { entity, {} };
    return { entity.left(end), entity.mid(end + skip) };
}

QList<std::pair<QByteArray, QByteArray>> parseHeaders(const QByteArray &block)
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    for (QByteArray line : unfold(block).split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            headers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
    }
    return headers;
}

QByteArray headerOf(const QList<std::pair<QByteArray, QByteArray>> &headers, const QByteArray &name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace

QString ReceivedMail::decodeHeader(const QByteArray &value)
{
    static const QRegularExpression word(u"=\\?([^?]+)\\?([BbQq])\\?([^?]*)\\?="_s);
    QString text = QString::fromLatin1(value);
    // White space between two encoded words is not part of the text (RFC 2047, 6.2).
    text.replace(QRegularExpression(u"\\?=\\s+=\\?"_s), u"?==?"_s);
    QString out;
    qsizetype last = 0;
    auto it = word.globalMatch(text);
    QByteArray pending; // bytes of consecutive words: a character may span two
    while (it.hasNext()) {
        const auto match = it.next();
        if (match.capturedStart() > last) {
            out += QString::fromUtf8(pending);
            pending.clear();
            out += text.mid(last, match.capturedStart() - last);
        }
        pending += QByteArray::fromBase64(match.captured(3).toLatin1());
        last = match.capturedEnd();
    }
    out += QString::fromUtf8(pending);
    out += text.mid(last);
    return out;
}

ReceivedMail ReceivedMail::parse(const QByteArray &raw)
{
    ReceivedMail mail;
    mail.raw = raw;
    const auto [head, body] = splitEntity(raw);
    mail.rawHeaders = parseHeaders(head);
    const QByteArray type = headerOf(mail.rawHeaders, "Content-Type");
    static const QRegularExpression boundaryPattern(u"boundary=\"?([^\";]+)\"?"_s);
    const auto boundary = boundaryPattern.match(QString::fromLatin1(type));
    if (!boundary.hasMatch()) {
        mail.text = QString::fromUtf8(
                decodeTransfer(body, headerOf(mail.rawHeaders, "Content-Transfer-Encoding")));
        return mail;
    }
    const QByteArray separator = "--" + boundary.captured(1).toLatin1();
    qsizetype at = body.indexOf(separator);
    while (at >= 0) {
        const qsizetype start = body.indexOf('\n', at) + 1;
        const qsizetype next = body.indexOf(separator, start);
        if (start <= 0 || next < 0)
            break;
        const auto [partHead, partBody] = splitEntity(body.mid(start, next - start));
        const auto partHeaders = parseHeaders(partHead);
        const QByteArray partType = headerOf(partHeaders, "Content-Type").toLower();
        const QString decoded = QString::fromUtf8(
                decodeTransfer(partBody, headerOf(partHeaders, "Content-Transfer-Encoding")));
        if (partType.startsWith("text/plain"))
            mail.text = decoded;
        else if (partType.startsWith("text/html"))
            mail.html = decoded;
        at = next;
    }
    return mail;
}

QString ReceivedMail::header(const QByteArray &name) const
{
    return decodeHeader(headerOf(rawHeaders, name));
}

int ReceivedMail::headerCount(const QByteArray &name) const
{
    return int(std::count_if(rawHeaders.cbegin(), rawHeaders.cend(), [&name](const auto &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    }));
}

SmtpTestServer::SmtpTestServer() : SmtpTestServer(Options()) { }

SmtpTestServer::SmtpTestServer(Options options) : m_options(std::move(options)) { }

SmtpTestServer::~SmtpTestServer()
{
    stop();
}

void SmtpTestServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

QString SmtpTestServer::certificateFile() const
{
    return m_folder.filePath(u"cert.pem"_s);
}

QString SmtpTestServer::maildir() const
{
    return m_folder.filePath(u"mail"_s);
}

QString SmtpTestServer::url() const
{
    const QString user = m_options.user.isEmpty() ? QString() : m_options.user + u'@';
    const QString scheme = m_options.mode == u"smtps" ? u"smtps"_s : u"smtp"_s;
    return scheme + u"://"_s + user + u"127.0.0.1:"_s + QString::number(m_port);
}

bool SmtpTestServer::start()
{
    if (!m_folder.isValid())
        return false;
    if (m_options.mode != u"plain" && !QFileInfo::exists(certificateFile())) {
        QProcess openssl;
        openssl.start(u"openssl"_s,
                      { u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                        u"ec_paramgen_curve:P-256"_s, u"-nodes"_s, u"-keyout"_s,
                        m_folder.filePath(u"key.pem"_s), u"-out"_s, certificateFile(), u"-days"_s,
                        u"2"_s, u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s,
                        u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s });
        if (!openssl.waitForFinished(30'000) || openssl.exitCode() != 0) {
            qWarning("openssl could not make a certificate: %s",
                     openssl.readAllStandardError().constData());
            return false;
        }
    }
    {
        QTcpServer probe; // a free port, given back for the server to take
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return false;
        m_port = probe.serverPort();
    }
    QStringList arguments{ QStringLiteral(TASKLANE_TEST_SUPPORT_DIR "/smtpserver.py"),
                           u"--port"_s,
                           QString::number(m_port),
                           u"--maildir"_s,
                           maildir(),
                           u"--mode"_s,
                           m_options.mode };
    if (m_options.mode != u"plain")
        arguments
                += { u"--cert"_s, certificateFile(), u"--key"_s, m_folder.filePath(u"key.pem"_s) };
    if (!m_options.user.isEmpty())
        arguments += { u"--user"_s, m_options.user, u"--password"_s, m_options.password };
    if (m_options.dataDelaySeconds > 0)
        arguments += { u"--data-delay"_s, QString::number(m_options.dataDelaySeconds) };
    return startPythonHelper(m_process, arguments, "SMTP test server").has_value();
}

QList<ReceivedMail> ReceivedMail::readFolder(const QString &path)
{
    QList<ReceivedMail> mails;
    // Named by Message-ID, which says nothing of the order: oldest first by the time written.
    QList<QFileInfo> files = QDir(path).entryInfoList({ u"*.eml"_s }, QDir::Files, QDir::Name);
    std::stable_sort(files.begin(), files.end(), [](const QFileInfo &a, const QFileInfo &b) {
        return a.lastModified() < b.lastModified();
    });
    for (const QFileInfo &info : std::as_const(files)) {
        QFile file(info.filePath());
        if (file.open(QIODevice::ReadOnly))
            mails.append(ReceivedMail::parse(file.readAll()));
    }
    return mails;
}

QList<ReceivedMail> SmtpTestServer::messages() const
{
    QDir folder(maildir() + u"/new"_s);
    QList<QFileInfo> files = folder.entryInfoList(QDir::Files, QDir::Time | QDir::Reversed);
    QList<ReceivedMail> mails;
    for (const QFileInfo &info : files) {
        QFile file(info.filePath());
        if (file.open(QIODevice::ReadOnly))
            mails.append(ReceivedMail::parse(file.readAll()));
    }
    return mails;
}

} // namespace Tasklane::Test
