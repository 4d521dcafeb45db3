// tasklane-wsload: the WebSocket side of bench/realtime.sh (issue 10). Its connections are plain
// sockets on one epoll loop (no Qt objects per connection), so that the client costs little next
// to the server it measures. Access tokens are signed here with the server's key (the bench
// gives both the same TASKLANE_JWT_SECRET) for users 1..N of a database tasklane-seed filled:
// thousands of logins would only measure Argon2id.
//
//   tasklane-wsload idle PORT USERS PER_USER HOLD_SECONDS
//       USERS x PER_USER idle connections; prints "open N failed M" once all are open, holds
//       them, then prints how many the server closed meanwhile.
//   tasklane-wsload fanout PORT USERS CHANGES
//       user 1 shares a task with users 2..USERS, each connected once; CHANGES changes to it,
//       one at a time: for each, the time from the change's answer (its acknowledgement) to the
//       event's arrival on every connection. Prints the percentiles.
//   tasklane-wsload sustained PORT WATCHERS RATE SECONDS OUT [WRITERS]
//       user 1 shares a task with users 2..WATCHERS (who turn off "changed" notifications), each
//       connected once; RATE changes a second for SECONDS, from WRITERS (8) connections, each
//       making its share of them at a steady pace (a change waits for the answer to the one
//       before it on its connection); writes "TASK_ID TOKEN" of user 1 to OUT first (for wrk
//       reading the task meanwhile). Prints the rate made, and the delivery percentiles from
//       acknowledgement to arrival.
// Secret: TASKLANE_JWT_SECRET; issuer and audience are the server's defaults.
#include "jwtcodec.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using Clock = std::chrono::steady_clock;

namespace {

quint16 g_port = 0;

qint64 nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
            .count();
}

int connectTo(bool blocking)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0);
    if (fd < 0)
        return -1;
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(g_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// One keep-alive HTTP/1.1 connection, one request at a time (blocking).
class Http
{
public:
    Http() : m_fd(connectTo(true)) { }
    ~Http()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Http(const Http &) = delete;
    Http &operator=(const Http &) = delete;

    struct Answer
    {
        int status = 0;
        QByteArray body;
    };
    std::optional<Answer> request(const char *method, const QByteArray &path,
                                  const QByteArray &token, const QByteArray &body = {})
    {
        QByteArray out = QByteArray(method) + ' ' + path + " HTTP/1.1\r\nHost: localhost\r\n";
        out += "Authorization: Bearer " + token + "\r\n";
        if (!body.isEmpty())
            out += "Content-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n";
        out += "\r\n" + body;
        if (::send(m_fd, out.constData(), size_t(out.size()), MSG_NOSIGNAL) != out.size())
            return std::nullopt;
        QByteArray in;
        char buffer[16384];
        qsizetype headEnd = -1;
        qint64 length = 0;
        for (;;) {
            if (headEnd < 0) {
                headEnd = in.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    const QByteArray head = in.left(headEnd).toLower();
                    const qsizetype at = head.indexOf("content-length:");
                    length = at < 0 ? 0
                                    : head.mid(at + 15, head.indexOf('\r', at) - at - 15)
                                              .trimmed()
                                              .toLongLong();
                }
            }
            if (headEnd >= 0 && in.size() >= headEnd + 4 + length)
                break;
            const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (got <= 0)
                return std::nullopt;
            in.append(buffer, got);
        }
        Answer answer;
        answer.status = in.mid(9, 3).toInt();
        answer.body = in.mid(headEnd + 4, length);
        return answer;
    }

private:
    int m_fd;
};

QByteArray tokenFor(const Tasklane::JwtCodec &jwt, qint64 userId)
{
    return jwt.issue(userId).toUtf8();
}

// WebSocket connections on one epoll loop.
class Sockets
{
public:
    struct Connection
    {
        int fd = -1;
        qint64 userId = 0;
        bool open = false;
        bool closed = false;
        std::string in;
        QByteArray handshake;
    };
    // Text messages: connection index, payload, arrival time (µs).
    std::function<void(size_t, std::string_view, qint64)> onText;

    Sockets() : m_epoll(::epoll_create1(0)) { }

    // Opens one connection per user id, at most 256 handshakes at a time; returns how many
    // failed.
    int open(const std::vector<qint64> &users, const Tasklane::JwtCodec &jwt)
    {
        size_t next = 0;
        int pending = 0;
        int failed = 0;
        m_connections.resize(users.size());
        const auto start = [&](size_t i) {
            Connection &c = m_connections[i];
            c.userId = users[i];
            c.fd = connectTo(false);
            c.handshake = "GET /api/v1/ws HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
                          "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
                    + tokenFor(jwt, users[i]) + "\r\n\r\n";
            epoll_event event{};
            event.events = EPOLLIN | EPOLLOUT;
            event.data.u64 = i;
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &event);
            ++pending;
        };
        while (next < users.size() && pending < 256)
            start(next++);
        const qint64 deadline = nowUs() + 120'000'000;
        while (pending > 0 && nowUs() < deadline) {
            epoll_event events[256];
            const int n = ::epoll_wait(m_epoll, events, 256, 100);
            for (int k = 0; k < n; ++k) {
                const size_t i = events[k].data.u64;
                Connection &c = m_connections[i];
                if (c.open || c.closed)
                    continue;
                if ((events[k].events & EPOLLOUT) && !c.handshake.isEmpty()) {
                    ::send(c.fd, c.handshake.constData(), size_t(c.handshake.size()), MSG_NOSIGNAL);
                    c.handshake.clear();
                    epoll_event event{};
                    event.events = EPOLLIN;
                    event.data.u64 = i;
                    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &event);
                }
                if (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                    readInto(c);
                    const size_t end = c.in.find("\r\n\r\n");
                    if (c.closed || end != std::string::npos) {
                        c.open = !c.closed && c.in.compare(0, 12, "HTTP/1.1 101") == 0;
                        if (!c.open) {
                            ++failed;
                            if (failed <= 3)
                                std::fprintf(stderr, "wsload: refused: %.200s\n", c.in.c_str());
                            c.closed = true;
                        } else {
                            c.in.erase(0, end + 4);
                        }
                        --pending;
                        if (next < users.size())
                            start(next++);
                    }
                }
            }
        }
        return failed + pending;
    }

    // Runs the loop for `ms` (or until `done` says so).
    void run(int ms, const std::function<bool()> &done = {})
    {
        const qint64 until = nowUs() + qint64(ms) * 1000;
        while (nowUs() < until && !(done && done())) {
            epoll_event events[512];
            const int n = ::epoll_wait(m_epoll, events, 512, 10);
            const qint64 at = nowUs();
            for (int k = 0; k < n; ++k) {
                Connection &c = m_connections[events[k].data.u64];
                if (c.closed)
                    continue;
                readInto(c);
                frames(events[k].data.u64, c, at);
            }
        }
    }

    size_t size() const { return m_connections.size(); }
    int closedCount() const
    {
        return int(std::count_if(m_connections.begin(), m_connections.end(),
                                 [](const Connection &c) { return c.open && c.closed; }));
    }

private:
    void readInto(Connection &c)
    {
        char buffer[65536];
        for (;;) {
            const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got > 0) {
                c.in.append(buffer, size_t(got));
                continue;
            }
            if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                c.closed = true;
                ::close(c.fd);
            }
            return;
        }
    }

    void frames(size_t index, Connection &c, qint64 at)
    {
        size_t pos = 0;
        while (c.in.size() - pos >= 2) {
            const auto *p = reinterpret_cast<const unsigned char *>(c.in.data() + pos);
            const int opcode = p[0] & 0x0f;
            quint64 length = p[1] & 0x7f;
            size_t head = 2;
            if (length == 126) {
                if (c.in.size() - pos < 4)
                    break;
                length = (quint64(p[2]) << 8) | p[3];
                head = 4;
            } else if (length == 127) {
                if (c.in.size() - pos < 10)
                    break;
                length = 0;
                for (int b = 0; b < 8; ++b)
                    length = (length << 8) | p[2 + b];
                head = 10;
            }
            if (c.in.size() - pos < head + length)
                break;
            const std::string_view payload(c.in.data() + pos + head, size_t(length));
            if (opcode == 1 && onText)
                onText(index, payload, at);
            else if (opcode == 9)
                pong(c, payload);
            else if (opcode == 8) {
                c.closed = true;
                ::close(c.fd);
                return;
            }
            pos += head + length;
        }
        c.in.erase(0, pos);
    }

    static void pong(Connection &c, std::string_view payload)
    {
        std::string frame;
        frame += char(0x8a);
        frame += char(0x80 | payload.size()); // control frames are under 126 bytes
        const char mask[4] = { 1, 2, 3, 4 };
        frame.append(mask, 4);
        for (size_t i = 0; i < payload.size(); ++i)
            frame += char(payload[i] ^ mask[i % 4]);
        ::send(c.fd, frame.data(), frame.size(), MSG_NOSIGNAL);
    }

    int m_epoll;
    std::vector<Connection> m_connections;
};

// The number after `"key":` in a JSON text (0 when absent): enough to follow versions.
qint64 numberAfter(std::string_view text, std::string_view key)
{
    const size_t at = text.find(key);
    if (at == std::string_view::npos)
        return 0;
    qint64 value = 0;
    for (size_t i = at + key.size(); i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
        value = value * 10 + (text[i] - '0');
    return value;
}

struct Percentiles
{
    double p50 = 0, p99 = 0, max = 0;
};
Percentiles percentiles(std::vector<qint64> samplesUs)
{
    Percentiles result;
    if (samplesUs.empty())
        return result;
    std::sort(samplesUs.begin(), samplesUs.end());
    const auto at = [&](double q) {
        return double(samplesUs[std::min(samplesUs.size() - 1,
                                         size_t(q * double(samplesUs.size())))])
                / 1000.0;
    };
    result.p50 = at(0.50);
    result.p99 = at(0.99);
    result.max = double(samplesUs.back()) / 1000.0;
    return result;
}

// A task of user 1 shared with users 2..users; its id.
qint64 sharedTask(Http &http, const QByteArray &ownerToken, qint64 users, bool quietWatchers,
                  const Tasklane::JwtCodec &jwt)
{
    const auto created
            = http.request("POST", "/api/v1/tasks", ownerToken, R"({"title":"Watched by many"})");
    if (!created || created->status != 201)
        return 0;
    const qint64 id = QJsonDocument::fromJson(created->body).object().value(u"id"_s).toInteger();
    for (qint64 user = 2; user <= users; ++user) {
        const auto shared = http.request(
                "POST", "/api/v1/tasks/" + QByteArray::number(id) + "/assign", ownerToken,
                R"({"permission":"view","user_id":)" + QByteArray::number(user) + "}");
        if (!shared || shared->status != 200)
            return 0;
        if (quietWatchers)
            http.request("PATCH", "/api/v1/users/me/notification-settings", tokenFor(jwt, user),
                         R"({"events":{"changed":{"in_app":false,"email":false}}})");
    }
    return id;
}

int idle(Sockets &sockets, const Tasklane::JwtCodec &jwt, qint64 users, int perUser, int hold)
{
    std::vector<qint64> ids;
    for (int k = 0; k < perUser; ++k)
        for (qint64 user = 1; user <= users; ++user)
            ids.push_back(user);
    const qint64 started = nowUs();
    const int failed = sockets.open(ids, jwt);
    std::printf("open %zu failed %d in %.1f s\n", ids.size() - size_t(failed), failed,
                double(nowUs() - started) / 1e6);
    std::fflush(stdout);
    sockets.run(hold * 1000);
    std::printf("closed by the server while held: %d\n", sockets.closedCount());
    return failed == 0 ? 0 : 1;
}

int fanout(Sockets &sockets, const Tasklane::JwtCodec &jwt, qint64 users, int changes)
{
    Http http;
    const QByteArray owner = tokenFor(jwt, 1);
    const qint64 task = sharedTask(http, owner, users, false, jwt);
    if (task == 0) {
        std::fprintf(stderr, "wsload: could not share a task\n");
        return 1;
    }
    std::vector<qint64> ids;
    for (qint64 user = 1; user <= users; ++user)
        ids.push_back(user);
    const int failed = sockets.open(ids, jwt);
    std::vector<qint64> arrivals(sockets.size(), 0);
    qint64 wanted = 0;
    sockets.onText = [&](size_t index, std::string_view text, qint64 at) {
        if (text.find(R"("type":"task.updated")") != std::string_view::npos
            && numberAfter(text, R"("version":)") == wanted)
            arrivals[index] = at;
    };
    sockets.run(500); // what the shares sent is read
    std::vector<qint64> latencies;
    int missing = 0;
    for (int c = 1; c <= changes; ++c) {
        std::fill(arrivals.begin(), arrivals.end(), 0);
        const QByteArray body = R"({"title":"Change )" + QByteArray::number(c) + "\"}";
        const auto answer
                = http.request("PATCH", "/api/v1/tasks/" + QByteArray::number(task), owner, body);
        const qint64 acknowledged = nowUs();
        if (!answer || answer->status != 200)
            return 1;
        wanted = QJsonDocument::fromJson(answer->body).object().value(u"version"_s).toInteger();
        // Arrivals before the answer was read count as 0.
        sockets.run(5000, [&] {
            return std::all_of(arrivals.begin(), arrivals.end(), [](qint64 a) { return a > 0; });
        });
        for (qint64 arrival : arrivals) {
            if (arrival == 0)
                ++missing;
            else
                latencies.push_back(std::max<qint64>(0, arrival - acknowledged));
        }
        sockets.run(200);
    }
    const Percentiles p = percentiles(latencies);
    std::printf("fanout users %lld connected %zu failed %d changes %d deliveries %zu missing %d "
                "p50_ms %.2f p99_ms %.2f max_ms %.2f\n",
                users, sockets.size() - size_t(failed), failed, changes, latencies.size(), missing,
                p.p50, p.p99, p.max);
    return missing == 0 && failed == 0 ? 0 : 1;
}

int sustained(Sockets &sockets, const Tasklane::JwtCodec &jwt, qint64 watchers, int rate,
              int seconds, const char *out, int writerCount)
{
    Http http;
    const QByteArray owner = tokenFor(jwt, 1);
    const qint64 task = sharedTask(http, owner, watchers, true, jwt);
    if (task == 0) {
        std::fprintf(stderr, "wsload: could not share a task\n");
        return 1;
    }
    if (FILE *file = std::fopen(out, "w")) {
        std::fprintf(file, "%lld %s\n", task, owner.constData());
        std::fclose(file);
    }
    std::vector<qint64> ids;
    for (qint64 user = 1; user <= watchers; ++user)
        ids.push_back(user);
    const int failed = sockets.open(ids, jwt);
    // Acknowledgement times by version, and arrivals.
    std::mutex lock;
    std::map<qint64, qint64> acknowledged;
    std::vector<std::pair<qint64, qint64>> arrivals; // version, time
    arrivals.reserve(size_t(watchers) * size_t(rate) * size_t(seconds + 5));
    sockets.onText = [&](size_t, std::string_view text, qint64 at) {
        if (text.find(R"("type":"task.updated")") != std::string_view::npos)
            arrivals.emplace_back(numberAfter(text, R"("version":)"), at);
    };
    sockets.run(500);
    arrivals.clear();
    std::atomic<bool> stop{ false };
    std::atomic<int> made{ 0 }, errors{ 0 };
    writerCount = std::max(1, writerCount);
    std::vector<std::thread> writers;
    const qint64 begin = nowUs();
    std::printf("writing\n");
    std::fflush(stdout);
    for (int w = 0; w < writerCount; ++w) {
        writers.emplace_back([&, w] {
            Http connection;
            const double interval = 1e6 * writerCount / rate;
            qint64 next = begin + qint64(interval * w / writerCount);
            for (int n = 0; !stop; ++n) {
                // One sleep to the change's time: polling every 200 us, 32 writers woke 160,000
                // times a second, on the server's 2 cores (the run ends within an interval).
                if (const qint64 wait = next - nowUs(); wait > 0)
                    std::this_thread::sleep_for(std::chrono::microseconds(wait));
                next += qint64(interval);
                const auto answer = connection.request(
                        "PATCH", "/api/v1/tasks/" + QByteArray::number(task), owner,
                        R"({"description":"w)" + QByteArray::number(w) + "-" + QByteArray::number(n)
                                + "\"}");
                const qint64 at = nowUs();
                if (!answer || answer->status != 200) {
                    ++errors;
                    continue;
                }
                const qint64 version = QJsonDocument::fromJson(answer->body)
                                               .object()
                                               .value(u"version"_s)
                                               .toInteger();
                const std::lock_guard guard(lock);
                acknowledged[version] = at;
                ++made;
            }
        });
    }
    sockets.run(seconds * 1000);
    stop = true;
    for (std::thread &writer : writers)
        writer.join();
    const double elapsed = double(nowUs() - begin) / 1e6;
    sockets.run(2000); // the last ones arrive
    std::vector<qint64> latencies;
    for (const auto &[version, at] : arrivals) {
        const auto found = acknowledged.find(version);
        if (found != acknowledged.end())
            latencies.push_back(std::max<qint64>(0, at - found->second));
    }
    const size_t expected = acknowledged.size() * size_t(watchers);
    const Percentiles p = percentiles(latencies);
    std::printf("sustained watchers %lld writers %d connected %zu failed %d target_rate %d "
                "made_rate %.0f "
                "errors %d deliveries %zu of %zu p50_ms %.2f p99_ms %.2f max_ms %.2f\n",
                watchers, writerCount, sockets.size() - size_t(failed), failed, rate,
                made / elapsed, errors.load(), latencies.size(), expected, p.p50, p.p99, p.max);
    return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    const QStringList args = application.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: see the head of bench/wsload.cpp\n");
        return 2;
    }
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
    g_port = quint16(args.at(2).toUInt());
    const Tasklane::JwtCodec jwt(qgetenv("TASKLANE_JWT_SECRET"), u"tasklane"_s, u"tasklane-api"_s,
                                 3600);
    Sockets sockets;
    const QString mode = args.at(1);
    if (mode == u"idle" && args.size() == 6)
        return idle(sockets, jwt, args.at(3).toLongLong(), args.at(4).toInt(), args.at(5).toInt());
    if (mode == u"fanout" && args.size() == 5)
        return fanout(sockets, jwt, args.at(3).toLongLong(), args.at(4).toInt());
    if (mode == u"sustained" && (args.size() == 7 || args.size() == 8))
        return sustained(sockets, jwt, args.at(3).toLongLong(), args.at(4).toInt(),
                         args.at(5).toInt(), qPrintable(args.at(6)),
                         args.size() == 8 ? args.at(7).toInt() : 8);
    std::fprintf(stderr, "usage: see the head of bench/wsload.cpp\n");
    return 2;
}
