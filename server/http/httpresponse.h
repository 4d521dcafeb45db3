#pragma once

#include "workerpools.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

#include <functional>
#include <memory>
#include <utility>

namespace Tasklane {

struct Problem;

// A response as a value: built on any thread, serialised and written on the server's thread.
struct HttpResponse
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    // Set instead of an answer when a handler hands the rest of its work to another pool: the
    // router runs `work` on `executor` and sends what that returns (which may continue again).
    struct Continuation
    {
        Executor executor;
        std::function<HttpResponse()> work;
    };
    std::shared_ptr<Continuation> continuation;

    static HttpResponse continueOn(Executor executor, std::function<HttpResponse()> work);
    static HttpResponse json(int status, const QJsonObject &object);
    // An already serialised JSON body.
    static HttpResponse jsonBytes(int status, const QByteArray &json);
    static HttpResponse empty(int status);
    static HttpResponse problem(const Problem &problem);

    QByteArray header(QByteArrayView name) const;
    // Replaces any header of that name.
    void setHeader(const QByteArray &name, const QByteArray &value);
    // The headers every response carries: request id, nosniff, frame-ancestors, referrer policy,
    // and no-store for API responses. Never a version banner.
    void addStandardHeaders(const QByteArray &requestId);

    // The bytes on the wire. HEAD keeps Content-Length but sends no body.
    // `announceKeepAlive`: say "Connection: keep-alive", which an HTTP/1.0 client needs to hear.
    QByteArray serialize(bool headOnly, bool closeConnection, bool announceKeepAlive = false) const;
    static QByteArray reasonPhrase(int status);
};

} // namespace Tasklane
