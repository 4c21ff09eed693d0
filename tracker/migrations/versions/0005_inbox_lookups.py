"""the inbox's lookups at scale

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

- extension_request.status indexed: the office's inbox reads the pending requests,
  a few among many, without walking every directive's work to find them.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_extension_request_status", "extension_request", ["status"])


def downgrade() -> None:
    op.drop_index("ix_extension_request_status", "extension_request")
