#include "tokenpair.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QJsonObject TokenPair::toJson() const
{
    return { { u"access_token"_s, accessToken },
             { u"refresh_token"_s, refreshToken },
             { u"token_type"_s, tokenType },
             { u"expires_in"_s, expiresIn } };
}

std::optional<TokenPair> TokenPair::fromJson(const QJsonObject &json)
{
    if (!json.value(u"access_token"_s).isString() || !json.value(u"refresh_token"_s).isString()
        || !json.value(u"expires_in"_s).isDouble())
        return std::nullopt;
    TokenPair pair;
    pair.accessToken = json.value(u"access_token"_s).toString();
    pair.refreshToken = json.value(u"refresh_token"_s).toString();
    pair.tokenType = json.value(u"token_type"_s).toString();
    pair.expiresIn = json.value(u"expires_in"_s).toInteger();
    return pair;
}

} // namespace Tasklane
