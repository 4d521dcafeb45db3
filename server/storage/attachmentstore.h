#pragma once
#include <QString>
namespace Tasklane {
class AttachmentStore { public: explicit AttachmentStore(const QString &) {} void remove(const QString &) const {} };
}
