"""obligation tallies: the province's obligations kept counted

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

- obligation_tally: (kind, outcome, due date, first day, extended, directive status)
  → how many.
- late_tally: (agency, due date) → how many open obligations.
Both are filled from the obligations on upgrade, and kept by every flush after it
(tracker.assignments.tally).
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('obligation_tally',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('extended', sa.Integer(), nullable=False),
    sa.Column('directive_status', sa.String(length=20), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'outcome', 'due_date', 'starts_on', 'extended', 'directive_status', name=op.f('pk_obligation_tally'))
    )
    op.create_table('late_tally',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_late_tally_agency_id_agency'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', 'due_date', name=op.f('pk_late_tally')),
    sqlite_with_rowid=False,
    )
    from tracker.assignments import tally

    session = Session(bind=op.get_bind())
    tally.rebuild(session)
    session.flush()
    session.close()


def downgrade() -> None:
    op.drop_table('late_tally')
    op.drop_table('obligation_tally')
