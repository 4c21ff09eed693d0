"""work handed down to sub-units

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

- assignment.parent_id: the assignment a sub-unit's work was handed down from (an
  agency's own sub-assignment), and assignment.instructions: what it asks of the
  sub-unit.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("instructions", sa.Text(), nullable=False, server_default=""))
        batch.create_foreign_key(
            batch.f("fk_assignment_parent_id_assignment"),
            "assignment",
            ["parent_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_assignment_parent_id"), ["parent_id"])


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_index(batch.f("ix_assignment_parent_id"))
        batch.drop_constraint(batch.f("fk_assignment_parent_id_assignment"), type_="foreignkey")
        batch.drop_column("instructions")
        batch.drop_column("parent_id")
