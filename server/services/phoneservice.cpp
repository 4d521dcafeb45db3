#include "phoneservice.h"

#include "activitylog.h"

#include "apierror.h"
#include "commitgroup.h"
#include "database.h"
#include "mailtexts.h"
#include "phonerepository.h"
#include "phonerequests.h"
#include "securerandom.h"
#include "smssender.h"
#include "user.h"

#include <QLoggingCategory>

#include <QJsonArray>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPhones, "tasklane.sms")

namespace Tasklane {

namespace {

QString sixDigits()
{
    // 32 random bits reduced to 10^6: the bias (about 0.02%) tells an attacker nothing useful.
    const QByteArray random = SecureRandom::bytes(4);
    quint32 value = 0;
    for (char byte : random)
        value = (value << 8) | quint8(byte);
    return u"%1"_s.arg(uint(value % 1'000'000), PhoneCodeRequest::CodeLength, 10, QChar(u'0'));
}

QJsonValue pendingJson(const std::optional<PhoneRepository::Verification> &pending,
                       const QDateTime &now)
{
    if (!pending || pending->expiresAt <= now || pending->attempts >= PhoneService::MaxAttempts)
        return QJsonValue(QJsonValue::Null);
    return QJsonObject{ { u"phone"_s, pending->phone },
                        { u"expires_at"_s, toApiTimestamp(pending->expiresAt) } };
}

} // namespace

PhoneService::PhoneService(const Database &database, CommitGroup &writes, const SmsSender &sms)
    : m_database(database), m_writes(writes), m_sms(sms), m_texts(std::make_unique<MailTexts>())
{ }

QString PhoneService::codeHash(const QString &salt, const QString &code)
{
    return sha256Hex(salt.toLatin1() + ':' + code.toLatin1());
}

QJsonObject PhoneService::status(const Principal &principal) const
{
    const PhoneRepository phones(m_database);
    const auto phone = phones.verifiedPhone(principal.user.id);
    return { { u"phone"_s, phone ? QJsonValue(*phone) : QJsonValue(QJsonValue::Null) },
             { u"pending"_s,
               pendingJson(phones.pendingVerification(principal.user.id),
                           QDateTime::currentDateTimeUtc()) } };
}

QJsonObject PhoneService::requestCode(const Principal &principal, const QJsonObject &body) const
{
    FieldErrors errors;
    const auto request = PhoneRequest::fromJson(body, &errors);
    if (!request)
        throw ApiError::validation(errors);
    const qint64 userId = principal.user.id;
    const QString code = sixDigits();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const PhoneRepository::Verification sent = m_writes.run([&] {
        const PhoneRepository phones(m_database);
        PhoneRepository::Verification next;
        if (const auto previous = phones.pendingVerification(userId)) {
            const qint64 sinceLast = previous->sentAt.secsTo(now);
            if (sinceLast < ResendAfterSeconds)
                throw ApiError(ApiError::Kind::TooManyRequests,
                               u"A code went out less than a minute ago; wait for it."_s)
                        .withRetryAfter(ResendAfterSeconds - sinceLast);
            next.windowStartedAt = previous->windowStartedAt;
            next.sendsInWindow = previous->sendsInWindow;
            if (previous->windowStartedAt.secsTo(now) >= 3600) {
                next.windowStartedAt = now;
                next.sendsInWindow = 0;
            } else if (previous->sendsInWindow >= MaxSendsPerHour) {
                throw ApiError(ApiError::Kind::TooManyRequests,
                               u"Too many codes this hour; try again later."_s)
                        .withRetryAfter(3600 - previous->windowStartedAt.secsTo(now));
            }
        } else {
            next.windowStartedAt = now;
        }
        next.phone = request->phone;
        next.salt = SecureRandom::token(16);
        next.codeHash = codeHash(next.salt, code);
        next.expiresAt = now.addSecs(CodeLifetimeSeconds);
        next.sentAt = now;
        next.sendsInWindow += 1;
        phones.saveVerification(userId, next);
        return next;
    });
    // Sent once the code is stored: a code that arrives can always be confirmed. The code
    // itself is never stored in clear, not even in a job: it goes out now or not at all.
    try {
        m_sms.send(request->phone,
                   m_texts->text(QT_TRANSLATE_NOOP("Mail",
                                                   "Your Tasklane code is %1. It expires in 10 "
                                                   "minutes."),
                                 principal.user.language)
                           .arg(code));
    } catch (const SmsError &error) {
        qCWarning(lcPhones, "a verification code for user %lld did not go out: %s", userId,
                  error.what());
        m_writes.run([&] { PhoneRepository(m_database).setAttempts(userId, MaxAttempts); });
        throw ApiError(ApiError::Kind::UpstreamFailed,
                       u"The SMS provider did not take the message; try again later."_s);
    }
    return { { u"phone"_s, sent.phone }, { u"expires_at"_s, toApiTimestamp(sent.expiresAt) } };
}

QJsonObject PhoneService::verify(const Principal &principal, const QJsonObject &body) const
{
    FieldErrors errors;
    const auto request = PhoneCodeRequest::fromJson(body, &errors);
    if (!request)
        throw ApiError::validation(errors);
    const qint64 userId = principal.user.id;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    enum class Outcome { Verified, NoCode, Expired, Exhausted, Wrong };
    QString phone;
    // Decided and recorded in one transaction that commits either way: a wrong try counts.
    const Outcome outcome = m_writes.run([&] {
        const PhoneRepository phones(m_database);
        const auto pending = phones.pendingVerification(userId);
        if (!pending)
            return Outcome::NoCode;
        if (pending->expiresAt <= now)
            return Outcome::Expired;
        if (pending->attempts >= MaxAttempts)
            return Outcome::Exhausted;
        if (!constantTimeEquals(codeHash(pending->salt, request->code).toLatin1(),
                                pending->codeHash.toLatin1())) {
            phones.setAttempts(userId, pending->attempts + 1);
            return pending->attempts + 1 >= MaxAttempts ? Outcome::Exhausted : Outcome::Wrong;
        }
        phones.setVerifiedPhone(userId, pending->phone);
        phones.deleteVerification(userId);
        recordSmsNumberChange(principal);
        phone = pending->phone;
        return Outcome::Verified;
    });
    const auto refuse = [](const QString &code, const QString &message) {
        return ApiError::validation({ { u"code"_s, code, message } });
    };
    switch (outcome) {
    case Outcome::Verified: break;
    case Outcome::NoCode:
        throw refuse(u"not_found"_s, u"No code was sent; add the number first."_s);
    case Outcome::Expired:
        throw refuse(u"expired"_s, u"The code has expired; ask for a new one."_s);
    case Outcome::Exhausted:
        throw refuse(u"too_many"_s, u"Too many wrong codes; ask for a new one."_s);
    case Outcome::Wrong: throw refuse(u"invalid_value"_s, u"That is not the code we sent."_s);
    }
    return { { u"phone"_s, phone }, { u"pending"_s, QJsonValue(QJsonValue::Null) } };
}

void PhoneService::recordSmsNumberChange(const Principal &principal) const
{
    ActivityEntry entry = ActivityLog::entry(ActivityAction::ProfileChanged, principal);
    entry.details = { { u"fields"_s, QJsonArray{ u"sms_phone"_s } } };
    ActivityLog::record(m_database, entry);
}

void PhoneService::remove(const Principal &principal) const
{
    m_writes.run([&] {
        const PhoneRepository phones(m_database);
        const bool had = phones.verifiedPhone(principal.user.id).has_value();
        phones.deleteVerification(principal.user.id);
        if (!had)
            throw ApiError(ApiError::Kind::NotFound, u"There is no phone number."_s);
        phones.setVerifiedPhone(principal.user.id, std::nullopt);
        recordSmsNumberChange(principal);
    });
}

} // namespace Tasklane
