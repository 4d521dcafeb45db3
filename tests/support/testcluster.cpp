#include "testcluster.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

bool testClusterAvailable()
{
    return !qEnvironmentVariableIsEmpty("TASKLANE_TEST_PG_ADMIN_URL");
}

bool runOnTestCluster(const QString &sql)
{
    const QUrl url(qEnvironmentVariable("TASKLANE_TEST_PG_ADMIN_URL"));
    const QString name = u"tasklane-test-admin-"_s + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD"));
        db.setDatabaseName(url.path().mid(1));
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.exec(sql);
            if (!ok)
                qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        } else {
            qWarning("cannot reach the test PostgreSQL: %s", qPrintable(db.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace Tasklane::Test
