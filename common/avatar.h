#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// PUT /users/me/avatar's answer: the picture as it is now stored and served.
struct AvatarInfo
{
    QString url; // /api/v1/users/{id}/avatar
    QString contentType = QStringLiteral("image/png");
    int width = 0;
    int height = 0;
    qint64 bytes = 0; // of the stored PNG
    QString etag; // as the GET answers it, quotes included
    QDateTime updatedAt;

    QJsonObject toJson() const;
    static std::optional<AvatarInfo> fromJson(const QJsonObject &json);
    friend bool operator==(const AvatarInfo &, const AvatarInfo &) = default;
};

// Where a user's avatar is served.
QString avatarPath(qint64 userId);

} // namespace Tasklane
