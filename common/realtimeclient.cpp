#include "realtimeclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimeZone>
#include <QUrlQuery>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
constexpr int FirstBackoffMs = 500;
constexpr int MaxBackoffMs = 30'000;
constexpr int RenewRetryMs = 5000; // the provider had no fresher token: ask again this soon
} // namespace

RealtimeClient::RealtimeClient(const QUrl &baseUrl, QObject *parent)
    : QObject(parent), m_baseUrl(baseUrl), m_socket(new QWebSocket(QString(), {}, this))
{
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RealtimeClient::connectNow);
    m_renewal.setSingleShot(true);
    connect(&m_renewal, &QTimer::timeout, this, &RealtimeClient::renew);
    connect(m_socket, &QWebSocket::connected, this, &RealtimeClient::onConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &RealtimeClient::onDisconnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &RealtimeClient::onMessage);
}

RealtimeClient::~RealtimeClient()
{
    m_running = false;
    m_socket->abort();
}

void RealtimeClient::start()
{
    m_running = true;
    m_backoffMs = FirstBackoffMs;
    connectNow();
}

void RealtimeClient::stop()
{
    m_running = false;
    m_reconnect.stop();
    m_renewal.stop();
    m_socket->close();
}

QDateTime RealtimeClient::expiryOf(const QString &accessToken)
{
    const QStringList parts = accessToken.split(u'.');
    if (parts.size() != 3)
        return {};
    const auto payload = QByteArray::fromBase64Encoding(
            parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QJsonValue exp = QJsonDocument::fromJson(payload.decoded).object().value(u"exp"_s);
    if (!payload || !exp.isDouble())
        return {};
    return QDateTime::fromSecsSinceEpoch(exp.toInteger(), QTimeZone::utc());
}

void RealtimeClient::connectNow()
{
    if (!m_running)
        return;
    m_token = m_tokenProvider ? m_tokenProvider() : QString();
    QUrl url = m_baseUrl;
    url.setScheme(m_baseUrl.scheme() == u"https" ? u"wss"_s : u"ws"_s);
    url.setPath(u"/api/v1/ws"_s);
    QUrlQuery query;
    query.addQueryItem(u"since"_s, QString::number(m_cursor));
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    m_socket->open(request);
}

void RealtimeClient::onConnected()
{
    m_connected = true;
    ++m_connections;
    m_backoffMs = FirstBackoffMs;
    scheduleRenewal();
    Q_EMIT connectedChanged(true);
}

void RealtimeClient::onDisconnected()
{
    const bool wasConnected = std::exchange(m_connected, false);
    m_renewal.stop();
    if (wasConnected) {
        Q_EMIT closed(int(m_socket->closeCode()), m_socket->closeReason());
        Q_EMIT connectedChanged(false);
    }
    if (!m_running)
        return;
    // Jittered: clients a server dropped together do not all return together.
    const int delay
            = m_backoffMs / 2 + int(QRandomGenerator::global()->bounded(m_backoffMs / 2 + 1));
    m_backoffMs = std::min(m_backoffMs * 2, MaxBackoffMs);
    m_reconnect.start(delay);
}

void RealtimeClient::onMessage(const QString &text)
{
    const auto message = RealtimeEvent::fromJson(QJsonDocument::fromJson(text.toUtf8()).object());
    if (!message)
        return;
    if (message->type == QLatin1StringView(EventType::Resync)) {
        m_cursor = message->data.value(u"since"_s).toInteger();
        Q_EMIT resyncRequired(m_cursor);
        return;
    }
    if (message->type == u"auth_ok") {
        ++m_renewals;
        scheduleRenewal();
        return;
    }
    if (message->type == u"auth_failed") {
        m_renewal.start(RenewRetryMs);
        return;
    }
    if (message->id <= 0)
        return; // pong, error: nothing for the application
    if (message->id <= m_cursor)
        return; // seen already (cannot happen with a server that keeps its promise)
    m_cursor = message->id;
    Q_EMIT eventReceived(*message);
}

void RealtimeClient::scheduleRenewal()
{
    const QDateTime expiry = expiryOf(m_token);
    if (!expiry.isValid())
        return;
    const qint64 left = QDateTime::currentDateTimeUtc().msecsTo(expiry);
    m_renewal.start(int(std::clamp<qint64>(left * 4 / 5, 0, 24LL * 3600 * 1000)));
}

void RealtimeClient::renew()
{
    if (!m_connected || !m_tokenProvider)
        return;
    const QString fresh = m_tokenProvider();
    if (fresh.isEmpty() || fresh == m_token || expiryOf(fresh) <= expiryOf(m_token)) {
        m_renewal.start(RenewRetryMs);
        return;
    }
    m_token = fresh;
    const QJsonObject auth{ { u"type"_s, u"auth"_s }, { u"access_token"_s, fresh } };
    m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(auth).toJson(QJsonDocument::Compact)));
}

} // namespace Tasklane
