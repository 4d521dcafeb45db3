#pragma once

#include "fielderror.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace Tasklane::Test {

// The object a JSON request body holds (empty for anything else), for the parsers' tests.
inline QJsonObject jsonObjectOf(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

// Field errors as "field:code" lines, in order: what a data-driven parser test compares.
inline QStringList describeErrors(const FieldErrors &errors)
{
    QStringList list;
    for (const FieldError &error : errors)
        list.append(error.field + u':' + error.code);
    return list;
}

} // namespace Tasklane::Test
