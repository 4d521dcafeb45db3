#include "totp.h"

#include <QUrl>
#include <QUrlQuery>

#include <liboath/oath.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Tasklane::Totp {

namespace {
// oath_init() must run before any other call; in Debian's build it sets up nothing that
// needs undoing, so oath_done() is left to the process's end.
void ensureInitialised()
{
    static const int result = oath_init();
    if (result != OATH_OK)
        throw std::runtime_error("liboath failed to initialise");
}

// liboath's own comparison is strcmp; this one takes the same time wherever the codes differ.
int constantTimeCompare(void *handle, const char *candidate)
{
    const auto *typed = static_cast<const char *>(handle);
    return sodium_memcmp(typed, candidate, Digits) == 0 ? 0 : 1;
}
} // namespace

QByteArray newSecret()
{
    QByteArray secret(SecretBytes, Qt::Uninitialized);
    randombytes_buf(secret.data(), size_t(secret.size()));
    return secret;
}

QString base32(const QByteArray &secret)
{
    ensureInitialised();
    char *encoded = nullptr;
    size_t length = 0;
    if (oath_base32_encode(secret.constData(), size_t(secret.size()), &encoded, &length) != OATH_OK)
        throw std::runtime_error("liboath failed to encode a secret");
    QString text = QString::fromLatin1(encoded, qsizetype(length));
    sodium_memzero(encoded, length);
    std::free(encoded);
    while (text.endsWith(u'='))
        text.chop(1);
    return text;
}

std::optional<QByteArray> fromBase32(const QString &text)
{
    ensureInitialised();
    const QByteArray input = text.toLatin1();
    char *decoded = nullptr;
    size_t length = 0;
    if (oath_base32_decode(input.constData(), size_t(input.size()), &decoded, &length) != OATH_OK)
        return std::nullopt;
    QByteArray secret(decoded, qsizetype(length));
    sodium_memzero(decoded, length);
    std::free(decoded);
    return secret;
}

QString provisioningUri(const QString &issuer, const QString &account, const QByteArray &secret)
{
    // Percent-encoded as UTF-8 with a space as %20; a colon would split the label wrongly.
    const auto encode = [](QString part) {
        part.replace(u':', u' ');
        return QString::fromLatin1(QUrl::toPercentEncoding(part));
    };
    return u"otpauth://totp/"_s + encode(issuer) + u':' + encode(account) + u"?secret="_s
            + base32(secret) + u"&issuer="_s + encode(issuer);
}

QString codeAt(const QByteArray &secret, qint64 unixTime)
{
    ensureInitialised();
    char code[Digits + 1] = {};
    if (oath_totp_generate(secret.constData(), size_t(secret.size()), time_t(unixTime), StepSeconds,
                           0, Digits, code)
        != OATH_OK)
        throw std::runtime_error("liboath failed to make a code");
    return QString::fromLatin1(code);
}

std::optional<qint64> matchingStep(const QByteArray &secret, const QString &code, qint64 unixTime)
{
    ensureInitialised();
    QByteArray typed = code.toLatin1();
    if (typed.size() != Digits)
        return std::nullopt;
    int position = 0;
    uint64_t step = 0;
    // Window 1: the step of unixTime, then one after, then one before. Any result >= 0 is a
    // match (its distance); a negative one is OATH_INVALID_OTP or an error.
    const int result = oath_totp_validate4_callback(
            secret.constData(), size_t(secret.size()), time_t(unixTime), StepSeconds, 0, Digits, 1,
            &position, &step, 0, constantTimeCompare, typed.data());
    if (result < 0)
        return std::nullopt;
    return qint64(step);
}

} // namespace Tasklane::Totp
