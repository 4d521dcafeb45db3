#include "secretfile.h"

#include <QFile>
#include <QLoggingCategory>

#include <stdexcept>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace Tasklane {

QByteArray loadOrCreateSecretFile(const QString &path, const char *what,
                                  const std::function<QByteArray()> &generate)
{
    const std::string name(what);
    QFile file(path);
    if (file.exists()) {
        const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
                | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
        if (file.permissions() & others) {
            // Someone loosened it: put it back, and say so (the secret may have been read).
            if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
                throw std::runtime_error("the " + name
                                         + " in the data folder is readable by others and its "
                                           "mode cannot be set to 0600");
            qCWarning(lcServer,
                      "the %s %s was readable by other users; its mode is 0600 again. Delete it "
                      "to have a new one made",
                      what, qUtf8Printable(path));
        }
        if (!file.open(QIODevice::ReadOnly))
            throw std::runtime_error("cannot read the " + name + " in the data folder");
        return file.readAll().trimmed();
    }
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        throw std::runtime_error("cannot create the " + name + " in the data folder");
    const QByteArray secret = generate();
    file.write(secret + '\n');
    if (!file.flush())
        throw std::runtime_error("cannot write the " + name + " in the data folder");
    file.close();
    qCInfo(lcServer, "generated a %s in %s (mode 0600)", what, qUtf8Printable(path));
    return secret;
}

} // namespace Tasklane
