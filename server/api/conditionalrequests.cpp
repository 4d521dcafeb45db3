#include "conditionalrequests.h"

#include "requestcontext.h"

namespace Tasklane::ConditionalRequests {

namespace {
// The opaque tags of an entity-tag list ("1", W/"2", ...), without their quotes. Weak tags
// never match an If-Match (RFC 9110 section 13.1.1: strong comparison), so they are skipped
// there.
QList<QByteArray> tagsIn(const QByteArray &header, bool acceptWeak, bool *any)
{
    QList<QByteArray> opaque;
    *any = false;
    const QList<QByteArray> tags = header.split(',');
    for (QByteArray tag : tags) {
        tag = tag.trimmed();
        if (tag == "*") {
            *any = true;
            continue;
        }
        if (tag.startsWith("W/")) {
            if (!acceptWeak)
                continue;
            tag = tag.sliced(2);
        }
        if (tag.size() < 3 || !tag.startsWith('"') || !tag.endsWith('"'))
            continue;
        opaque.append(tag.sliced(1, tag.size() - 2));
    }
    return opaque;
}

// The versions named by an entity-tag list.
QList<qint64> versionsIn(const QByteArray &header, bool acceptWeak, bool *any)
{
    QList<qint64> versions;
    for (const QByteArray &tag : tagsIn(header, acceptWeak, any)) {
        bool ok = false;
        const qint64 version = tag.toLongLong(&ok);
        if (ok && version > 0)
            versions.append(version);
    }
    return versions;
}
} // namespace

QByteArray etag(qint64 version)
{
    return '"' + QByteArray::number(version) + '"';
}

std::optional<qint64> ifMatchVersion(const RequestContext &request)
{
    const QByteArray header = request.header("If-Match");
    if (header.isNull())
        return std::nullopt;
    bool any = false;
    const QList<qint64> versions = versionsIn(header, false, &any);
    if (any)
        return std::nullopt;
    // One version is all a client ever holds of one task; several are read as the first.
    return versions.isEmpty() ? -1 : versions.first();
}

bool ifNoneMatchHits(const RequestContext &request, qint64 version)
{
    const QByteArray header = request.header("If-None-Match");
    if (header.isNull())
        return false;
    bool any = false;
    const QList<qint64> versions = versionsIn(header, true, &any);
    return any || versions.contains(version);
}

bool ifNoneMatchHits(const RequestContext &request, QByteArrayView opaqueTag)
{
    const QByteArray header = request.header("If-None-Match");
    if (header.isNull())
        return false;
    bool any = false;
    const QList<QByteArray> tags = tagsIn(header, true, &any);
    return any || tags.contains(opaqueTag);
}

QByteArray firstIfNoneMatchTag(const RequestContext &request)
{
    bool any = false;
    const QList<QByteArray> tags = tagsIn(request.header("If-None-Match"), true, &any);
    return tags.isEmpty() ? QByteArray() : tags.first();
}

} // namespace Tasklane::ConditionalRequests
