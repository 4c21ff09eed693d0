"""obligations end, directives close, agencies print themselves

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

- assignment.cancelled_on and period.cancelled_on (with the period's new 'cancelled'
  state): ended work counts as it stood before the day it ended;
- directive.closed_on, closing_note, superseded_by_id;
- agency: how it prints itself in an ND30 header (parent body, name lines, state
  heading, symbol, place, drafting unit) and whether the head's name is illustrative;
- outgoing_document.content: an issued document's context, for its .docx copy.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_PERIOD_STATES = ("open", "submitted", "returned", "done")
NEW_PERIOD_STATES = (*OLD_PERIOD_STATES, "cancelled")
AGENCY_TEXTS = (
    ("header_parent", 255),
    ("header_name", 255),
    ("state_heading", 255),
    ("symbol_code", 40),
    ("place", 120),
    ("drafting_unit", 40),
)


def _period_status(states: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*states, name="period_status", native_enum=False, create_constraint=True)


def _local_day(value) -> object:
    """The Vietnamese calendar day of a stored UTC timestamp (as the models' clock)."""
    from tracker import clock

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return clock.local_date(value)


def upgrade() -> None:
    with op.batch_alter_table("outgoing_document") as batch:
        batch.add_column(sa.Column("content", sa.JSON(), nullable=True))

    with op.batch_alter_table("agency") as batch:
        batch.add_column(
            sa.Column("head_name_is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        for name, length in AGENCY_TEXTS:
            batch.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )

    with op.batch_alter_table("directive") as batch:
        batch.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("closing_note", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_directive_superseded_by_id_directive"),
            "directive",
            ["superseded_by_id"],
            ["id"],
        )
        batch.create_index(batch.f("ix_directive_superseded_by_id"), ["superseded_by_id"])
    connection = op.get_bind()
    # Directives marked closed before closing had a date end on the day of this upgrade.
    connection.execute(
        sa.text(
            "UPDATE directive SET closed_on = :today"
            " WHERE status IN ('closed', 'superseded') AND closed_on IS NULL"
        ),
        {"today": datetime.now(UTC).date()},
    )
    connection.execute(
        sa.text("UPDATE directive SET status = 'closed' WHERE status = 'superseded'")
    )
    with op.batch_alter_table("directive") as batch:
        batch.create_check_constraint(
            "closed_exactly_when_ended",
            "(status IN ('closed', 'superseded')) = (closed_on IS NOT NULL)",
        )
        batch.create_check_constraint(
            "superseded_names_successor",
            "(status = 'superseded') = (superseded_by_id IS NOT NULL)",
        )

    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("cancelled_on", sa.Date(), nullable=True))
    cancelled = connection.execute(
        sa.text("SELECT id, updated_at FROM assignment WHERE status = 'cancelled'")
    ).all()
    for assignment_id, updated_at in cancelled:
        connection.execute(
            sa.text("UPDATE assignment SET cancelled_on = :day WHERE id = :id"),
            {"day": _local_day(updated_at), "id": assignment_id},
        )
    with op.batch_alter_table("assignment") as batch:
        batch.create_check_constraint(
            "cancelled_exactly_when_cancelled",
            "(status = 'cancelled') = (cancelled_on IS NOT NULL)",
        )

    with op.batch_alter_table("period") as batch:
        batch.add_column(sa.Column("cancelled_on", sa.Date(), nullable=True))
        batch.alter_column(
            "status",
            existing_type=_period_status(OLD_PERIOD_STATES),
            type_=_period_status(NEW_PERIOD_STATES),
            existing_nullable=False,
        )
    # Open periods of work cancelled before this upgrade end with it.
    connection.execute(
        sa.text(
            "UPDATE period SET status = 'cancelled', cancelled_on = ("
            " SELECT assignment.cancelled_on FROM assignment"
            " WHERE assignment.id = period.assignment_id)"
            " WHERE status IN ('open', 'submitted', 'returned') AND assignment_id IN ("
            " SELECT id FROM assignment WHERE status = 'cancelled')"
        )
    )
    with op.batch_alter_table("period") as batch:
        batch.create_check_constraint(
            "cancelled_exactly_when_cancelled",
            "(status = 'cancelled') = (cancelled_on IS NOT NULL)",
        )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.text("UPDATE period SET status = 'open' WHERE status = 'cancelled'")
    )
    with op.batch_alter_table("period") as batch:
        batch.drop_constraint("cancelled_exactly_when_cancelled", type_="check")
        batch.alter_column(
            "status",
            existing_type=_period_status(NEW_PERIOD_STATES),
            type_=_period_status(OLD_PERIOD_STATES),
            existing_nullable=False,
        )
        batch.drop_column("cancelled_on")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_constraint("cancelled_exactly_when_cancelled", type_="check")
        batch.drop_column("cancelled_on")
    with op.batch_alter_table("directive") as batch:
        batch.drop_constraint("superseded_names_successor", type_="check")
        batch.drop_constraint("closed_exactly_when_ended", type_="check")
        batch.drop_index(batch.f("ix_directive_superseded_by_id"))
        batch.drop_constraint(batch.f("fk_directive_superseded_by_id_directive"), type_="foreignkey")
        batch.drop_column("superseded_by_id")
        batch.drop_column("closing_note")
        batch.drop_column("closed_on")
    with op.batch_alter_table("agency") as batch:
        for name, _length in reversed(AGENCY_TEXTS):
            batch.drop_column(name)
        batch.drop_column("head_name_is_demo")
    with op.batch_alter_table("outgoing_document") as batch:
        batch.drop_column("content")
