#include "eventlistener.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcListen, "tasklane.db.listen")

namespace Tasklane {

namespace {
constexpr int MaxBackoffMs = 30'000;
constexpr qint64 RoundTripMs = 30'000;
} // namespace

EventListener::EventListener(const DatabaseConfig &config, std::function<void()> heard)
    : m_config(config), m_heard(std::move(heard)), m_thread(std::make_unique<QThread>())
{
    m_thread->setObjectName(u"tasklane-listen"_s);
    moveToThread(m_thread.get());
    m_thread->start();
    QMetaObject::invokeMethod(
            this,
            [this] {
                m_check = new QTimer(this);
                m_check->setInterval(1000);
                connect(m_check, &QTimer::timeout, this, &EventListener::check);
                m_reconnect = new QTimer(this);
                m_reconnect->setSingleShot(true);
                connect(m_reconnect, &QTimer::timeout, this, &EventListener::connectNow);
                connectNow();
                m_check->start();
            },
            Qt::BlockingQueuedConnection);
}

EventListener::~EventListener()
{
    QMetaObject::invokeMethod(
            this,
            [this] {
                dropConnection();
                delete m_check;
                delete m_reconnect;
                moveToThread(nullptr);
            },
            Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

int EventListener::connections() const
{
    return m_connections.load();
}

void EventListener::connectNow()
{
    dropConnection();
    m_connectionName = u"tasklane-listen-%1"_s.arg(++m_attempt);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, m_connectionName);
    db.setHostName(m_config.host);
    db.setPort(m_config.port);
    db.setUserName(m_config.user);
    db.setPassword(m_config.password);
    db.setDatabaseName(m_config.name);
    // Keepalives find a connection a network lost silently.
    QString options = m_config.connectOptions;
    if (!options.isEmpty())
        options += u';';
    // Named with the process id, so that an operator (or a test) can tell whose it is.
    options += u"keepalives=1;keepalives_idle=30;keepalives_interval=10;keepalives_count=3;"
               "application_name=tasklaned-listen-%1"_s.arg(QCoreApplication::applicationPid());
    if (!options.contains(u"connect_timeout"))
        options += u";connect_timeout=5"_s;
    db.setConnectOptions(options);
    if (!db.open() || !db.driver()->subscribeToNotification(QString::fromLatin1(Channel))) {
        qCWarning(lcListen, "cannot listen for events on %s (%s); again in %d ms",
                  qUtf8Printable(m_config.describe()), qUtf8Printable(db.lastError().text()),
                  m_backoffMs);
        dropConnection();
        // Jittered, so that processes that lost the database together do not return together.
        m_reconnect->start(m_backoffMs / 2 + int(QRandomGenerator::global()->bounded(m_backoffMs)));
        m_backoffMs = std::min(m_backoffMs * 2, MaxBackoffMs);
        return;
    }
    connect(db.driver(), &QSqlDriver::notification, this,
            [this](const QString &, QSqlDriver::NotificationSource, const QVariant &) {
                m_heard();
            });
    m_backoffMs = 500;
    m_lastRoundTrip = QDateTime::currentMSecsSinceEpoch();
    if (m_connections.fetch_add(1) > 0)
        qCInfo(lcListen, "listening for events again");
    // Whatever committed while nobody listened is read now.
    m_heard();
}

void EventListener::check()
{
    if (m_connectionName.isEmpty())
        return; // a reconnection is scheduled
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    bool alive = db.isOpen() && db.driver()->isOpen();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (alive && now - m_lastRoundTrip >= RoundTripMs) {
        m_lastRoundTrip = now;
        QSqlQuery query(db);
        alive = query.exec(u"SELECT 1"_s);
    }
    if (alive)
        return;
    qCWarning(lcListen, "the connection listening for events was lost; connecting again");
    dropConnection();
    m_reconnect->start(0);
}

void EventListener::dropConnection()
{
    if (m_connectionName.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isValid()) {
            if (db.driver())
                disconnect(db.driver(), nullptr, this, nullptr);
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

} // namespace Tasklane
