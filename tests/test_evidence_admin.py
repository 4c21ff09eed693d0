"""The per-agency quota, and the checks an operator runs on the evidence store."""

from __future__ import annotations

import os

import pytest

from tests.helpers import text_file, user_named
from tracker.evidence.operations import (
    EvidenceError,
    add_evidence,
    known_hashes,
    store,
    verify_files,
)


def test_evidence_quota_per_agency(app, session, make_assignment):
    assignment = make_assignment("SNV")
    worker = user_named(session, "snv")
    previous = app.config["EVIDENCE_QUOTA_MB"]
    app.config["EVIDENCE_QUOTA_MB"] = 0
    try:
        with pytest.raises(EvidenceError, match="hạn mức") as refused:
            add_evidence(session, worker, assignment, text_file("quota\n"), "a.txt")
        assert refused.value.http_status == 413
    finally:
        app.config["EVIDENCE_QUOTA_MB"] = previous
    assert add_evidence(session, worker, assignment, text_file("quota\n"), "a.txt").id


def test_evidence_verify_finds_altered_files(session, make_assignment):
    assignment = make_assignment("SNV")
    evidence = add_evidence(
        session, user_named(session, "snv"), assignment, text_file("nội dung gốc 7f3a\n"), "goc.txt"
    )
    assert evidence not in verify_files(session)
    path = store().path_for(evidence.sha256)
    original = path.read_bytes()
    try:
        os.chmod(path, 0o640)
        path.write_bytes(b"altered")
        assert evidence in verify_files(session)
    finally:
        path.write_bytes(original)


def test_evidence_sweep_keeps_known_files(session, make_assignment):
    assignment = make_assignment("SNV")
    evidence = add_evidence(
        session, user_named(session, "snv"), assignment, text_file("giữ lại 91c2\n"), "giu.txt"
    )
    removed = store().sweep_orphans(known_hashes(session), grace_seconds=0)
    assert store().path_for(evidence.sha256) not in removed
    assert store().exists(evidence.sha256)
