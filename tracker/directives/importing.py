"""Importing a directive: parse its text into an ImportDraft, let the office review it,
then create the directive, its tasks, assignments and citations with the same
operations as manual entry. A number and symbol already on file is never duplicated:
a placeholder known only from citations is filled, anything else is updated only when
the reviewer asks for it."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import clock
from tracker.agencies.models import Agency, AgencyGroup
from tracker.agencies.operations import agency_by_code, group_by_code
from tracker.assignments.models import AssignmentRole
from tracker.assignments.operations import assign_task
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.calendar import RECURRENCE_LABELS
from tracker.directives import operations
from tracker.directives.doctypes import DocType
from tracker.directives.models import Directive, DirectiveStatus, ImportDraft, ImportStatus
from tracker.directives.parsing.agencies import Gazetteer, fold
from tracker.directives.parsing.ocr import MAX_OCR_PAGES, PAGE_SECONDS
from tracker.directives.parsing.parser import parse_text
from tracker.directives.parsing.source import NotADirective
from tracker.i18n import N_, spoken

log = logging.getLogger(__name__)

DOC_TYPE_BY_LABEL = {doc_type.label: doc_type for doc_type in DocType}


class ImportError_(operations.DirectiveError):  # noqa: N801 (avoid the builtin's name)
    """A refused import; the message is in the language in force when it is raised (a
    request's reader's, TRACKER_LANG's on the command line, else Vietnamese)."""


@dataclass
class ReviewedTask:
    number: str
    text: str
    title: str = ""
    include: bool = True
    report_to: Agency | None = None
    due_date: date | None = None
    due_text: str = ""
    recurrence: str | None = None
    recurrence_text: str = ""
    leads: list[Agency | AgencyGroup] = field(default_factory=list)
    cooperating: list[Agency | AgencyGroup] = field(default_factory=list)
    source_span: tuple[int, int] | None = None
    due_in_days: int | None = None
    due_in_working_days: bool = False
    due_from: str = "assigned"


@dataclass
class ReviewedCitation:
    doc_type: str
    number: str
    symbol: str
    date: date | None = None
    issuer: str = ""
    text: str = ""
    include: bool = True


@dataclass
class Reviewed:
    """What the office confirmed; built from the review form or taken as parsed."""

    doc_type: str
    number: str
    symbol: str
    issuer: str
    issued_date: date | None
    subject: str
    issuer_parent: str = ""
    place: str = ""
    recipients: list[str] = field(default_factory=list)
    signer_name: str = ""
    signer_title: str = ""
    signer_authority: str = ""
    distribution: list[str] = field(default_factory=list)
    tasks: list[ReviewedTask] = field(default_factory=list)
    citations: list[ReviewedCitation] = field(default_factory=list)
    #: Update a directive with the same number and symbol instead of refusing.
    update_existing: bool = False


def start_import(
    session: Session, actor: User | None, text: str, source_name: str, gazetteer: Gazetteer
) -> ImportDraft:
    """Parse here and now and keep the draft for review (NotADirective for unreadable
    input): the command line's way. Pages parse in the job queue (`parse_in_queue`)."""
    imported = begin_import(session, actor, text, source_name)
    return complete_import(session, imported, parsed_data(text, gazetteer))


def begin_import(session: Session, actor: User | None, text: str, source_name: str) -> ImportDraft:
    """The text, kept for the job queue's parser."""
    imported = ImportDraft(
        created_by_id=actor.id if actor else None,
        source_name=source_name,
        text=text,
        data={},
        status=ImportStatus.PARSING,
    )
    session.add(imported)
    session.flush()
    return imported


def parsed_data(text: str, gazetteer: Gazetteer) -> dict:
    """The parser's draft as kept for review: a pure function of the text and the known
    agencies, so it can run in a child process with limits."""
    draft = parse_text(text, gazetteer)
    data = draft.to_json(with_spans=True)
    data["issuer_parent"] = draft.issuer_parent
    data["task_spans"] = [list(task.span) if task.span else None for task in draft.tasks]
    data["warnings"] = draft.warnings
    data["text"] = draft.text
    return data


def complete_import(session: Session, imported: ImportDraft, data: dict) -> ImportDraft:
    """The parsed draft, open for review."""
    imported.text = data.pop("text")
    imported.data = data
    imported.status = ImportStatus.OPEN
    session.flush()
    record_event(
        session,
        actor=session.get(User, imported.created_by_id) if imported.created_by_id else None,
        action="import.start",
        subject_type="import",
        subject_id=imported.id,
        after={
            "source": imported.source_name,
            "reference": _reference(data),
            "tasks": len(data["tasks"]),
        },
    )
    return imported


def fail_import(session: Session, imported: ImportDraft, reason: str) -> None:
    imported.status, imported.error = ImportStatus.FAILED, reason
    session.flush()


def parse_in_queue(import_id: int, language: str | None = None) -> None:
    """The job queue's step: parse in a child process with bounded time and memory, with
    no transaction open meanwhile; the draft opens for review, or says why it failed, in
    `language` (the importer's: the page that started it shows the reason)."""
    from flask import current_app

    from tracker import db
    from tracker.directives.parsing.parser import gazetteer_from_session
    from tracker.jobs.limits import JobFailed, call_limited

    session, config = db.session, current_app.config
    imported = session.get(ImportDraft, import_id)
    if imported is None or imported.status != ImportStatus.PARSING:
        return
    text, gazetteer = imported.text, gazetteer_from_session(session)
    session.commit()
    # The forked child inherits the language, so its refusals are the importer's to read.
    with force_locale(spoken(language)):
        try:
            data = call_limited(
                parsed_data,
                (text, gazetteer),
                seconds=float(config["IMPORT_PARSE_SECONDS"]),
                memory_mb=int(config["IMPORT_PARSE_MEMORY_MB"]),
            )
        except (NotADirective, JobFailed) as error:
            reason = str(error)
        except Exception as error:  # noqa: BLE001 (a parser bug: the user is told, the log has it)
            log.exception("parsing import %s failed", import_id)
            reason = _("Không phân tích được văn bản (lỗi %(error)s).", error=type(error).__name__)
        else:
            reason = ""
    imported = session.get(ImportDraft, import_id)
    if imported is None or imported.status != ImportStatus.PARSING:
        session.rollback()  # discarded meanwhile, or settled as stuck
        return
    if reason:
        fail_import(session, imported, reason)
    else:
        complete_import(session, imported, data)
    session.commit()


#: How long past its time limit an import may still show as being parsed.
STUCK_AFTER = timedelta(seconds=60)


def settle_if_stuck(imported: ImportDraft) -> bool:
    """An import the queue never finished parsing (its worker died, or none runs) is
    marked failed, saying so (the caller commits); whether it was."""
    from flask import current_app

    limit = timedelta(seconds=float(current_app.config["IMPORT_PARSE_SECONDS"])) + STUCK_AFTER
    if imported.scan_file:  # a scan's pages are read by OCR first
        limit += timedelta(seconds=(imported.pages_total or MAX_OCR_PAGES) * PAGE_SECONDS)
    if imported.status != ImportStatus.PARSING or clock.now() - imported.created_at <= limit:
        return False
    imported.status, imported.error = ImportStatus.FAILED, STUCK_REASON
    return True


def settle_stuck_imports(session: Session) -> int:
    """Housekeeping: every stuck import marked failed. Returns how many."""
    parsing = session.scalars(
        sa.select(ImportDraft).where(ImportDraft.status == ImportStatus.PARSING)
    ).all()
    return sum(settle_if_stuck(imported) for imported in parsing)


def wait_for_parse(session: Session, import_id: int, seconds: float) -> ImportDraft:
    """The draft once parsed or failed, or as it stands after `seconds`; no transaction
    stays open while waiting."""
    deadline = time.monotonic() + seconds
    while True:
        session.commit()
        imported = session.get_one(ImportDraft, import_id, populate_existing=True)
        if imported.status != ImportStatus.PARSING or time.monotonic() >= deadline:
            return imported
        time.sleep(0.2)


#: Stored in Vietnamese (housekeeping may write it); the progress page translates it.
STUCK_REASON = N_(
    "Không phân tích xong văn bản trong thời gian cho phép (tiến trình xử lý nền không"
    " hoạt động); hãy nhập lại hoặc báo quản trị viên."
)


def existing_directive(
    session: Session, number: str | None, symbol: str | None, issued_date: date | None
) -> Directive | None:
    """A directive on file with this number and symbol: the same date, or a placeholder
    whose date is unknown."""
    if not number or not symbol:
        return None
    symbol = symbol.replace(" ", "")
    candidates = session.scalars(
        sa.select(Directive).where(Directive.number == number, Directive.symbol == symbol)
    ).all()
    for directive in candidates:
        if directive.issued_date == issued_date or directive.issued_date is None:
            return directive
    return None


def reviewed_as_parsed(session: Session, imported: ImportDraft) -> Reviewed:
    """The draft taken as the parser read it (for `tracker import --confirm` and to fill
    the review form)."""
    data = imported.data
    tasks = []
    spans = data.get("task_spans") or []
    for index, task in enumerate(data.get("tasks", [])):
        leads: list[Agency | AgencyGroup] = []
        cooperating: list[Agency | AgencyGroup] = []
        for agency in task.get("agencies", []):
            target = _target(session, agency.get("code"), agency.get("kind"))
            if target is None:
                continue
            (cooperating if agency.get("role") == "cooperate" else leads).append(target)
        by_date = next((d for d in task.get("deadlines", []) if d["kind"] == "by_date"), None)
        relative = next((d for d in task.get("deadlines", []) if d["kind"] == "relative"), None)
        recurring = next(
            (
                d
                for d in task.get("deadlines", [])
                if d["kind"] == "recurring" and offered_rule(d.get("rule"))
            ),
            None,
        )
        tasks.append(
            ReviewedTask(
                number=task["number"] or "1",  # a lone unnumbered instruction
                text=task["text"],
                report_to=_agency_named(session, task.get("report_to")),
                due_date=date.fromisoformat(by_date["date"])
                if by_date and by_date.get("date")
                else None,
                due_text=by_date["text"] if by_date else "",
                recurrence=offered_rule(recurring["rule"]) if recurring else None,
                recurrence_text=recurring["text"] if recurring else "",
                leads=leads,
                cooperating=cooperating,
                source_span=tuple(spans[index]) if index < len(spans) and spans[index] else None,
                due_in_days=relative["days"] if relative and not by_date else None,
                due_in_working_days=bool(relative and relative.get("working_days")),
                due_from=_reference_of(relative, data.get("issued_date")),
            )
        )
    signer = data.get("signer") or {}
    return Reviewed(
        doc_type=data.get("doc_type") or "Công văn",
        number=data.get("number") or "",
        symbol=data.get("symbol") or "",
        issuer=data.get("issuer") or "",
        issuer_parent=data.get("issuer_parent") or "",
        issued_date=date.fromisoformat(data["issued_date"]) if data.get("issued_date") else None,
        subject=data.get("subject") or "",
        place=data.get("place") or "",
        recipients=list(data.get("recipients", [])),
        signer_name=signer.get("name") or "",
        signer_title=signer.get("title") or "",
        signer_authority=signer.get("authority") or "",
        distribution=list(data.get("distribution", [])),
        tasks=tasks,
        citations=[
            ReviewedCitation(
                doc_type=cited.get("doc_type") or "Công văn",
                number=cited.get("number") or "",
                symbol=cited.get("symbol") or "",
                date=date.fromisoformat(cited["date"]) if cited.get("date") else None,
                issuer=cited.get("issuer") or "",
            )
            for cited in data.get("cited", [])
        ],
    )


def confirm_import(
    session: Session, actor: User | None, imported: ImportDraft, reviewed: Reviewed
) -> Directive:
    """Create (or fill, or update) the directive with its tasks, assignments and citations.
    Everything is flushed in the caller's transaction: a refusal leaves nothing behind."""
    if imported.status != ImportStatus.OPEN:
        raise ImportError_(_("Bản nhập này đã được xử lý."))
    session.info.pop("agency_names", None)
    if not reviewed.number or not reviewed.symbol:
        raise ImportError_(_("Hãy nhập số và ký hiệu của văn bản trước khi xác nhận."))
    doc_type = DOC_TYPE_BY_LABEL.get(reviewed.doc_type)
    if doc_type is None:
        raise ImportError_(_("Loại văn bản chưa được hỗ trợ: “%(kind)s”.", kind=reviewed.doc_type))
    tasks = [task for task in reviewed.tasks if task.include]
    existing = existing_directive(session, reviewed.number, reviewed.symbol, reviewed.issued_date)
    issuer_agency = _agency_named(session, reviewed.issuer)
    if existing is None:
        directive = operations.create_directive(
            session,
            actor,
            doc_type=doc_type,
            number=reviewed.number,
            symbol=reviewed.symbol,
            issuer=reviewed.issuer,
            issuer_parent=reviewed.issuer_parent,
            issuer_agency=issuer_agency,
            place=reviewed.place,
            issued_date=reviewed.issued_date,
            subject=reviewed.subject,
            recipients=reviewed.recipients,
            body=imported.text,
            signer_name=reviewed.signer_name,
            signer_title=reviewed.signer_title,
            signer_authority=reviewed.signer_authority,
            distribution=reviewed.distribution,
            source_file=imported.source_name or None,
        )
    elif existing.body is None:
        directive = _fill_placeholder(session, actor, existing, imported, reviewed, doc_type)
    elif reviewed.update_existing:
        directive = existing
    else:
        raise ImportError_(
            _(
                "Văn bản số %(reference)s ngày %(date)s đã có trong hệ thống. Để thêm các"
                " nhiệm vụ mới vào văn bản đó, chọn cập nhật (trên giao diện: “Cập nhật văn"
                " bản đã có”; dòng lệnh: --update).",
                reference=existing.reference,
                date=existing.issued_date.strftime("%d/%m/%Y") if existing.issued_date else "?",
            )
        )
    created = []
    for task in tasks:
        if any(current.number == task.number for current in directive.tasks):
            continue
        created.append(
            (
                task,
                operations.add_task(
                    session,
                    actor,
                    directive,
                    number=task.number,
                    title=task.title,
                    text=task.text,
                    report_to=task.report_to,
                    due_date=task.due_date,
                    due_text=task.due_text,
                    recurrence=task.recurrence,
                    recurrence_text=task.recurrence_text,
                    due_in_days=task.due_in_days,
                    due_in_working_days=task.due_in_working_days,
                    due_from=task.due_from,
                    source_span=task.source_span if directive.body == imported.text else None,
                ),
            )
        )
    if directive.status == DirectiveStatus.DRAFT:
        operations.confirm_directive(session, actor, directive)
    for reviewed_task, new_task in created:
        if reviewed_task.leads:
            assign_task(session, actor, new_task, reviewed_task.leads, role=AssignmentRole.LEAD)
        if reviewed_task.cooperating:
            assign_task(
                session, actor, new_task, reviewed_task.cooperating, role=AssignmentRole.COOPERATE
            )
    for citation in reviewed.citations:
        if citation.include and citation.number and citation.symbol:
            operations.cite(
                session,
                actor,
                directive,
                _cited_directive(session, actor, citation, directive),
                citation.text,
            )
    imported.status = ImportStatus.CONFIRMED
    imported.directive_id = directive.id
    session.flush()
    record_event(
        session,
        actor=actor,
        action="import.confirm",
        subject_type="import",
        subject_id=imported.id,
        after={"directive": directive.reference, "tasks": len(created)},
    )
    return directive


def discard_import(session: Session, actor: User | None, imported: ImportDraft) -> None:
    if imported.status != ImportStatus.OPEN:
        raise ImportError_(_("Bản nhập này đã được xử lý."))
    imported.status = ImportStatus.DISCARDED
    session.flush()
    record_event(
        session, actor=actor, action="import.discard", subject_type="import", subject_id=imported.id
    )


def _fill_placeholder(
    session: Session,
    actor: User | None,
    directive: Directive,
    imported: ImportDraft,
    reviewed: Reviewed,
    doc_type: DocType,
) -> Directive:
    """A directive known only from citations gets its text and header."""
    operations.attach_text(session, actor, directive, imported.text)
    directive.doc_type = doc_type
    directive.issued_date = directive.issued_date or reviewed.issued_date
    directive.issuer = reviewed.issuer or directive.issuer
    directive.issuer_parent = reviewed.issuer_parent
    directive.place = reviewed.place
    directive.subject = reviewed.subject or directive.subject
    directive.recipients = reviewed.recipients
    directive.signer_name = reviewed.signer_name
    directive.signer_title = reviewed.signer_title
    directive.signer_authority = reviewed.signer_authority
    directive.distribution = reviewed.distribution
    directive.source_file = imported.source_name or directive.source_file
    session.flush()
    return directive


def _cited_directive(
    session: Session, actor: User | None, citation: ReviewedCitation, citing: Directive
) -> Directive:
    """The cited directive, or a placeholder linked in the citation graph."""
    found = existing_directive(session, citation.number, citation.symbol, citation.date)
    if found is not None:
        return found
    doc_type = DOC_TYPE_BY_LABEL.get(citation.doc_type, DocType.CONG_VAN)
    placeholder = operations.create_directive(
        session,
        actor,
        doc_type=doc_type,
        number=citation.number,
        symbol=citation.symbol,
        issuer=citation.issuer or "(chưa rõ)",
        issued_date=citation.date,
        body=None,
        known_from=f"Được viện dẫn tại {citing.title}"
        f"{' ngày ' + citing.issued_date.strftime('%d/%m/%Y') if citing.issued_date else ''}"
        f"{': ' + citation.text if citation.text else ''}.",
    )
    placeholder.status = DirectiveStatus.ACTIVE  # known to exist; its text is not on file
    session.flush()
    return placeholder


def _reference_of(relative: dict | None, issued: str | None) -> str:
    """What a parsed relative deadline counts from: the issue date when the text names it
    (or gives that date), else the day the agency receives the work."""
    reference = (relative or {}).get("reference") or ""
    if reference == issued or "ban hành" in reference or "ký" in reference:
        return "issued"
    return "assigned"


def _target(session: Session, code: str | None, kind: str | None) -> Agency | AgencyGroup | None:
    if not code:
        return None
    if kind == "group":
        return group_by_code(session, code)
    return agency_by_code(session, code)


def _agency_named(session: Session, name: str | None) -> Agency | None:
    """An agency by its name or one of its aliases (case- and spelling-insensitive)."""
    if not name:
        return None
    index = session.info.get("agency_names")
    if index is None:  # built once per session: a few hundred names
        index = {}
        for agency in session.scalars(sa.select(Agency)):
            for alias in (agency.name, agency.short_name, *agency.aliases):
                index.setdefault(fold(alias), agency.id)
        session.info["agency_names"] = index
    # "Sở GD&ĐT (Phòng GDMN)": the body, whichever of its divisions handles it
    agency_id = index.get(fold(name)) or index.get(fold(re.sub(r"\s*\([^()]*\)\s*$", "", name)))
    return session.get(Agency, agency_id) if agency_id else None


def _reference(data: dict) -> str:
    return f"{data.get('number') or ''}/{data.get('symbol') or ''}"


def offered_rule(rule: str | None) -> str | None:
    """The recurrence the interface offers for a parsed rule: the rule itself, or its
    frequency without the day ("FREQ=WEEKLY;BYDAY=MO" is reported weekly, the words
    "các thứ Hai đầu tuần" kept beside it)."""
    if not rule:
        return None
    if rule in RECURRENCE_LABELS:
        return rule
    base = ";".join(part for part in rule.split(";") if not part.startswith("BY"))
    return base if base in RECURRENCE_LABELS else None
