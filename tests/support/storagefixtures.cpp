#include "storagefixtures.h"

#include "taskrepository.h"
#include "userrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

qint64 makeUser(const Database &database, const QString &name, bool emailVerified)
{
    const auto user = UserRepository(database).create(name + u"@example.com"_s, name, u"hash"_s,
                                                      Role::User, emailVerified);
    return user ? user->id : 0;
}

qint64 makeTask(const Database &database, qint64 ownerId, const QString &title)
{
    TaskRecord record;
    record.task.ownerId = ownerId;
    record.task.title = title;
    record.task.version = 1;
    record.task.createdAt = QDateTime::currentDateTimeUtc();
    record.task.updatedAt = record.task.createdAt;
    return TaskRepository(database).insert(record);
}

} // namespace Tasklane::Test
