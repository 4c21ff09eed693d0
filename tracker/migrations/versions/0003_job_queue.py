"""the job queue: report jobs show signs of life, imports are parsed in the queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

- report_job.heartbeat_at: renewed while a job runs, so a dead one is found at once;
- import_draft.status gains 'parsing' and 'failed', and import_draft.error says why.
"""

import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_IMPORT_STATES = ("open", "confirmed", "discarded")
NEW_IMPORT_STATES = ("parsing", "failed", *OLD_IMPORT_STATES)


def _import_status(states: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*states, name="import_status", native_enum=False, create_constraint=True)


def upgrade() -> None:
    with op.batch_alter_table("report_job") as batch:
        batch.add_column(sa.Column("heartbeat_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("import_draft") as batch:
        batch.add_column(sa.Column("error", sa.Text(), nullable=False, server_default=""))
        batch.alter_column(
            "status",
            existing_type=_import_status(OLD_IMPORT_STATES),
            type_=_import_status(NEW_IMPORT_STATES),
            existing_nullable=False,
        )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE import_draft SET status = 'discarded' WHERE status IN ('parsing', 'failed')"
        )
    )
    with op.batch_alter_table("import_draft") as batch:
        batch.alter_column(
            "status",
            existing_type=_import_status(NEW_IMPORT_STATES),
            type_=_import_status(OLD_IMPORT_STATES),
            existing_nullable=False,
        )
        batch.drop_column("error")
    with op.batch_alter_table("report_job") as batch:
        batch.drop_column("heartbeat_at")
