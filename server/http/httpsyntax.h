#pragma once

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

} // namespace Tasklane::HttpSyntax
