#pragma once

#include "principal.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace Tasklane {

class AuthService;
class Database;

// Who may open a real-time connection (GET /api/v1/ws, GET /api/v1/events), and the tickets that
// stand for an access token where a browser cannot send one. Throws ApiError (Unauthorized) for
// a credential that does not hold, DatabaseError when storage fails.
class RealtimeService
{
public:
    static constexpr qint64 TicketLifetimeSeconds = 60;

    RealtimeService(const Database &database, const AuthService &auth)
        : m_database(database), m_auth(auth)
    { }

    struct Ticket
    {
        QString ticket; // 256 random bits, base64url: shown once, kept hashed
        QDateTime expiresAt;
    };
    // A single-use ticket for the principal's access token, valid for TicketLifetimeSeconds
    // (never past the token's own expiry).
    Ticket issueTicket(const Principal &principal) const;

    // The principal of a bearer access token: verified, its user read, not revoked.
    Principal authenticateBearer(const QByteArray &token) const;
    // The principal of the access token a ticket stands for; the ticket is used up, and its
    // token must still be valid (not expired, not revoked, its user still there).
    Principal redeemTicket(const QByteArray &ticket) const;
    // Deletes expired tickets (cleanup); returns how many.
    int purgeExpiredTickets(const QDateTime &now) const;

private:
    const Database &m_database;
    const AuthService &m_auth;
};

} // namespace Tasklane
