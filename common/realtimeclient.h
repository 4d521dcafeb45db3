#pragma once

#include "realtimeevent.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <functional>

class QWebSocket;

namespace Tasklane {

// A client of the real-time feed (GET /api/v1/ws) for the console and the tests. It keeps one
// WebSocket open; after every disconnection it connects again with a growing, jittered back-off
// (0.5 s doubling to 30 s) and resumes from the last event id it saw, so that nothing is missed
// and nothing arrives twice. It keeps the socket's access token fresh: at four fifths of a
// token's life it asks the application for the current one (tokenProvider, e.g. refreshed with
// the refresh token) and, when that one lives longer, renews the socket in band
// ({"type": "auth"}); a socket closed for its token (4001) or its session (4003) connects again
// with whatever token the provider gives then.
class RealtimeClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RealtimeClient)

public:
    using TokenProvider = std::function<QString()>;

    explicit RealtimeClient(const QUrl &baseUrl, QObject *parent = nullptr);
    ~RealtimeClient() override;

    void setTokenProvider(TokenProvider provider) { m_tokenProvider = std::move(provider); }
    // The last event id seen (0: none): a later start() resumes after it.
    void setCursor(qint64 lastEventId) { m_cursor = lastEventId; }
    qint64 cursor() const { return m_cursor; }

    void start();
    void stop();
    bool isConnected() const { return m_connected; }
    // Connections made since start(), the first one included.
    int connections() const { return m_connections; }
    // In-band renewals the server accepted.
    int renewals() const { return m_renewals; }

    // When a token expires, from its exp claim (read, not verified: the server does that).
    static QDateTime expiryOf(const QString &accessToken);

Q_SIGNALS:
    void eventReceived(const Tasklane::RealtimeEvent &event);
    // The cursor was older than what the server keeps (or unknown to it): reload what is shown;
    // the cursor has moved to `since` already.
    void resyncRequired(qint64 since);
    void connectedChanged(bool connected);
    // The server closed the socket (or it dropped: code 1006); a reconnection follows.
    void closed(int code, const QString &reason);

private:
    void connectNow();
    void onConnected();
    void onDisconnected();
    void onMessage(const QString &text);
    void scheduleRenewal();
    void renew();

    const QUrl m_baseUrl;
    QWebSocket *m_socket;
    TokenProvider m_tokenProvider;
    QString m_token;
    qint64 m_cursor = 0;
    bool m_running = false;
    bool m_connected = false;
    int m_connections = 0;
    int m_renewals = 0;
    int m_backoffMs = 500;
    QTimer m_reconnect;
    QTimer m_renewal;
};

} // namespace Tasklane
