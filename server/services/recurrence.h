#pragma once
#include <QDateTime>
#include <QList>
#include <optional>
namespace Tasklane {
struct Occurrence { QDateTime dueAt; QDate dueDate; bool isAllDay() const { return dueDate.isValid(); } friend bool operator==(const Occurrence&, const Occurrence&) = default; };
class RecurrenceRule {
public:
    static std::optional<RecurrenceRule> parse(const QString &text, bool, QString *) { RecurrenceRule r; r.m_text = text; return r; }
    QString text() const { return m_text; }
    std::optional<Occurrence> nextAfter(const Occurrence &, const Occurrence &, const QString &) const { return std::nullopt; }
    QList<Occurrence> between(const Occurrence &, const QDateTime &, const QDateTime &, const QString &, int) const { return {}; }
private:
    QString m_text;
};
}
