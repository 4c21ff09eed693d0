"""Attaching evidence files to an assignment: store the bytes, then the row."""

from __future__ import annotations

from datetime import timedelta
from typing import IO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import clock
from tracker.assignments.models import Assignment, SubmissionOutcome
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.evidence.models import Evidence
from tracker.evidence.sniff import UnsupportedFile, sniff_file
from tracker.evidence.storage import EmptyFile, FileTooLarge, StoreUnavailable
from tracker.evidence.stores import BlobStore, evidence_store
from tracker.formatting import format_number
from tracker.text import display_name

MAX_NAME_LENGTH = 255
MEBIBYTE = 1024 * 1024


class EvidenceError(ValueError):
    """A refused upload; the message is Vietnamese."""

    def __init__(self, message: str, http_status: int = 422) -> None:
        super().__init__(message)
        self.http_status = http_status


def store() -> BlobStore:
    return evidence_store(current_app.config)


def add_evidence(
    session: Session, actor: User, assignment: Assignment, stream: IO[bytes], original_name: str
) -> Evidence:
    """Stream the upload into the store (hashed, sniffed, fsynced), then add its row.

    If the surrounding transaction fails later, the stored blob is an orphan that
    `EvidenceStore.sweep_orphans` removes; a row never points to a missing file."""
    name = display_name(original_name)[-MAX_NAME_LENGTH:] or "tai-lieu"
    config = current_app.config
    _check_pace(session, actor, assignment)
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
    except StoreUnavailable as error:
        raise EvidenceError(str(error), 503) from error
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


def _check_pace(session: Session, actor: User, assignment: Assignment) -> None:
    """Before anything is stored: at most EVIDENCE_UPLOADS_PER_MINUTE uploads a minute
    per user, and EVIDENCE_MAX_FILES files per assignment."""
    config = current_app.config
    recent = session.execute(
        sa.select(sa.func.count(Evidence.id)).where(
            Evidence.uploaded_by_id == actor.id,
            Evidence.uploaded_at > clock.now() - timedelta(minutes=1),
        )
    ).scalar_one()
    if recent >= int(config["EVIDENCE_UPLOADS_PER_MINUTE"]):
        raise EvidenceError(_("Tải lên quá nhanh: hãy đợi một phút rồi tải tiếp."), 429)
    files = session.execute(
        sa.select(sa.func.count(Evidence.id)).where(Evidence.assignment_id == assignment.id)
    ).scalar_one()
    if files >= int(config["EVIDENCE_MAX_FILES"]):
        raise EvidenceError(
            _(
                "Nhiệm vụ đã có %(files)s tệp minh chứng, mức tối đa: hãy ghép các tệp thành"
                " một tệp PDF, hoặc rút bớt tệp không cần.",
                files=files,
            ),
            422,
        )


def _cost(size: sa.SQLColumnExpression[int] | int, minimum: int):
    """What a file counts against the quota: its size, but never less than the minimum,
    so thousands of tiny files cannot slip under it."""
    if isinstance(size, int):
        return max(size, minimum)
    return sa.case((size < minimum, minimum), else_=size)


def _check_quota(session: Session, assignment: Assignment, size: int) -> None:
    """Each agency has a storage quota over all its evidence (EVIDENCE_QUOTA_MB); each
    file costs at least EVIDENCE_MIN_COST_KB.

    The blob is already stored when this refuses it; it stays only if another row uses
    the same content, otherwise the orphan sweep removes it."""
    quota = int(current_app.config["EVIDENCE_QUOTA_MB"]) * MEBIBYTE
    minimum = int(current_app.config["EVIDENCE_MIN_COST_KB"]) * 1024
    used = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(_cost(Evidence.size, minimum)), 0))
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .where(Assignment.agency_id == assignment.agency_id)
    ).scalar_one()
    if used + _cost(size, minimum) > quota:
        raise EvidenceError(
            _(
                "Đơn vị đã dùng %(used)s MB trên hạn mức %(quota)s MB dành cho minh chứng;"
                " hãy liên hệ văn phòng.",
                used=format_number(used / MEBIBYTE, 1),
                quota=quota // MEBIBYTE,
            ),
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


def can_withdraw(evidence: Evidence, user: User) -> bool:
    """The uploader may take a file back while it is not under review or accepted: a
    working file, or one that went out with a submission that was returned."""
    if evidence.uploaded_by_id != user.id or not evidence.assignment.is_worker(user):
        return False
    submission = evidence.submission
    return submission is None or submission.outcome == SubmissionOutcome.RETURNED


def withdraw_evidence(session: Session, actor: User, evidence: Evidence) -> None:
    """Take an evidence file back. Its event keeps name, size and SHA-256; the stored
    content, if no other row uses it, goes with the next `tracker evidence sweep`."""
    if not can_withdraw(evidence, actor):
        raise EvidenceError(
            _(
                "Chỉ người tải lên mới rút được minh chứng, và chỉ khi báo cáo kèm nó chưa được"
                " gửi duyệt hoặc đã bị trả lại."
            ),
            403,
        )
    record_event(
        session,
        actor=actor,
        action="evidence.withdraw",
        subject_type="assignment",
        subject_id=evidence.assignment_id,
        comment=evidence.original_name,
        before={"evidence_id": evidence.id, "sha256": evidence.sha256, "size": evidence.size},
    )
    session.delete(evidence)
    session.flush()
