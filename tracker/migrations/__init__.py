"""Alembic migrations; `tracker init` upgrades to head."""
