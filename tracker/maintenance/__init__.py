"""Keeping an installation safe: backups and their restore check."""
