#include "signinlimits.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void SignInLimits::checkAddress(const QHostAddress &client) const
{
    m_counter.hit(u"address "_s + addressBucket(client));
}

void SignInLimits::checkEmail(const QString &typedEmail) const
{
    // Case and surrounding spaces do not make another account.
    m_counter.hit(u"email "_s + typedEmail.trimmed().toLower());
}

void SignInLimits::checkUser(qint64 userId) const
{
    m_counter.hit(u"user "_s + QString::number(userId));
}

} // namespace Tasklane
