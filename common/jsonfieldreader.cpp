#include "jsonfieldreader.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

qsizetype codePointLength(QStringView text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        ++count;
    }
    return count;
}

JsonFieldReader::JsonFieldReader(const QJsonObject &object) : m_object(object) { }

std::optional<QString> JsonFieldReader::string(const QString &field, Presence presence,
                                               qsizetype maxLength, qsizetype minLength)
{
    m_known.insert(field);
    const auto it = m_object.constFind(field);
    if (it == m_object.constEnd() || (it->isNull() && presence == Presence::Required)) {
        if (presence == Presence::Required)
            addError(field, u"required"_s, u"This field is required."_s);
        return std::nullopt;
    }
    if (it->isNull()) { // an optional field is left out to keep its value, never set to null
        addError(field, u"wrong_type"_s,
                 u"This field must be a string; leave it out to keep it."_s);
        return std::nullopt;
    }
    if (!it->isString()) {
        addError(field, u"wrong_type"_s, u"This field must be a string."_s);
        return std::nullopt;
    }
    QString value = it->toString();
    const qsizetype length = codePointLength(value);
    if (length > maxLength) {
        addError(field, u"too_long"_s,
                 u"This field must be at most %1 characters long."_s.arg(maxLength));
        return std::nullopt;
    }
    if (length < minLength) {
        addError(field, minLength == 1 ? u"required"_s : u"too_short"_s,
                 minLength == 1
                         ? u"This field must not be empty."_s
                         : u"This field must be at least %1 characters long."_s.arg(minLength));
        return std::nullopt;
    }
    return value;
}

std::optional<QJsonValue> JsonFieldReader::value(const QString &field)
{
    m_known.insert(field);
    const auto it = m_object.constFind(field);
    if (it == m_object.constEnd())
        return std::nullopt;
    return *it;
}

std::optional<qint64> JsonFieldReader::integer(const QString &field, Presence presence,
                                               qint64 minimum, qint64 maximum)
{
    const auto found = value(field);
    if (!found || (found->isNull() && presence == Presence::Optional)) {
        if (presence == Presence::Required)
            addError(field, u"required"_s, u"This field is required."_s);
        return std::nullopt;
    }
    const auto number = wholeNumber(*found);
    if (!number) {
        addError(field, u"wrong_type"_s, u"This field must be a whole number."_s);
        return std::nullopt;
    }
    if (*number < minimum || *number > maximum) {
        addError(field, u"out_of_range"_s,
                 u"This field must be between %1 and %2."_s.arg(minimum).arg(maximum));
        return std::nullopt;
    }
    return number;
}

std::optional<qint64> wholeNumber(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    // Beyond 2^53 a double no longer holds every integer: refuse rather than round.
    constexpr double Limit = 9007199254740992.0;
    if (!(number >= -Limit && number <= Limit) || number != double(qint64(number)))
        return std::nullopt;
    return qint64(number);
}

void JsonFieldReader::addError(const QString &field, const QString &code, const QString &message)
{
    if (m_errors.size() < MaxErrors)
        m_errors.append({ field, code, message });
}

bool JsonFieldReader::hasErrorFor(const QString &field) const
{
    return std::any_of(m_errors.cbegin(), m_errors.cend(),
                       [&field](const FieldError &error) { return error.field == field; });
}

const FieldErrors &JsonFieldReader::finish()
{
    // QJsonObject keeps its keys sorted, so the unknown ones come out in order.
    for (auto it = m_object.constBegin(); it != m_object.constEnd() && m_errors.size() < MaxErrors;
         ++it) {
        if (!m_known.contains(it.key()))
            addError(it.key(), u"unknown_field"_s, u"This field is not part of the request."_s);
    }
    return m_errors;
}

} // namespace Tasklane
