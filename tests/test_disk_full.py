"""A full disk answers 507 with a clear message, leaves no row and no partial file, and
tells the admins. The disk is real: a 256 KB tmpfs mounted for the test (root only)."""

from __future__ import annotations

import os
import subprocess

import pytest
import sqlalchemy as sa

from tests.test_evidence_web import upload
from tracker.evidence.models import Evidence
from tracker.notifications.models import Notification


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_upload_to_a_full_disk_answers_507(app, client, auth, session, make_assignment, tiny_disk):
    assignment = make_assignment("SNV")
    before = session.scalar(sa.select(sa.func.count(Evidence.id)))
    auth.login("snv")
    previous = app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = str(tiny_disk)
    try:
        response = upload(client, assignment, b"%PDF-1.4\n" + b"0" * 600_000, "bao-cao.pdf")
    finally:
        app.config["EVIDENCE_DIR"] = previous
    assert response.status_code == 507
    assert "hết chỗ lưu trữ" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count(Evidence.id))) == before
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []  # nothing half-written
    notice = session.scalar(sa.select(Notification).where(Notification.kind == "system"))
    assert notice is not None and "hết dung lượng" in notice.title
