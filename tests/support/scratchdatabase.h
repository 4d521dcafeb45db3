#pragma once

#include "database.h"

#include <QTemporaryDir>

#include <memory>

namespace Tasklane::Test {

// A fresh, empty database of one dialect for a test, dropped when the object goes: an SQLite
// file in a temporary folder, or a new database on the throwaway PostgreSQL cluster that the
// test command provides (TASKLANE_TEST_PG_ADMIN_URL; see available()).
class ScratchDatabase
{
public:
    explicit ScratchDatabase(SqlDialect dialect);
    ~ScratchDatabase();
    Q_DISABLE_COPY_MOVE(ScratchDatabase)

    static bool available(SqlDialect dialect);
    std::unique_ptr<Database> database;

private:
    QTemporaryDir m_folder;
    QString m_name;
};

} // namespace Tasklane::Test
