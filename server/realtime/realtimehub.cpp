#include "realtimehub.h"

#include "apierror.h"
#include "databaseerror.h"
#include "eventfeed.h"
#include "problemmapping.h"
#include "realtimehandshake.h"
#include "realtimeservice.h"
#include "realtimeshard.h"
#include "requestid.h"
#include "responsecompletion.h"
#include "workerpools.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QThread>

using namespace Qt::StringLiterals;

namespace Tasklane {

// A connection's place in the caps, given back when the last holder of its grant lets go.
class RealtimeHub::Reservation final : public RealtimeReservation
{
public:
    Reservation(RealtimeHub &hub, qint64 userId) : m_hub(hub), m_userId(userId) { }
    ~Reservation() override { m_hub.release(m_userId); }
    Q_DISABLE_COPY_MOVE(Reservation)

private:
    RealtimeHub &m_hub;
    const qint64 m_userId;
};

RealtimeHub::RealtimeHub(const Parts &parts, QObject *parent)
    : QObject(parent), m_options(parts.options), m_database(parts.database), m_pools(parts.pools),
      m_service(parts.service), m_cors(parts.cors)
{
    for (int i = 0; i < std::max(1, m_options.threads); ++i)
        m_shards.push_back(std::make_unique<RealtimeShard>(m_options, *this, i));
    m_feed = std::make_unique<EventFeed>(*m_database, *m_pools, *this, parts.listen);
}

RealtimeHub::~RealtimeHub()
{
    stop();
}

void RealtimeHub::start()
{
    m_feed->start();
}

void RealtimeHub::beginShutdown()
{
    m_shuttingDown = true;
    for (const auto &shard : m_shards)
        QMetaObject::invokeMethod(shard.get(), [shard = shard.get()] { shard->shutdown(); });
}

void RealtimeHub::stop()
{
    m_shuttingDown = true;
    m_feed.reset();
    for (const auto &shard : m_shards)
        shard->stopThread();
}

std::optional<RealtimeRequest::Kind> RealtimeHub::claims(QByteArrayView method, QByteArrayView path,
                                                         bool upgrade) const
{
    if (path == WebSocketPath)
        return RealtimeRequest::Kind::WebSocket;
    if (path == EventStreamPath && (upgrade || method == "GET" || method == "HEAD"))
        return RealtimeRequest::Kind::EventStream;
    return std::nullopt;
}

void RealtimeHub::admit(const RealtimeRequest &request,
                        std::function<void(RealtimeAdmission)> decided)
{
    auto checked = RealtimeHandshake::check(request, m_cors);
    if (auto *refusal = std::get_if<RealtimeAdmission>(&checked)) {
        decided(std::move(*refusal));
        return;
    }
    const auto busy = [](const QString &detail, int retryAfter) {
        RealtimeAdmission admission;
        admission.refusal = ApiError(ApiError::Kind::ServerBusy, detail);
        admission.refusalHeaders = { { "Retry-After", QByteArray::number(retryAfter) } };
        return admission;
    };
    if (m_shuttingDown) {
        decided(busy(u"The server is shutting down; connect again shortly."_s, 5));
        return;
    }
    if (connectionCount() >= m_options.maxConnections) {
        decided(busy(u"The server holds as many real-time connections as it may."_s, 5));
        return;
    }
    auto parameters = std::get<RealtimeHandshake::Parameters>(std::move(checked));
    const bool started
            = m_pools->start(Executor::Database, [this, request, parameters, decided, busy] {
                  RealtimeAdmission admission;
                  try {
                      auto grant = std::make_shared<RealtimeGrant>();
                      grant->request = request;
                      grant->since = parameters.since;
                      grant->principal = parameters.credential
                                      == RealtimeHandshake::Parameters::Credential::Ticket
                              ? m_service->redeemTicket(parameters.secret)
                              : m_service->authenticateBearer(parameters.secret);
                      std::optional<ApiError> refusal;
                      grant->reservation = reserve(grant->principal.user.id, &refusal);
                      if (refusal)
                          admission.refusal = refusal;
                      else
                          admission.grant = std::move(grant);
                  } catch (const ApiError &error) {
                      admission.refusal = error;
                  } catch (const DatabaseError &error) {
                      admission = busy(toApiError(error).detail(), 1);
                  }
                  decided(std::move(admission));
              });
    if (!started)
        decided(busy(u"The server is busy; try again shortly."_s, 1));
}

std::shared_ptr<RealtimeReservation> RealtimeHub::reserve(qint64 userId,
                                                          std::optional<ApiError> *refusal)
{
    const QMutexLocker lock(&m_mutex);
    if (m_total >= m_options.maxConnections) {
        *refusal = ApiError(ApiError::Kind::ServerBusy,
                            u"The server holds as many real-time connections as it may."_s)
                           .withRetryAfter(5);
        return nullptr;
    }
    int &mine = m_perUser[userId];
    if (mine >= m_options.maxPerUser) {
        if (mine == 0)
            m_perUser.remove(userId);
        *refusal = ApiError(ApiError::Kind::TooManyRequests,
                            u"This account has %1 real-time connections open already, as many "
                            "as it may."_s.arg(m_options.maxPerUser))
                           .withRetryAfter(10);
        return nullptr;
    }
    ++mine;
    ++m_total;
    return std::make_shared<Reservation>(*this, userId);
}

void RealtimeHub::release(qint64 userId)
{
    const QMutexLocker lock(&m_mutex);
    --m_total;
    auto it = m_perUser.find(userId);
    if (it != m_perUser.end() && --*it <= 0)
        m_perUser.erase(it);
}

int RealtimeHub::connectionCount() const
{
    const QMutexLocker lock(&m_mutex);
    return m_total;
}

void RealtimeHub::takeOver(QTcpSocket *socket, const RealtimeRequest &request,
                           std::shared_ptr<void> grant)
{
    auto admitted = std::static_pointer_cast<const RealtimeGrant>(std::move(grant));
    if (request.kind == RealtimeRequest::Kind::WebSocket) {
        // The 101 comes from QWebSocketServer; the request log has its line here.
        HttpResponse switching = HttpResponse::empty(101);
        AnsweredRequest answered;
        answered.method = request.method;
        answered.path = QString::fromLatin1(WebSocketPath);
        answered.requestId = QString::fromLatin1(RequestIds::acceptOrCreate(request.requestId));
        answered.origin = request.origin;
        answered.userId = admitted->principal.user.id;
        completeResponse(switching, answered, m_cors);
    }
    // The emptiest shard takes it.
    RealtimeShard *shard = m_shards.front().get();
    for (const auto &candidate : m_shards) {
        if (candidate->connectionCount() < shard->connectionCount())
            shard = candidate.get();
    }
    socket->moveToThread(shard->loopThread());
    QMetaObject::invokeMethod(shard, [shard, socket, admitted = std::move(admitted)] {
        shard->adopt(socket, admitted);
    });
}

QList<std::pair<QByteArray, QByteArray>>
RealtimeHub::streamHeaders(const RealtimeRequest &request) const
{
    HttpResponse head = HttpResponse::empty(200);
    head.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    head.setHeader("X-Accel-Buffering", "no"); // nginx: no buffering of this response
    AnsweredRequest answered;
    answered.method = request.method;
    answered.path = QString::fromLatin1(EventStreamPath);
    answered.requestId = QString::fromLatin1(RequestIds::acceptOrCreate(request.requestId));
    answered.origin = request.origin;
    completeResponse(head, answered, m_cors);
    return head.headers;
}

void RealtimeHub::publish(std::shared_ptr<const EventBatch> batch, qint64 through)
{
    m_published.store(through);
    if (!batch || batch->items.isEmpty())
        return;
    for (const auto &shard : m_shards)
        QMetaObject::invokeMethod(shard.get(),
                                  [shard = shard.get(), batch] { shard->deliver(batch); });
}

void RealtimeHub::eventsCommitted()
{
    if (m_feed)
        m_feed->committed();
}

void RealtimeHub::closeUser(qint64 userId, const QString &jti, int code, const QString &reason)
{
    for (const auto &shard : m_shards)
        QMetaObject::invokeMethod(shard.get(), [shard = shard.get(), userId, jti, code, reason] {
            shard->closeUser(userId, jti, code, reason);
        });
}

bool RealtimeHub::runOnDatabase(std::function<void()> work) const
{
    return m_pools->start(Executor::Database, std::move(work));
}

} // namespace Tasklane
