#pragma once

#include "mailer.h"

#include <QString>

#include <atomic>

namespace Tasklane {

// The embedded default: each message is written as an .eml file (RFC 5322, CRLF) to a folder,
// under a name made from its Message-ID, so that a job sent again writes the same file. Written
// to a temporary name (".tmp-" after the name), synced, then renamed: a reader never sees half a
// message, and a message is durable when send() returns. sendAll() writes a batch of files and
// syncs them together (one syncfs() of the folder's file system, then one sync of the folder).
class OutboxMailer final : public Mailer
{
public:
    explicit OutboxMailer(QString folder);

    void send(const MailMessage &message) const override;
    void sendAll(const QList<MailMessage> &messages) const override;
    QString destination() const override;
    bool isLocal() const override { return true; }
    // The file a message goes to.
    QString pathOf(const MailMessage &message) const;

private:
    void makeFolder() const;

    QString m_folder;
    mutable std::atomic<bool> m_folderMade = false;
};

} // namespace Tasklane
