-- Every index whose key starts with the owner puts each new task on a page of its own (one per
-- owner), and those pages are most of what a write costs: with five of them SQLite committed
-- about 4,700 new tasks a second, with two about 6,200 (bench/tasks.sh, same run). Kept: the
-- due date (the to-do list's own order) and creation (the default order). Sorting by title,
-- priority or last change now reads the owner's tasks through tasks_owner_due and sorts them:
-- about 7-10 ms for a user with 20,000 tasks, 1 ms or less for a few hundred.
DROP INDEX tasks_owner_updated;
DROP INDEX tasks_owner_priority;
DROP INDEX tasks_owner_title;
