// Avatars through the real tasklaned (issue 11, point 6): an upload becomes a 256 x 256 PNG
// served with an ETag (304 when the client has it) to its owner, to whoever shares a task with
// them and to managers; anyone else gets the 404 of no avatar at all. The attacks: a
// decompression bomb (refused from its header, the server's peak memory unmoved), a polyglot
// (its payload gone from what is served), a type its bytes belie, an upload over 5 MiB.
#include "accountfixtures.h"
#include "avatar.h"
#include "imagefixtures.h"
#include "taskfixtures.h"
#include "taskrequests.h"
#include "testserver.h"
#include "user.h"

#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {

ApiReply *share(ApiClient &owner, qint64 taskId, qint64 userId)
{
    AssignRequest request;
    request.userId = userId;
    return finished(owner.shareTask(taskId, request));
}

QByteArray multipartBody(const QByteArray &boundary, const QByteArray &image,
                         const QByteArray &type)
{
    return "--" + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; "
              "filename=\"me.jpg\"\r\nContent-Type: "
            + type + "\r\n\r\n" + image + "\r\n--" + boundary + "--\r\n";
}
} // namespace

class TestAvatars : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void anUploadIsServedAsASquarePng();
    void aRevalidationIsA304();
    void onlySharersAndManagersSeeIt();
    void aDecompressionBombIsRefusedBeforeDecoding();
    void aPolyglotLosesItsPayload();
    void aTypeTheBytesBelieIsRefused_data();
    void aTypeTheBytesBelieIsRefused();
    void anUploadOverFiveMebibytesIsRefused();
    void anHtmlFormCanUpload();
    void removingItLeavesNone();

private:
    std::unique_ptr<TestServer> m_server;
    Account m_owner;
    QString m_managerPassword;
};

void TestAvatars::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    m_managerPassword = strongPassword();
    QCOMPARE(m_server->runCommand({ u"user"_s, u"create"_s, u"--email"_s, u"manager@example.com"_s,
                                    u"--role"_s, u"manager"_s },
                                  m_managerPassword.toUtf8() + '\n'),
             0);
    QVERIFY2(m_server->start(), m_server->logs().constData());
    // Verified: sharing a task needs a verified address.
    m_owner = signUpVerified(*m_server, u"owner"_s);
    QVERIFY(m_owner.id() > 0);
}

void TestAvatars::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestAvatars::anUploadIsServedAsASquarePng()
{
    ApiReply *me = finished(m_owner.api().me());
    QVERIFY(me->json().value(u"avatar_url"_s).isNull());

    ApiReply *put = finished(
            m_owner.api().setAvatar(encodeImage(bandedImage({ 900, 300 }), "jpeg"), "image/jpeg"));
    QCOMPARE(put->status(), 200);
    const auto info = AvatarInfo::fromJson(put->json());
    QVERIFY2(info, put->body().constData());
    QCOMPARE(info->url, avatarPath(m_owner.id()));
    QCOMPARE(info->width, 256);
    QCOMPARE(info->contentType, u"image/png"_s);

    // /users/me names it at once (the cached account was forgotten).
    me = finished(m_owner.api().me());
    QCOMPARE(me->json().value(u"avatar_url"_s).toString(), avatarPath(m_owner.id()));

    for (const qint64 userId : { qint64(0), m_owner.id() }) {
        ApiReply *get = finished(m_owner.api().avatar(userId));
        QCOMPARE(get->status(), 200);
        QCOMPARE(get->header("Content-Type"), "image/png"_ba);
        QCOMPARE(get->header("ETag"), info->etag.toLatin1());
        QCOMPARE(get->header("Cache-Control"), "private, no-cache"_ba);
        QCOMPARE(get->header("X-Content-Type-Options"), "nosniff"_ba);
        QCOMPARE(get->body().size(), info->bytes);
        const QImage image = decodeImage(get->body(), "png");
        QCOMPARE(image.size(), QSize(256, 256));
        // The centre third of a 900 x 300 picture: green.
        QCOMPARE(qGreen(image.pixel(10, 128)) > 200 && qRed(image.pixel(10, 128)) < 60, true);
    }
}

void TestAvatars::aRevalidationIsA304()
{
    QVERIFY(finished(m_owner.api().setAvatar(encodeImage(bandedImage({ 40, 40 }), "png"),
                                             "image/png"))
                    ->status()
            == 200);
    ApiReply *first = finished(m_owner.api().avatar());
    const QByteArray etag = first->header("ETag");
    QVERIFY(etag.startsWith('"') && etag.size() > 10);
    ApiReply *again = finished(m_owner.api().avatar(0, etag));
    QCOMPARE(again->status(), 304);
    QVERIFY(again->body().isEmpty());
    QCOMPARE(again->header("ETag"), etag);
    QCOMPARE(finished(m_owner.api().avatar(0, "W/" + etag + ", \"other\""))->status(), 304);
    QCOMPARE(finished(m_owner.api().avatar(0, "\"stale\""))->status(), 200);

    // A new picture, a new tag: the old one gets the new bytes.
    QCOMPARE(finished(m_owner.api().setAvatar(encodeImage(bandedImage({ 50, 40 }), "webp"),
                                              "image/webp"))
                     ->status(),
             200);
    ApiReply *changed = finished(m_owner.api().avatar(0, etag));
    QCOMPARE(changed->status(), 200);
    QVERIFY(changed->header("ETag") != etag);
}

void TestAvatars::onlySharersAndManagersSeeIt()
{
    QCOMPARE(finished(m_owner.api().setAvatar(encodeImage(bandedImage({ 64, 64 }), "png"),
                                              "image/png"))
                     ->status(),
             200);
    Account sharee = signUpVerified(*m_server, u"sharee"_s);
    Account coSharee = signUpVerified(*m_server, u"cosharee"_s);
    Account stranger = signUpAccount(m_server->url(), u"stranger"_s);
    QCOMPARE(finished(sharee.api().setAvatar(encodeImage(bandedImage({ 64, 64 }), "png"),
                                             "image/png"))
                     ->status(),
             200);

    // Nobody shares anything yet: the owner's avatar is as absent as a user that does not
    // exist.
    const auto status = [](Account &viewer, qint64 userId) {
        return finished(viewer.api().avatar(userId))->status();
    };
    QCOMPARE(status(sharee, m_owner.id()), 404);
    QCOMPARE(status(stranger, m_owner.id()), 404);
    QCOMPARE(status(stranger, 999'999'999), 404);
    ApiReply *refused = finished(stranger.api().avatar(m_owner.id()));
    QVERIFY2(isProblem(refused, 404, u"not-found"_s), refused->body().constData());
    QCOMPARE(finished(stranger.api().send("GET", u"/api/v1/users/01/avatar"_s))->status(), 404);
    QCOMPARE(finished(stranger.api().send("GET", u"/api/v1/users/x/avatar"_s))->status(), 404);
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.avatar(m_owner.id()))->status(), 401);

    // A task shared both ways: the owner and the sharee see each other, and two sharees of
    // one task see each other; the stranger still sees nothing.
    const qint64 taskId = createTaskId(m_owner.api(), u"Shared"_s);
    QVERIFY(taskId > 0);
    QCOMPARE(share(m_owner.api(), taskId, sharee.id())->status(), 200);
    QCOMPARE(share(m_owner.api(), taskId, coSharee.id())->status(), 200);
    QCOMPARE(status(sharee, m_owner.id()), 200);
    QCOMPARE(status(m_owner, sharee.id()), 200);
    QCOMPARE(status(coSharee, sharee.id()), 200);
    QCOMPARE(status(coSharee, m_owner.id()), 200);
    QCOMPARE(status(stranger, m_owner.id()), 404);
    QCOMPARE(status(stranger, sharee.id()), 404);

    // A manager sees anyone's.
    ApiClient manager(m_server->url());
    ApiReply *login = finished(manager.login(u"manager@example.com"_s, m_managerPassword));
    QCOMPARE(login->status(), 200);
    manager.setAccessToken(login->json().value(u"access_token"_s).toString());
    QCOMPARE(finished(manager.avatar(m_owner.id()))->status(), 200);
    QCOMPARE(finished(manager.avatar(stranger.id()))->status(), 404); // has none

    // The share ends: so does the sight, at once (nothing was cached to outlive it).
    QCOMPARE(finished(m_owner.api().unshareTask(taskId, sharee.id()))->status(), 204);
    QCOMPARE(status(sharee, m_owner.id()), 404);
    QCOMPARE(status(coSharee, sharee.id()), 404);
    QCOMPARE(status(coSharee, m_owner.id()), 200);
}

void TestAvatars::aDecompressionBombIsRefusedBeforeDecoding()
{
    const qint64 pid = m_server->process().processId();
    const qint64 peakBefore = processMemoryKiB(pid, "VmHWM");
    QVERIFY(peakBefore > 0);
    // 12,000 x 12,000 grey pixels in about 150 KB: 576 MB as the ARGB32 image a decoder
    // would make. And a small file whose header alone lies.
    const QByteArray bomb = greyPngBomb(12'000);
    QVERIFY(bomb.size() < 512 * 1024);
    const QByteArray liar
            = withPngSize(encodeImage(bandedImage({ 16, 16 }), "png"), 1'000'000, 1'000'000);
    for (const QByteArray &upload : { bomb, liar }) {
        ApiReply *reply = finished(m_owner.api().setAvatar(upload, "image/png"));
        QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
        QVERIFY2(namesField(reply, u"avatar"_s, u"too_many_pixels"_s), reply->body().constData());
    }
    // Nothing near a decoded picture was allocated (the bomb alone is 144 MB as grey).
    const qint64 peakAfter = processMemoryKiB(pid, "VmHWM");
    QVERIFY2(peakAfter - peakBefore < 64 * 1024,
             qPrintable(u"peak grew by %1 KiB"_s.arg(peakAfter - peakBefore)));
}

void TestAvatars::aPolyglotLosesItsPayload()
{
    // A PNG that is also an HTML page and a ZIP after its end, with a text chunk.
    const QByteArray payload = "<html><script>alert(document.cookie)</script></html>";
    const QByteArray polyglot
            = withPngText(encodeImage(bandedImage({ 32, 32 }), "png"), "Comment", payload) + payload
            + "PK\x03\x04";
    QCOMPARE(finished(m_owner.api().setAvatar(polyglot, "image/png"))->status(), 200);
    ApiReply *get = finished(m_owner.api().avatar());
    QCOMPARE(get->status(), 200);
    QVERIFY(!get->body().contains("<script"));
    QVERIFY(!get->body().contains("PK\x03\x04"));
    const QList<QByteArray> chunks = pngChunkTypes(get->body());
    QVERIFY2(!chunks.isEmpty() && chunks.last() == "IEND", "not a PNG ending at IEND");
    QVERIFY(!chunks.contains("tEXt"));
    QVERIFY(get->header("Content-Security-Policy").contains("default-src 'none'; sandbox"));
}

void TestAvatars::aTypeTheBytesBelieIsRefused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("contentType");
    const QByteArray png = encodeImage(bandedImage({ 16, 16 }), "png");
    QTest::newRow("a PNG sent as a JPEG") << png << "image/jpeg"_ba;
    QTest::newRow("a PNG sent as a GIF") << png << "image/gif"_ba;
    QTest::newRow("an SVG sent as a PNG")
            << QByteArray("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script>"
                          "</svg>")
            << "image/png"_ba;
    QTest::newRow("a PNG sent as JSON") << png << "application/json"_ba;
}

void TestAvatars::aTypeTheBytesBelieIsRefused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, contentType);
    ApiReply *reply = finished(m_owner.api().setAvatar(bytes, contentType));
    QVERIFY2(isProblem(reply, 415, u"unsupported-media-type"_s), reply->body().constData());
}

void TestAvatars::anUploadOverFiveMebibytesIsRefused()
{
    // A valid PNG padded past 5 MiB (a decoder would ignore what follows IEND).
    const QByteArray png = encodeImage(bandedImage({ 16, 16 }), "png");
    QByteArray big = png + QByteArray(5 * 1024 * 1024 - png.size() + 1, 'x');
    ApiReply *reply = finished(m_owner.api().setAvatar(big, "image/png"));
    QVERIFY2(isProblem(reply, 413, u"payload-too-large"_s), reply->body().constData());
    big.chop(1); // exactly 5 MiB is allowed
    QCOMPARE(finished(m_owner.api().setAvatar(big, "image/png"))->status(), 200);
}

void TestAvatars::anHtmlFormCanUpload()
{
    const QByteArray boundary = "----tasklane-avatar-boundary";
    const QByteArray jpeg = encodeImage(bandedImage({ 120, 80 }), "jpeg");
    ApiReply *reply = finished(m_owner.api().send(
            "PUT", u"/api/v1/users/me/avatar"_s, multipartBody(boundary, jpeg, "image/jpeg"),
            { { "Content-Type", "multipart/form-data; boundary=" + boundary } }));
    QCOMPARE(reply->status(), 200);
    // The part's own type counts: a PNG in a part that says JPEG is refused.
    const QByteArray png = encodeImage(bandedImage({ 16, 16 }), "png");
    reply = finished(m_owner.api().send(
            "PUT", u"/api/v1/users/me/avatar"_s, multipartBody(boundary, png, "image/jpeg"),
            { { "Content-Type", "multipart/form-data; boundary=" + boundary } }));
    QVERIFY2(isProblem(reply, 415, u"unsupported-media-type"_s), reply->body().constData());
}

void TestAvatars::removingItLeavesNone()
{
    Account account = signUpAccount(m_server->url(), u"remover"_s);
    QCOMPARE(finished(account.api().removeAvatar())->status(), 404);
    QCOMPARE(finished(account.api().setAvatar(encodeImage(bandedImage({ 20, 20 }), "png"),
                                              "image/png"))
                     ->status(),
             200);
    QCOMPARE(finished(account.api().removeAvatar())->status(), 204);
    QCOMPARE(finished(account.api().avatar())->status(), 404);
    QVERIFY(finished(account.api().me())->json().value(u"avatar_url"_s).isNull());
    QCOMPARE(m_server->querySql(
                             u"SELECT count(*) FROM avatars WHERE user_id = %1"_s.arg(account.id()))
                     .value(0)
                     .value(0)
                     .toInt(),
             0);
}

QTEST_GUILESS_MAIN(TestAvatars)
#include "tst_avatars.moc"
