"""Engine, session and declarative base; SQLite is tuned for safe concurrent use."""

from __future__ import annotations

import contextlib
import enum
import os
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC timestamp on every engine (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def enum_type(enum_class: type[enum.Enum]) -> sa.Enum:
    """A string enum column with a CHECK constraint, so the database enforces the states."""
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", enum_class.__name__).lower()
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
    )


#: Settings of every PostgreSQL connection. The pages' queries read a few thousand rows
#: at most: a parallel plan spends more starting its workers than it saves (14 ms
#: against 2 ms for the dashboard's directive counts at national size), and JIT
#: compiling a large aggregate takes longer than running it.
POSTGRESQL_OPTIONS = "-c max_parallel_workers_per_gather=0 -c jit=off"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for the URL. SQLite gets WAL, foreign keys and a busy timeout; its
    transactions start deferred, so reading locks nothing, and take the write lock at
    their first write (`take_write_lock`), so writers queue for it instead of failing."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, echo=echo, connect_args={"timeout": 5})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "commit", _sqlite_on_end)
        event.listen(engine, "rollback", _sqlite_on_end)
        return engine
    return sa.create_engine(
        url, echo=echo, pool_pre_ping=True, connect_args={"options": POSTGRESQL_OPTIONS}
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The database file is the owner's alone; SQLite gives its WAL and shared-memory
    # files the same permissions.
    for _sequence, name, path in dbapi_connection.execute("PRAGMA database_list"):
        if name == "main" and path:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.chmod(path + suffix, 0o600)
    # Take over transaction control from the driver so BEGIN IMMEDIATE is ours to emit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=5000",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


#: Set on a connection's info before it begins: start with the write lock (tests that
#: hold one outer transaction around everything they do).
BEGIN_IMMEDIATE = "tracker.begin_immediate"
_WRITING = "tracker.writing"


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = bool(connection.info.get(BEGIN_IMMEDIATE))
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN DEFERRED")
    connection.info[_WRITING] = immediate


def _sqlite_on_end(connection: Connection) -> None:
    connection.info[_WRITING] = False


def upsert_insert(session: Session) -> Callable[..., Any]:
    """INSERT with ON CONFLICT (DO NOTHING / DO UPDATE) for the engine in use: SQLite's
    or PostgreSQL's, which both have it, with RETURNING."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def refresh_statistics(session: Session) -> None:
    """Gather the query planner's statistics. Without them, after a bulk load, both
    engines pick plans for empty tables: SQLite reads a directive's obligations by
    scanning every assignment, PostgreSQL joins 8,000 submitted assignments with every
    task in a nested loop (16 s for an agency's review counts at 100,000 assignments,
    10 ms with statistics). SQLite's is approximate (tens of milliseconds at any size);
    PostgreSQL's samples each table (about a second at national size). Run by `tracker
    init` and the daily job; PostgreSQL's autovacuum also keeps them between runs."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    connection.exec_driver_sql("ANALYZE")


def end_reads(session: Session) -> None:
    """End the current transaction before long work (rendering, parsing, hashing) so
    that no snapshot, lock or idle-in-transaction connection is held while it runs. For
    a session that has read but not written: pending changes are a mistake here."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reads() with changes pending: commit them first")
    session.commit()


def take_write_lock(session: Session) -> None:
    """SQLite: end the transaction's read-only part and take the write lock (BEGIN
    IMMEDIATE), waiting for other writers up to the busy timeout. Called at the first
    write of a transaction, so a long read never holds the lock and a write never fails
    on a snapshot that another writer has moved past. Rows the transaction read before
    may have changed since: the optimistic version columns catch that where it matters.
    Nothing to do on PostgreSQL, or once the transaction writes."""
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.info.get(_WRITING):
        return
    if session.in_nested_transaction():
        raise RuntimeError("take the write lock before opening a savepoint")
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection in use has its driver's
    driver.execute("COMMIT")
    driver.execute("BEGIN IMMEDIATE")
    connection.info[_WRITING] = True


class Database:
    """The engine of one app; tests may route every session through one connection."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        #: Set by tests: every session joins this connection's transaction.
        self.connection: Connection | None = None

    def bind(self) -> Engine | Connection:
        return self.connection if self.connection is not None else self.engine


class AppSession(Session):
    """Binds to the current app's database."""

    def get_bind(self, mapper: Any = None, clause: Any = None, **kwargs: Any) -> Any:
        return database().bind()


@event.listens_for(AppSession, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    take_write_lock(session)


@event.listens_for(AppSession, "do_orm_execute")
def _before_statement(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        take_write_lock(state.session)


def _scope() -> int:
    try:
        return id(app_ctx._get_current_object())  # type: ignore[attr-defined]  # a LocalProxy
    except RuntimeError:
        return threading.get_ident()


class _ScopedSession(scoped_session[Session]):
    """A scoped session that stands in for the whole `Session` of the current scope:
    what `scoped_session` does not proxy itself (`in_nested_transaction`, ...) is
    looked up on that session."""

    def __getattr__(self, name: str) -> Any:
        # Private names stay unforwarded, and so does `registry` itself, which is missing
        # only before __init__ (a copy, say): looking it up there would recurse.
        if name.startswith("_") or name == "registry":
            raise AttributeError(name)
        return getattr(self.registry(), name)


if TYPE_CHECKING:

    class ContextSession(Session):
        """How the type checker sees `session`: the current scope's `Session`, plus
        `remove()`, which closes it and forgets it."""

        def remove(self) -> None: ...


#: The session of the current app context. Operations flush; the request commits.
#: Typed as the `Session` it stands for, so operations take `session: Session`.
session = cast(
    "ContextSession",
    _ScopedSession(
        sessionmaker(class_=AppSession, join_transaction_mode="create_savepoint"),
        scopefunc=_scope,
    ),
)


def database() -> Database:
    return current_app.extensions["tracker.db"]


def init_app(app: Flask) -> None:
    app.extensions["tracker.db"] = Database(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        session.remove()
