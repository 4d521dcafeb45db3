// The suite-wide secret search (issue 11, point 11). CTest runs it after every other test (the
// cleanup of the "evidence" fixture): it reads every canary the tests recorded (each password
// they made, each token, TOTP secret, recovery code and link token the servers handed them) and
// every log the servers wrote (their JSON lines, their stored log records and activity entries,
// the output of each command), and fails naming each canary found in any of them.
#include "evidence.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <string_view>
#include <unordered_map>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane::Test;

namespace {

constexpr qsizetype Key = Evidence::MinimumCanaryLength;

// Where a canary was found: which file, and the line around it.
struct Finding
{
    QByteArray canary;
    QString file;
    QByteArray line;
};

// Every canary's first Key bytes index it: the logs are read once, a Key-byte window at each
// position looked up (a few seconds for the whole suite's logs), and a window that matches is
// compared in full.
class CanarySearch
{
public:
    explicit CanarySearch(const QList<QByteArray> &canaries) : m_canaries(canaries)
    {
        for (const QByteArray &canary : m_canaries)
            m_byKey[std::string_view(canary.constData(), size_t(Key))].push_back(&canary);
    }

    void search(const QString &file, const QByteArray &text, QList<Finding> *findings) const
    {
        const char *data = text.constData();
        for (qsizetype i = 0; i + Key <= text.size(); ++i) {
            const auto found = m_byKey.find(std::string_view(data + i, size_t(Key)));
            if (found == m_byKey.end())
                continue;
            for (const QByteArray *canary : found->second) {
                if (!QByteArrayView(text).sliced(i).startsWith(*canary))
                    continue;
                const qsizetype start = text.lastIndexOf('\n', i) + 1;
                const qsizetype end = text.indexOf('\n', i);
                findings->append(
                        { *canary, file,
                          text.mid(start, (end < 0 ? text.size() : end) - start).left(400) });
            }
        }
    }

private:
    const QList<QByteArray> m_canaries;
    std::unordered_map<std::string_view, std::vector<const QByteArray *>> m_byKey;
};

QList<QByteArray> readCanaries(const QDir &folder)
{
    QList<QByteArray> canaries;
    const QStringList files = folder.entryList({ u"canaries-*.txt"_s }, QDir::Files);
    for (const QString &name : files) {
        QFile file(folder.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.size() >= Key && !canaries.contains(line))
                canaries.append(line);
        }
    }
    return canaries;
}

} // namespace

class TestCanarySweep : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theSearchFindsACanaryAnywhereInALine();
    void noLogHoldsASecret();
};

void TestCanarySweep::theSearchFindsACanaryAnywhereInALine()
{
    // The search itself, on a log made here: a canary inside a JSON string and one at the very
    // end are found, a canary's prefix alone is not.
    const QList<QByteArray> canaries{ "Correct-Horse-0123456789ab", "eyJhbGciOiJIUzI1NiJ9.e30.x" };
    const CanarySearch search(canaries);
    QList<Finding> findings;
    search.search(u"made-up.log"_s,
                  "{\"message\":\"login with Correct-Horse-0123456789ab\"}\n"
                  "{\"message\":\"Correct-Horse-0123456789a\"}\n"
                  "eyJhbGciOiJIUzI1NiJ9.e30.x",
                  &findings);
    QCOMPARE(findings.size(), 2);
    QCOMPARE(findings.at(0).canary, canaries.at(0));
    QCOMPARE(findings.at(0).line, "{\"message\":\"login with Correct-Horse-0123456789ab\"}");
    QCOMPARE(findings.at(1).canary, canaries.at(1));
}

void TestCanarySweep::noLogHoldsASecret()
{
    const QString path = Evidence::directory();
    if (path.isEmpty())
        QSKIP("TASKLANE_TEST_EVIDENCE is not set: run the suite through CTest.");
    const QDir folder(path);
    const QList<QByteArray> canaries = readCanaries(folder);
    const QStringList logs = folder.entryList({ u"*.log"_s }, QDir::Files, QDir::Name);
    if (canaries.isEmpty() && logs.isEmpty())
        QSKIP("No test that starts a server ran before this one.");
    // Whenever servers ran, they were handed secrets and wrote logs: both sides are there.
    QVERIFY2(!canaries.isEmpty(), "logs were kept but no canary was recorded");
    QVERIFY2(!logs.isEmpty(), "canaries were recorded but no log was kept");

    const CanarySearch search(canaries);
    QList<Finding> findings;
    qint64 bytes = 0;
    for (const QString &name : logs) {
        QFile file(folder.filePath(name));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(name));
        const QByteArray text = file.readAll();
        bytes += text.size();
        search.search(name, text, &findings);
    }
    qInfo("searched %lld logs (%lld bytes) for %lld canaries", static_cast<long long>(logs.size()),
          static_cast<long long>(bytes), static_cast<long long>(canaries.size()));
    for (const Finding &finding : std::as_const(findings))
        qWarning("a secret (%s...) is in %s: %s", finding.canary.left(16).constData(),
                 qPrintable(finding.file), finding.line.constData());
    QCOMPARE(findings.size(), 0);
}

QTEST_GUILESS_MAIN(TestCanarySweep)
#include "tst_canarysweep.moc"
