#pragma once

#include "fielderror.h"

#include <QSet>
#include <QString>

namespace Tasklane {

// What a new password must be beyond its length (checked by the request parsers): not on the
// list of common passwords shipped in resources/common-passwords.txt, compared without case.
class PasswordPolicy
{
public:
    // Loads the list from the resource (about a megabyte; build one and share it).
    PasswordPolicy();

    bool isCommon(const QString &password) const;
    // Field errors for `field`, empty when the password is acceptable.
    FieldErrors check(const QString &field, const QString &password) const;
    qsizetype listSize() const { return m_common.size(); }

private:
    QSet<QString> m_common;
};

} // namespace Tasklane
