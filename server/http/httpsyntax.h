#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <string_view>

namespace Tasklane::HttpSyntax {

// RFC 9110, section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. Explicit, so that no locale can widen it (the C
// library's isalnum() accepts letters beyond ASCII in some locales).
constexpr bool isTokenChar(char ch)
{
    constexpr std::string_view Symbols = "!#$%&'*+-.^_`|~";
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
            || Symbols.find(ch) != std::string_view::npos;
}

constexpr bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char ch : text) {
        if (!isTokenChar(ch))
            return false;
    }
    return true;
}

// The credentials of an Authorization header of the Bearer scheme (its name case-insensitive,
// RFC 9110, section 11.1), trimmed; empty for any other scheme.
inline QByteArray bearerCredentials(QByteArrayView authorization)
{
    if (authorization.size() <= 7 || qstrnicmp(authorization.data(), "Bearer ", 7) != 0)
        return {};
    return authorization.sliced(7).toByteArray().trimmed();
}

} // namespace Tasklane::HttpSyntax
