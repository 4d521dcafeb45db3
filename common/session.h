#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

// A signed-in session as its owner sees it: one refresh-token family, from the login that
// started it to its last refresh.
struct Session
{
    qint64 id = 0;
    QDateTime createdAt;
    QDateTime lastUsedAt; // the login, or the last token refresh
    QString clientAddress; // of that request (behind a trusted proxy: the client's)
    QString userAgent; // of that request, cut to 256 characters
    bool current = false; // the session of the access token that asked

    QJsonObject toJson() const;
    static std::optional<Session> fromJson(const QJsonObject &json);
};

// GET /users/me/sessions: every live session, the most recently used first.
struct SessionList
{
    QList<Session> items;

    QJsonObject toJson() const; // {"items": [...], "next_cursor": null}
    static std::optional<SessionList> fromJson(const QJsonObject &json);
};

} // namespace Tasklane
