// Back-pressure and bounded queues, seen from clients that misbehave: pipelining without
// reading, and piling up requests with large bodies while the database is stuck. The server's
// memory stays bounded, a paused connection costs no CPU, and every request is still answered,
// in order, once its client reads.
#include "testserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
// A plain POSIX socket: unlike QTcpSocket, it reads nothing unless asked to.
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    ~RawClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Q_DISABLE_COPY_MOVE(RawClient)

    bool isConnected() const { return m_fd >= 0; }

    // Queues `bytes` and sends what the server's receive window takes within the time; true
    // when all of it went (what did not goes on while reading).
    bool send(const QByteArray &bytes, int timeoutMs = 10'000)
    {
        m_outbox += bytes;
        QElapsedTimer timer;
        timer.start();
        while (!m_outbox.isEmpty() && timer.elapsed() < timeoutMs) {
            QCoreApplication::processEvents(); // the server's log is read by QProcess
            pollfd p{ m_fd, POLLOUT, 0 };
            if (::poll(&p, 1, 100) > 0 && !pump())
                return false;
        }
        return m_outbox.isEmpty();
    }

    // Reads until `count` whole responses have arrived (or the time is up, or the server
    // closed); returns their statuses, and each one's head in `heads`.
    QList<int> readResponses(int count, int timeoutMs, QList<QByteArray> *heads = nullptr)
    {
        QList<int> statuses;
        QElapsedTimer timer;
        timer.start();
        QByteArray chunk(256 * 1024, Qt::Uninitialized);
        while (statuses.size() < count && timer.elapsed() < timeoutMs) {
            if (takeResponse(&statuses, heads))
                continue;
            // The server's log pipe is read by QProcess on this thread's event loop: a
            // server blocked on a full pipe would look like one that stopped answering.
            QCoreApplication::processEvents();
            pollfd p{ m_fd, short(POLLIN | (m_outbox.isEmpty() ? 0 : POLLOUT)), 0 };
            if (::poll(&p, 1, 100) <= 0)
                continue;
            if ((p.revents & POLLOUT) && !pump())
                break;
            if (!(p.revents & (POLLIN | POLLHUP)))
                continue;
            const ssize_t n = ::recv(m_fd, chunk.data(), size_t(chunk.size()), MSG_DONTWAIT);
            if (n == 0)
                break; // closed
            if (n > 0)
                m_buffer.append(chunk.constData(), n);
        }
        while (statuses.size() < count && takeResponse(&statuses, heads)) { }
        return statuses;
    }

private:
    bool pump()
    {
        const ssize_t n = ::send(m_fd, m_outbox.constData(), size_t(m_outbox.size()),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        m_outbox.remove(0, n);
        return true;
    }

    bool takeResponse(QList<int> *statuses, QList<QByteArray> *heads)
    {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return false;
        const QByteArray head = m_buffer.left(headEnd + 2);
        qint64 length = 0;
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (line.left(colon).trimmed().toLower() == "content-length")
                length = line.mid(colon + 1).trimmed().toLongLong();
        }
        if (m_buffer.size() < headEnd + 4 + length)
            return false;
        statuses->append(statusOf(head));
        if (heads)
            heads->append(head);
        m_buffer.remove(0, headEnd + 4 + length);
        return true;
    }

    int m_fd = -1;
    QByteArray m_outbox; // queued, not taken by the kernel yet
    QByteArray m_buffer; // received, not parsed yet
};

// The resident memory of a process, in KiB.
qint64 residentKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

// CPU time a process has used so far, in clock ticks (user + system).
qint64 cpuTicks(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong(); // utime, stime
}

QByteArray pipelined(const QByteArray &path, int count, const QByteArray &extra = {})
{
    QByteArray bytes;
    for (int i = 0; i < count; ++i)
        bytes += "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Request-Id: r" + QByteArray::number(i)
                + "\r\n" + extra + "\r\n";
    return bytes;
}

// Reads the answers to `count` requests made by pipelined(): true when all came, 200, in order.
bool answeredInOrder(RawClient &client, int count)
{
    QList<QByteArray> heads;
    const QList<int> statuses = client.readResponses(count, 60'000, &heads);
    if (statuses.size() != count || statuses.count(200) != count) {
        qWarning("%lld answers, %lld of them 200, for %d requests", qlonglong(statuses.size()),
                 qlonglong(statuses.count(200)), count);
        return false;
    }
    for (int i = 0; i < count; ++i) {
        if (!heads.at(i).contains(QByteArray("X-Request-Id: r" + QByteArray::number(i) + "\r\n"))) {
            qWarning("answer %d is not the answer to request %d", i, i);
            return false;
        }
    }
    return true;
}

// A task create whose body is padded with white space to `size` bytes (still valid JSON), made
// with `token` (none: answered 401 once its body is in), on a route with the default body cap.
QByteArray paddedCreate(qsizetype size, const QByteArray &token = {})
{
    QByteArray body = R"({"title":"padded"})";
    body += QByteArray(std::max<qsizetype>(0, size - body.size()), ' ');
    return "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + (token.isEmpty() ? QByteArray() : "Authorization: Bearer " + token + "\r\n")
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Holds the lock every write of the server's database needs (SQLite's write lock, or an
// exclusive lock on tasks on PostgreSQL) until destroyed.
class DatabaseLock
{
public:
    explicit DatabaseLock(const TestServer &server)
        : m_name(u"lock-"_s + QUuid::createUuid().toString(QUuid::Id128))
    {
        QSqlDatabase db = server.openDatabase(m_name);
        if (!db.isOpen())
            return;
        QSqlQuery query(db);
        m_held = server.databaseUrl().isEmpty() ? query.exec(u"BEGIN IMMEDIATE"_s)
                                                : query.exec(u"BEGIN"_s)
                        && query.exec(u"LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE"_s);
        if (!m_held)
            qWarning("cannot lock: %s", qPrintable(query.lastError().text()));
    }
    ~DatabaseLock() { release(); }
    Q_DISABLE_COPY_MOVE(DatabaseLock)

    bool isHeld() const { return m_held; }
    void release()
    {
        if (m_name.isEmpty())
            return;
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            QSqlQuery(db).exec(u"ROLLBACK"_s);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
        m_name.clear();
    }

private:
    QString m_name;
    bool m_held = false;
};
} // namespace

class TestBackpressure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pipeliningWithoutReadingKeepsMemoryBounded();
    void pipelinedWorkerRequestsAreAllAnsweredInOrder();
    void pipelinedLargeBodiesAreAllAnswered();
    void databaseQueueIsBounded_data();
    void databaseQueueIsBounded();
};

void TestBackpressure::pipeliningWithoutReadingKeepsMemoryBounded()
{
    // Each answer is the 29 KiB OpenAPI document: 4 x 2,000 unread answers would be 230 MiB if
    // the server kept framing and answering (it used to: 1.2 GiB from one such connection).
    TestServer::Options options;
    // Under AddressSanitizer, freed memory waits in a quarantine of up to 256 MiB before it can
    // be reused, which would count here as growth: measure the heap as it is really used.
    if (options.environment.contains(u"ASAN_OPTIONS"_s))
        options.environment.insert(u"ASAN_OPTIONS"_s,
                                   options.environment.value(u"ASAN_OPTIONS"_s)
                                           + u":quarantine_size_mb=0"_s);
    TestServer server(options);
    QVERIFY(server.start());
    const qint64 pid = server.process().processId();
    constexpr int Connections = 4, Requests = 2000;
    {
        RawClient warmUp(server.port());
        QVERIFY(warmUp.send(pipelined("/api/v1/openapi.json", 20)));
        QCOMPARE(warmUp.readResponses(20, 10'000).size(), 20);
    }
    const qint64 before = residentKiB(pid);
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < Connections; ++i) {
        clients.push_back(std::make_unique<RawClient>(server.port()));
        QVERIFY(clients.back()->isConnected());
        // The server stops reading before all of this is in, and the kernel buffers the rest.
        clients.back()->send(pipelined("/api/v1/openapi.json", Requests), 2000);
    }
    QTest::qWait(1000);
    const qint64 ticks = cpuTicks(pid);
    QTest::qWait(1000);
    const qint64 pausedTicks = cpuTicks(pid) - ticks;
    const qint64 grownKiB = residentKiB(pid) - before;
    qInfo("resident memory grew by %lld KiB; %lld CPU ticks in a second of pause", grownKiB,
          pausedTicks);
    QVERIFY2(grownKiB < 48 * 1024, qPrintable(u"grew by %1 KiB"_s.arg(grownKiB)));
    // Paused connections wait on the kernel, not in a busy loop.
    QVERIFY2(pausedTicks < sysconf(_SC_CLK_TCK) / 5, qPrintable(QString::number(pausedTicks)));

    // As each client reads, its connection resumes: every request is answered, in order.
    for (auto &client : clients)
        QVERIFY(answeredInOrder(*client, Requests));
    QCOMPARE(server.stop(), 0);
}

void TestBackpressure::pipelinedWorkerRequestsAreAllAnsweredInOrder()
{
    // Answers made on worker threads finish in any order; with at most a few in flight per
    // connection, the guard resumes as they are written and still answers all, in order.
    TestServer server;
    QVERIFY(server.start());
    ApiClient api(server.url());
    const SignedInUser user = signUpAndLogIn(api);
    QVERIFY(!user.accessToken.isEmpty());
    constexpr int Requests = 300;
    RawClient client(server.port());
    QVERIFY(client.send(
            pipelined("/api/v1/users/me", Requests,
                      "Authorization: Bearer " + user.accessToken.toLatin1() + "\r\n")));
    QVERIFY(answeredInOrder(client, Requests));
    QCOMPARE(server.stop(), 0);
}

void TestBackpressure::pipelinedLargeBodiesAreAllAnswered()
{
    // Qt's read buffer is kept small while only small requests are on their way, and grows to
    // hold each large one whole (QtHttpServer keeps a request in it until it is complete): a
    // run of large bodies, pipelined among small requests, is read and answered in full.
    TestServer server;
    QVERIFY(server.start());
    QByteArray requests;
    for (int i = 0; i < 3; ++i)
        requests += paddedCreate(2'000'000 + i * 100'000) + pipelined("/healthz", 50);
    RawClient client(server.port());
    QVERIFY(client.send(requests, 30'000));
    const QList<int> statuses = client.readResponses(3 * 51, 30'000);
    QCOMPARE(statuses.size(), 3 * 51);
    QCOMPARE(statuses.count(401), 3);
    QCOMPARE(statuses.count(200), 3 * 50);
    QCOMPARE(server.stop(), 0);
}

void TestBackpressure::databaseQueueIsBounded_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<qsizetype>("bodySize");
    QTest::addColumn<int>("atMostWaiting"); // besides the one a database thread has taken

    QTest::newRow("by the number of requests waiting")
            << QStringList{ u"--db-write-threads"_s, u"1"_s, u"--db-queue-limit"_s, u"3"_s }
            << qsizetype(200) << 3;
    QTest::newRow("by the bytes of the bodies waiting")
            << QStringList{ u"--db-write-threads"_s, u"1"_s, u"--queue-body-bytes"_s, u"1000000"_s }
            << qsizetype(300'000) << 3;
}

void TestBackpressure::databaseQueueIsBounded()
{
    // With the database stuck (its write lock held), requests used to pile up without limit,
    // each keeping its body (400 bodies of 1 MB: +428 MiB, no 503). Past the limits they are
    // answered 503 at once, with Retry-After.
    QFETCH(QStringList, arguments);
    QFETCH(qsizetype, bodySize);
    QFETCH(int, atMostWaiting);
    TestServer::Options options;
    options.arguments = arguments;
    TestServer server(options);
    QVERIFY(server.start());
    // The start-up clean-up runs on the database pool too: once /readyz (queued after it) is
    // answered, the one database thread is free.
    ApiClient api(server.url());
    const SignedInUser user = signUpAndLogIn(api);
    QVERIFY(!user.accessToken.isEmpty());
    // Authenticated once, so that the requests below find their user in the principal cache
    // and nothing but the write waits for the database.
    ApiReply *me = api.me();
    QVERIFY(waitFor(me));
    ApiReply *ready = api.send("GET", u"/readyz"_s);
    QVERIFY(waitFor(ready));
    QCOMPARE(ready->status(), 200);
    constexpr int Requests = 10;
    DatabaseLock lock(server);
    QVERIFY(lock.isHeld());
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < Requests; ++i) {
        clients.push_back(std::make_unique<RawClient>(server.port()));
        QVERIFY(clients.back()->send(paddedCreate(bodySize, user.accessToken.toLatin1())));
        // In order, the first one given time to take the only database thread.
        QTest::qWait(i == 0 ? 200 : 20);
    }
    int busy = 0;
    for (int i = 1; i < Requests; ++i) {
        QList<QByteArray> heads;
        const QList<int> statuses
                = clients.at(i)->readResponses(1, i <= atMostWaiting ? 300 : 3000, &heads);
        if (statuses.value(0) != 503)
            continue;
        ++busy;
        QVERIFY(heads.first().contains("Retry-After: "));
        QVERIFY(heads.first().contains("application/problem+json"));
    }
    QCOMPARE(busy, Requests - 1 - atMostWaiting);
    lock.release();
    // The ones that waited are answered once the database is free again.
    for (int i = 0; i <= atMostWaiting; ++i)
        QCOMPARE(clients.at(i)->readResponses(1, 20'000).value(0), 201);
    QCOMPARE(server.stop(), 0);
}

QTEST_MAIN(TestBackpressure)
#include "tst_backpressure.moc"
