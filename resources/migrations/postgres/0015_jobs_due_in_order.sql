-- Due jobs are taken in the order of their time and id (JobRepository::claimDue): with the id in
-- the index, a claim reads the first rows in that order instead of sorting every due job (10,000
-- reminders at one instant cost a claim 14 ms on PostgreSQL with the time alone).
DROP INDEX jobs_due;

CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status = 'queued';
