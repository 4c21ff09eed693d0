"""Alembic environment: runs on the connection `tracker init` hands over, or on the URL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context

from tracker.models import Base
from tracker.search.models import ENGINE_TABLES

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: Any, _parents: Any) -> bool:
    """The full-text engine's own tables are the migration's, not the models'."""
    return not (type_ == "table" and name in ENGINE_TABLES)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("no connection handed over and no sqlalchemy.url set")
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
