"""Previewing and issuing a document. Issuing takes a register number (the one the
records clerk gives, or the built-in counter's), renders the final PDF/A-3u, stores it by
its SHA-256 with the context of its .docx copy, and writes a register row and an event,
all in the caller's transaction. A final document is never overwritten; a correction is
issued again under a new number."""

from __future__ import annotations

import io
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.auth.models import Role, User
from tracker.db import end_reads
from tracker.documents.context import document_context
from tracker.documents.dating import date_problem
from tracker.documents.docx import render_docx
from tracker.documents.drafts import DocumentDraft
from tracker.documents.models import DocumentKind, OutgoingDocument
from tracker.documents.register import (
    RegisterError,
    check_free,
    next_number,
    peek_next,
    take_number,
)
from tracker.documents.rendering import plain, render_html, render_pdf
from tracker.evidence.storage import StoredBlob, StoreUnavailable
from tracker.evidence.stores import BlobStore, document_store

MAX_PDF_BYTES = 50 * 1024 * 1024
#: Renders of a document whose counter number another document took meanwhile.
RENDER_ATTEMPTS = 3


class DocumentError(ValueError):
    """A refused document operation; the message is Vietnamese."""


def store() -> BlobStore:
    """Generated documents live beside the evidence, content-addressed, outside the web root."""
    return document_store(current_app.config)


def preview_pdf(draft: DocumentDraft) -> bytes:
    """The draft with a 'DỰ THẢO' mark and a blank number: costs no register number."""
    return render_pdf(document_context(draft, None, draft_mark=True))


def preview_pdf_in_parts(
    draft: DocumentDraft,
    max_rows: int,
    *,
    processes: int = 1,
    seconds: float = 300,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, int]:
    """The draft as `preview_pdf` gives it, rendered in parts of at most `max_rows` table
    rows (memory bounded by a part) on up to `processes` processes within `seconds`; and
    its page count."""
    from tracker.documents.pieces import render_pdf_in_parts

    return render_pdf_in_parts(
        document_context(draft, None, draft_mark=True),
        max_rows=max_rows,
        processes=processes,
        timeout=seconds,
        progress=progress,
    )


def preview_html(draft: DocumentDraft) -> str:
    """The draft as a web page, with the document stylesheet, marked, unnumbered."""
    return render_html(document_context(draft, None, draft_mark=True) | {"browser": True})


def draft_docx(draft: DocumentDraft) -> bytes:
    """The editable Word copy of a draft: the number left blank for the clerk."""
    return render_docx(plain(document_context(draft, None)))


def issued_docx(document: OutgoingDocument) -> bytes | None:
    """The Word copy of an issued document, from the context it was issued with."""
    return render_docx(document.content) if document.content else None


def may_issue(user: User, draft: DocumentDraft) -> bool:
    """Office staff issue any document; an agency's staff only their own agency's."""
    if user.is_staff:
        return True
    return user.role == Role.AGENCY and user.agency_id == draft.agency_id


def issue_document(
    session: Session, actor: User | None, draft: DocumentDraft, number: int | None = None
) -> OutgoingDocument:
    """Number, render and register the final document. `number` is the records clerk's
    number from the agency's register, checked unique for the agency and year; without
    one the built-in counter gives the next (unless the configuration requires one).

    The PDF renders before the number is taken, outside any transaction (the caller's
    reads end here; it must have nothing pending): the number it shows is the one free
    then, taken afterwards in a short write. Should another document take it meanwhile,
    the clerk's number is refused, and with the counter's the document renders again
    with the next one (the last of RENDER_ATTEMPTS with the number already taken)."""
    agency_id = _check(draft)
    kind = DocumentKind(draft.kind)
    year = draft.issued_on.year
    entered = number
    if entered is None and current_app.config["REGISTER_NUMBERS"] == "entered":
        raise DocumentError(_("Hãy nhập số văn bản do văn thư cấp trong sổ văn bản đi."))
    try:
        for attempt in range(1, RENDER_ATTEMPTS + 1):
            if entered is not None:
                candidate = check_free(session, agency_id, year, entered)
            else:
                candidate = peek_next(session, agency_id, year)
            end_reads(session)
            context, blob = _final_pdf(draft, candidate)
            if entered is not None:
                number = take_number(session, agency_id, year, entered)
            else:
                number = next_number(session, agency_id, year)
            if number == candidate:
                break
            if attempt < RENDER_ATTEMPTS:  # another document took it meanwhile:
                session.rollback()  # give the number back and render with the next
                continue
            context, blob = _final_pdf(draft, number)  # the last try keeps the one it took
    except RegisterError as error:
        raise DocumentError(str(error)) from None
    document = OutgoingDocument(
        kind=kind,
        agency_id=draft.agency_id,
        directive_id=draft.directive_id,
        year=year,
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
        content=_json_ready(context),
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
            "issued_on": draft.issued_on.isoformat(),
            "as_of": draft.as_of.isoformat() if draft.as_of else None,
        },
    )
    return document


def documents_of(session: Session, directive_id: int, user: User) -> list[OutgoingDocument]:
    """The directive's issued documents this user may open: all for the office and
    leaders, an agency's own for its staff."""
    query = sa.select(OutgoingDocument).where(OutgoingDocument.directive_id == directive_id)
    if not user.reads_everything:
        query = query.where(OutgoingDocument.agency_id == user.agency_id)
    return list(session.scalars(query.order_by(OutgoingDocument.id)))


def _final_pdf(draft: DocumentDraft, number: int) -> tuple[dict, StoredBlob]:
    """The issued PDF (PDF/A-3u) with its number, stored; and the context it came from."""
    context = plain(document_context(draft, number))
    pdf = render_pdf(context, pdf_variant="pdf/a-3u")
    try:
        blob, _ = store().save_stream(io.BytesIO(pdf), max_bytes=MAX_PDF_BYTES)
    except StoreUnavailable as error:
        raise DocumentError(str(error)) from error
    return context, blob


def _check(draft: DocumentDraft) -> int:
    """The issuing agency's id, once the draft may be issued (else DocumentError)."""
    if draft.agency_id is None:
        raise DocumentError(_("Văn bản phải có cơ quan ban hành."))
    problem = date_problem(draft.issued_on, draft.as_of)
    if problem is not None:  # never backdated, never dated before its figures
        raise DocumentError(problem)
    if not draft.signer_title.strip():
        raise DocumentError(_("Hãy nhập chức vụ người ký."))
    if not draft.signer_name.strip():
        raise DocumentError(
            _(
                "Chưa có họ tên người ký: hãy nhập họ tên người ký (hoặc khai báo thủ trưởng"
                " trong trang cơ quan, đơn vị) trước khi phát hành."
            )
        )
    if not draft.body.strip():
        raise DocumentError(_("Nội dung văn bản đang trống."))
    return draft.agency_id


def _json_ready(value):
    """Dates as ISO strings, so the context can be stored as JSON."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
