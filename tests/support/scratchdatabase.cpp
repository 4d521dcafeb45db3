#include "scratchdatabase.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

namespace {
void adminExec(const QString &sql)
{
    const QUrl admin(qEnvironmentVariable("TASKLANE_TEST_PG_ADMIN_URL"));
    const QString name = u"scratch-admin-"_s + QUuid::createUuid().toString(QUuid::Id128);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(admin.host());
        db.setPort(admin.port(5432));
        db.setUserName(admin.userName());
        db.setPassword(qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD"));
        db.setDatabaseName(admin.path().mid(1));
        if (db.open())
            QSqlQuery(db).exec(sql);
    }
    QSqlDatabase::removeDatabase(name);
}
} // namespace

bool ScratchDatabase::available(SqlDialect dialect)
{
    return dialect == SqlDialect::Sqlite
            || !qEnvironmentVariableIsEmpty("TASKLANE_TEST_PG_ADMIN_URL");
}

ScratchDatabase::ScratchDatabase(SqlDialect dialect)
{
    DatabaseConfig config;
    config.dialect = dialect;
    if (dialect == SqlDialect::Sqlite) {
        config.sqlitePath = m_folder.filePath(u"scratch.db"_s);
    } else {
        const QUrl admin(qEnvironmentVariable("TASKLANE_TEST_PG_ADMIN_URL"));
        m_name = u"tl_scratch_"_s + QUuid::createUuid().toString(QUuid::Id128).left(16);
        adminExec(u"CREATE DATABASE "_s + m_name);
        config.host = admin.host();
        config.port = admin.port(5432);
        config.user = admin.userName();
        config.password = qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD");
        config.name = m_name;
    }
    database = std::make_unique<Database>(config);
}

ScratchDatabase::~ScratchDatabase()
{
    database.reset();
    if (!m_name.isEmpty())
        adminExec(u"DROP DATABASE IF EXISTS "_s + m_name + u" WITH (FORCE)"_s);
}

} // namespace Tasklane::Test
