#pragma once

#include "fielderror.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// An E.164 number: "+", a country code that does not start with 0, 7 to 15 digits in all.
bool isE164(const QString &phone);

// POST /api/v1/users/me/phone {"phone"}: the number to verify.
struct PhoneRequest
{
    QString phone;

    QJsonObject toJson() const;
    static std::optional<PhoneRequest> fromJson(const QJsonObject &json, FieldErrors *errors);
};

// POST /api/v1/users/me/phone/verify {"code"}: the six digits the SMS brought.
struct PhoneCodeRequest
{
    static constexpr int CodeLength = 6;
    QString code;

    QJsonObject toJson() const;
    static std::optional<PhoneCodeRequest> fromJson(const QJsonObject &json, FieldErrors *errors);
};

} // namespace Tasklane
