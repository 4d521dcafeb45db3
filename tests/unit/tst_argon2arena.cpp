// Argon2ArenaScope: libsodium's Argon2id memory is kept per thread between hashes and wiped
// after each, the output is the same bit for bit, and no other mapping is ever lent.
#include "argon2arena.h"

#include <QFile>
#include <QTest>

#include <sodium.h>
#include <sys/mman.h>

#include <algorithm>
#include <thread>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {

constexpr size_t MiB = size_t(1) << 20;

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

size_t arenaBytes(size_t memLimitBytes)
{
    return Argon2ArenaScope::bytesFor(memLimitBytes / 1024);
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

bool threadArenaIsZero()
{
    size_t size = 0;
    const unsigned char *arena = Argon2ArenaScope::threadArena(&size);
    return arena && std::all_of(arena, arena + size, [](unsigned char c) { return c == 0; });
}

} // namespace

class TestArgon2Arena : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameHashAsLibsodiumsOwnMemory_data();
    void sameHashAsLibsodiumsOwnMemory();
    void otherRequestsAreNotLent_data();
    void otherRequestsAreNotLent();
    void nestedScopes();
    void threadsHashSideBySide();
    void arenaIsUnmappedWhenTheThreadEnds();
    void releaseThreadArena();
};

void TestArgon2Arena::initTestCase()
{
    QVERIFY(sodium_init() >= 0);
    QCOMPARE(Argon2ArenaScope::bytesFor(19456), size_t(19922944)); // what libsodium maps
    QCOMPARE(Argon2ArenaScope::bytesFor(19457), size_t(19922944)); // 4 blocks at a time
    QCOMPARE(Argon2ArenaScope::bytesFor(Argon2ArenaScope::MaxArenaBytes / 1024 + 4), size_t(0));
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
    const size_t memLimit = size_t(memLimitMiB) * MiB;

    const std::uint64_t lentBefore = Argon2ArenaScope::lentCount();
    const QByteArray expected = rawArgon2id(password, memLimit); // libsodium maps its own
    QVERIFY(!expected.isEmpty());
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore);

    const std::uint64_t mappedBefore = Argon2ArenaScope::mappedCount();
    QByteArray inArena;
    {
        const Argon2ArenaScope scope(arenaBytes(memLimit));
        inArena = rawArgon2id(password, memLimit);
    }
    QCOMPARE(inArena, expected);
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore + 1);
    QCOMPARE(Argon2ArenaScope::mappedCount(), mappedBefore + (newArena ? 1 : 0));
    size_t size = 0;
    QVERIFY(Argon2ArenaScope::threadArena(&size));
    QVERIFY(size >= arenaBytes(memLimit));
    QVERIFY2(threadArenaIsZero(), "the hash's blocks were left in the arena");
}

void TestArgon2Arena::otherRequestsAreNotLent_data()
{
    QTest::addColumn<bool>("inScope");
    QTest::addColumn<bool>("viaLibsodium"); // else the test maps libsodium's request itself
    QTest::addColumn<int>("expectedMiB");
    const int hashMiB = 8;
    QTest::newRow("libsodium outside a scope") << false << true << hashMiB;
    QTest::newRow("libsodium, another size than expected") << true << true << hashMiB * 2;
    QTest::newRow("the same request from other code") << true << false << hashMiB;
}

void TestArgon2Arena::otherRequestsAreNotLent()
{
    QFETCH(bool, inScope);
    QFETCH(bool, viaLibsodium);
    QFETCH(int, expectedMiB);
    const size_t memLimit = 8 * MiB;
    const QByteArray expected = rawArgon2id("a password", memLimit);
    const std::uint64_t lentBefore = Argon2ArenaScope::lentCount();
    std::optional<Argon2ArenaScope> scope;
    if (inScope)
        scope.emplace(arenaBytes(size_t(expectedMiB) * MiB));
    if (viaLibsodium) {
        QCOMPARE(rawArgon2id("a password", memLimit), expected);
    } else {
        const size_t length = arenaBytes(memLimit);
        void *mapping = mmap(nullptr, length, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        QVERIFY(mapping != MAP_FAILED);
        QVERIFY(mapping != Argon2ArenaScope::threadArena(nullptr));
        QCOMPARE(munmap(mapping, length), 0);
        QVERIFY(!isMapped(mapping)); // really unmapped, not kept
    }
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore);
}

void TestArgon2Arena::nestedScopes()
{
    const QByteArray small = rawArgon2id("inner", 8 * MiB);
    const QByteArray usual = rawArgon2id("outer", 19 * MiB);
    const std::uint64_t lentBefore = Argon2ArenaScope::lentCount();
    {
        const Argon2ArenaScope outer(arenaBytes(19 * MiB));
        {
            const Argon2ArenaScope inner(arenaBytes(8 * MiB));
            QCOMPARE(rawArgon2id("inner", 8 * MiB), small);
        }
        QCOMPARE(rawArgon2id("outer", 19 * MiB), usual); // the outer scope's size again
    }
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore + 2);
    const Argon2ArenaScope again(arenaBytes(19 * MiB));
    QCOMPARE(rawArgon2id("outer", 19 * MiB), usual);
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore + 3);
}

void TestArgon2Arena::threadsHashSideBySide()
{
    const QList<QByteArray> passwords{ "first thread", "second thread", "third thread" };
    QList<QByteArray> expected, actual(passwords.size());
    for (const QByteArray &password : passwords)
        expected.append(rawArgon2id(password, 19 * MiB));
    const std::uint64_t lentBefore = Argon2ArenaScope::lentCount();
    std::vector<std::thread> threads;
    for (qsizetype i = 0; i < passwords.size(); ++i) {
        threads.emplace_back([&, i] {
            const Argon2ArenaScope scope(arenaBytes(19 * MiB));
            for (int round = 0; round < 3; ++round)
                actual[i] = rawArgon2id(passwords[i], 19 * MiB);
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(actual, expected);
    QCOMPARE(Argon2ArenaScope::lentCount(), lentBefore + 9);
}

void TestArgon2Arena::arenaIsUnmappedWhenTheThreadEnds()
{
    const unsigned char *arena = nullptr;
    bool mappedInThread = false;
    std::thread hasher([&] {
        const Argon2ArenaScope scope(arenaBytes(8 * MiB));
        rawArgon2id("a password", 8 * MiB);
        arena = Argon2ArenaScope::threadArena(nullptr);
        mappedInThread = arena && isMapped(arena);
    });
    hasher.join();
    QVERIFY(mappedInThread);
    QVERIFY(!isMapped(arena));
}

void TestArgon2Arena::releaseThreadArena()
{
    {
        const Argon2ArenaScope scope(arenaBytes(8 * MiB));
        rawArgon2id("a password", 8 * MiB);
    }
    const unsigned char *arena = Argon2ArenaScope::threadArena(nullptr);
    QVERIFY(arena && isMapped(arena));
    Argon2ArenaScope::releaseThreadArena();
    QVERIFY(!Argon2ArenaScope::threadArena(nullptr));
    QVERIFY(!isMapped(arena));
}

QTEST_GUILESS_MAIN(TestArgon2Arena)
#include "tst_argon2arena.moc"
