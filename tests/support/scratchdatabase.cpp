#include "scratchdatabase.h"

#include "testcluster.h"

#include <QUrl>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

bool ScratchDatabase::available(SqlDialect dialect)
{
    return dialect == SqlDialect::Sqlite || testClusterAvailable();
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
        runOnTestCluster(u"CREATE DATABASE "_s + m_name);
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
        runOnTestCluster(u"DROP DATABASE IF EXISTS "_s + m_name + u" WITH (FORCE)"_s);
}

} // namespace Tasklane::Test
