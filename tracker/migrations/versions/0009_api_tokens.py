"""the JSON API: personal access tokens, rate-limit counts, idempotent requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

- api_token: personal access tokens, stored as their SHA-256.
- api_request_count: each token's requests per rate-limit window.
- api_idempotent_request: answers to creating POSTs sent with an Idempotency-Key.
"""

from alembic import op
import sqlalchemy as sa
import tracker.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_idempotent_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=255), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_idempotent_request_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotent_request')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_api_idempotent_request_user_id_key'))
    )
    with op.batch_alter_table('api_idempotent_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotent_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_idempotent_request_user_id'), ['user_id'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.Enum('read', 'write', name='scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('api_request_count',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('window_start', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_request_count_token_id_api_token'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', 'window_start', name=op.f('pk_api_request_count'))
    )


def downgrade() -> None:
    op.drop_table('api_request_count')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    with op.batch_alter_table('api_idempotent_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotent_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_api_idempotent_request_created_at'))

    op.drop_table('api_idempotent_request')
