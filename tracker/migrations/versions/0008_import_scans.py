"""scanned directives imported by OCR

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

- import_draft.scan_file: where the uploaded scan waits for the OCR job (under
  IMPORTS_DIR), empty for a text.
- import_draft.pages_done, pages_total: the OCR's progress.
- import_draft.ocr_pages: per page, the words read with little confidence.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_draft") as batch:
        batch.add_column(
            sa.Column("scan_file", sa.String(255), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("pages_done", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("pages_total", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("ocr_pages", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_draft") as batch:
        for column in ("ocr_pages", "pages_total", "pages_done", "scan_file"):
            batch.drop_column(column)
