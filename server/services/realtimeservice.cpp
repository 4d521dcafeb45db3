#include "realtimeservice.h"

#include "apierror.h"
#include "authservice.h"
#include "realtimeticketrepository.h"
#include "securerandom.h"
#include "userrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
constexpr qsizetype TicketBytes = 32;

ApiError invalidTicket()
{
    return ApiError(ApiError::Kind::Unauthorized,
                    u"The ticket is unknown, used or expired; ask for a new one."_s);
}
} // namespace

RealtimeService::Ticket RealtimeService::issueTicket(const Principal &principal) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Ticket ticket;
    ticket.ticket = SecureRandom::token(TicketBytes);
    ticket.expiresAt = std::min(now.addSecs(TicketLifetimeSeconds), principal.token.expiresAt);
    RealtimeTicketRecord record;
    record.userId = principal.user.id;
    record.jti = principal.token.jti;
    record.tokenIssuedAt = principal.token.issuedAt;
    record.tokenExpiresAt = principal.token.expiresAt;
    record.sessionId = principal.token.sessionId;
    RealtimeTicketRepository(m_database)
            .insert(sha256Hex(ticket.ticket.toUtf8()), record, ticket.expiresAt);
    return ticket;
}

namespace {
// Asked for a new password first: the feed waits for it too.
void refuseBeforePasswordChange(const Principal &principal)
{
    if (principal.user.passwordChangeRequired)
        throw ApiError(ApiError::Kind::PasswordChangeRequired,
                       u"An administrator asks you to set a new password first."_s);
}
} // namespace

Principal RealtimeService::authenticateBearer(const QByteArray &token) const
{
    const Principal principal = m_auth.authenticateAccessToken(token);
    refuseBeforePasswordChange(principal);
    // Verification allows for clock skew past exp; a connection lives until exp itself, so a
    // token in that margin would open a socket only to have it closed at once.
    if (principal.token.expiresAt <= QDateTime::currentDateTimeUtc())
        throw ApiError(ApiError::Kind::Unauthorized, u"The access token has expired."_s);
    return principal;
}

Principal RealtimeService::redeemTicket(const QByteArray &ticket) const
{
    // Only the alphabet and length of a real one reach the database.
    bool ok = false;
    if (base64UrlDecode(ticket, &ok).size() != TicketBytes || !ok)
        throw invalidTicket();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto record = RealtimeTicketRepository(m_database).redeem(sha256Hex(ticket), now);
    if (!record)
        throw invalidTicket();
    if (record->tokenExpiresAt <= now)
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token the ticket stands for has expired."_s);
    const auto user = UserRepository(m_database)
                              .findUnlessTokenRevoked(record->userId, record->jti,
                                                      record->tokenIssuedAt, record->sessionId);
    if (!user)
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token has been revoked or its user no longer exists."_s);
    Principal principal;
    principal.user = user->user;
    refuseBeforePasswordChange(principal);
    principal.token.userId = record->userId;
    principal.token.jti = record->jti;
    principal.token.issuedAt = record->tokenIssuedAt;
    principal.token.expiresAt = record->tokenExpiresAt;
    principal.token.sessionId = record->sessionId;
    return principal;
}

int RealtimeService::purgeExpiredTickets(const QDateTime &now) const
{
    return RealtimeTicketRepository(m_database).purgeExpired(now);
}

} // namespace Tasklane
