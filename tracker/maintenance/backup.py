"""Backups that are safe on a live database (SECURITY.md item 26).

SQLite: the online backup API, never a copy of a live WAL file. PostgreSQL: `pg_dump -Fc`.
Beside the database goes a manifest of the evidence, document and imported scan files
(path, size, SHA-256), so a restore can be checked file by file. The files themselves are the file
store's to keep: a folder is backed up as a folder, a bucket by the object store's own
replication or versioning; the manifest checks either."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.engine import make_url

from tracker import clock
from tracker.evidence.stores import BlobStore


class BackupError(RuntimeError):
    """A backup that could not be made; the message is in the language in force (the
    command's: TRACKER_LANG, else Vietnamese)."""


@dataclass(frozen=True)
class BackupResult:
    database: Path
    manifest: Path
    files: int


def backup(
    database_url: str, stores: dict[str, BlobStore], target: Path, anchor: Path | None = None
) -> BackupResult:
    """Write the database, a file manifest and a copy of the event log's anchor file
    into the folder `target`, readable by its owner only."""
    target.mkdir(parents=True, exist_ok=True)
    url = make_url(database_url)
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise BackupError(_("Cơ sở dữ liệu SQLite trong bộ nhớ không có tệp để sao lưu."))
        database = target / f"tracker-{stamp}.sqlite3"
        _sqlite_backup(Path(url.database), database)
    elif url.get_backend_name() == "postgresql":
        database = target / f"tracker-{stamp}.dump"
        _pg_dump(url, database)
    else:
        raise BackupError(
            _("Chưa hỗ trợ sao lưu cơ sở dữ liệu %(backend)s.", backend=url.get_backend_name())
        )
    manifest = target / f"tracker-{stamp}.files.json"
    entries = file_manifest(stores)
    manifest.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
    copied = [database, manifest]
    if anchor is not None and anchor.is_file():
        copy = target / f"tracker-{stamp}.audit-anchor.log"
        copy.write_bytes(anchor.read_bytes())
        copied.append(copy)
    # A backup holds everything: only its owner may read it.
    target.chmod(0o700)
    for path in copied:
        path.chmod(0o600)
    return BackupResult(database, manifest, len(entries))


def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError(_("Không thấy tệp cơ sở dữ liệu %(path)s.", path=source))
    with sqlite3.connect(source) as live, sqlite3.connect(destination) as copy:
        live.backup(copy)
    live.close()
    copy.close()


def _pg_dump(url, destination: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError(_("Không có pg_dump trên máy (cài gói postgresql-client)."))
    command = [
        "pg_dump",
        "-Fc",
        "-f",
        str(destination),
        "-h",
        url.host or "localhost",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        url.database,
    ]
    env = {"PGPASSWORD": url.password} if url.password else {}
    completed = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
        timeout=3600,
    )
    if completed.returncode != 0:
        raise BackupError(_("pg_dump lỗi: %(error)s", error=completed.stderr.strip()[:500]))


def file_manifest(stores: dict[str, BlobStore]) -> list[dict]:
    """Every stored file: its store's name ("folder"), name inside it, size and SHA-256."""
    entries = []
    for name, store in sorted(stores.items()):
        for path, size in store.files():
            entries.append(
                {"folder": name, "path": path, "size": size, "sha256": store.hash_of(path)}
            )
    return entries


def verify_manifest(manifest: Path, stores: dict[str, BlobStore]) -> list[str]:
    """Problems found when checking restored files against a manifest (empty: all good),
    in the language in force (the command's: TRACKER_LANG, else Vietnamese)."""
    problems = []
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        found = stores[entry["folder"]].hash_of(entry["path"])
        name = f"{entry['folder']}/{entry['path']}"
        if found is None:
            problems.append(_("thiếu %(file)s", file=name))
        elif found != entry["sha256"]:
            problems.append(_("sai mã băm %(file)s", file=name))
    return problems


def sqlite_integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    connection.close()
    return result
