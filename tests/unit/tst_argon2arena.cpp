// Argon2ArenaScope: libsodium's Argon2id memory is kept per thread between hashes, the output is
// the same bit for bit, and every other mapping still goes to the C library.
#include "argon2arena.h"

#include <QFile>
#include <QTest>

#include <sodium.h>
#include <sys/mman.h>

#include <thread>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {

QByteArray rawArgon2id(const QByteArray &password, size_t memLimitBytes)
{
    // A fixed salt, so two runs are comparable.
    const QByteArray salt(crypto_pwhash_SALTBYTES, '\x5a');
    QByteArray out(32, '\0');
    if (crypto_pwhash(reinterpret_cast<unsigned char *>(out.data()), size_t(out.size()),
                      password.constData(), size_t(password.size()),
                      reinterpret_cast<const unsigned char *>(salt.constData()), 2, memLimitBytes,
                      crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return {};
    return out;
}

bool isMapped(const void *address)
{
    QFile maps(u"/proc/self/maps"_s);
    if (!maps.open(QIODevice::ReadOnly))
        return false;
    const auto where = reinterpret_cast<quintptr>(address);
    for (const QByteArray &line : maps.readAll().split('\n')) {
        const QList<QByteArray> range = line.left(line.indexOf(' ')).split('-');
        if (range.size() == 2 && range[0].toULongLong(nullptr, 16) <= where
            && where < range[1].toULongLong(nullptr, 16))
            return true;
    }
    return false;
}

} // namespace

class TestArgon2Arena : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameHashAsLibsodiumsOwnMemory_data();
    void sameHashAsLibsodiumsOwnMemory();
    void otherMappingsPassThrough_data();
    void otherMappingsPassThrough();
    void secondRequestWhileLentPassesThrough();
    void arenaIsUnmappedWhenTheThreadEnds();
};

void TestArgon2Arena::initTestCase()
{
    QVERIFY(sodium_init() >= 0);
}

void TestArgon2Arena::sameHashAsLibsodiumsOwnMemory_data()
{
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<int>("memLimitMiB");
    QTest::addColumn<bool>("newArena"); // rows run in order on one thread
    QTest::newRow("first hash maps the arena") << "correct horse battery"_ba << 19 << true;
    QTest::newRow("the next hash reuses it") << "another passphrase!"_ba << 19 << false;
    QTest::newRow("a smaller hash fits in it") << "correct horse battery"_ba << 8 << false;
    QTest::newRow("a larger hash maps a larger one") << "correct horse battery"_ba << 24 << true;
    QTest::newRow("and then the usual size fits") << "Grüße 🚀"_ba << 19 << false;
}

void TestArgon2Arena::sameHashAsLibsodiumsOwnMemory()
{
    QFETCH(QByteArray, password);
    QFETCH(int, memLimitMiB);
    QFETCH(bool, newArena);
    const size_t memLimit = size_t(memLimitMiB) * 1024 * 1024;

    const std::uint64_t lentBefore = Argon2ArenaScope::lentCount();
    const QByteArray expected = rawArgon2id(password, memLimit); // libsodium maps its own
    QVERIFY(!expected.isEmpty());
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore);

    const std::uint64_t mappedBefore = Argon2ArenaScope::mappedCount();
    QByteArray inArena;
    {
        const Argon2ArenaScope scope;
        inArena = rawArgon2id(password, memLimit);
    }
    QCOMPARE(inArena, expected);
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore + 1);
    QCOMPARE(Argon2ArenaScope::mappedCount(), mappedBefore + (newArena ? 1 : 0));
}

void TestArgon2Arena::otherMappingsPassThrough_data()
{
    QTest::addColumn<bool>("inScope");
    QTest::addColumn<int>("protection");
    QTest::addColumn<int>("flags");
    QTest::addColumn<qulonglong>("length");
    const int rw = PROT_READ | PROT_WRITE;
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    QTest::newRow("outside a scope") << false << rw << anon << qulonglong(1 << 20);
    QTest::newRow("shared") << true << rw << (MAP_SHARED | MAP_ANONYMOUS) << qulonglong(1 << 20);
    QTest::newRow("read-only") << true << PROT_READ << anon << qulonglong(1 << 20);
    QTest::newRow("a stack") << true << rw << (anon | MAP_STACK) << qulonglong(1 << 20);
    QTest::newRow("larger than an arena may be")
            << true << rw << anon << qulonglong(Argon2ArenaScope::MaxArenaBytes + 4096);
}

void TestArgon2Arena::otherMappingsPassThrough()
{
    QFETCH(bool, inScope);
    QFETCH(int, protection);
    QFETCH(int, flags);
    QFETCH(qulonglong, length);
    const std::uint64_t lentBefore = Argon2ArenaScope::lentCount();
    std::optional<Argon2ArenaScope> scope;
    if (inScope)
        scope.emplace();
    void *mapping = mmap(nullptr, length, protection, flags, -1, 0);
    QVERIFY(mapping != MAP_FAILED);
    QVERIFY(isMapped(mapping));
    QCOMPARE(munmap(mapping, length), 0);
    QVERIFY(!isMapped(mapping)); // really unmapped, not kept
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore);
}

void TestArgon2Arena::secondRequestWhileLentPassesThrough()
{
    const size_t length = size_t(1) << 20;
    const Argon2ArenaScope scope;
    void *lent = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *other = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    QVERIFY(lent != MAP_FAILED && other != MAP_FAILED && lent != other);
    QCOMPARE(munmap(other, length), 0);
    QVERIFY(!isMapped(other));
    QCOMPARE(munmap(lent, length), 0);
    QVERIFY(isMapped(lent)); // handed back to the arena, which keeps it
}

void TestArgon2Arena::arenaIsUnmappedWhenTheThreadEnds()
{
    void *arena = nullptr;
    std::thread hasher([&arena] {
        const Argon2ArenaScope scope;
        const size_t length = size_t(2) << 20;
        arena = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        munmap(arena, length);
    });
    hasher.join();
    QVERIFY(arena && arena != MAP_FAILED);
    QVERIFY(!isMapped(arena));
}

QTEST_GUILESS_MAIN(TestArgon2Arena)
#include "tst_argon2arena.moc"
