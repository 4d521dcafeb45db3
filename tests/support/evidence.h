#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

// What the suite-wide secret search reads (issue 11, point 11): every secret the tests make or
// are given (canaries: passwords, tokens, TOTP secrets, recovery codes), and every log the
// servers they ran wrote (their JSON lines, their stored log records and activity entries).
// Each test process appends to files in TASKLANE_TEST_EVIDENCE (set by CTest); the last test,
// tst_canarysweep, searches every log for every canary. Without that variable nothing is kept.
namespace Tasklane::Test::Evidence {

// The folder, or empty when nothing is kept.
QString directory();

// Secrets shorter than this are not searched for: a six-digit TOTP code would match ids and
// times in any log.
constexpr qsizetype MinimumCanaryLength = 12;

// A secret the logs must never hold.
void recordSecret(const QString &secret);
// The secrets in an API answer (recursively): tokens, TOTP secrets, recovery codes, tickets.
void recordSecretsIn(const QJsonValue &json);
// A log to search: `text` is written to a file of its own named after `kind`.
void recordLog(const QString &kind, const QByteArray &text);

} // namespace Tasklane::Test::Evidence
