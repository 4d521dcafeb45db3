#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <utility>

namespace Tasklane {

// An email address with an optional display name. The address is checked by isValid (a strict
// subset of RFC 5321's: what a task manager's users have, nothing a header or an SMTP command
// could be bent with).
struct MailAddress
{
    QString address;
    QString displayName;

    static bool isValid(const QString &address);
    // The domain part ("tasklane.example"), empty for an invalid address.
    QString domain() const;
};

// One notification email, as RFC 5322 text: a multipart/alternative of plain text and HTML
// (UTF-8, base64), every header value cleaned of line breaks and control characters and
// encoded (RFC 2047) when not ASCII, so that no user text (a task title in the subject, a
// display name) can add a header. Built for one recipient: one message per recipient.
struct MailMessage
{
    MailAddress from;
    MailAddress to;
    QString subject;
    QString text;
    QString html;
    // Without the angle brackets: "<id>@<domain>", stable across retries of the same job.
    QString messageId;
    QDateTime date;
    QString language; // Content-Language, e.g. "de"
    // More headers (fixed names; values cleaned and encoded as the others).
    QList<std::pair<QByteArray, QString>> extraHeaders;

    // The whole message, CRLF line ends, ready for SMTP's DATA or an .eml file. `boundary`
    // separates the parts (random unless given: tests fix it).
    QByteArray toBytes(const QByteArray &boundary = {}) const;

    // A header value: control characters become spaces; non-ASCII text becomes RFC 2047
    // encoded words (UTF-8, base64, at most 75 characters each, never splitting a character),
    // folded onto continuation lines.
    static QByteArray encodeHeaderText(const QString &text);
    // "Name <address>", the name encoded.
    static QByteArray encodeAddress(const MailAddress &address);
};

} // namespace Tasklane
