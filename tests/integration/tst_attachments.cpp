// Files attached to tasks: uploaded as multipart/form-data under their own body cap and a
// per-user quota, typed from their bytes, stored under generated names, offered back only as
// downloads, and reachable only through a task the caller can see.
#include "accountfixtures.h"
#include "task.h"
#include "testserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {

const QByteArray Boundary = "tasklane-test-boundary-7f3a";

// The smallest complete PNG (a 1x1 transparent pixel).
QByteArray pngBytes()
{
    return QByteArray::fromBase64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYP"
                                  "hfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
}

QByteArray multipartBody(const QByteArray &fileName, const QByteArray &contentType,
                         const QByteArray &bytes, const QByteArray &partName = "file")
{
    return "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"" + partName
            + "\"; filename=\"" + fileName + "\"\r\nContent-Type: " + contentType + "\r\n\r\n"
            + bytes + "\r\n--" + Boundary + "--\r\n";
}

RawHeaders multipartHeaders(const QByteArray &idempotencyKey = {})
{
    RawHeaders headers{ { "Content-Type", "multipart/form-data; boundary=" + Boundary } };
    if (!idempotencyKey.isEmpty())
        headers.append(qMakePair(QByteArray("Idempotency-Key"), idempotencyKey));
    return headers;
}

ApiReply *upload(ApiClient &client, qint64 taskId, const QByteArray &fileName,
                 const QByteArray &bytes,
                 const QByteArray &claimedType = "application/octet-stream",
                 const QByteArray &idempotencyKey = {})
{
    return client.send("POST", u"/api/v1/tasks/%1/attachments"_s.arg(taskId),
                       multipartBody(fileName, claimedType, bytes),
                       multipartHeaders(idempotencyKey));
}

qint64 newTask(ApiClient &client, const QString &title)
{
    ApiReply *reply = client.sendJson("POST", u"/api/v1/tasks"_s, { { u"title"_s, title } });
    if (!waitFor(reply) || reply->status() != 201)
        return 0;
    return reply->json().value(u"id"_s).toInteger();
}

QStringList storedFiles(const TestServer &server)
{
    return QDir(server.dataDir() + u"/attachments"_s).entryList(QDir::Files);
}

} // namespace

class TestAttachments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void uploadListDownloadAndDelete();
    void theTypeComesFromTheBytesAndNothingRendersInline_data();
    void theTypeComesFromTheBytesAndNothingRendersInline();
    void fileNamesAreOnlyKeptSanitisedAsMetadata_data();
    void fileNamesAreOnlyKeptSanitisedAsMetadata();
    void badUploadsAreRefused_data();
    void badUploadsAreRefused();
    void attachmentsAreReachableOnlyThroughAVisibleTask();
    void viewersReadButOnlyOwnersAndEditorsChange();
    void anUploadOverTheCapIsRefusedBeforeItsBody();
    void aChunkedUploadIsRefusedOnceItPassesTheCap();
    void theQuotaCountsEachUsersUploads();
    void anIdempotentRetryStoresNothingTwice();
    void purgingATaskDeletesItsFiles();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestAttachments::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestAttachments::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestAttachments::uploadListDownloadAndDelete()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Scan the receipt"_s);
    const QByteArray png = pngBytes();
    const QStringList filesBefore = storedFiles(*m_server);
    ApiReply *added = upload(client, taskId, "receipt.png", png, "image/png");
    QVERIFY(waitFor(added));
    QCOMPARE(added->status(), 201);
    const auto attachment = Attachment::fromJson(added->json());
    QVERIFY(attachment);
    QCOMPARE(attachment->taskId, taskId);
    QCOMPARE(attachment->uploaderId, user.id);
    QCOMPARE(attachment->fileName, u"receipt.png"_s);
    QCOMPARE(attachment->contentType, u"image/png"_s);
    QCOMPARE(attachment->size, png.size());
    QCOMPARE(
            attachment->sha256,
            QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(added->header("Location"),
             u"/api/v1/tasks/%1/attachments/%2"_s.arg(taskId).arg(attachment->id).toUtf8());
    // Stored under a generated name, and only once complete.
    const QStringList filesAfter = storedFiles(*m_server);
    QCOMPARE(filesAfter.size(), filesBefore.size() + 1);
    for (const QString &name : filesAfter)
        QVERIFY2(QRegularExpression(u"^[0-9a-f]{32}$"_s).match(name).hasMatch(), qPrintable(name));

    ApiReply *list = client.send("GET", u"/api/v1/tasks/%1/attachments"_s.arg(taskId));
    QVERIFY(waitFor(list));
    QCOMPARE(list->status(), 200);
    const QJsonArray items = list->json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 1);
    QCOMPARE(items.first().toObject(), added->json());

    const QString path = u"/api/v1/tasks/%1/attachments/%2"_s.arg(taskId).arg(attachment->id);
    ApiReply *download = client.send("GET", path);
    QVERIFY(waitFor(download));
    QCOMPARE(download->status(), 200);
    QCOMPARE(download->body(), png);
    QCOMPARE(download->header("Content-Type"), "image/png");
    QCOMPARE(download->header("Content-Disposition"),
             "attachment; filename=\"receipt.png\"; filename*=UTF-8''receipt.png");
    QCOMPARE(download->header("X-Content-Type-Options"), "nosniff");

    // The task records both changes.
    ApiReply *task = client.task(taskId);
    QVERIFY(waitFor(task));
    QCOMPARE(task->json().value(u"version"_s).toInteger(), 2);

    ApiReply *removed = client.send("DELETE", path);
    QVERIFY(waitFor(removed));
    QCOMPARE(removed->status(), 204);
    ApiReply *gone = client.send("GET", path);
    QVERIFY(waitFor(gone));
    QCOMPARE(gone->status(), 404);
    QCOMPARE(storedFiles(*m_server).size(), filesBefore.size());
    ApiReply *history = client.taskHistory(taskId);
    QVERIFY(waitFor(history));
    QStringList actions;
    const QJsonArray records = history->json().value(u"items"_s).toArray();
    for (const QJsonValue &record : records)
        actions.append(record.toObject().value(u"action"_s).toString());
    QCOMPARE(actions,
             (QStringList{ u"created"_s, u"attachment_added"_s, u"attachment_removed"_s }));
}

void TestAttachments::theTypeComesFromTheBytesAndNothingRendersInline_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("claimed");
    QTest::addColumn<QString>("stored");
    QTest::newRow("HTML that claims to be a PNG")
            << QByteArray("<!DOCTYPE html><html><body><script>alert(document.cookie)</script>")
            << QByteArray("image/png") << u"text/html"_s;
    QTest::newRow("SVG with a script, claimed as plain text")
            << QByteArray("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\">"
                          "<script>alert(1)</script></svg>")
            << QByteArray("text/plain") << u"image/svg+xml"_s;
    QTest::newRow("a PNG claimed as HTML")
            << pngBytes() << QByteArray("text/html") << u"image/png"_s;
    QTest::newRow("a PDF with no claim")
            << QByteArray("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
            << QByteArray("application/octet-stream") << u"application/pdf"_s;
}

void TestAttachments::theTypeComesFromTheBytesAndNothingRendersInline()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, claimed);
    QFETCH(QString, stored);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Typed"_s);
    ApiReply *added = upload(client, taskId, "file.bin", bytes, claimed);
    QVERIFY(waitFor(added));
    QCOMPARE(added->status(), 201);
    QCOMPARE(added->json().value(u"content_type"_s).toString(), stored);
    ApiReply *download = client.send("GET",
                                     u"/api/v1/tasks/%1/attachments/%2"_s.arg(taskId).arg(
                                             added->json().value(u"id"_s).toInteger()));
    QVERIFY(waitFor(download));
    QCOMPARE(download->header("Content-Type"), stored.toLatin1());
    QVERIFY(download->header("Content-Disposition").startsWith("attachment;"));
    QCOMPARE(download->header("X-Content-Type-Options"), "nosniff");
    QCOMPARE(download->body(), bytes);
}

void TestAttachments::fileNamesAreOnlyKeptSanitisedAsMetadata_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::addColumn<QString>("kept");
    QTest::addColumn<QByteArray>("disposition");
    QTest::newRow("a path up the tree")
            << QByteArray("../../x") << u"x"_s
            << QByteArray("attachment; filename=\"x\"; filename*=UTF-8''x");
    QTest::newRow("an HTML tag") << QByteArray("<img>.html") << u"_img_.html"_s
                                 << QByteArray("attachment; filename=\"_img_.html\"; "
                                               "filename*=UTF-8''_img_.html");
    QTest::newRow("a Windows path") << QByteArray("C:\\Users\\me\\evil.exe") << u"evil.exe"_s
                                    << QByteArray("attachment; filename=\"evil.exe\"; "
                                                  "filename*=UTF-8''evil.exe");
    QTest::newRow("non-ASCII") << QByteArray("Übersicht ✓.txt") << u"Übersicht ✓.txt"_s
                               << QByteArray("attachment; filename=\"Ubersicht _.txt\"; "
                                             "filename*=UTF-8''%C3%9Cbersicht%20%E2%9C%93.txt");
    QTest::newRow("only dots") << QByteArray("..") << u"file"_s
                               << QByteArray(
                                          "attachment; filename=\"file\"; filename*=UTF-8''file");
}

void TestAttachments::fileNamesAreOnlyKeptSanitisedAsMetadata()
{
    QFETCH(QByteArray, sent);
    QFETCH(QString, kept);
    QFETCH(QByteArray, disposition);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Named"_s);
    ApiReply *added = upload(client, taskId, sent, "plain words\n", "text/plain");
    QVERIFY(waitFor(added));
    QCOMPARE(added->status(), 201);
    QCOMPARE(added->json().value(u"file_name"_s).toString(), kept);
    ApiReply *download = client.send("GET",
                                     u"/api/v1/tasks/%1/attachments/%2"_s.arg(taskId).arg(
                                             added->json().value(u"id"_s).toInteger()));
    QVERIFY(waitFor(download));
    QCOMPARE(download->header("Content-Disposition"), disposition);
    // The name never reaches the disk.
    const QStringList files = storedFiles(*m_server);
    for (const QString &file : files)
        QVERIFY(!file.contains(kept));
    QVERIFY(!QFile::exists(m_server->dataDir() + u"/x"_s));
}

void TestAttachments::badUploadsAreRefused_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    const QByteArray multipart = "multipart/form-data; boundary=" + Boundary;
    QTest::newRow("JSON instead of a form")
            << QByteArray("application/json") << QByteArray(R"({"file":"x"})") << 415;
    QTest::newRow("no part named file")
            << multipart << multipartBody("a.txt", "text/plain", "hello", "document") << 422;
    QTest::newRow("an empty file") << multipart << multipartBody("a.txt", "text/plain", "") << 422;
    QTest::newRow("no closing boundary")
            << multipart << multipartBody("a.txt", "text/plain", "hello").chopped(8) << 400;
    QTest::newRow("no boundary parameter") << QByteArray("multipart/form-data")
                                           << multipartBody("a.txt", "text/plain", "hello") << 400;
}

void TestAttachments::badUploadsAreRefused()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Refusing"_s);
    ApiReply *reply = client.send("POST", u"/api/v1/tasks/%1/attachments"_s.arg(taskId), body,
                                  { { "Content-Type", contentType } });
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    QVERIFY(reply->problem().has_value());
    ApiReply *list = client.send("GET", u"/api/v1/tasks/%1/attachments"_s.arg(taskId));
    QVERIFY(waitFor(list));
    QCOMPARE(list->json().value(u"items"_s).toArray().size(), 0);
}

void TestAttachments::attachmentsAreReachableOnlyThroughAVisibleTask()
{
    ApiClient owner(m_server->url()), stranger(m_server->url());
    signUpAndLogIn(owner, u"owner"_s);
    signUpAndLogIn(stranger, u"stranger"_s);
    const qint64 taskId = newTask(owner, u"Private"_s);
    const qint64 otherTask = newTask(owner, u"Another"_s);
    ApiReply *added = upload(owner, taskId, "secret.txt", "the secret\n", "text/plain");
    QVERIFY(waitFor(added));
    const qint64 attachmentId = added->json().value(u"id"_s).toInteger();
    const QString path = u"/api/v1/tasks/%1/attachments"_s.arg(taskId);
    const QString item = path + u"/%1"_s.arg(attachmentId);
    QList<ApiReply *> replies{
        stranger.send("GET", path),
        stranger.send("GET", item),
        stranger.send("DELETE", item),
        upload(stranger, taskId, "mine.txt", "x", "text/plain"),
        // The right attachment id through the wrong task, even the owner's own.
        owner.send("GET", u"/api/v1/tasks/%1/attachments/%2"_s.arg(otherTask).arg(attachmentId)),
        owner.send("GET", path + u"/abc"_s),
    };
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        QCOMPARE(reply->status(), 404);
        QVERIFY(!reply->body().contains("secret"));
    }
    ApiReply *still = owner.send("GET", item);
    QVERIFY(waitFor(still));
    QCOMPARE(still->body(), QByteArray("the secret\n"));
}

void TestAttachments::viewersReadButOnlyOwnersAndEditorsChange()
{
    ApiClient owner(m_server->url()), viewer(m_server->url()), editor(m_server->url());
    const SignedInUser sharer = signUpAndLogIn(owner, u"owner"_s);
    QVERIFY(verifyAddress(owner, sharer.email, outboxOf(*m_server)));
    const SignedInUser reader = signUpAndLogIn(viewer, u"viewer"_s);
    const SignedInUser writer = signUpAndLogIn(editor, u"editor"_s);
    const qint64 taskId = newTask(owner, u"Shared"_s);
    for (const auto &[id, permission] : { std::pair{ reader.id, SharePermission::View },
                                          std::pair{ writer.id, SharePermission::Edit } }) {
        ApiReply *share = owner.shareTask(taskId, { id, std::nullopt, permission });
        QVERIFY(waitFor(share));
        QCOMPARE(share->status(), 200);
    }
    ApiReply *byEditor = upload(editor, taskId, "notes.txt", "editor notes\n", "text/plain");
    ApiReply *byViewer = upload(viewer, taskId, "notes.txt", "viewer notes\n", "text/plain");
    QVERIFY(waitFor(byEditor) && waitFor(byViewer));
    QCOMPARE(byEditor->status(), 201);
    QCOMPARE(byViewer->status(), 403);
    const QString item = u"/api/v1/tasks/%1/attachments/%2"_s.arg(taskId).arg(
            byEditor->json().value(u"id"_s).toInteger());
    ApiReply *read = viewer.send("GET", item);
    ApiReply *viewerDelete = viewer.send("DELETE", item);
    QVERIFY(waitFor(read) && waitFor(viewerDelete));
    QCOMPARE(read->status(), 200);
    QCOMPARE(viewerDelete->status(), 403);
    ApiReply *editorDelete = editor.send("DELETE", item);
    QVERIFY(waitFor(editorDelete));
    QCOMPARE(editorDelete->status(), 204);
}

void TestAttachments::anUploadOverTheCapIsRefusedBeforeItsBody()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Too big"_s);
    const qint64 pid = m_server->process().processId();
    const qint64 peakBefore = processMemoryKiB(pid, "VmHWM");
    QVERIFY(peakBefore > 0);
    // Declared: 25 MiB + 1 byte (the default cap) and 1 GiB. The answer comes after the
    // headers alone; what follows is never read.
    for (const qint64 declared : { 25LL * 1024 * 1024 + 1, 1LL << 30 }) {
        QTcpSocket socket;
        socket.connectToHost(u"127.0.0.1"_s, m_server->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /api/v1/tasks/" + QByteArray::number(taskId)
                     + "/attachments HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                     + user.accessToken.toLatin1()
                     + "\r\nContent-Type: multipart/form-data; boundary=" + Boundary
                     + "\r\nContent-Length: " + QByteArray::number(declared) + "\r\n\r\n");
        QByteArray answer;
        QElapsedTimer timer;
        timer.start();
        const QByteArray megabyte(1024 * 1024, 'x');
        // Keep sending (up to 64 MiB) while waiting: a server that read the body would grow.
        for (int sent = 0; sent < 64 && !answer.contains("\r\n\r\n") && timer.elapsed() < 10'000;
             ++sent) {
            if (socket.state() == QAbstractSocket::ConnectedState) {
                socket.write(megabyte);
                socket.waitForBytesWritten(200);
            }
            socket.waitForReadyRead(50);
            answer += socket.readAll();
            QCoreApplication::processEvents();
        }
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
        QVERIFY(answer.contains("payload-too-large"));
    }
    const qint64 peakAfter = processMemoryKiB(pid, "VmHWM");
    QVERIFY2(peakAfter - peakBefore < 16 * 1024,
             qPrintable(u"peak memory grew by %1 KiB"_s.arg(peakAfter - peakBefore)));
    ApiReply *list = client.send("GET", u"/api/v1/tasks/%1/attachments"_s.arg(taskId));
    QVERIFY(waitFor(list));
    QCOMPARE(list->json().value(u"items"_s).toArray().size(), 0);
}

void TestAttachments::aChunkedUploadIsRefusedOnceItPassesTheCap()
{
    // A small cap of its own, so that the test's memory figures are about the cap, not noise.
    TestServer::Options options;
    options.arguments = { u"--max-upload-bytes"_s, u"2097152"_s };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Streamed"_s);
    const qint64 pid = server.process().processId();
    const qint64 peakBefore = processMemoryKiB(pid, "VmHWM");
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, server.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /api/v1/tasks/" + QByteArray::number(taskId)
                 + "/attachments HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                 + user.accessToken.toLatin1() + "\r\nContent-Type: multipart/form-data; boundary="
                 + Boundary + "\r\nTransfer-Encoding: chunked\r\n\r\n");
    const QByteArray chunk
            = QByteArray::number(256 * 1024, 16) + "\r\n" + QByteArray(256 * 1024, 'y') + "\r\n";
    QByteArray answer;
    qint64 sentBytes = 0;
    QElapsedTimer timer;
    timer.start();
    // Up to 64 MiB in 256 KiB chunks, until the server answers or closes.
    while (sentBytes < 64LL * 1024 * 1024 && !answer.contains("\r\n\r\n")
           && socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 20'000) {
        socket.write(chunk);
        sentBytes += chunk.size();
        socket.waitForBytesWritten(200);
        socket.waitForReadyRead(5);
        answer += socket.readAll();
        QCoreApplication::processEvents();
    }
    socket.waitForReadyRead(1000);
    answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
    // Refused soon after the cap, not after the whole stream.
    QVERIFY2(sentBytes < 16LL * 1024 * 1024, qPrintable(QString::number(sentBytes)));
    const qint64 peakAfter = processMemoryKiB(pid, "VmHWM");
    QVERIFY2(peakAfter - peakBefore < 24 * 1024,
             qPrintable(u"peak memory grew by %1 KiB"_s.arg(peakAfter - peakBefore)));
    QCOMPARE(server.stop(), 0);
}

void TestAttachments::theQuotaCountsEachUsersUploads()
{
    TestServer::Options options;
    options.arguments = { u"--attachment-quota-bytes"_s, u"100000"_s };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url()), other(server.url());
    signUpAndLogIn(client);
    signUpAndLogIn(other, u"other"_s);
    const qint64 taskId = newTask(client, u"Quota"_s);
    const qint64 otherTask = newTask(other, u"Quota too"_s);
    const QByteArray sixty(60'000, 'q');
    ApiReply *first = upload(client, taskId, "a.txt", sixty, "text/plain");
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 201);
    ApiReply *second = upload(client, taskId, "b.txt", sixty, "text/plain");
    QVERIFY(waitFor(second));
    QCOMPARE(second->status(), 413);
    QCOMPARE(second->problem()->slug(), u"quota-exceeded"_s);
    // Another user's quota is their own.
    ApiReply *others = upload(other, otherTask, "c.txt", sixty, "text/plain");
    QVERIFY(waitFor(others));
    QCOMPARE(others->status(), 201);
    ApiReply *removed = client.send("DELETE",
                                    u"/api/v1/tasks/%1/attachments/%2"_s.arg(taskId).arg(
                                            first->json().value(u"id"_s).toInteger()));
    QVERIFY(waitFor(removed));
    ApiReply *again = upload(client, taskId, "b.txt", sixty, "text/plain");
    QVERIFY(waitFor(again));
    QCOMPARE(again->status(), 201);
    QCOMPARE(QDir(server.dataDir() + u"/attachments"_s).entryList(QDir::Files).size(), 2);
    QCOMPARE(server.stop(), 0);
}

void TestAttachments::anIdempotentRetryStoresNothingTwice()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Retried"_s);
    const int filesBefore = int(storedFiles(*m_server).size());
    ApiReply *first = upload(client, taskId, "r.txt", "retry me\n", "text/plain", "upload-1");
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 201);
    ApiReply *retry = upload(client, taskId, "r.txt", "retry me\n", "text/plain", "upload-1");
    QVERIFY(waitFor(retry));
    QCOMPARE(retry->status(), 201);
    QCOMPARE(retry->header("Idempotent-Replayed"), "true");
    QCOMPARE(retry->body(), first->body());
    QCOMPARE(int(storedFiles(*m_server).size()), filesBefore + 1);
    ApiReply *list = client.send("GET", u"/api/v1/tasks/%1/attachments"_s.arg(taskId));
    QVERIFY(waitFor(list));
    QCOMPARE(list->json().value(u"items"_s).toArray().size(), 1);
}

void TestAttachments::purgingATaskDeletesItsFiles()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const qint64 taskId = newTask(client, u"Doomed"_s);
    const int filesBefore = int(storedFiles(*m_server).size());
    for (const char *name : { "one.txt", "two.txt" }) {
        ApiReply *added = upload(client, taskId, name, "bytes\n", "text/plain");
        QVERIFY(waitFor(added));
        QCOMPARE(added->status(), 201);
    }
    QCOMPARE(int(storedFiles(*m_server).size()), filesBefore + 2);
    ApiReply *trash = client.trashTask(taskId);
    QVERIFY(waitFor(trash));
    QCOMPARE(int(storedFiles(*m_server).size()), filesBefore + 2); // the trash keeps them
    ApiReply *purge = client.purgeTask(taskId);
    QVERIFY(waitFor(purge));
    QCOMPARE(purge->status(), 204);
    QCOMPARE(int(storedFiles(*m_server).size()), filesBefore);
}

QTEST_GUILESS_MAIN(TestAttachments)
#include "tst_attachments.moc"
