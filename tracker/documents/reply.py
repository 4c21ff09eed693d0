"""The reply report (Báo cáo kết quả thực hiện) of one agency on one directive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from tracker.agencies.models import Agency
from tracker.assignments.deadlines import OUTCOME_LABELS, Outcome, outcome_expr
from tracker.assignments.models import Assignment, Submission, SubmissionOutcome
from tracker.directives.models import Directive, Task
from tracker.documents import nd30
from tracker.evidence.models import Evidence

DEFAULT_PLACE = "Lai Châu"


@dataclass
class DocumentDraft:
    """Everything a document shows, as plain values: what staff may edit before it is
    made final, and what the template receives."""

    kind: str
    title: str
    parent_body: str
    issuing_body: str
    symbol: str
    place: str
    issued_on: date
    doc_type: str | None
    subject: str
    recipients: list[str]
    body: str
    signer_authority: str
    signer_title: str
    signer_name: str
    distribution: list[str]
    author: str
    directive_id: int | None = None
    agency_id: int | None = None
    attachments: list[str] = field(default_factory=list)
    #: A công văn's trích yếu under its number ("V/v ..."), instead of a type line.
    subject_under_number: str | None = None


def directive_citation(directive: Directive) -> str:
    """'Công văn số 1661/UBND-VX ngày 15/8/2020 của UBND tỉnh'."""
    issuer = directive.issuer_agency.short_name if directive.issuer_agency else directive.issuer
    when = f" ngày {nd30.short_date(directive.issued_date)}" if directive.issued_date else ""
    return f"{directive.doc_type.label} số {directive.reference}{when} của {issuer}"


def draft_reply(
    session: Session, directive: Directive, agency: Agency, as_of: date
) -> DocumentDraft:
    rows = session.execute(
        sa.select(Assignment, outcome_expr(as_of))
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.directive_id == directive.id, Assignment.agency_id == agency.id)
        .options(
            selectinload(Assignment.submissions),
            selectinload(Assignment.task).selectinload(Task.indicators),
            selectinload(Assignment.task).joinedload(Task.report_to),
        )
        .order_by(Task.position)
    ).all()
    if not rows:
        raise LookupError(f"{agency.code} has no work on {directive.reference}")
    evidence = session.scalars(
        sa.select(Evidence.original_name)
        .where(Evidence.assignment_id.in_([row[0].id for row in rows]))
        .order_by(Evidence.id)
    ).all()
    report_to = []
    for assignment, _outcome in rows:
        target = assignment.task.report_to
        name = (
            target.name
            if target is not None
            else (directive.issuer_agency.name if directive.issuer_agency else directive.issuer)
        )
        if name not in report_to:
            report_to.append(name)
    citation = directive_citation(directive)
    paragraphs = [
        f"Thực hiện {citation} về việc {directive.subject}, {agency.name} báo cáo kết quả"
        " thực hiện như sau:"
    ]
    for index, (assignment, outcome) in enumerate(rows, start=1):
        paragraphs.extend(_task_paragraphs(index, assignment, Outcome(outcome), as_of))
    if evidence:
        paragraphs.append("Tài liệu kèm theo: " + "; ".join(evidence) + ".")
    paragraphs.append(
        f"Trên đây là báo cáo kết quả thực hiện {citation.split(' của ')[0]} của {agency.name}./."
    )
    parent = nd30.body_name(agency.parent.name) if agency.parent else ""
    distribution = ["Như trên"]
    issuer_name = directive.issuer_agency.name if directive.issuer_agency else directive.issuer
    if issuer_name not in report_to:
        short = directive.issuer_agency.short_name if directive.issuer_agency else issuer_name
        distribution.append(f"{short} (để b/c)")
    distribution.append("Lưu: VT")
    return DocumentDraft(
        kind="reply",
        title=f"Báo cáo kết quả thực hiện {directive.doc_type.label} số {directive.reference}",
        parent_body=parent,
        issuing_body=agency.name,
        symbol=f"BC-{agency.code}",
        place=DEFAULT_PLACE,
        issued_on=as_of,
        doc_type="Báo cáo",
        subject=f"Kết quả thực hiện {citation} về việc {directive.subject}",
        recipients=report_to,
        body="\n\n".join(paragraphs),
        signer_authority="",
        signer_title=agency.head_title or "THỦ TRƯỞNG ĐƠN VỊ",
        signer_name=agency.head_name,
        distribution=distribution,
        author=agency.name,
        directive_id=directive.id,
        agency_id=agency.id,
        attachments=list(evidence),
    )


def _task_paragraphs(
    index: int, assignment: Assignment, outcome: Outcome, as_of: date
) -> list[str]:
    task = assignment.task
    lines = [f"{index}. Nhiệm vụ {task.number}: {task.title}"]
    submission = _reported(assignment.submissions, as_of)
    if submission is None:
        lines.append("Đơn vị chưa có báo cáo kết quả thực hiện nhiệm vụ này.")
    else:
        lines.append(submission.text.removeprefix("[Minh họa] ").strip())
        for indicator in task.indicators:
            value = submission.figures.get(indicator.code)
            if value:
                lines.append(
                    f"{indicator.denominator_label}: {nd30.format_number(value[1])}; "
                    f"{indicator.numerator_label.lower()}: {nd30.format_number(value[0])},"
                    f" đạt {nd30.percent(submission.rate(indicator.code))}."
                )
    state = OUTCOME_LABELS[outcome]
    if assignment.completed_on and assignment.completed_on <= as_of:
        state += f" (ngày {nd30.short_date(assignment.completed_on)})"
    elif assignment.due_date:
        state += f" (thời hạn {nd30.short_date(assignment.due_date)})"
    lines.append(f"Kết quả: {state}.")
    return lines


def _reported(submissions: list[Submission], as_of: date) -> Submission | None:
    """The accepted submission, else the latest one, made on or before the date."""
    made = [s for s in submissions if s.submitted_on <= as_of]
    accepted = [s for s in made if s.outcome == SubmissionOutcome.ACCEPTED]
    return (accepted or made or [None])[-1]
