"""Entering directives and their tasks: the same operations serve the forms, the
seed loader and (later) the import of parsed drafts."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import sqlalchemy as sa
from dateutil.rrule import rrulestr
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.directives.doctypes import DocType
from tracker.directives.indicators import IndicatorError, attach
from tracker.directives.models import (
    Citation,
    DeadlineReference,
    Directive,
    DirectiveStatus,
    Task,
)

SIGNER_AUTHORITIES = ("", "TM.", "KT.", "Q.", "TL.", "TUQ.")


class DirectiveError(ValueError):
    """A refused directive operation; the message is Vietnamese."""


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def parse_reference(reference: str) -> tuple[str, str]:
    """'1661/UBND-VX' -> ('1661', 'UBND-VX'): split at the first '/', spaces removed."""
    number, slash, symbol = nfc(reference).replace(" ", "").partition("/")
    if not slash or not number or not symbol:
        raise DirectiveError(
            _(
                "Số, ký hiệu không hợp lệ: “%(reference)s” (ví dụ: 1661/UBND-VX).",
                reference=reference,
            )
        )
    return number, symbol


def find_directive(
    session: Session, reference: str, issued_date: date | None = None
) -> Directive | None:
    """A directive by its number/symbol; the newest one when the year is not given."""
    number, symbol = parse_reference(reference)
    query = sa.select(Directive).where(Directive.number == number, Directive.symbol == symbol)
    if issued_date is not None:
        query = query.where(Directive.issued_date == issued_date)
    return session.scalars(query.order_by(Directive.issued_date.desc()).limit(1)).first()


def create_directive(
    session: Session,
    actor: User | None,
    *,
    doc_type: DocType | str,
    number: str,
    symbol: str,
    issuer: str,
    issued_date: date | None,
    subject: str = "",
    issuer_parent: str = "",
    issuer_agency: Agency | None = None,
    place: str = "",
    recipients: list[str] | None = None,
    body: str | None = None,
    known_from: str = "",
    signer_name: str = "",
    signer_title: str = "",
    signer_authority: str = "",
    distribution: list[str] | None = None,
    source_file: str | None = None,
) -> Directive:
    """A new directive, as a draft until the office confirms it."""
    try:
        doc_type = DocType(doc_type)
    except ValueError:
        raise DirectiveError(_("Loại văn bản không hợp lệ: %(kind)r.", kind=doc_type)) from None
    number, symbol = nfc(number).strip(), nfc(symbol).strip().replace(" ", "")
    if not symbol or not issuer.strip():
        raise DirectiveError(_("Văn bản phải có ký hiệu và cơ quan ban hành."))
    if signer_authority not in SIGNER_AUTHORITIES:
        raise DirectiveError(
            _("Thẩm quyền ký không hợp lệ: %(authority)r.", authority=signer_authority)
        )
    duplicate = session.scalar(
        sa.select(Directive.id).where(
            Directive.number == number,
            Directive.symbol == symbol,
            Directive.issued_date == issued_date,
        )
    )
    if duplicate is not None and number:
        raise DirectiveError(
            _(
                "Văn bản số %(number)s/%(symbol)s ngày này đã có trong hệ thống.",
                number=number,
                symbol=symbol,
            )
        )
    directive = Directive(
        doc_type=doc_type,
        number=number,
        symbol=symbol,
        issuer=nfc(issuer).strip(),
        issuer_parent=nfc(issuer_parent).strip(),
        issuer_agency=issuer_agency,
        place=nfc(place).strip(),
        issued_date=issued_date,
        subject=nfc(subject).strip(),
        recipients=[nfc(item) for item in recipients or []],
        body=nfc(body) if body is not None else None,
        known_from=nfc(known_from),
        signer_name=nfc(signer_name).strip(),
        signer_title=nfc(signer_title).strip(),
        signer_authority=signer_authority,
        distribution=[nfc(item) for item in distribution or []],
        source_file=source_file,
        status=DirectiveStatus.DRAFT,
        created_by_id=actor.id if actor else None,
    )
    session.add(directive)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="directive.create",
        subject_type="directive",
        subject_id=directive.id,
        after={"reference": directive.reference, "subject": subject},
    )
    return directive


def add_task(
    session: Session,
    actor: User | None,
    directive: Directive,
    *,
    number: str,
    title: str,
    text: str,
    report_to: Agency | None = None,
    due_date: date | None = None,
    due_text: str = "",
    recurrence: str | None = None,
    recurrence_text: str = "",
    evidence_required: bool = False,
    is_request: bool = False,
    due_in_days: int | None = None,
    due_in_working_days: bool = False,
    due_from: str = "assigned",
    indicators: list[dict[str, Any]] | None = None,
    source_span: tuple[int, int] | None = None,
) -> Task:
    number = number.strip()
    if not number or not text.strip():
        raise DirectiveError(_("Nhiệm vụ phải có số thứ tự và nội dung."))
    if any(task.number == number for task in directive.tasks):
        raise DirectiveError(_("Văn bản đã có nhiệm vụ số %(number)s.", number=number))
    if recurrence is not None:
        _check_rrule(recurrence)
    if due_in_days is not None and not 0 < due_in_days <= 3650:
        raise DirectiveError(_("Số ngày của thời hạn phải từ 1 đến 3650."))
    try:
        reference = DeadlineReference(due_from)
    except ValueError:
        raise DirectiveError(
            _("Mốc tính thời hạn không hợp lệ: %(start)r.", start=due_from)
        ) from None
    task = Task(
        number=number,
        title=nfc(title).strip() or _title_from(text),
        text=nfc(text).strip(),
        report_to=report_to,
        due_date=due_date,
        due_text=nfc(due_text),
        recurrence=recurrence,
        recurrence_text=nfc(recurrence_text),
        evidence_required=evidence_required,
        is_request=is_request,
        due_in_days=due_in_days,
        due_in_working_days=due_in_working_days,
        due_from=reference,
        position=len(directive.tasks) + 1,
        source_start=source_span[0] if source_span else None,
        source_end=source_span[1] if source_span else None,
    )
    for spec in indicators or []:
        try:
            attach(task, spec)
        except IndicatorError as error:
            raise DirectiveError(str(error)) from None
    directive.tasks.append(task)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="task.create",
        subject_type="directive",
        subject_id=directive.id,
        after={"task": number, "title": task.title},
    )
    return task


def confirm_directive(session: Session, actor: User | None, directive: Directive) -> None:
    """The office has checked the directive and its tasks: work may now be assigned."""
    if directive.status != DirectiveStatus.DRAFT:
        raise DirectiveError(_("Chỉ văn bản đang là dự thảo mới cần xác nhận."))
    if not directive.number:
        raise DirectiveError(_("Hãy nhập số văn bản trước khi xác nhận."))
    directive.status = DirectiveStatus.ACTIVE
    session.flush()
    record_event(
        session,
        actor=actor,
        action="directive.confirm",
        subject_type="directive",
        subject_id=directive.id,
        before={"status": "draft"},
        after={"status": "active"},
    )


def attach_text(session: Session, actor: User | None, directive: Directive, body: str) -> None:
    """File the full text of a directive known so far only from citations."""
    body = nfc(body).strip()
    if not body:
        raise DirectiveError(_("Nội dung văn bản đang trống."))
    if directive.body is not None:
        raise DirectiveError(_("Văn bản này đã có toàn văn."))
    directive.body = body
    session.flush()
    record_event(
        session,
        actor=actor,
        action="directive.attach_text",
        subject_type="directive",
        subject_id=directive.id,
        after={"characters": len(body)},
    )


def cite(
    session: Session, actor: User | None, citing: Directive, cited: Directive, text: str = ""
) -> Citation:
    if citing.id == cited.id:
        raise DirectiveError(_("Văn bản không thể viện dẫn chính nó."))
    for citation in citing.citations:
        if citation.cited_id == cited.id:
            return citation
    citation = Citation(cited=cited, text=nfc(text), position=len(citing.citations) + 1)
    citing.citations.append(citation)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="directive.cite",
        subject_type="directive",
        subject_id=citing.id,
        after={"cited": cited.reference, "text": text},
    )
    return citation


def _title_from(text: str, limit: int = 80) -> str:
    first = nfc(text).strip().split(";")[0].split(".")[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _check_rrule(rule: str) -> None:
    try:
        rrulestr(rule)
    except (ValueError, TypeError):
        raise DirectiveError(_("Quy tắc lặp lại không hợp lệ: %(rule)r.", rule=rule)) from None
