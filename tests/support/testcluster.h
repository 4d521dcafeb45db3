#pragma once

#include <QString>

namespace Tasklane::Test {

// The throwaway PostgreSQL cluster that the test command starts (scripts/pg-cluster.sh): its
// maintenance database is TASKLANE_TEST_PG_ADMIN_URL, its password TASKLANE_TEST_PG_PASSWORD.
bool testClusterAvailable();
// Runs one statement on the cluster's maintenance database (CREATE/DROP/ALTER DATABASE,
// pg_terminate_backend); false, with the reason logged, when it fails.
bool runOnTestCluster(const QString &sql);

} // namespace Tasklane::Test
