"""Attaching evidence files to an assignment: store the bytes, then the row."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from tracker.assignments.models import Assignment
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.evidence.models import Evidence
from tracker.evidence.sniff import UnsupportedFile, sniff_file
from tracker.evidence.storage import EmptyFile, EvidenceStore, FileTooLarge
from tracker.formatting import format_number
from tracker.text import display_name

MAX_NAME_LENGTH = 255
MEBIBYTE = 1024 * 1024


class EvidenceError(ValueError):
    """A refused upload; the message is Vietnamese."""

    def __init__(self, message: str, http_status: int = 422) -> None:
        super().__init__(message)
        self.http_status = http_status


def store() -> EvidenceStore:
    return EvidenceStore(Path(current_app.config["EVIDENCE_DIR"]))


def add_evidence(
    session: Session, actor: User, assignment: Assignment, stream: BinaryIO, original_name: str
) -> Evidence:
    """Stream the upload into the store (hashed, sniffed, fsynced), then add its row.

    If the surrounding transaction fails later, the stored blob is an orphan that
    `EvidenceStore.sweep_orphans` removes; a row never points to a missing file."""
    name = display_name(original_name)[-MAX_NAME_LENGTH:] or "tai-lieu"
    config = current_app.config
    try:
        blob, sniffed = store().save_stream(
            stream,
            max_bytes=int(config["MAX_UPLOAD_MB"]) * 1024 * 1024,
            validate=lambda path: sniff_file(
                path, name, max_unzipped_bytes=int(config["MAX_UNZIPPED_MB"]) * 1024 * 1024
            ),
        )
    except FileTooLarge as error:
        raise EvidenceError(str(error), 413) from None
    except (EmptyFile, UnsupportedFile) as error:
        raise EvidenceError(str(error), 422) from None
    _check_quota(session, assignment, blob.size)
    evidence = Evidence(
        assignment_id=assignment.id,
        sha256=blob.sha256,
        size=blob.size,
        mime=sniffed.mime,
        original_name=name,
        uploaded_by_id=actor.id,
    )
    session.add(evidence)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="evidence.upload",
        subject_type="assignment",
        subject_id=assignment.id,
        comment=name,
        after={
            "evidence_id": evidence.id,
            "sha256": blob.sha256,
            "size": blob.size,
            "mime": sniffed.mime,
        },
    )
    return evidence


def _check_quota(session: Session, assignment: Assignment, size: int) -> None:
    """Each agency has a storage quota over all its evidence (EVIDENCE_QUOTA_MB).

    The blob is already stored when this refuses it; it stays only if another row uses
    the same content, otherwise the orphan sweep removes it."""
    quota = int(current_app.config["EVIDENCE_QUOTA_MB"]) * MEBIBYTE
    used = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Evidence.size), 0))
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .where(Assignment.agency_id == assignment.agency_id)
    )
    if used + size > quota:
        raise EvidenceError(
            f"Đơn vị đã dùng {format_number(used / MEBIBYTE, 1)} MB trên hạn mức"
            f" {quota // MEBIBYTE} MB dành cho minh chứng; hãy liên hệ văn phòng.",
            413,
        )


def known_hashes(session: Session) -> set[str]:
    return set(session.scalars(sa.select(Evidence.sha256).distinct()))


def verify_files(session: Session) -> list[Evidence]:
    """Rows whose stored file is missing or no longer matches its SHA-256."""
    evidence_store = store()
    checked: dict[str, bool] = {}
    broken = []
    for evidence in session.scalars(sa.select(Evidence).order_by(Evidence.id)):
        if evidence.sha256 not in checked:
            checked[evidence.sha256] = evidence_store.verify(evidence.sha256)
        if not checked[evidence.sha256]:
            broken.append(evidence)
    return broken
