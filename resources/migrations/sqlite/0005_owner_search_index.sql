-- PostgreSQL's search index changed (see postgres/0005_owner_search_index.sql); SQLite's FTS5
-- index already holds each task's readers. Nothing to change; the version keeps both dialects'
-- schemas numbered alike.
SELECT 1;
