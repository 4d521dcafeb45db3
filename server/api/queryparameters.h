#pragma once

#include "apierror.h"
#include "taskquery.h"

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

namespace Tasklane::QueryParameters {

// 400 naming the parameter `name`.
ApiError bad(const QString &name, const QString &message);
// Refuses any parameter but `allowed`, and any given twice.
void allowOnly(const QUrlQuery &query, const QStringList &allowed);
// `limit`: `fallback` when absent, a whole number from 1 (larger ones are capped at `maximum`).
int limit(const QUrlQuery &query, int fallback, int maximum);
// An id parameter (a user's, say): 0 when absent, else a whole number from 1.
qint64 id(const QUrlQuery &query, const QString &name);
// `since` and `until`: RFC 3339 times with a zone (invalid when absent), until after since.
std::pair<QDateTime, QDateTime> timeRange(const QUrlQuery &query);
// The parameters of a task listing (TaskQuery); 400 naming each bad one.
TaskQuery taskQuery(const QUrlQuery &query);

} // namespace Tasklane::QueryParameters
