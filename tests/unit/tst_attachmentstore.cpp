// AttachmentStore: what is stored is what was given, under a name of the store's own, private to
// the server's user, and nothing half-written is ever left behind or reachable by a bad name.
#include "attachmentstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <utime.h>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
// Every file in `folder` that is not a stored file: temporaries, or anything else.
QStringList strayFiles(const QString &folder)
{
    QStringList stray;
    const QStringList entries = QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::System);
    for (const QString &entry : entries) {
        if (!AttachmentStore::isValidStoredName(entry))
            stray.append(entry);
    }
    return stray;
}

int modeOf(const QString &path)
{
    struct stat info = {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}
} // namespace

class TestAttachmentStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void storesTheBytesAndTheirHash_data();
    void storesTheBytesAndTheirHash();
    void createsAPrivateFolderOnlyWhenStoring();
    void givesEveryFileANewName();
    void leavesNothingBehindWhenWritingFails();
    void failsClearlyWhenTheFolderCannotBeMade();
    void refusesNamesItCannotHaveMade_data();
    void refusesNamesItCannotHaveMade();
    void removesStoredFiles();
    void removesOnlyStaleTemporaries();

private:
    std::unique_ptr<QTemporaryDir> m_root;
    QString m_folder;
};

void TestAttachmentStore::init()
{
    m_root = std::make_unique<QTemporaryDir>();
    QVERIFY(m_root->isValid());
    m_folder = m_root->filePath(u"data/attachments"_s);
}

void TestAttachmentStore::storesTheBytesAndTheirHash_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("sha256");
    // FIPS 180-2 test vectors.
    QTest::newRow("abc has the FIPS 180-2 digest")
            << QByteArray("abc")
            << u"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_s;
    QTest::newRow("an empty file has the digest of nothing")
            << QByteArray()
            << u"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s;
    QTest::newRow("a million a's, the long FIPS vector")
            << QByteArray(1'000'000, 'a')
            << u"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"_s;
}

void TestAttachmentStore::storesTheBytesAndTheirHash()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, sha256);
    const AttachmentStore store(m_folder);
    const AttachmentStore::Stored stored = store.store(bytes);
    QCOMPARE(stored.sha256, sha256);
    QCOMPARE(stored.size, bytes.size());
    QVERIFY(AttachmentStore::isValidStoredName(stored.storedName));

    const QString path = store.pathOf(stored.storedName);
    QCOMPARE(QFileInfo(path).absolutePath(), QFileInfo(m_folder).absoluteFilePath());
    QCOMPARE(modeOf(path), 0600);
    const std::unique_ptr<QFile> file = store.open(stored.storedName);
    QVERIFY(file);
    QCOMPARE(file->readAll(), bytes);
    QCOMPARE(strayFiles(m_folder), QStringList());
}

void TestAttachmentStore::createsAPrivateFolderOnlyWhenStoring()
{
    const AttachmentStore store(m_folder);
    QVERIFY(!QFileInfo::exists(m_folder)); // constructing it touched nothing
    QVERIFY(!store.open(u"0123456789abcdef0123456789abcdef"_s));
    QVERIFY(!QFileInfo::exists(m_folder));
    store.store("x");
    QCOMPARE(modeOf(m_folder), 0700);
}

void TestAttachmentStore::givesEveryFileANewName()
{
    const AttachmentStore store(m_folder);
    QSet<QString> names;
    for (int i = 0; i < 50; ++i)
        names.insert(store.store("same bytes").storedName);
    QCOMPARE(names.size(), 50);
    QCOMPARE(QDir(m_folder).entryList(QDir::Files).size(), 50);
}

void TestAttachmentStore::leavesNothingBehindWhenWritingFails()
{
    // Root writes into read-only folders, so the failure is made another way: a file size limit
    // that the write passes half-way (EFBIG, once the temporary file exists).
    const AttachmentStore store(m_folder);
    store.store("first");
    rlimit saved = {};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    rlimit small = saved;
    small.rlim_cur = 64 * 1024;
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
    bool threw = false;
    try {
        store.store(QByteArray(1024 * 1024, 'z'));
    } catch (const AttachmentStoreError &error) {
        threw = true;
        QCOMPARE(error.kind(), AttachmentStoreError::Kind::NoSpace);
        QVERIFY2(QByteArray(error.what()).contains("cannot write"), error.what());
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
    QVERIFY(threw);
    QCOMPARE(strayFiles(m_folder), QStringList());
    QCOMPARE(QDir(m_folder).entryList(QDir::Files).size(), 1); // the first file only
}

void TestAttachmentStore::failsClearlyWhenTheFolderCannotBeMade()
{
    // Its parent is a file: not even root can make a folder there.
    QFile blocker(m_root->filePath(u"blocker"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const AttachmentStore store(m_root->filePath(u"blocker/attachments"_s));
    QVERIFY_THROWS_EXCEPTION(AttachmentStoreError, store.store("x"));
    try {
        store.store("x");
    } catch (const AttachmentStoreError &error) {
        QCOMPARE(error.kind(), AttachmentStoreError::Kind::Storage);
    }
}

void TestAttachmentStore::refusesNamesItCannotHaveMade_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("an empty name") << QString();
    QTest::newRow("a parent folder") << u".."_s;
    QTest::newRow("a path out of the folder") << u"../../../../etc/passwd"_s;
    QTest::newRow("a path that ends in a valid name") << u"../x/0123456789abcdef0123456789abcdef"_s;
    QTest::newRow("upper-case hex digits") << u"0123456789ABCDEF0123456789abcdef"_s;
    QTest::newRow("31 hex digits") << u"0123456789abcdef0123456789abcde"_s;
    QTest::newRow("33 hex digits") << u"0123456789abcdef0123456789abcdef0"_s;
    QTest::newRow("a letter beyond f") << u"0123456789abcdef0123456789abcdeg"_s;
    QTest::newRow("a temporary file's name") << u"partial-0123456789abcdef0123456789abcdef"_s;
    QTest::newRow("a trailing newline") << u"0123456789abcdef0123456789abcde\n"_s;
    QTest::newRow("full-width digits") << QString(32, QChar(0xFF10));
}

void TestAttachmentStore::refusesNamesItCannotHaveMade()
{
    QFETCH(QString, name);
    const AttachmentStore store(m_folder);
    store.store("x");
    QVERIFY(!AttachmentStore::isValidStoredName(name));
    QVERIFY_THROWS_EXCEPTION(AttachmentStoreError, store.pathOf(name));
    QVERIFY_THROWS_EXCEPTION(AttachmentStoreError, store.open(name));
    QVERIFY(!store.remove(name));
}

void TestAttachmentStore::removesStoredFiles()
{
    const AttachmentStore store(m_folder);
    const QString name = store.store("bye").storedName;
    QVERIFY(store.remove(name));
    QVERIFY(!QFileInfo::exists(store.pathOf(name)));
    QVERIFY(!store.open(name));
    QVERIFY(store.remove(name)); // already gone is gone
}

void TestAttachmentStore::removesOnlyStaleTemporaries()
{
    const AttachmentStore store(m_folder);
    QCOMPARE(store.removeStaleTemporaries(std::chrono::seconds(0)), 0); // no folder yet
    const QString kept = store.store("kept").storedName;
    const auto write = [this](const QString &name) {
        QFile file(m_folder + u'/' + name);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("half");
    };
    write(u"partial-00000000000000000000000000000001"_s);
    write(u"partial-00000000000000000000000000000002"_s);
    write(u"notes.txt"_s); // not the store's: left alone
    // One of them was left by a crash two hours ago.
    const QByteArray old
            = QFile::encodeName(m_folder + u"/partial-00000000000000000000000000000001"_s);
    const utimbuf twoHoursAgo{ ::time(nullptr) - 7200, ::time(nullptr) - 7200 };
    QCOMPARE(::utime(old.constData(), &twoHoursAgo), 0);

    QCOMPARE(store.removeStaleTemporaries(), 1); // only the old one: the other may be in use
    QCOMPARE(strayFiles(m_folder),
             QStringList({ u"notes.txt"_s, u"partial-00000000000000000000000000000002"_s }));
    QCOMPARE(store.removeStaleTemporaries(std::chrono::seconds(0)), 1);
    QCOMPARE(strayFiles(m_folder), QStringList{ u"notes.txt"_s });
    QVERIFY(store.open(kept));
}

QTEST_GUILESS_MAIN(TestAttachmentStore)
#include "tst_attachmentstore.moc"
