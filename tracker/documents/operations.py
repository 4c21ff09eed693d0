"""Issuing a document: a number from the issuing agency's register, the final PDF stored
by its SHA-256, a register row and an event, all in the caller's transaction. A final
document is never overwritten; a correction is issued again under a new number."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.auth.models import User
from tracker.documents.context import document_context
from tracker.documents.models import DocumentKind, OutgoingDocument
from tracker.documents.register import next_number
from tracker.documents.rendering import render_html, render_pdf
from tracker.documents.reply import DocumentDraft
from tracker.evidence.storage import EvidenceStore

TEMPLATES = {
    DocumentKind.REPLY: "reply.html",
    DocumentKind.URGE: "urge.html",
    DocumentKind.ACCOUNTABILITY: "accountability.html",
}
MAX_PDF_BYTES = 50 * 1024 * 1024


class DocumentError(ValueError):
    """A refused document operation; the message is Vietnamese."""


def store() -> EvidenceStore:
    """Generated documents live beside the evidence, content-addressed, outside the web root."""
    return EvidenceStore(Path(current_app.config["DOCUMENTS_DIR"]))


def preview_pdf(draft: DocumentDraft, extra: dict | None = None) -> bytes:
    """The draft with a 'DỰ THẢO' watermark and no number: costs no register number."""
    context = document_context(draft, None) | (extra or {})
    return render_pdf(TEMPLATES[DocumentKind(draft.kind)], context, draft=True)


def preview_html(draft: DocumentDraft, extra: dict | None = None) -> str:
    """The draft as a web page, with the document stylesheet, watermarked, unnumbered."""
    context = document_context(draft, None) | (extra or {}) | {"browser": True}
    return render_html(TEMPLATES[DocumentKind(draft.kind)], context, draft=True)


def issue_document(
    session: Session, actor: User | None, draft: DocumentDraft, extra: dict | None = None
) -> OutgoingDocument:
    _check(draft)
    kind = DocumentKind(draft.kind)
    number = next_number(session, draft.agency_id, draft.issued_on.year)
    pdf = render_pdf(TEMPLATES[kind], document_context(draft, number) | (extra or {}))
    blob, _ = store().save_stream(io.BytesIO(pdf), max_bytes=MAX_PDF_BYTES)
    document = OutgoingDocument(
        kind=kind,
        agency_id=draft.agency_id,
        directive_id=draft.directive_id,
        year=draft.issued_on.year,
        number=number,
        symbol=draft.symbol,
        issued_on=draft.issued_on,
        title=draft.title[:500],
        signer_name=draft.signer_name,
        signer_title=draft.signer_title,
        generated_by_id=actor.id if actor else None,
        sha256=blob.sha256,
        size=blob.size,
        file_name=f"{number:02d}-{draft.symbol}-{draft.issued_on.isoformat()}.pdf",
    )
    session.add(document)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="document.issue",
        subject_type="document",
        subject_id=document.id,
        after={
            "kind": kind.value,
            "reference": document.reference,
            "sha256": blob.sha256,
            "directive_id": draft.directive_id,
        },
    )
    return document


def documents_of(session: Session, directive_id: int) -> list[OutgoingDocument]:
    return list(
        session.scalars(
            sa.select(OutgoingDocument)
            .where(OutgoingDocument.directive_id == directive_id)
            .order_by(OutgoingDocument.id)
        )
    )


def _check(draft: DocumentDraft) -> None:
    if draft.agency_id is None:
        raise DocumentError("Văn bản phải có cơ quan ban hành.")
    if not draft.signer_title.strip():
        raise DocumentError("Hãy nhập chức vụ người ký.")
    if not draft.body.strip():
        raise DocumentError("Nội dung văn bản đang trống.")
