#pragma once

#include <QString>

#include <optional>

namespace Tasklane {

// A user's role. Ordered by privilege: a route that requires Manager admits Admin too.
enum class Role { User = 0, Manager = 1, Admin = 2 };

QString roleToString(Role role);
std::optional<Role> roleFromString(QStringView text);
// True when `held` grants at least what `required` asks for.
bool roleSatisfies(Role held, Role required);

} // namespace Tasklane
