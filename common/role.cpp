#include "role.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QString roleToString(Role role)
{
    switch (role) {
    case Role::Admin: return u"admin"_s;
    case Role::Manager: return u"manager"_s;
    case Role::User: break;
    }
    return u"user"_s;
}

std::optional<Role> roleFromString(QStringView text)
{
    if (text == u"admin")
        return Role::Admin;
    if (text == u"manager")
        return Role::Manager;
    if (text == u"user")
        return Role::User;
    return std::nullopt;
}

bool roleSatisfies(Role held, Role required)
{
    return static_cast<int>(held) >= static_cast<int>(required);
}

} // namespace Tasklane
