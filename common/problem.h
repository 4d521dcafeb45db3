#pragma once

#include "fielderror.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// An RFC 9457 problem details body (application/problem+json), as every Tasklane error is sent.
struct Problem
{
    static constexpr QLatin1StringView TypePrefix{ "urn:tasklane:problem:" };
    static constexpr QLatin1StringView MediaType{ "application/problem+json" };

    QString type; // full URI, TypePrefix + slug
    QString title;
    int status = 0;
    QString detail;
    QString instance;
    QString requestId;
    FieldErrors errors;

    // The slug after TypePrefix ("validation-failed"), or the whole type if it has no prefix.
    QString slug() const;
    QJsonObject toJson() const;
    QByteArray toJsonBytes() const;
    static std::optional<Problem> fromJson(const QJsonObject &json);
};

} // namespace Tasklane
