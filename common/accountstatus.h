#pragma once

#include <QString>

#include <optional>

namespace Tasklane {

// Whether an account may sign in. Active; deactivated (by its owner, POST /users/me/deactivate,
// or by an administrator); locked by an administrator. Only an administrator brings a
// deactivated or locked account back.
enum class AccountStatus { Active, Deactivated, Locked };

QString accountStatusToString(AccountStatus status);
std::optional<AccountStatus> accountStatusFromString(QStringView text);

} // namespace Tasklane
