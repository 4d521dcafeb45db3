-- Listing snapshots (issue 8, point 9). A listing's pages keep the order of its first page's
-- moment: a task whose sort key changes after that moment stays where it was, so that it is
-- neither skipped (moved behind the cursor) nor listed again (moved ahead of it). The cursor
-- holds the moment (the first page's MVCC snapshot); a later page orders each task by its key
-- as of then: the keys recorded by its first move that snapshot could not see, or its current
-- ones.
--
-- One row per change of a task's sort keys, holding the keys from before the change. Written
-- by the trigger below, so that no write can change a key unrecorded. seq orders the moves of
-- one task as they committed (an update holds the task's row lock until it commits); xid is the
-- writing transaction, which tells whether a snapshot saw the move. Rows older than the
-- cursors' lifetime are deleted (TaskListRepository::pruneSortMoves).
CREATE TABLE task_sort_moves (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid XID8 NOT NULL DEFAULT pg_current_xact_id(),
    task_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    due_sort TIMESTAMPTZ NOT NULL,
    priority SMALLINT NOT NULL,
    title_key TEXT COLLATE "C" NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    moved_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX task_sort_moves_owner ON task_sort_moves (owner_id, xid);

CREATE INDEX task_sort_moves_task ON task_sort_moves (task_id, xid);

CREATE INDEX task_sort_moves_moved ON task_sort_moves (moved_at);

-- The body is on lines of its own that do not end in ';' (Migrator splits statements there).
CREATE FUNCTION tasks_record_sort_move() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN INSERT INTO task_sort_moves (task_id, owner_id, due_sort, priority, title_key,
        updated_at) VALUES (old.id, old.owner_id, old.due_sort, old.priority, old.title_key,
        old.updated_at)
    ; RETURN NULL
    ; END
$body$;

-- Every write sets updated_at, so in practice every update of a task adds a row.
CREATE TRIGGER tasks_sort_moves AFTER UPDATE OF due_sort, priority, title_key, updated_at
ON tasks FOR EACH ROW WHEN (old.due_sort IS DISTINCT FROM new.due_sort
    OR old.priority IS DISTINCT FROM new.priority OR old.title_key IS DISTINCT FROM new.title_key
    OR old.updated_at IS DISTINCT FROM new.updated_at)
EXECUTE FUNCTION tasks_record_sort_move();
