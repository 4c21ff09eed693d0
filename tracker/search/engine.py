"""The full-text engine of the database in use: SQLite FTS5 or PostgreSQL tsvector.

Both hold, per search entry, the folded words of its title (weighted higher) and body.
Folding (`folding.fold`) happens in Python for both, so "cai dat" finds "cài đặt" the
same way on either engine, "đ" included.
"""

from __future__ import annotations

import sqlalchemy as sa

from tracker.search.folding import fold

#: SQLite: an FTS5 table whose rowid is search_entry.id. No stemming, no diacritics
#: left to strip (the text comes folded).
SQLITE_DDL = ("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'unicode61')",)
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts",)

#: PostgreSQL: one tsvector per entry ('simple': no stemming), with a GIN index.
POSTGRES_DDL = (
    "CREATE TABLE search_fts ("
    " entry_id integer PRIMARY KEY REFERENCES search_entry(id) ON DELETE CASCADE,"
    " document tsvector NOT NULL)",
    "CREATE INDEX ix_search_fts_document ON search_fts USING gin (document)",
)
POSTGRES_DROP = ("DROP TABLE IF EXISTS search_fts",)


#: How much more a word in a title counts than one in a body (SQLite's bm25; on
#: PostgreSQL titles are weight A, bodies B).
TITLE_WEIGHT = 10.0


def create(connection: sa.Connection) -> None:
    for statement in SQLITE_DDL if _sqlite(connection) else POSTGRES_DDL:
        connection.exec_driver_sql(statement)


def drop(connection: sa.Connection) -> None:
    for statement in SQLITE_DROP if _sqlite(connection) else POSTGRES_DROP:
        connection.exec_driver_sql(statement)


def _sqlite(connection: sa.Connection) -> bool:
    return connection.dialect.name == "sqlite"


def write(connection: sa.Connection, entry_id: int, title: str, body: str) -> None:
    """Put (or replace) one entry's words in the index."""
    remove(connection, entry_id)
    values = {"id": entry_id, "title": fold(title), "body": fold(body)}
    if _sqlite(connection):
        connection.execute(
            sa.text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
            values,
        )
    else:
        connection.execute(
            sa.text(
                "INSERT INTO search_fts (entry_id, document) VALUES (:id,"
                " setweight(to_tsvector('simple', :title), 'A')"
                " || setweight(to_tsvector('simple', :body), 'B'))"
            ),
            values,
        )


def write_new(connection: sa.Connection, entries: list[tuple[int, str, str]]) -> None:
    """Add the words of entries not in the index yet, (id, title, body) each, in one
    statement: the rebuild's path."""
    if not entries:
        return
    values = [{"id": id_, "title": fold(title), "body": fold(body)} for id_, title, body in entries]
    if _sqlite(connection):
        statement = "INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"
    else:
        statement = (
            "INSERT INTO search_fts (entry_id, document) VALUES (:id,"
            " setweight(to_tsvector('simple', :title), 'A')"
            " || setweight(to_tsvector('simple', :body), 'B'))"
        )
    connection.execute(sa.text(statement), values)


def remove(connection: sa.Connection, entry_id: int) -> None:
    column = "rowid" if _sqlite(connection) else "entry_id"
    connection.execute(sa.text(f"DELETE FROM search_fts WHERE {column} = :id"), {"id": entry_id})  # noqa: S608 (a fixed name)


def clear(connection: sa.Connection) -> None:
    connection.exec_driver_sql("DELETE FROM search_fts")


def matches(
    dialect: str, words: list[str]
) -> tuple[sa.FromClause, sa.ColumnElement, sa.ColumnElement | None]:
    """For the folded `words` (each a prefix, all required): the index as a FROM of the
    matching entries, the column holding the entry id, and on SQLite the score (bm25,
    smaller is better), which SQLite works out only for the rows a query yields. On
    PostgreSQL the score is None: `score_of` looks it up for chosen entries."""
    if dialect == "sqlite":
        fts = sa.table("search_fts", sa.column("rowid"))
        bm25 = sa.func.bm25(sa.literal_column("search_fts"), TITLE_WEIGHT, 1.0)
        found = (
            sa.select(fts.c.rowid.label("entry_id"), bm25.label("score"))
            .where(sa.literal_column("search_fts").op("MATCH")(_sqlite_query(words)))
            .subquery("matched")
        )
        return found, found.c.entry_id, found.c.score
    fts = sa.table("search_fts", sa.column("entry_id"), sa.column("document"))
    found = (
        sa.select(fts.c.entry_id)
        .where(fts.c.document.op("@@")(_postgres_query(words)))
        .subquery("matched")
    )
    return found, found.c.entry_id, None


def score_of(words: list[str], entry_id) -> sa.ScalarSelect:
    """PostgreSQL: the score of the entry `entry_id` for `words` (ts_rank negated,
    smaller is better), one index lookup."""
    fts = sa.table("search_fts", sa.column("entry_id"), sa.column("document"))
    return (
        sa.select(-sa.func.ts_rank(fts.c.document, _postgres_query(words)))
        .where(fts.c.entry_id == entry_id)
        .scalar_subquery()
    )


def _sqlite_query(words: list[str]) -> str:
    return " ".join(f'"{word}"*' for word in words)


def _postgres_query(words: list[str]) -> sa.ColumnElement:
    return sa.func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
