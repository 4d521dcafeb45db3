-- Listing snapshots (issue 8, point 9). A listing's pages keep the order of its first page's
-- moment: a task whose sort key changes after that moment stays where it was, so that it is
-- neither skipped (moved behind the cursor) nor listed again (moved ahead of it). The cursor
-- holds the moment (the highest seq then); a later page orders each task by its key as of
-- then: the keys recorded by its first move after the moment, or its current ones.
--
-- One row per change of a task's sort keys, holding the keys from before the change. Written
-- by the trigger below, so that no write can change a key unrecorded. Rows older than the
-- cursors' lifetime are deleted (TaskListRepository::pruneSortMoves). AUTOINCREMENT: a seq is
-- never used twice, even after the newest rows were deleted.
CREATE TABLE task_sort_moves (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL,
    owner_id INTEGER NOT NULL,
    due_sort TEXT NOT NULL,
    priority INTEGER NOT NULL,
    title_key TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    moved_at TEXT NOT NULL
);

CREATE INDEX task_sort_moves_owner ON task_sort_moves (owner_id, seq);

CREATE INDEX task_sort_moves_task ON task_sort_moves (task_id, seq);

CREATE INDEX task_sort_moves_moved ON task_sort_moves (moved_at);

-- Every write sets updated_at, so in practice every update of a task adds a row.
CREATE TRIGGER tasks_sort_moves AFTER UPDATE OF due_sort, priority, title_key, updated_at ON tasks
WHEN old.due_sort IS NOT new.due_sort OR old.priority IS NOT new.priority
    OR old.title_key IS NOT new.title_key OR old.updated_at IS NOT new.updated_at BEGIN
    INSERT INTO task_sort_moves (task_id, owner_id, due_sort, priority, title_key, updated_at,
        moved_at)
    VALUES (old.id, old.owner_id, old.due_sort, old.priority, old.title_key, old.updated_at,
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
