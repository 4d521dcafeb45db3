#include "accountstatus.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QString accountStatusToString(AccountStatus status)
{
    switch (status) {
    case AccountStatus::Deactivated: return u"deactivated"_s;
    case AccountStatus::Locked: return u"locked"_s;
    case AccountStatus::Active: break;
    }
    return u"active"_s;
}

std::optional<AccountStatus> accountStatusFromString(QStringView text)
{
    if (text == u"active")
        return AccountStatus::Active;
    if (text == u"deactivated")
        return AccountStatus::Deactivated;
    if (text == u"locked")
        return AccountStatus::Locked;
    return std::nullopt;
}

} // namespace Tasklane
