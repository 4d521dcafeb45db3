#pragma once

#include <QByteArrayView>

namespace Tasklane::HttpSyntax {

// RFC 9110, section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. Explicit, so that no locale can widen it (the C
// library's isalnum() accepts letters beyond ASCII in some locales).
constexpr bool isTokenChar(char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return true;
    switch (ch) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~': return true;
    default: return false;
    }
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
