#include "phonerequests.h"

#include "jsonfieldreader.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Tasklane {

bool isE164(const QString &phone)
{
    static const QRegularExpression shape(u"^\\+[1-9][0-9]{6,14}$"_s);
    return shape.match(phone).hasMatch();
}

QJsonObject PhoneRequest::toJson() const
{
    return { { u"phone"_s, phone } };
}

std::optional<PhoneRequest> PhoneRequest::fromJson(const QJsonObject &json, FieldErrors *errors)
{
    JsonFieldReader reader(json);
    PhoneRequest request;
    const auto phone = reader.string(u"phone"_s, JsonFieldReader::Presence::Required, 16, 1);
    if (phone && !isE164(*phone))
        reader.addError(u"phone"_s, u"invalid_format"_s,
                        u"This must be an international number in E.164 form, such as "
                        "+4915112345678."_s);
    request.phone = phone.value_or(QString());
    if (!reader.finish().isEmpty()) {
        if (errors)
            errors->append(reader.errors());
        return std::nullopt;
    }
    return request;
}

QJsonObject PhoneCodeRequest::toJson() const
{
    return { { u"code"_s, code } };
}

std::optional<PhoneCodeRequest> PhoneCodeRequest::fromJson(const QJsonObject &json,
                                                           FieldErrors *errors)
{
    JsonFieldReader reader(json);
    PhoneCodeRequest request;
    const auto code = reader.string(u"code"_s, JsonFieldReader::Presence::Required, 16, 1);
    static const QRegularExpression digits(u"^[0-9]{6}$"_s);
    if (code && !digits.match(*code).hasMatch())
        reader.addError(u"code"_s, u"invalid_format"_s, u"The code is six digits."_s);
    request.code = code.value_or(QString());
    if (!reader.finish().isEmpty()) {
        if (errors)
            errors->append(reader.errors());
        return std::nullopt;
    }
    return request;
}

} // namespace Tasklane
