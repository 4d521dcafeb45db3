#pragma once

#include "fielderror.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QSet>
#include <QString>

#include <optional>

namespace Tasklane {

// Reads the fields of one JSON request object strictly: each read names a field, checks its
// presence, type and length (in Unicode code points), and records every problem at once.
// finish() then reports each field the caller never asked for as unknown_field. At most
// MaxErrors problems are kept, so a body of a million unknown keys gets a small answer.
class JsonFieldReader
{
public:
    enum class Presence { Required, Optional };
    static constexpr qsizetype MaxErrors = 20;

    explicit JsonFieldReader(const QJsonObject &object);

    std::optional<QString> string(const QString &field, Presence presence, qsizetype maxLength,
                                  qsizetype minLength = 0);
    bool contains(const QString &field) const { return m_object.contains(field); }
    // The field's value as sent (null included), marking it known; nullopt when absent.
    std::optional<QJsonValue> value(const QString &field);
    // A whole number in [minimum, maximum] (JSON numbers with a fraction are refused).
    std::optional<qint64> integer(const QString &field, Presence presence, qint64 minimum,
                                  qint64 maximum);
    void addError(const QString &field, const QString &code, const QString &message);
    // Marks a field as known without reading it (a field the caller refuses for another reason).
    void markKnown(const QString &field) { m_known.insert(field); }

    const FieldErrors &finish();
    // Finishes a parse: unknown fields become errors too; any error means no request (and the
    // errors are appended to `errors`).
    template<typename T>
    std::optional<T> conclude(T request, FieldErrors *errors)
    {
        const FieldErrors &found = finish();
        if (found.isEmpty())
            return request;
        if (errors)
            errors->append(found);
        return std::nullopt;
    }
    const FieldErrors &errors() const { return m_errors; }
    bool hasErrors() const { return !m_errors.isEmpty(); }
    bool hasErrorFor(const QString &field) const;

private:
    QJsonObject m_object;
    QSet<QString> m_known;
    FieldErrors m_errors;
};

// A JSON number that is a whole number a double holds exactly; nullopt otherwise.
std::optional<qint64> wholeNumber(const QJsonValue &value);

// Length of a string in Unicode code points (what people call characters).
qsizetype codePointLength(QStringView text);

} // namespace Tasklane
