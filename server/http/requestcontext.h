#pragma once

#include "principal.h"
#include "requestorigin.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <array>
#include <optional>
#include <utility>

namespace Tasklane {

// A request, copied out of QHttpServer's (which is reused for the next request on the
// connection) so that a worker thread can read it safely.
// A route's {parameters} as captured from a request's path: a handful at most, kept in place
// (every request of a parameter route makes one per route its path matches).
class PathParameters
{
public:
    static constexpr qsizetype Capacity = 4; // RouteTable::add refuses routes with more

    void insert(const QString &name, QString value)
    {
        Q_ASSERT(m_size < Capacity);
        m_items[size_t(m_size++)] = { name, std::move(value) };
    }
    // The value captured for `name`, or an empty string.
    QString value(QStringView name) const
    {
        for (qsizetype i = 0; i < m_size; ++i) {
            if (m_items[size_t(i)].first == name)
                return m_items[size_t(i)].second;
        }
        return {};
    }
    bool isEmpty() const { return m_size == 0; }

private:
    std::array<std::pair<QString, QString>, Capacity> m_items;
    qsizetype m_size = 0;
};

struct RequestContext
{
    QByteArray method;
    QString path;
    QString rawQuery; // as sent, still percent-encoded; see query()
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remoteAddress; // the connection's peer
    // Who the client is: the peer, or what a trusted proxy's X-Forwarded-For says
    // (TrustedProxies).
    QHostAddress clientAddress;
    PathParameters pathParameters;
    QString requestId;
    // Set before the handler runs on routes that require authentication.
    std::optional<Principal> principal;

    QByteArray header(QByteArrayView name) const;
    // The query string's items, decoded ('+' stays '+', %2B becomes '+').
    QUrlQuery query() const { return QUrlQuery(rawQuery); }
    // The body as a JSON object, or an ApiError: 415 for another media type, 400 for an empty,
    // malformed, too deeply nested or non-object body.
    QJsonObject jsonObject() const;
    // The {name} path parameter as a resource id: digits only, no sign or leading zero,
    // positive; nullopt otherwise (the route then answers 404: no such resource).
    std::optional<qint64> idParameter(const QString &name) const;
    // Who sent it, for sessions and the activity log.
    RequestOrigin origin() const
    {
        return { clientAddress.toString(), QString::fromUtf8(header("User-Agent")) };
    }
    // The authenticated principal; only call on routes that require authentication.
    const Principal &requirePrincipal() const { return *principal; }

    static constexpr int MaxJsonDepth = 32;
};

} // namespace Tasklane
