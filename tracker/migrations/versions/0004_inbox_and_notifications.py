"""notifications of every step, grouped reminders, per-user choices, search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

- reminder_sent: each rung of the reminder ladder given once per obligation, so the
  day's reminders can be grouped into one notification per agency;
- user_account.mail_off: the kinds of notification a user keeps out of the e-mail
  digest;
- user_account.language: the interface language the user chose;
- search_entry and the engine's full-text index of it (search_fts: an FTS5 table on
  SQLite, a tsvector table on PostgreSQL). `tracker init` fills it for data from
  before.
"""

import sqlalchemy as sa
from alembic import op

from tracker.search import engine

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_sent",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column(
            "agency_id",
            sa.Integer(),
            sa.ForeignKey("agency.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
    )
    op.create_index("ix_reminder_sent_agency_id", "reminder_sent", ["agency_id"])
    op.create_index("ix_reminder_sent_day", "reminder_sent", ["day"])
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("mail_off", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("kind", "object_id", name="uq_search_entry_kind_object_id"),
    )
    for column in ("directive_id", "assignment_id", "agency_id"):
        op.create_index(f"ix_search_entry_{column}", "search_entry", [column])
    engine.create(op.get_bind())


def downgrade() -> None:
    engine.drop(op.get_bind())
    for column in ("directive_id", "assignment_id", "agency_id"):
        op.drop_index(f"ix_search_entry_{column}", "search_entry")
    op.drop_table("search_entry")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("language")
        batch.drop_column("mail_off")
    op.drop_index("ix_reminder_sent_day", "reminder_sent")
    op.drop_index("ix_reminder_sent_agency_id", "reminder_sent")
    op.drop_table("reminder_sent")
