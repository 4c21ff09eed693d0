"""Search: one index of directives, tasks, reports, evidence files and agencies, kept in
the database's own full-text engine (SQLite FTS5, PostgreSQL tsvector) and written in
the same transaction as the data it indexes."""
