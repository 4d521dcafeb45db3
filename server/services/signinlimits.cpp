#include "signinlimits.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void SignInLimits::checkAddress(const QHostAddress &client) const
{
    m_counter.hit(u"address "_s + addressBucket(client));
}

void SignInLimits::checkEmail(const QString &typedEmail, Purpose purpose) const
{
    const QString kind = purpose == Purpose::SignIn ? u"login"_s
            : purpose == Purpose::SignUp            ? u"signup"_s
                                                    : u"recovery"_s;
    // Case and surrounding spaces do not make another account.
    m_counter.hit(kind + u" email "_s + typedEmail.trimmed().toLower());
}

void SignInLimits::checkUser(qint64 userId) const
{
    m_counter.hit(u"user "_s + QString::number(userId));
}

} // namespace Tasklane
