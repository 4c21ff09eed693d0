"""Backups and the restore drill: integrity, counts, and the file manifest."""

from __future__ import annotations

import io
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker import db
from tracker.cli import main
from tracker.evidence.operations import add_evidence
from tracker.evidence.stores import BlobStore, every_store
from tracker.maintenance.backup import backup, sqlite_integrity, verify_manifest

TABLES = ("agency", "directive", "task", "assignment", "event", "evidence", "user_account")


def _folders(app) -> dict[str, BlobStore]:
    return every_store(app.config)


def _with_evidence(app) -> None:
    from tracker.agencies.operations import agency_by_code
    from tracker.assignments.models import Assignment
    from tracker.auth.models import User

    with app.app_context():
        session = db.session
        snv = agency_by_code(session, "SNV")
        assignment = session.scalar(sa.select(Assignment).where(Assignment.agency_id == snv.id))
        user = session.scalar(sa.select(User).where(User.username == "snv"))
        add_evidence(
            session, user, assignment, io.BytesIO("Danh sách cài đặt.\n".encode()), "danh-sach.txt"
        )
        session.commit()


def test_backup_restore_drill(scratch_app, tmp_path):
    app = scratch_app
    _with_evidence(app)
    result = backup(app.config["DATABASE_URL"], _folders(app), tmp_path / "backup")
    assert result.files >= 1
    assert verify_manifest(result.manifest, _folders(app)) == []
    with app.app_context():
        live = {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in TABLES
        }
    if result.database.suffix == ".sqlite3":
        assert sqlite_integrity(result.database) == "ok"
        with sqlite3.connect(result.database) as copy:
            restored = {
                table: copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in TABLES
            }
        copy.close()
        assert restored == live
    else:
        assert result.database.stat().st_size > 0
        listing = subprocess.run(
            ["pg_restore", "--list", str(result.database)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "TABLE DATA public assignment" in listing.stdout
    # A damaged or missing file is found by the manifest check.
    stored = next(p for p in Path(app.config["EVIDENCE_DIR"]).rglob("*") if p.is_file())
    stored.chmod(0o640)
    stored.write_bytes(b"hong")
    assert any(
        "sai mã băm" in problem for problem in verify_manifest(result.manifest, _folders(app))
    )


def test_backup_command(scratch_app, tmp_path):
    if not scratch_app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the command is exercised on SQLite; pg_dump is tested above")
    result = scratch_app.test_cli_runner().invoke(main, args=["backup", "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output
    assert any(path.suffix == ".sqlite3" for path in (tmp_path / "b").iterdir())


def test_backup_refuses_unknown_engines(tmp_path):
    from tracker.maintenance.backup import BackupError

    with pytest.raises(BackupError):
        backup("mysql://x@localhost/y", {}, tmp_path)
    with pytest.raises(BackupError, match="Không thấy"):
        backup(f"sqlite:///{tmp_path / 'missing.db'}", {}, tmp_path)
