#pragma once

#include "smssender.h"

namespace Tasklane {

// The embedded default without an SMS provider: each message is a JSON file ({to, text, at})
// in a folder (sms-outbox in the data folder), written whole or not at all.
class OutboxSmsSender final : public SmsSender
{
public:
    explicit OutboxSmsSender(QString folder) : m_folder(std::move(folder)) { }
    QString send(const QString &to, const QString &text) const override;
    QString destination() const override;

private:
    const QString m_folder;
};

} // namespace Tasklane
