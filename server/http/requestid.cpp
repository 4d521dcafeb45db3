#include "requestid.h"

#include "securerandom.h"

#include <atomic>

namespace Tasklane::RequestIds {

namespace {
std::atomic<quint64> s_counter{ 0 };

const QByteArray &prefix()
{
    static const QByteArray value = base64UrlEncode(SecureRandom::bytes(6)) + '-';
    return value;
}
} // namespace

QByteArray next()
{
    return prefix() + QByteArray::number(s_counter.fetch_add(1, std::memory_order_relaxed), 36);
}

QByteArray acceptOrCreate(const QByteArray &clientValue)
{
    const bool sane = !clientValue.isEmpty() && clientValue.size() <= 128
            && std::all_of(clientValue.begin(), clientValue.end(), [](char ch) {
                   return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                           || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'
                           || ch == ':';
               });
    return sane ? clientValue : next();
}

} // namespace Tasklane::RequestIds
