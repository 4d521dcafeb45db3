#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Tasklane {

// One problem with one request field: `field` names it (snake_case, as sent), `code` is stable
// and machine-readable (required, unknown_field, wrong_type, too_long, too_short, invalid_format,
// common_password, read_only), `message` is for people.
struct FieldError
{
    QString field;
    QString code;
    QString message;

    QJsonObject toJson() const;
    static FieldError fromJson(const QJsonObject &json);
    friend bool operator==(const FieldError &, const FieldError &) = default;
};

using FieldErrors = QList<FieldError>;

} // namespace Tasklane
