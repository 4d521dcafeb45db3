#pragma once

#include "jsonlogformat.h"

namespace Tasklane {

class LogStore;

// Hands what the JSON log writes to the log store (GET /admin/logs), as the store keeps it: every
// message, and the request lines the store's setting keeps. Runs on the log's writing thread.
class LogStoreSink final : public JsonLog::Sink
{
public:
    explicit LogStoreSink(LogStore &store) : m_store(store) { }
    void take(const JsonLog::Record &record) override;

private:
    LogStore &m_store;
};

} // namespace Tasklane
