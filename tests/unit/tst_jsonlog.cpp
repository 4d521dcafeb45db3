// JsonLog: the lines the writer thread formats are byte for byte what QJsonDocument wrote; lines
// logged from many threads all reach stderr, whole, in each thread's order, by shutdown(); an
// error is written at once after what was queued before it; a full queue drops and says so.
#include "jsonlog.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QTest>

#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;

Q_LOGGING_CATEGORY(lcLogTest, "tasklane.logtest")

namespace {

// What JsonLog wrote before it had a writer thread (QJsonObject, keys sorted, QDateTime).
QByteArray referenceLine(QJsonObject object, qint64 time)
{
    object.insert(u"time"_s,
                  QDateTime::fromMSecsSinceEpoch(time, Qt::UTC).toString(Qt::ISODateWithMs));
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QByteArray referenceRequest(const JsonLog::RequestEntry &entry, qint64 time)
{
    QJsonObject object{ { u"level"_s, u"info"_s },
                        { u"category"_s, u"tasklane.http.request"_s },
                        { u"message"_s, u"request"_s },
                        { u"method"_s, QString::fromLatin1(entry.method) },
                        { u"path"_s, entry.path },
                        { u"status"_s, entry.status },
                        { u"duration_ms"_s, qRound(entry.durationMs * 1000) / 1000.0 },
                        { u"request_id"_s, entry.requestId } };
    object.insert(u"user_id"_s, entry.userId > 0 ? QJsonValue(entry.userId) : QJsonValue());
    return referenceLine(object, time);
}

// Points file descriptor 2 somewhere else for the object's lifetime.
class StderrRedirect
{
public:
    explicit StderrRedirect(int fd) : m_saved(::dup(STDERR_FILENO)) { ::dup2(fd, STDERR_FILENO); }
    ~StderrRedirect()
    {
        ::dup2(m_saved, STDERR_FILENO);
        ::close(m_saved);
    }
    StderrRedirect(const StderrRedirect &) = delete;
    StderrRedirect &operator=(const StderrRedirect &) = delete;

private:
    int m_saved;
};

// JsonLog's message handler for the object's lifetime, QTest's own again afterwards.
class InstalledLog
{
public:
    InstalledLog() : m_previous(qInstallMessageHandler(nullptr))
    {
        JsonLog::install(JsonLog::Level::Info);
    }
    ~InstalledLog()
    {
        JsonLog::shutdown();
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules({});
    }
    InstalledLog(const InstalledLog &) = delete;
    InstalledLog &operator=(const InstalledLog &) = delete;

private:
    QtMessageHandler m_previous;
};

QList<QJsonObject> parseLines(const QByteArray &bytes, QString *bad)
{
    QList<QJsonObject> lines;
    for (const QByteArray &text : bytes.split('\n')) {
        if (text.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            *bad = QString::fromUtf8(text);
            return {};
        }
        lines.append(document.object());
    }
    return lines;
}

} // namespace

class TestJsonLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestLinesAreWhatQJsonDocumentWrote_data();
    void requestLinesAreWhatQJsonDocumentWrote();
    void messageLinesAreWhatQJsonDocumentWrote_data();
    void messageLinesAreWhatQJsonDocumentWrote();
    void timesAreWhatQDateTimeWrote();
    void linesFromManyThreadsAreAllWrittenInOrder();
    void anErrorIsWrittenAtOnceAfterWhatWasQueued();
    void aFatalMessageIsWrittenAfterWhatWasQueuedBeforeTheAbort();
    void aFullQueueDropsLinesAndSaysHowMany();
};

void TestJsonLog::requestLinesAreWhatQJsonDocumentWrote_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<double>("durationMs");
    QTest::addColumn<qint64>("userId");
    QTest::addColumn<QString>("requestId");
    QTest::addColumn<qint64>("time");
    QTest::newRow("a signed-in read") << QByteArray("GET") << u"/api/v1/users/me"_s << 200 << 0.7734
                                      << qint64(42) << u"3f2a9c-000001"_s << qint64(1796052742123);
    QTest::newRow("an anonymous request has a null user")
            << QByteArray("POST") << u"/api/v1/auth/login"_s << 401 << 6.8 << qint64(0) << u"abc"_s
            << qint64(0);
    QTest::newRow("a whole number of milliseconds")
            << QByteArray("GET") << u"/healthz"_s << 200 << 2.0 << qint64(1) << u"x"_s
            << qint64(951782400000);
    QTest::newRow("a long request") << QByteArray("PATCH") << u"/a"_s << 503 << 123456.78951
                                    << qint64(9007199254740993) << u"y"_s << qint64(4102444799999);
    QTest::newRow("less than a microsecond")
            << QByteArray("GET") << u"/"_s << 200 << 0.0004 << qint64(7) << u"z"_s << qint64(1);
    QTest::newRow("quotes, backslashes and control characters are escaped")
            << QByteArray("G\"ET") << u"/a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj\u007fk"_s << 400
            << 1.5 << qint64(0) << u"id\"\\"_s << qint64(1796052742999);
    QTest::newRow("other scripts and emoji are UTF-8")
            << QByteArray("GET") << u"/caf\u00e9/\u65e5\u672c/\U0001F600"_s << 404 << 0.25
            << qint64(3) << u"\u00fc"_s << qint64(1796052742000);
    QTest::newRow("lone surrogates are escaped")
            << QByteArray("GET")
            << QStringView(u"/a\xd800"
                           u"b\xdc00"
                           u"c\xd83d")
                       .toString()
            << 404 << 0.001 << qint64(0) << QStringView(u"\xdfff").toString() << qint64(5);
    QTest::newRow("Latin-1 bytes of a method")
            << QByteArray("G\xe9T") << u"/"_s << 400 << 0.1 << qint64(0) << u"-"_s << qint64(5);
    QTest::newRow("a NUL in the path") << QByteArray("GET") << QStringView(u"/a\0b", 4).toString()
                                       << 400 << 0.1 << qint64(0) << u"-"_s << qint64(5);
}

void TestJsonLog::requestLinesAreWhatQJsonDocumentWrote()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(double, durationMs);
    QFETCH(qint64, userId);
    QFETCH(QString, requestId);
    QFETCH(qint64, time);
    const JsonLog::RequestEntry entry{ method, path, status, durationMs, userId, requestId };
    QCOMPARE(JsonLog::Detail::formatRequest(entry, time), referenceRequest(entry, time));
}

void TestJsonLog::messageLinesAreWhatQJsonDocumentWrote_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("category");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("requestId");
    QTest::newRow("an info message outside a request")
            << int(QtInfoMsg) << QByteArray("tasklane.server") << u"listening on http://x"_s
            << QString();
    QTest::newRow("a warning inside a request")
            << int(QtWarningMsg) << QByteArray("tasklane.auth") << u"rejected an access token"_s
            << u"3f2a9c-000002"_s;
    QTest::newRow("a debug message")
            << int(QtDebugMsg) << QByteArray("default") << u"d"_s << QString();
    QTest::newRow("an error is level error") << int(QtCriticalMsg) << QByteArray("tasklane.db")
                                             << u"database \"x\"\n\tgone \u00e9"_s << u"r"_s;
    QTest::newRow("a fatal message") << int(QtFatalMsg) << QByteArray("c") << u"f"_s << QString();
}

void TestJsonLog::messageLinesAreWhatQJsonDocumentWrote()
{
    QFETCH(int, type);
    QFETCH(QByteArray, category);
    QFETCH(QString, message);
    QFETCH(QString, requestId);
    const qint64 time = 1796052742123;
    const QStringList levels{ u"debug"_s, u"warning"_s, u"error"_s, u"fatal"_s, u"info"_s };
    QJsonObject object{ { u"level"_s, levels.at(type) },
                        { u"category"_s, QString::fromLatin1(category) },
                        { u"message"_s, message } };
    if (!requestId.isEmpty())
        object.insert(u"request_id"_s, requestId);
    QCOMPARE(JsonLog::Detail::formatMessage(QtMsgType(type), category.constData(), message,
                                            requestId, time),
             referenceLine(object, time));
}

void TestJsonLog::timesAreWhatQDateTimeWrote()
{
    // Leap days, ends of months and years, the epoch, far into the future.
    QList<qint64> times{ 0,
                         1,
                         999,
                         86'399'999,
                         86'400'000,
                         951'782'400'000,
                         951'868'799'999,
                         978'307'199'999,
                         1'709'164'800'123,
                         1'796'052'742'123,
                         4'102'444'799'999,
                         253'402'300'799'999 };
    quint64 state = 88172645463325252ULL; // xorshift: the same values every run
    for (int i = 0; i < 20'000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        times.append(qint64(state % 253'402'300'800'000ULL));
    }
    for (const qint64 time : std::as_const(times)) {
        const QByteArray line = JsonLog::Detail::formatMessage(QtInfoMsg, "c", u"m"_s, {}, time);
        const QByteArray expected = "\"time\":\""
                + QDateTime::fromMSecsSinceEpoch(time, Qt::UTC)
                          .toString(Qt::ISODateWithMs)
                          .toLatin1()
                + "\"}\n";
        QVERIFY2(line.endsWith(expected), line.constData());
    }
}

void TestJsonLog::linesFromManyThreadsAreAllWrittenInOrder()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    constexpr int Threads = 8;
    constexpr int PerThread = 5000;
    {
        const StderrRedirect redirect(file.handle());
        const InstalledLog log;
        std::vector<std::thread> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back([t] {
                for (int n = 0; n < PerThread; ++n) {
                    const QString id = u"t%1-%2"_s.arg(t).arg(n);
                    if (n % 10 == 0) {
                        const JsonLog::RequestScope scope(id);
                        qCInfo(lcLogTest, "thread %d line %d", t, n);
                    } else {
                        JsonLog::request(
                                { "GET", u"/t/%1/%2"_s.arg(t).arg(n), 200, 0.5, t + 1, id });
                    }
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        // InstalledLog's destructor calls JsonLog::shutdown(): everything is written by then.
    }
    QVERIFY(file.seek(0));
    QString bad;
    const QList<QJsonObject> lines = parseLines(file.readAll(), &bad);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
    QCOMPARE(lines.size(), Threads * PerThread);
    static const QRegularExpression idPattern(u"^t(\\d+)-(\\d+)$"_s);
    QList<int> next(Threads, 0);
    for (const QJsonObject &line : lines) {
        const auto match = idPattern.match(line.value(u"request_id"_s).toString());
        QVERIFY2(match.hasMatch(), QJsonDocument(line).toJson().constData());
        const int t = match.captured(1).toInt();
        const int n = match.captured(2).toInt();
        QCOMPARE(n, next[t]); // every line of a thread, in the order it logged them
        ++next[t];
        if (n % 10 == 0) {
            // The request id is the one in scope on the logging thread when it logged.
            QCOMPARE(line.value(u"category"_s).toString(), u"tasklane.logtest"_s);
            QCOMPARE(line.value(u"message"_s).toString(), u"thread %1 line %2"_s.arg(t).arg(n));
        } else {
            QCOMPARE(line.value(u"category"_s).toString(), u"tasklane.http.request"_s);
            QCOMPARE(line.value(u"path"_s).toString(), u"/t/%1/%2"_s.arg(t).arg(n));
            QCOMPARE(line.value(u"user_id"_s).toInteger(), t + 1);
        }
    }
}

void TestJsonLog::anErrorIsWrittenAtOnceAfterWhatWasQueued()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    QByteArray written;
    {
        const StderrRedirect redirect(file.handle());
        const InstalledLog log;
        for (int n = 0; n < 2000; ++n)
            JsonLog::request({ "GET", u"/before/%1"_s.arg(n), 200, 0.5, 1, u"r"_s });
        qCCritical(lcLogTest, "the last line");
        // Read while the writer thread still runs: the error must already be out.
        QVERIFY(file.seek(0));
        written = file.readAll();
    }
    QString bad;
    const QList<QJsonObject> lines = parseLines(written, &bad);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
    QCOMPARE(lines.size(), 2001);
    QCOMPARE(lines.last().value(u"level"_s).toString(), u"error"_s);
    QCOMPARE(lines.last().value(u"message"_s).toString(), u"the last line"_s);
    for (int n = 0; n < 2000; ++n)
        QCOMPARE(lines.at(n).value(u"path"_s).toString(), u"/before/%1"_s.arg(n));
}

void TestJsonLog::aFatalMessageIsWrittenAfterWhatWasQueuedBeforeTheAbort()
{
    constexpr int Lines = 5000;
    if (qEnvironmentVariableIsSet("TST_JSONLOG_FATAL_CHILD")) {
        // The child: queue lines, then a fatal message, which aborts the process (no core file).
        const rlimit noCore{ 0, 0 };
        setrlimit(RLIMIT_CORE, &noCore);
        qInstallMessageHandler(nullptr);
        JsonLog::install(JsonLog::Level::Info);
        for (int n = 0; n < Lines; ++n)
            JsonLog::request({ "GET", u"/queued/%1"_s.arg(n), 200, 0.5, 1, u"r"_s });
        qFatal("the end");
    }
    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"TST_JSONLOG_FATAL_CHILD"_s, u"1"_s);
    child.setProcessEnvironment(environment);
    child.start(
            QCoreApplication::applicationFilePath(),
            { u"-nocrashhandler"_s, u"aFatalMessageIsWrittenAfterWhatWasQueuedBeforeTheAbort"_s });
    QVERIFY(child.waitForFinished(30'000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    QString bad;
    const QList<QJsonObject> lines = parseLines(child.readAllStandardError(), &bad);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
    QCOMPARE(lines.size(), Lines + 1);
    for (int n = 0; n < Lines; ++n)
        QCOMPARE(lines.at(n).value(u"path"_s).toString(), u"/queued/%1"_s.arg(n));
    QCOMPARE(lines.last().value(u"level"_s).toString(), u"fatal"_s);
    QCOMPARE(lines.last().value(u"message"_s).toString(), u"the end"_s);
}

void TestJsonLog::aFullQueueDropsLinesAndSaysHowMany()
{
    // stderr is a pipe nobody reads at first: the writer blocks once the pipe is full, and the
    // queue (64 KiB here) fills up behind it.
    int pipeEnds[2];
    QCOMPARE(::pipe(pipeEnds), 0);
    constexpr int Lines = 50'000;
    QByteArray received;
    std::thread reader;
    const qsizetype previousLimit = JsonLog::Detail::setQueueLimit(64 * 1024);
    {
        const StderrRedirect redirect(pipeEnds[1]);
        ::close(pipeEnds[1]);
        const InstalledLog log;
        for (int n = 0; n < Lines; ++n)
            JsonLog::request({ "GET", u"/n/%1"_s.arg(n), 200, 0.5, 1, u"r"_s });
        reader = std::thread([&received, fd = pipeEnds[0]] {
            char buffer[65536];
            for (;;) {
                const ssize_t size = ::read(fd, buffer, sizeof buffer);
                if (size <= 0)
                    return;
                received.append(buffer, size);
            }
        });
    } // shutdown, then stderr is restored: the pipe's last writer is closed
    reader.join();
    ::close(pipeEnds[0]);
    JsonLog::Detail::setQueueLimit(previousLimit);

    QString bad;
    const QList<QJsonObject> lines = parseLines(received, &bad);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
    static const QRegularExpression dropped(u"^(\\d+) log lines dropped"_s);
    qint64 requests = 0;
    qint64 droppedCount = 0;
    int previous = -1;
    for (const QJsonObject &line : lines) {
        if (line.value(u"category"_s).toString() == u"tasklane.http.request"_s) {
            const int n = line.value(u"path"_s).toString().mid(3).toInt();
            QVERIFY(n > previous);
            previous = n;
            ++requests;
            continue;
        }
        QCOMPARE(line.value(u"level"_s).toString(), u"warning"_s);
        const auto match = dropped.match(line.value(u"message"_s).toString());
        QVERIFY2(match.hasMatch(), qPrintable(line.value(u"message"_s).toString()));
        droppedCount += match.captured(1).toLongLong();
    }
    QVERIFY(droppedCount > 0);
    QVERIFY(requests < Lines);
    QCOMPARE(requests + droppedCount, Lines); // every line written or counted
}

QTEST_GUILESS_MAIN(TestJsonLog)
#include "tst_jsonlog.moc"
