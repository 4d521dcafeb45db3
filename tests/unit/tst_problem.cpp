// Problem (RFC 9457) and the one mapping of error kinds to statuses and types.
#include "databaseerror.h"
#include "problem.h"
#include "problemmapping.h"

#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
Q_DECLARE_METATYPE(ApiError::Kind)
Q_DECLARE_METATYPE(DatabaseError::Kind)

class TestProblem : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void problemRoundTrips();
    void problemRefusesBodiesWithoutType();
    void everyErrorKindMapsOnce_data();
    void everyErrorKindMapsOnce();
    void databaseErrorsMapToRetryOrServerFailure_data();
    void databaseErrorsMapToRetryOrServerFailure();
};

void TestProblem::problemRoundTrips()
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

void TestProblem::problemRefusesBodiesWithoutType()
{
    QVERIFY(!Problem::fromJson({ { u"status"_s, 400 } }));
    QVERIFY(!Problem::fromJson({ { u"type"_s, u"x"_s } }));
}

void TestProblem::everyErrorKindMapsOnce_data()
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
        { K::PreconditionFailed, 412 },
        { K::IdempotencyKeyReused, 422 },
        { K::QuotaExceeded, 413 },
        { K::InsufficientStorage, 507 },
        { K::PayloadTooLarge, 413 },
        { K::UnsupportedMediaType, 415 },
        { K::HeaderFieldsTooLarge, 431 },
        { K::RequestTimeout, 408 },
        { K::UpgradeNotSupported, 400 },
        { K::ServerBusy, 503 },
        { K::NotReady, 503 },
        { K::Internal, 500 },
    };
    for (const auto &[kind, status] : kinds)
        QTest::newRow(problemKindInfo(kind).slug) << kind << status;
}

void TestProblem::everyErrorKindMapsOnce()
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

void TestProblem::databaseErrorsMapToRetryOrServerFailure_data()
{
    QTest::addColumn<DatabaseError::Kind>("kind");
    QTest::addColumn<QString>("slug");
    using K = DatabaseError::Kind;
    QTest::newRow("an unreachable database is not ready") << K::Connection << u"not-ready"_s;
    QTest::newRow("a busy database is busy") << K::Busy << u"server-busy"_s;
    QTest::newRow("a failed statement is the server's failure")
            << K::Statement << u"internal-error"_s;
    QTest::newRow("a unique violation no caller mapped is the server's failure")
            << K::UniqueViolation << u"internal-error"_s;
    QTest::newRow("a constraint no caller mapped is the server's failure")
            << K::Constraint << u"internal-error"_s;
    QTest::newRow("failing storage is the server's failure") << K::Storage << u"internal-error"_s;
}

void TestProblem::databaseErrorsMapToRetryOrServerFailure()
{
    QFETCH(DatabaseError::Kind, kind);
    QFETCH(QString, slug);
    const ApiError error = toApiError(DatabaseError(kind, u"SELECT 1 failed: secret detail"_s));
    QCOMPARE(QString::fromLatin1(problemKindInfo(error.kind()).slug), slug);
    QVERIFY(!error.detail().contains(u"secret"_s)); // the database's words stay in the log
}

QTEST_GUILESS_MAIN(TestProblem)
#include "tst_problem.moc"
