#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace Tasklane {

// A multipart/form-data request body (RFC 7578 over RFC 2046), parsed strictly: a body that
// is not exactly that is refused with the reason, never guessed at. The parts' bodies are views
// into the body given to parse(), which the form keeps alive (implicitly shared, not copied):
// they stay valid as long as the form, or a copy of it, lives.
class MultipartForm
{
public:
    // One part of the form.
    struct Part
    {
        QString name; // the form field's name
        // The file name as sent: from filename* (RFC 8187, UTF-8 or ISO-8859-1) if given, else
        // from filename; null when the part names no file. Not sanitized: see sanitizeFileName.
        QString fileName;
        QByteArray contentType; // the part's Content-Type as sent; empty when it has none
        QByteArrayView body;

        bool isFile() const { return !fileName.isNull(); }
    };

    struct Limits
    {
        int maxParts = 32;
        qsizetype maxPartHeaderBytes = 8 * 1024; // the header section of one part
    };

    // Parses `body` as the Content-Type header value `contentType` describes it.
    static MultipartForm parse(QByteArrayView contentType, const QByteArray &body,
                               const Limits &limits);
    static MultipartForm parse(QByteArrayView contentType, const QByteArray &body)
    {
        return parse(contentType, body, Limits());
    }

    bool isValid() const { return m_error.isEmpty(); }
    // Why the body was refused (empty when it was not), fit for a 400's detail.
    QString error() const { return m_error; }
    const QList<Part> &parts() const { return m_parts; }
    // The first part named `name`, or nullptr.
    const Part *part(QStringView name) const;

private:
    QByteArray m_body; // what the parts' views point into
    QList<Part> m_parts;
    QString m_error;
};

} // namespace Tasklane
