#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Tasklane {

// One problem with one request field: `field` names it (snake_case, as sent; list items as
// tags[2], reminders[0].at), `code` is stable and machine-readable (required, unknown_field,
// wrong_type, too_long, too_short, invalid_format, invalid_value, invalid_length, out_of_range,
// too_many, duplicate, conflict, not_found, read_only, common_password, taken, cycle,
// open_blocker, needs_due, invalid_rule, is_owner, empty, invalid_image,
// too_many_pixels, too_many_scans), `message` is for people.
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
