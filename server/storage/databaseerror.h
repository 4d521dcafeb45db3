#pragma once

#include <QString>

#include <stdexcept>

namespace Tasklane {

// A failed database operation. The message is fit for the log (no bound values, no secrets)
// and is never sent to a client: the HTTP layer answers 500 or 503 instead.
class DatabaseError : public std::runtime_error
{
public:
    // UniqueViolation: a statement broke a unique index (a repository may turn it into a
    // domain answer, such as "this email is taken").
    enum class Kind { Connection, Statement, UniqueViolation, SchemaTooNew };

    DatabaseError(Kind kind, const QString &message)
        : std::runtime_error(message.toStdString()), m_kind(kind)
    { }
    Kind kind() const { return m_kind; }
    QString message() const { return QString::fromStdString(what()); }

private:
    Kind m_kind;
};

} // namespace Tasklane
