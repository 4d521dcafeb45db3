#pragma once

#include "mailer.h"

#include <QString>

namespace Tasklane {

// The embedded default: each message is written as an .eml file (RFC 5322, CRLF) to a folder,
// under a name made from its Message-ID, so that a job sent again writes the same file. Written
// to a temporary name and renamed when complete: a reader never sees half a message.
class OutboxMailer final : public Mailer
{
public:
    explicit OutboxMailer(QString folder);

    void send(const MailMessage &message) const override;
    QString destination() const override;
    bool isLocal() const override { return true; }
    // The file a message goes to.
    QString pathOf(const MailMessage &message) const;

private:
    QString m_folder;
};

} // namespace Tasklane
