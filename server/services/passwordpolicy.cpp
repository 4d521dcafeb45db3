#include "passwordpolicy.h"

#include <QFile>
#include <QLoggingCategory>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Tasklane {

PasswordPolicy::PasswordPolicy()
{
    QFile list(u":/common-passwords.txt"_s);
    if (!list.open(QIODevice::ReadOnly))
        throw std::runtime_error("the common password list is missing from the resources");
    while (!list.atEnd()) {
        const QString line = QString::fromUtf8(list.readLine()).trimmed();
        if (!line.isEmpty() && !line.startsWith(u'#'))
            m_common.insert(line.toLower());
    }
}

bool PasswordPolicy::isCommon(const QString &password) const
{
    return m_common.contains(password.trimmed().toLower());
}

FieldErrors PasswordPolicy::check(const QString &field, const QString &password) const
{
    if (isCommon(password))
        return { { field, u"common_password"_s,
                   u"This password is too common; choose one that is harder to guess."_s } };
    return {};
}

} // namespace Tasklane
