#include "avatar.h"

#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QString avatarPath(qint64 userId)
{
    return u"/api/v1/users/%1/avatar"_s.arg(userId);
}

QJsonObject AvatarInfo::toJson() const
{
    return { { u"url"_s, url },
             { u"content_type"_s, contentType },
             { u"width"_s, width },
             { u"height"_s, height },
             { u"bytes"_s, bytes },
             { u"etag"_s, etag },
             { u"updated_at"_s, toApiTimestamp(updatedAt) } };
}

std::optional<AvatarInfo> AvatarInfo::fromJson(const QJsonObject &json)
{
    if (!json.value(u"url"_s).isString() || !json.value(u"width"_s).isDouble()
        || !json.value(u"height"_s).isDouble() || !json.value(u"etag"_s).isString())
        return std::nullopt;
    AvatarInfo info;
    info.url = json.value(u"url"_s).toString();
    info.contentType = json.value(u"content_type"_s).toString();
    info.width = json.value(u"width"_s).toInt();
    info.height = json.value(u"height"_s).toInt();
    info.bytes = json.value(u"bytes"_s).toInteger();
    info.etag = json.value(u"etag"_s).toString();
    info.updatedAt = fromApiTimestamp(json.value(u"updated_at"_s).toString());
    return info;
}

} // namespace Tasklane
