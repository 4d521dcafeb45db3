#include "router.h"

#include "apierror.h"
#include "authservice.h"
#include "clientaddress.h"
#include "connectionguard.h"
#include "corspolicy.h"
#include "databaseerror.h"
#include "httpsyntax.h"
#include "jsonlog.h"
#include "jwtcodec.h"
#include "problemmapping.h"
#include "requestid.h"
#include "responsecompletion.h"
#include "signinlimits.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHttp, "tasklane.http")

namespace Tasklane {

namespace {
// The signed-in user of a request, once known (0 before, or anonymous): what its log lines name.
qint64 userIdOf(const RequestContext &context)
{
    return context.principal ? context.principal->user.id : 0;
}

// Every X-Forwarded-For field of the request, in order, as one list (RFC 9110 section 5.3).
QByteArray forwardedFor(const RequestContext &context)
{
    QByteArray list;
    for (const auto &[name, value] : context.headers) {
        if (name.compare("X-Forwarded-For", Qt::CaseInsensitive) != 0)
            continue;
        if (!list.isEmpty())
            list += ',';
        list += value;
    }
    return list;
}

QByteArray methodName(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get: return "GET";
    case M::Put: return "PUT";
    case M::Delete: return "DELETE";
    case M::Post: return "POST";
    case M::Head: return "HEAD";
    case M::Options: return "OPTIONS";
    case M::Patch: return "PATCH";
    case M::Connect: return "CONNECT";
    case M::Trace: return "TRACE";
    default: return "UNKNOWN";
    }
}

QStringList splitPath(const QString &path)
{
    return path.split(u'/', Qt::KeepEmptyParts).mid(1);
}
} // namespace

void RouteTable::add(Route route)
{
    Q_ASSERT_X(!(route.access.authenticated && route.executor == Executor::EventLoop),
               "RouteTable::add", "authentication reads the database: use a worker executor");
    const QStringList segments = splitPath(route.path);
    QList<std::pair<qsizetype, QString>> parameters;
    for (qsizetype s = 0; s < segments.size(); ++s) {
        const QString &part = segments.at(s);
        if (part.startsWith(u'{') && part.endsWith(u'}'))
            parameters.emplaceBack(s, part.mid(1, part.size() - 2));
    }
    Q_ASSERT_X(parameters.size() <= PathParameters::Capacity, "RouteTable::add",
               "too many {parameters} in one route");
    const qsizetype index = m_routes.size();
    if (m_bySegmentCount.size() <= segments.size())
        m_bySegmentCount.resize(segments.size() + 1);
    m_bySegmentCount[segments.size()].append(index);
    m_segments.append(segments);
    m_parameters.append(parameters);
    if (route.maxBodyBytes > 0)
        m_hasBodyCaps = true;
    m_parameterised.append(!parameters.isEmpty());
    if (m_parameterised.last())
        m_hasParameterRoutes = true;
    else
        m_literal.insert(route.path, index);
    m_routes.append(std::move(route));
}

const QList<qsizetype> &RouteTable::candidates(QStringView path) const
{
    static const QList<qsizetype> none;
    const qsizetype count = path.count(u'/'); // splitPath(): one segment after each '/'
    return count < m_bySegmentCount.size() ? m_bySegmentCount.at(count) : none;
}

QList<RouteTable::Match> RouteTable::match(const QString &path) const
{
    QList<Match> found;
    if (!m_hasParameterRoutes) {
        // Registration order, as the general search below gives.
        QList<qsizetype> indexes = m_literal.values(path);
        std::sort(indexes.begin(), indexes.end());
        for (qsizetype index : std::as_const(indexes))
            found.append(Match{ &m_routes.at(index), {} });
        return found;
    }
    // A segment's text, copied once however many matching routes capture it.
    std::array<QString, 8> copied;
    const auto segmentAt = [&](qsizetype at) {
        if (at < qsizetype(copied.size()) && !copied[size_t(at)].isNull())
            return copied[size_t(at)];
        qsizetype start = 0;
        for (qsizetype s = 0; s <= at; ++s)
            start = path.indexOf(u'/', start) + 1;
        const qsizetype end = path.indexOf(u'/', start);
        QString text = path.sliced(start, (end < 0 ? path.size() : end) - start);
        if (text.isNull())
            text = u""_s; // an empty segment is captured, as an empty (not a null) string
        if (at < qsizetype(copied.size()))
            copied[size_t(at)] = text;
        return text;
    };
    for (qsizetype i : candidates(path)) {
        if (!matches(i, path))
            continue;
        PathParameters captured;
        for (const auto &[at, name] : m_parameters.at(i))
            captured.insert(name, segmentAt(at));
        found.append(Match{ &m_routes.at(i), std::move(captured) });
    }
    // A path that a literal route names belongs to the literal routes alone: /tasks/search is
    // not also /tasks/{id} (whose PATCH would otherwise show in its Allow header).
    const auto parameterised = [this](const Match &match) {
        return m_parameterised.at(match.route - m_routes.constData());
    };
    if (!std::all_of(found.cbegin(), found.cend(), parameterised))
        found.removeIf(parameterised);
    return found;
}

qint64 RouteTable::bodyCap(QByteArrayView method, QStringView path) const
{
    if (!m_hasBodyCaps)
        return 0;
    // The route dispatch() picks: the first registered for the method whose pattern matches,
    // among the literal routes alone when one of them names the path (see match()).
    const QByteArrayView served = method == "HEAD" ? QByteArrayView("GET") : method;
    const Route *chosen = nullptr;
    bool literalMatched = false;
    for (qsizetype i : candidates(path)) {
        if (!matches(i, path) || (literalMatched && m_parameterised.at(i)))
            continue;
        if (!m_parameterised.at(i) && !literalMatched) {
            literalMatched = true;
            chosen = nullptr; // a parameter route chosen before it does not serve this path
        }
        if (!chosen && m_routes.at(i).method == served)
            chosen = &m_routes.at(i);
    }
    return chosen ? chosen->maxBodyBytes : 0;
}

bool RouteTable::matches(qsizetype index, QStringView path) const
{
    // The segments splitPath() gives: what follows each '/', the text before the first dropped.
    const QStringList &pattern = m_segments.at(index);
    const auto &parameters = m_parameters.at(index);
    auto parameter = parameters.cbegin();
    qsizetype slash = path.indexOf(u'/');
    qsizetype segment = 0;
    while (slash >= 0) {
        const qsizetype next = path.indexOf(u'/', slash + 1);
        const QStringView text
                = path.sliced(slash + 1, (next < 0 ? path.size() : next) - slash - 1);
        if (segment == pattern.size())
            return false;
        if (parameter != parameters.cend() && parameter->first == segment) {
            ++parameter; // a {parameter} takes any text
        } else if (pattern.at(segment) != text) {
            return false;
        }
        ++segment;
        slash = next;
    }
    return segment == pattern.size();
}

Router::Router(ConnectionGuard &guard, WorkerPools &pools, const AuthService &auth,
               const CorsPolicy &cors, QObject *parent)
    : QObject(parent), m_guard(guard), m_pools(pools), m_auth(auth), m_cors(cors)
{ }

void Router::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // The responder is dropped unused: responses go out through the guard, in order, as raw
    // bytes, possibly long after this handler has returned.
    Exchange exchange;
    exchange.socket = responder.socket();
    exchange.started.start();
    exchange.ticket = m_guard.takeTicket(responder.socket());
    if (exchange.ticket.refused)
        return;
    exchange.method = methodName(request.method());
    const QUrl url = request.url();
    exchange.path = url.path();

    auto context = std::make_shared<RequestContext>();
    const auto headers = request.headers();
    context->headers.reserve(headers.size());
    for (const auto &[name, value] : headers)
        context->headers.emplaceBack(name, value);
    exchange.origin = context->header("Origin");
    exchange.requestId
            = QString::fromLatin1(RequestIds::acceptOrCreate(context->header("X-Request-Id")));
    ++m_inFlight;

    context->method = exchange.method;
    context->path = exchange.path;
    context->rawQuery = url.query(QUrl::FullyEncoded);
    context->body = request.body();
    context->remoteAddress = request.remoteAddress();
    context->clientAddress = m_limits.proxies
            ? m_limits.proxies->clientAddress(context->remoteAddress, forwardedFor(*context))
            : context->remoteAddress;
    context->requestId = exchange.requestId;
    dispatch(std::move(exchange), std::move(context));
}

void Router::dispatch(Exchange exchange, std::shared_ptr<RequestContext> context)
{
    const JsonLog::RequestScope logScope(context->requestId); // for what is logged on the way
    exchange.headOnly = exchange.method == "HEAD"; // whatever the answer, 404 and 405 too
    const QList<RouteTable::Match> candidates = m_routes.match(context->path);
    if (candidates.isEmpty()) {
        finish(exchange,
               problemResponse(ApiError(ApiError::Kind::NotFound, u"There is nothing here."_s),
                               exchange.requestId, exchange.path),
               0);
        return;
    }
    QList<QByteArray> methods;
    // The first route registered for the method wins (a literal /tasks/search before
    // /tasks/{id}); HEAD is answered by the first GET.
    const Route *route = nullptr;
    for (const RouteTable::Match &candidate : candidates) {
        if (!methods.contains(candidate.route->method))
            methods.append(candidate.route->method);
        const bool serves = candidate.route->method == exchange.method
                || (exchange.method == "HEAD" && candidate.route->method == "GET");
        if (serves && !route) {
            route = candidate.route;
            context->pathParameters = candidate.parameters;
        }
    }
    // The guard refused a body over this route's cap before it was read; this catches any
    // difference between its view of the request and QHttpServer's.
    if (route && route->maxBodyBytes > 0 && context->body.size() > route->maxBodyBytes) {
        finish(exchange,
               problemResponse(
                       ApiError(ApiError::Kind::PayloadTooLarge,
                                u"The request body exceeds %1 bytes."_s.arg(route->maxBodyBytes)),
                       exchange.requestId, exchange.path),
               0);
        return;
    }
    if (methods.contains("GET"))
        methods.append("HEAD");
    methods.append("OPTIONS");
    const QByteArray allow = methods.join(", ");

    if (exchange.method == "OPTIONS") {
        HttpResponse response = HttpResponse::empty(204);
        response.setHeader("Allow", allow);
        m_cors.applyPreflight(exchange.origin, allow, response);
        finish(exchange, std::move(response), 0);
        return;
    }
    if (!route) {
        HttpResponse response
                = problemResponse(ApiError(ApiError::Kind::MethodNotAllowed,
                                           u"%1 is not allowed here; see the Allow header."_s.arg(
                                                   QString::fromLatin1(exchange.method))),
                                  exchange.requestId, exchange.path);
        response.setHeader("Allow", allow);
        finish(exchange, std::move(response), 0);
        return;
    }
    std::optional<Credentials> credentials;
    if (route->access.authenticated) {
        // A token authenticated moments ago is answered from the cache (no query for the user);
        // any other is checked here, before a thread hop, since its signature and claims need
        // no database.
        const QByteArray token = bearerToken(*context);
        context->principal = m_auth.cachedPrincipal(token);
        if (!context->principal) {
            try {
                credentials = verifyBearer(token);
            } catch (const ApiError &error) {
                finish(exchange, problemResponse(error, exchange.requestId, exchange.path), 0);
                return;
            }
        }
    }
    // Each signed-in user's requests per window, counted here, before any work is queued.
    if (route->access.authenticated && m_limits.api && m_limits.api->enabled()) {
        const qint64 userId
                = context->principal ? context->principal->user.id : credentials->claims.userId;
        exchange.apiLimit = m_limits.api->hit(userId, QDateTime::currentSecsSinceEpoch());
        if (!exchange.apiLimit.allowed) {
            const RateLimitState &state = exchange.apiLimit;
            finish(exchange,
                   problemResponse(
                           ApiError(ApiError::Kind::TooManyRequests,
                                    u"Too many requests; try again in %1 s."_s.arg(
                                            state.resetSeconds))
                                   .withRetryAfter(state.resetSeconds)
                                   .withRateLimit(state.limit, state.remaining, state.resetSeconds),
                           exchange.requestId, exchange.path),
                   userId);
            return;
        }
    }
    // A read that the caches can answer is answered here, without a thread hand-off.
    if (context->principal && route->fromMemory
        && roleSatisfies(context->principal->user.role, route->access.minimumRole)
        && (!context->principal->user.passwordChangeRequired
            || route->access.beforePasswordChange)) {
        std::optional<HttpResponse> response;
        try {
            response = route->fromMemory(*context);
        } catch (const std::exception &error) { // a broken promise: the handler will answer
            qCWarning(lcHttp, "answering from memory failed: %s", error.what());
        }
        if (response) {
            finish(exchange, std::move(*response), context->principal->user.id);
            return;
        }
    }
    if (route->executor == Executor::EventLoop) {
        HttpResponse response = run(*route, *context, credentials);
        if (response.continuation)
            proceed(exchange, context, std::move(response));
        else
            finish(exchange, std::move(response),
                   context->principal ? context->principal->user.id : 0);
        return;
    }
    const bool started = m_pools.start(
            route->executor,
            [this, route, exchange, context, credentials] {
                const JsonLog::RequestScope scope(context->requestId, userIdOf(*context));
                proceed(exchange, context,
                        abandoned(exchange, route->executor)
                                ? HttpResponse::empty(ClientClosedRequest)
                                : run(*route, *context, credentials));
            },
            context->body.size());
    if (!started) {
        finish(exchange,
               problemResponse(ApiError(ApiError::Kind::ServerBusy,
                                        u"Too many requests are waiting; try again shortly."_s),
                               exchange.requestId, exchange.path),
               0);
    }
}

void Router::proceed(const Exchange &exchange, const std::shared_ptr<RequestContext> &context,
                     HttpResponse response)
{
    if (response.continuation) {
        const auto continuation = std::move(response.continuation);
        const bool started = m_pools.start(
                continuation->executor,
                [this, exchange, context, continuation] {
                    const JsonLog::RequestScope scope(context->requestId, userIdOf(*context));
                    proceed(exchange, context,
                            abandoned(exchange, continuation->executor)
                                    ? HttpResponse::empty(ClientClosedRequest)
                                    : guarded(*context, continuation->work));
                },
                context->body.size());
        if (started)
            return;
        response = problemResponse(ApiError(ApiError::Kind::ServerBusy,
                                            u"Too many requests are waiting; try again shortly."_s),
                                   exchange.requestId, exchange.path);
    }
    const qint64 userId = context->principal ? context->principal->user.id : 0;
    QMetaObject::invokeMethod(
            this,
            [this, exchange, userId, response = std::move(response)]() mutable {
                finish(exchange, std::move(response), userId);
            },
            Qt::QueuedConnection);
}

bool Router::abandoned(const Exchange &exchange, Executor executor)
{
    return executor == Executor::Hashing && exchange.ticket.peerGone
            && exchange.ticket.peerGone->load();
}

QByteArray Router::bearerToken(const RequestContext &context)
{
    return HttpSyntax::bearerCredentials(context.header("Authorization"));
}

Router::Credentials Router::verifyBearer(const QByteArray &token) const
{
    if (token.isEmpty())
        throw ApiError(ApiError::Kind::Unauthorized, u"A bearer token is required."_s);
    return { token, m_auth.verifyAccessToken(token) };
}

HttpResponse Router::run(const Route &route, RequestContext &context,
                         const std::optional<Credentials> &credentials) const
{
    return guarded(context, [&]() {
        // Before the token's user is read: a flood of guesses costs one counter each.
        if (route.access.signIn && m_limits.signIn && m_limits.signIn->enabled())
            m_limits.signIn->checkAddress(context.clientAddress);
        if (route.access.authenticated) {
            if (!context.principal)
                context.principal = m_auth.authenticate(credentials->token, credentials->claims);
            // On the worker: a read answered from memory (fromMemory) never needs it.
            context.principal->origin = context.origin();
            JsonLog::setRequestUser(context.principal->user.id);
            if (!roleSatisfies(context.principal->user.role, route.access.minimumRole))
                throw ApiError(
                        ApiError::Kind::Forbidden,
                        u"This needs the %1 role."_s.arg(roleToString(route.access.minimumRole)));
            if (context.principal->user.passwordChangeRequired
                && !route.access.beforePasswordChange)
                throw ApiError(ApiError::Kind::PasswordChangeRequired,
                               u"An administrator asks you to set a new password first: "
                               "PATCH /api/v1/users/me with current_password and password."_s);
        }
        return route.handler(context);
    });
}

HttpResponse Router::guarded(const RequestContext &context,
                             const std::function<HttpResponse()> &work) const
{
    try {
        return work();
    } catch (const ApiError &error) {
        return problemResponse(error, context.requestId, context.path);
    } catch (const DatabaseError &error) {
        const ApiError answer = toApiError(error);
        if (answer.kind() == ApiError::Kind::Internal)
            qCCritical(lcHttp, "database failure: %s", error.what());
        else
            qCWarning(lcHttp, "database unavailable or busy: %s", error.what());
        return problemResponse(answer, context.requestId, context.path);
    } catch (const std::exception &error) {
        qCCritical(lcHttp, "unexpected failure: %s", error.what());
        return problemResponse(
                ApiError(ApiError::Kind::Internal, u"The server failed to complete the request."_s),
                context.requestId, context.path);
    }
}

void Router::finish(const Exchange &exchange, HttpResponse response, qint64 userId)
{
    AnsweredRequest answered;
    answered.method = exchange.method;
    answered.path = exchange.path;
    answered.requestId = exchange.requestId;
    answered.origin = exchange.origin;
    answered.preflight = exchange.method == "OPTIONS";
    answered.durationMs = double(exchange.started.nsecsElapsed()) / 1e6;
    answered.userId = userId;
    const RateLimitState &limit = exchange.apiLimit;
    if (limit.limit > 0 && response.header("RateLimit-Limit").isEmpty())
        setRateLimitHeaders(response, limit.limit, limit.remaining, limit.resetSeconds);
    completeResponse(response, answered, &m_cors);
    if (exchange.socket)
        m_guard.submit(exchange.socket, exchange.ticket, response, exchange.headOnly);
    --m_inFlight;
}

} // namespace Tasklane
