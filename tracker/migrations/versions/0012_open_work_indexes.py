"""partial indexes of open work

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

- ix_assignment_open_due: open assignments that owe a report, by due date.
- ix_period_open_due: open reporting periods, by due date.
A list of overdue work (`tracker.assignments.obligations.open_parts`) reads a page of
them in deadline order instead of judging every assignment and period.
"""

from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN_REPORT_WORK = sa.text(
    "status IN ('assigned', 'in_progress', 'submitted', 'returned') AND role != 'inform'"
)
OPEN_PERIOD_WORK = sa.text("status IN ('open', 'submitted', 'returned')")


def upgrade() -> None:
    op.create_index(
        "ix_assignment_open_due",
        "assignment",
        ["due_date", "id"],
        sqlite_where=OPEN_REPORT_WORK,
        postgresql_where=OPEN_REPORT_WORK,
    )
    op.create_index(
        "ix_period_open_due",
        "period",
        ["due_date", "id"],
        sqlite_where=OPEN_PERIOD_WORK,
        postgresql_where=OPEN_PERIOD_WORK,
    )


def downgrade() -> None:
    op.drop_index("ix_period_open_due", "period")
    op.drop_index("ix_assignment_open_due", "assignment")
