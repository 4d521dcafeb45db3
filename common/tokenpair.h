#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// What login and refresh answer, in OAuth 2 shape (RFC 6749 section 5.1).
struct TokenPair
{
    QString accessToken;
    QString refreshToken;
    QString tokenType = QStringLiteral("Bearer");
    qint64 expiresIn = 0; // seconds until the access token expires

    QJsonObject toJson() const;
    static std::optional<TokenPair> fromJson(const QJsonObject &json);
};

} // namespace Tasklane
