#include "databaseconfig.h"

#include <QDir>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString DatabaseConfig::describe() const
{
    if (dialect == SqlDialect::Sqlite)
        return u"sqlite:"_s + sqlitePath;
    return u"postgres://%1@%2:%3/%4"_s.arg(user, host, QString::number(port), name);
}

std::optional<DatabaseConfig> DatabaseConfig::fromUrl(const QString &text, QString *error)
{
    DatabaseConfig config;
    if (text.startsWith(u"postgres://") || text.startsWith(u"postgresql://")) {
        const QUrl url(text, QUrl::StrictMode);
        const QString name = url.path().mid(1);
        if (!url.isValid() || url.host().isEmpty() || name.isEmpty() || name.contains(u'/')) {
            *error = u"a PostgreSQL URL looks like postgres://USER@HOST:PORT/DATABASE"_s;
            return std::nullopt;
        }
        config.dialect = SqlDialect::Postgres;
        config.host = url.host();
        config.port = url.port(5432);
        config.user = url.userName(QUrl::FullyDecoded);
        config.password = url.password(QUrl::FullyDecoded);
        config.name = name;
        QStringList options{ u"application_name=tasklaned"_s };
        static const QStringList allowed{ u"sslmode"_s,         u"connect_timeout"_s,
                                          u"sslrootcert"_s,     u"sslcert"_s,
                                          u"sslkey"_s,          u"keepalives_idle"_s,
                                          u"tcp_user_timeout"_s };
        const QUrlQuery query(url);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (!allowed.contains(key) || value.contains(u';')) {
                *error = u"unsupported PostgreSQL URL option: %1"_s.arg(key);
                return std::nullopt;
            }
            options.append(key + u'=' + value);
        }
        // A database host that vanishes (network partition, power loss) must fail the queries
        // waiting on it within a minute, not hold a worker thread until the kernel gives up.
        const QList<std::pair<QString, QString>> defaults{ { u"connect_timeout"_s, u"5"_s },
                                                           { u"keepalives_idle"_s, u"30"_s },
                                                           { u"tcp_user_timeout"_s, u"60000"_s } };
        for (const auto &[key, value] : defaults) {
            if (!query.hasQueryItem(key))
                options.append(key + u'=' + value);
        }
        options.append(u"keepalives=1"_s);
        options.append(u"keepalives_interval=10"_s);
        options.append(u"keepalives_count=3"_s);
        config.connectOptions = options.join(u';');
        return config;
    }
    QString path = text;
    if (path.startsWith(u"sqlite://"))
        path = path.mid(9);
    else if (path.startsWith(u"sqlite:"))
        path = path.mid(7);
    if (path.isEmpty() || path.contains(u"://")) {
        *error = u"the database URL must be sqlite:PATH or postgres://USER@HOST:PORT/NAME"_s;
        return std::nullopt;
    }
    config.sqlitePath = QDir::cleanPath(QDir::current().absoluteFilePath(path));
    return config;
}

} // namespace Tasklane
