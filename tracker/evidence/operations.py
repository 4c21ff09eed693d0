"""Attaching evidence files to an assignment: store the bytes, then the row."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy.orm import Session

from tracker.assignments.models import Assignment
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.evidence.models import Evidence
from tracker.evidence.sniff import UnsupportedFile, sniff_file
from tracker.evidence.storage import EmptyFile, EvidenceStore, FileTooLarge

MAX_NAME_LENGTH = 255


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
    name = original_name.strip()[-MAX_NAME_LENGTH:] or "tai-lieu"
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
