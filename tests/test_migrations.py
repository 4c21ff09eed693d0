"""The migrations produce exactly the models' schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracker.db import make_engine
from tracker.migrations.runner import alembic_config, upgrade
from tracker.models import Base
from tracker.search.models import ENGINE_TABLES

#: What autogenerate compares: the full-text engine's tables are the migration's own.
COMPARE = {
    "compare_type": True,
    "include_name": lambda name, type_, _parents: not (type_ == "table" and name in ENGINE_TABLES),
}


def test_migrations_head_matches_models(connection):
    context = MigrationContext.configure(connection, opts=COMPARE)
    assert compare_metadata(context, Base.metadata) == []


def test_migrations_database_is_at_head(connection):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert MigrationContext.configure(connection).get_current_revision() == head


def test_migrations_upgrade_downgrade_upgrade_on_fresh_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    with engine.begin() as conn:
        upgrade(conn)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    with engine.begin() as conn:
        upgrade(conn)
        context = MigrationContext.configure(conn, opts=COMPARE)
        assert compare_metadata(context, Base.metadata) == []
        triggers = (
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .scalars()
            .all()
        )
        assert {"event_no_update", "event_no_delete"} <= set(triggers)
    engine.dispose()
