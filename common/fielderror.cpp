#include "fielderror.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QJsonObject FieldError::toJson() const
{
    return { { u"field"_s, field }, { u"code"_s, code }, { u"message"_s, message } };
}

FieldError FieldError::fromJson(const QJsonObject &json)
{
    return { json.value(u"field"_s).toString(), json.value(u"code"_s).toString(),
             json.value(u"message"_s).toString() };
}

} // namespace Tasklane
