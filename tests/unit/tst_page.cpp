// Page<T>: items and the next page's cursor in JSON.
#include "page.h"
#include "user.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

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

class TestPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pageRoundTrips();
};

void TestPage::pageRoundTrips()
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

QTEST_GUILESS_MAIN(TestPage)
#include "tst_page.moc"
