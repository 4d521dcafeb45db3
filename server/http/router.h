#pragma once

#include "connectionguard.h"
#include "httpresponse.h"
#include "jwtcodec.h"
#include "ratelimiter.h"
#include "requestcontext.h"
#include "role.h"
#include "workerpools.h"

#include <QElapsedTimer>
#include <QMultiHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QHttpServerRequest;
class QHttpServerResponder;
class QTcpSocket;

namespace Tasklane {

class AuthService;
class CorsPolicy;
class SignInLimits;
class TrustedProxies;

// What a route requires of the caller, declared where the route is registered and enforced
// in one place, Router::run().
struct RouteAccess
{
    bool authenticated = false;
    Role minimumRole = Role::User;
    // A sign-in route (one that checks a password, a code or a link's token): counted per
    // client address against rate_limit_auth (SignInLimits) before its handler runs.
    bool signIn = false;
    // Open to an account that must set a new password first (its own profile, logout); every
    // other signed-in route answers 403 password-change-required to it.
    bool beforePasswordChange = false;

    static RouteAccess anyone() { return {}; }
    static RouteAccess signedIn(Role minimumRole = Role::User) { return { true, minimumRole }; }
    RouteAccess evenBeforePasswordChange() const
    {
        RouteAccess access = *this;
        access.beforePasswordChange = true;
        return access;
    }
    RouteAccess countedAsSignIn() const
    {
        RouteAccess access = *this;
        access.signIn = true;
        return access;
    }
};

using RouteHandler = std::function<HttpResponse(const RequestContext &)>;
// Answers a request from what the process holds in memory, or gives nothing (the route's
// handler then runs on its executor). Runs on the event loop: it must not block or throw.
using MemoryHandler = std::function<std::optional<HttpResponse>(const RequestContext &)>;

// Where a database route runs by its method: reads on the read pool, writes on the write pool.
inline Executor executorFor(QByteArrayView method)
{
    return method == "GET" ? Executor::Database : Executor::DatabaseWrite;
}

// The body cap of routes whose bodies are small JSON documents (a few hundred bytes): room
// enough, and no more, so that they cannot be made to buffer the server-wide cap.
constexpr qint64 SmallBodyBytes = 64 * 1024;

struct Route
{
    QByteArray method; // GET, POST, ... (HEAD and OPTIONS are derived)
    QString path; // literal segments and {name} parameters: /api/v1/tasks/{id}
    RouteAccess access;
    Executor executor;
    RouteHandler handler;
    // The largest body accepted (413 above, refused by the ConnectionGuard before it is read);
    // 0: the server-wide max_body_bytes.
    qint64 maxBodyBytes = 0;
    // Tried on the event loop first when the principal cache knew the caller (and the caller
    // has the route's role): a read served from caches (or from the principal alone, as
    // GET /users/me) needs no thread hand-off.
    MemoryHandler fromMemory = {};
};

// Every route of the server; controllers add theirs in registerRoutes().
class RouteTable
{
public:
    void add(Route route);
    const QList<Route> &routes() const { return m_routes; }
    // A route whose pattern matches a path, with the {parameters} it captured.
    struct Match
    {
        const Route *route = nullptr;
        PathParameters parameters;
    };
    // The routes whose pattern matches `path`, in registration order.
    QList<Match> match(const QString &path) const;
    // The maxBodyBytes of the route that serves `method` on `path` (HEAD as GET), or 0 when
    // none does or it declares none. Cheap, for the ConnectionGuard to ask of every request
    // with a body: no allocation, and nothing to search unless some route declares a cap.
    qint64 bodyCap(QByteArrayView method, QStringView path) const;

private:
    // Whether the route at `index` matches `path`, as match() decides it.
    bool matches(qsizetype index, QStringView path) const;
    // The indexes of the routes with as many segments as `path`, in registration order.
    const QList<qsizetype> &candidates(QStringView path) const;

    QList<Route> m_routes;
    QList<QStringList> m_segments;
    QList<bool> m_parameterised; // by route: whether its path has {parameters}
    // By route: the segment index and name of each {parameter}.
    QList<QList<std::pair<qsizetype, QString>>> m_parameters;
    // Route indexes by their number of segments: a path is only compared with routes as long.
    QList<QList<qsizetype>> m_bySegmentCount;
    // Routes without {parameters}, by path: most requests are found here without splitting.
    QMultiHash<QString, qsizetype> m_literal;
    bool m_hasParameterRoutes = false;
    bool m_hasBodyCaps = false;
};

// The server's front door behind QHttpServer: copies each request out, finds its route (404,
// 405 with Allow, HEAD, OPTIONS and CORS preflight), checks the bearer token and role the route
// declares, runs the handler on the executor it names, maps any error to problem+json once,
// adds the standard headers and CORS, hands the response to the ConnectionGuard to write in
// order, and logs one line per request.
class Router final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Router)

public:
    Router(ConnectionGuard &guard, WorkerPools &pools, const AuthService &auth,
           const CorsPolicy &cors, QObject *parent = nullptr);

    RouteTable &routes() { return m_routes; }
    // Who the client is behind proxies, and the limits of requests (each may be absent: no
    // limit). Set while wiring, before the first request.
    struct Limits
    {
        const TrustedProxies *proxies = nullptr;
        const SignInLimits *signIn = nullptr; // routes counted as sign-in, per client address
        MemoryRateLimiter *api = nullptr; // requests of each signed-in user
    };
    void setLimits(Limits limits) { m_limits = limits; }
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    int inFlight() const { return m_inFlight; }

private:
    struct Exchange
    {
        QPointer<QTcpSocket> socket;
        ConnectionGuard::Ticket ticket; // its place on the connection, and how its answer ends
        bool headOnly = false;
        QByteArray origin;
        QByteArray method;
        QString path;
        QString requestId;
        QElapsedTimer started;
        RateLimitState apiLimit; // limit 0: not counted
    };

    // True when `executor` is the hashing pool and the client has already gone: nobody would
    // read the answer, so the hash (tens of milliseconds of a core) is skipped.
    static bool abandoned(const Exchange &exchange, Executor executor);
    // The request log's status for work skipped because the client went away.
    static constexpr int ClientClosedRequest = 499;

    void dispatch(Exchange exchange, std::shared_ptr<RequestContext> context);
    // The caller's bearer token and its verified claims.
    struct Credentials
    {
        QByteArray token;
        AccessClaims claims;
    };
    // Runs a route's handler with its access checks; every error becomes a problem response.
    HttpResponse run(const Route &route, RequestContext &context,
                     const std::optional<Credentials> &credentials) const;
    // Runs `work`, turning whatever it throws into a problem response.
    HttpResponse guarded(const RequestContext &context,
                         const std::function<HttpResponse()> &work) const;
    // From any thread: runs a response's continuation on its pool, or sends the response.
    void proceed(const Exchange &exchange, const std::shared_ptr<RequestContext> &context,
                 HttpResponse response);
    // The request's bearer token, verified; throws ApiError (401) otherwise.
    Credentials verifyBearer(const QByteArray &token) const;
    static QByteArray bearerToken(const RequestContext &context);
    void finish(const Exchange &exchange, HttpResponse response, qint64 userId);

    ConnectionGuard &m_guard;
    WorkerPools &m_pools;
    const AuthService &m_auth;
    const CorsPolicy &m_cors;
    RouteTable m_routes;
    Limits m_limits;
    int m_inFlight = 0;
};

} // namespace Tasklane
