#pragma once

#include "realtimegate.h"

#include <QByteArray>

#include <optional>
#include <variant>

namespace Tasklane {

class CorsPolicy;

// The checks of a real-time request that need nothing but its head (RFC 6455 section 4.2.1 for
// a WebSocket handshake; an event stream is a plain GET), made on the HTTP thread before any
// credential is looked at: the refusal, or what the request asks for.
namespace RealtimeHandshake {

struct Parameters
{
    enum class Credential { BearerToken, Ticket };
    Credential credential = Credential::BearerToken;
    QByteArray secret; // the bearer token or the ticket (never logged)
    std::optional<qint64> since; // the last event id the client saw (?since=, Last-Event-ID)
};

// `cors` may be null (no Origin is then allowed).
std::variant<RealtimeAdmission, Parameters> check(const RealtimeRequest &request,
                                                  const CorsPolicy *cors);

} // namespace RealtimeHandshake

} // namespace Tasklane
