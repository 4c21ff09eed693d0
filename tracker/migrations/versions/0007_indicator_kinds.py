"""indicators of two kinds, with a unit, a target, a fixed denominator and a baseline

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

- indicator.kind: a count, or a ratio (every indicator so far is a ratio).
- indicator.unit: what is counted; indicator.allow_over: a numerator may exceed its
  denominator.
- indicator.target replaces target_percent: a percentage for a ratio, a number for a
  count, or none.
- indicator.denominator_value and denominator_source: one denominator for the whole
  province (a population), with where it comes from.
- indicator.baseline_numerator, baseline_date, baseline_source: a province-wide figure
  the directive states itself.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "count",
                    "ratio",
                    name="indicator_kind",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=False,
                server_default="ratio",
            )
        )
        batch.add_column(sa.Column("unit", sa.String(60), nullable=False, server_default=""))
        batch.alter_column(
            "denominator_label", existing_type=sa.String(120), server_default=""
        )
        batch.alter_column(
            "target_percent",
            new_column_name="target",
            existing_type=sa.Numeric(5, 2),
            type_=sa.Numeric(14, 2),
            nullable=True,
        )
        batch.add_column(
            sa.Column("allow_over", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("denominator_value", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("denominator_source", sa.String(500), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("baseline_numerator", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("baseline_date", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("baseline_source", sa.String(500), nullable=False, server_default="")
        )
    with op.batch_alter_table("indicator") as batch:
        batch.create_check_constraint("target_not_negative", "target IS NULL OR target >= 0")
        batch.create_check_constraint(
            "fixed_denominator_of_a_ratio",
            "denominator_value IS NULL OR (denominator_value > 0 AND kind = 'ratio')",
        )
        batch.create_check_constraint(
            "baseline_dated",
            "(baseline_numerator IS NULL) = (baseline_date IS NULL)"
            " AND (baseline_numerator IS NULL OR baseline_numerator >= 0)",
        )


def downgrade() -> None:
    connection = op.get_bind()
    # A count or a target-less indicator has no place in the old schema's columns.
    connection.execute(sa.text("UPDATE indicator SET target = 100 WHERE target IS NULL"))
    with op.batch_alter_table("indicator") as batch:
        batch.drop_constraint(batch.f("ck_indicator_baseline_dated"), type_="check")
        batch.drop_constraint(batch.f("ck_indicator_fixed_denominator_of_a_ratio"), type_="check")
        batch.drop_constraint(batch.f("ck_indicator_target_not_negative"), type_="check")
        batch.drop_constraint(batch.f("ck_indicator_indicator_kind"), type_="check")
    with op.batch_alter_table("indicator") as batch:
        for column in (
            "baseline_source",
            "baseline_date",
            "baseline_numerator",
            "denominator_source",
            "denominator_value",
            "allow_over",
            "unit",
            "kind",
        ):
            batch.drop_column(column)
        batch.alter_column(
            "denominator_label", existing_type=sa.String(120), server_default=None
        )
        batch.alter_column(
            "target",
            new_column_name="target_percent",
            existing_type=sa.Numeric(14, 2),
            type_=sa.Numeric(5, 2),
            nullable=False,
        )
