// The value types and their JSON: common/ codecs, HttpResponse, CorsPolicy, problem mapping.
#include "corspolicy.h"
#include "httpresponse.h"
#include "page.h"
#include "problem.h"
#include "problemmapping.h"
#include "tokenpair.h"
#include "user.h"

#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

Q_DECLARE_METATYPE(ApiError::Kind)

class TestValueTypes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timestampsAreRfc3339Utc_data();
    void timestampsAreRfc3339Utc();
    void userRoundTrips();
    void userRefusesAnUnknownRole();
    void pageRoundTrips();
    void problemRoundTrips();
    void problemRefusesBodiesWithoutType();
    void tokenPairRoundTrips();
    void everyErrorKindMapsOnce_data();
    void everyErrorKindMapsOnce();
    void responsesSerialise_data();
    void responsesSerialise();
    void standardHeaders();
    void corsEchoesOnlyAllowedOrigins_data();
    void corsEchoesOnlyAllowedOrigins();
};

namespace {
User sampleUser(qint64 id)
{
    User user;
    user.id = id;
    user.email = u"ada@example.com"_s;
    user.displayName = u"Ada 🚀"_s;
    user.role = Role::Manager;
    user.createdAt = QDateTime::fromString(u"2026-11-24T10:00:00.123Z"_s, Qt::ISODateWithMs);
    user.updatedAt = user.createdAt.addSecs(60);
    return user;
}
} // namespace

void TestValueTypes::timestampsAreRfc3339Utc_data()
{
    QTest::addColumn<QDateTime>("time");
    QTest::newRow("now") << QDateTime::currentDateTimeUtc();
    QTest::newRow("the epoch") << QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    QTest::newRow("before the epoch") << QDateTime::fromMSecsSinceEpoch(-1, Qt::UTC);
    QTest::newRow("a leap day") << QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC);
    QTest::newRow("a local time east of UTC")
            << QDateTime(QDate(2026, 1, 1), QTime(0, 30), Qt::OffsetFromUTC, 3600);
    QTest::newRow("far ahead") << QDateTime(QDate(9999, 12, 31), QTime(12, 0), Qt::UTC);
}

void TestValueTypes::timestampsAreRfc3339Utc()
{
    QFETCH(QDateTime, time);
    QCOMPARE(toApiTimestamp(time), time.toUTC().toString(Qt::ISODateWithMs));
    QCOMPARE(fromApiTimestamp(toApiTimestamp(time)), time.toUTC());
}

void TestValueTypes::userRoundTrips()
{
    const User user = sampleUser(7);
    const QJsonObject json = user.toJson();
    QCOMPARE(json.value(u"created_at"_s).toString(), u"2026-11-24T10:00:00.123Z"_s);
    QCOMPARE(json.value(u"role"_s).toString(), u"manager"_s);
    QCOMPARE(User::fromJson(json), user);
}

void TestValueTypes::userRefusesAnUnknownRole()
{
    QJsonObject json = sampleUser(1).toJson();
    json.insert(u"role"_s, u"owner"_s);
    QVERIFY(!User::fromJson(json));
}

void TestValueTypes::pageRoundTrips()
{
    Page<User> page;
    page.items = { sampleUser(1), sampleUser(2) };
    QCOMPARE(page.toJson().value(u"next_cursor"_s), QJsonValue(QJsonValue::Null));
    page.nextCursor = u"abc"_s;
    const auto back = Page<User>::fromJson(page.toJson());
    QVERIFY(back);
    QCOMPARE(back->items.size(), 2);
    QCOMPARE(back->items.at(1).id, 2);
    QCOMPARE(back->nextCursor, u"abc"_s);
}

void TestValueTypes::problemRoundTrips()
{
    const Problem problem = toProblem(
            ApiError::validation({ { u"email"_s, u"required"_s, u"This field is required."_s } }),
            u"req-1"_s, u"/api/v1/auth/signup"_s);
    const auto back = Problem::fromJson(problem.toJson());
    QVERIFY(back);
    QCOMPARE(back->slug(), u"validation-failed"_s);
    QCOMPARE(back->status, 422);
    QCOMPARE(back->requestId, u"req-1"_s);
    QCOMPARE(back->instance, u"/api/v1/auth/signup"_s);
    QCOMPARE(back->errors, problem.errors);
}

void TestValueTypes::problemRefusesBodiesWithoutType()
{
    QVERIFY(!Problem::fromJson({ { u"status"_s, 400 } }));
    QVERIFY(!Problem::fromJson({ { u"type"_s, u"x"_s } }));
}

void TestValueTypes::tokenPairRoundTrips()
{
    TokenPair pair{ u"a.b.c"_s, u"refresh"_s, u"Bearer"_s, 900 };
    const auto back = TokenPair::fromJson(pair.toJson());
    QVERIFY(back);
    QCOMPARE(back->accessToken, pair.accessToken);
    QCOMPARE(back->expiresIn, 900);
    QVERIFY(!TokenPair::fromJson({}));
}

void TestValueTypes::everyErrorKindMapsOnce_data()
{
    QTest::addColumn<ApiError::Kind>("kind");
    QTest::addColumn<int>("status");
    using K = ApiError::Kind;
    const QList<std::pair<K, int>> kinds{
        { K::MalformedJson, 400 },
        { K::BadRequest, 400 },
        { K::ValidationFailed, 422 },
        { K::Unauthorized, 401 },
        { K::InvalidCredentials, 401 },
        { K::InvalidRefreshToken, 401 },
        { K::Forbidden, 403 },
        { K::NotFound, 404 },
        { K::MethodNotAllowed, 405 },
        { K::Conflict, 409 },
        { K::PayloadTooLarge, 413 },
        { K::UnsupportedMediaType, 415 },
        { K::HeaderFieldsTooLarge, 431 },
        { K::RequestTimeout, 408 },
        { K::ServerBusy, 503 },
        { K::NotReady, 503 },
        { K::Internal, 500 },
    };
    for (const auto &[kind, status] : kinds)
        QTest::newRow(problemKindInfo(kind).slug) << kind << status;
}

void TestValueTypes::everyErrorKindMapsOnce()
{
    QFETCH(ApiError::Kind, kind);
    QFETCH(int, status);
    static QSet<QString> seen;
    const HttpResponse response = problemResponse(ApiError(kind, u"detail"_s), u"id"_s, u"/p"_s);
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("Content-Type"), QByteArray("application/problem+json"));
    const QString slug = QString::fromLatin1(problemKindInfo(kind).slug);
    QVERIFY2(!seen.contains(slug), "two kinds share a problem type");
    seen.insert(slug);
    const auto problem = Problem::fromJson(QJsonDocument::fromJson(response.body).object());
    QCOMPARE(problem->type, u"urn:tasklane:problem:"_s + slug);
    QCOMPARE(response.header("WWW-Authenticate").isEmpty(), status != 401);
    QCOMPARE(response.header("Retry-After").isEmpty(), status != 503);
}

void TestValueTypes::responsesSerialise_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("headOnly");
    QTest::addColumn<bool>("close");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("a JSON answer")
            << 200 << false << false
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 8\r\n\r\n{\"a\":1}\n");
    QTest::newRow("HEAD keeps the length, drops the body")
            << 200 << true << false
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 8\r\n\r\n");
    QTest::newRow("204 has no length")
            << 204 << false << true
            << QByteArray("HTTP/1.1 204 No Content\r\nContent-Type: "
                          "application/json\r\nConnection: close\r\n\r\n");
}

void TestValueTypes::responsesSerialise()
{
    QFETCH(int, status);
    QFETCH(bool, headOnly);
    QFETCH(bool, close);
    QFETCH(QByteArray, expected);
    HttpResponse response;
    response.status = status;
    response.headers.emplaceBack("Content-Type", "application/json");
    if (status != 204)
        response.body = "{\"a\":1}\n";
    QCOMPARE(response.serialize(headOnly, close), expected);
}

void TestValueTypes::standardHeaders()
{
    HttpResponse response = HttpResponse::json(200, {});
    response.addStandardHeaders("rid");
    QCOMPARE(response.header("X-Request-Id"), QByteArray("rid"));
    QCOMPARE(response.header("X-Content-Type-Options"), QByteArray("nosniff"));
    QCOMPARE(response.header("Content-Security-Policy"), QByteArray("frame-ancestors 'none'"));
    QCOMPARE(response.header("Referrer-Policy"), QByteArray("no-referrer"));
    QCOMPARE(response.header("Cache-Control"), QByteArray("no-store"));
    QVERIFY(response.header("Server").isEmpty());
    HttpResponse cached;
    cached.setHeader("Cache-Control", "max-age=60");
    cached.addStandardHeaders("rid");
    QCOMPARE(cached.header("Cache-Control"), QByteArray("max-age=60"));
}

void TestValueTypes::corsEchoesOnlyAllowedOrigins_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("an allowed origin") << QByteArray("https://app.example") << true;
    QTest::newRow("another scheme") << QByteArray("http://app.example") << false;
    QTest::newRow("another port") << QByteArray("https://app.example:8443") << false;
    QTest::newRow("no origin") << QByteArray() << false;
    QTest::newRow("a wildcard is never an origin") << QByteArray("*") << false;
}

void TestValueTypes::corsEchoesOnlyAllowedOrigins()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    const CorsPolicy cors({ u" https://app.example "_s, QString() });
    HttpResponse response;
    cors.applyPreflight(origin, "GET, OPTIONS", response);
    QCOMPARE(response.header("Access-Control-Allow-Origin"), allowed ? origin : QByteArray());
    QCOMPARE(response.header("Vary").isEmpty(), !allowed);
    QCOMPARE(response.header("Access-Control-Allow-Methods").isEmpty(), !allowed);
}

QTEST_GUILESS_MAIN(TestValueTypes)
#include "tst_valuetypes.moc"
