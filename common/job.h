#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// Where a background job is: waiting for its time (queued), taken by a worker under a lease
// (running), finished (done), or given up (dead: failed permanently or too often, until an
// operator retries it).
enum class JobStatus { Queued, Running, Done, Dead };

QString jobStatusToString(JobStatus status);
std::optional<JobStatus> jobStatusFromString(const QString &text);

// A durable background job as the database holds it and operators see it.
struct Job
{
    qint64 id = 0;
    // Stable across retries: what the job's effect reuses (an email's Message-ID, a push
    // message's topic), so that a repeated delivery is recognisable downstream.
    QString uid;
    QString kind;
    // At most one queued or running job holds a key (a reminder's, a recurring cleanup's).
    QString key;
    QJsonObject payload;
    JobStatus status = JobStatus::Queued;
    QDateTime runAt;
    int attempts = 0; // runs begun, this one included while running
    QString leaseOwner; // the process running it
    QDateTime leaseUntil;
    QString lastError;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime finishedAt;

    QJsonObject toJson() const;
    static std::optional<Job> fromJson(const QJsonObject &json);
    friend bool operator==(const Job &, const Job &) = default;
};

} // namespace Tasklane
