#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

// One page of a listing: its items and the opaque cursor of the next page (empty on the last).
// T needs toJson() and a static fromJson() returning std::optional<T>.
template<typename T>
struct Page
{
    QList<T> items;
    QString nextCursor;

    QJsonObject toJson() const
    {
        QJsonArray list;
        for (const T &item : items)
            list.append(item.toJson());
        QJsonObject json{ { QStringLiteral("items"), list } };
        json.insert(QStringLiteral("next_cursor"),
                    nextCursor.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(nextCursor));
        return json;
    }

    static std::optional<Page> fromJson(const QJsonObject &json)
    {
        if (!json.value(QStringLiteral("items")).isArray())
            return std::nullopt;
        Page page;
        const QJsonArray list = json.value(QStringLiteral("items")).toArray();
        for (const QJsonValue &value : list) {
            auto item = T::fromJson(value.toObject());
            if (!item)
                return std::nullopt;
            page.items.append(*item);
        }
        page.nextCursor = json.value(QStringLiteral("next_cursor")).toString();
        return page;
    }
};

} // namespace Tasklane
