"""The reply report (Báo cáo kết quả thực hiện) of one agency on one directive.

It carries the agency's data as of a date:
- per task, the agency's own report (never a period's), its figures and its result from
  the obligations model; a recurring task gets a table of its periods with their status;
- for a task reported to this agency (STTTT for task 2 of 1661), the reporting agencies'
  figures compiled in an appendix, with the province-wide total from the summed
  numerators and denominators, and the agencies that have not reported named;
- the evidence in an appendix with name, date and SHA-256.
It is addressed to the bodies the tasks report to, never to the agency itself. A task
the agency has not reported on is not printed: the drafter is told on the form."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from tracker import clock
from tracker.agencies.models import Agency
from tracker.assignments import obligations
from tracker.assignments.deadlines import COUNTED, OUTCOME_LABELS, Outcome
from tracker.assignments.models import Assignment, Period
from tracker.directives.models import Directive, Task
from tracker.documents import nd30
from tracker.documents.context import ROMAN
from tracker.documents.drafts import (
    TABLE_MARKER,
    Appendix,
    Column,
    DocumentDraft,
    Table,
    agency_identity,
    filing_line,
    numbered,
    symbol_code,
)
from tracker.evidence.models import Evidence
from tracker.reports.indicators import Reported, end_of_day, reported
from tracker.text import display_name

DEMO_MARK = "[Minh họa] "
PERIOD_LABELS = {
    Outcome.DONE_ON_TIME: "Đã báo cáo đúng hạn",
    Outcome.DONE_LATE: "Đã báo cáo, quá hạn",
    Outcome.OPEN_WITHIN: "Chưa đến hạn",
    Outcome.OPEN_OVERDUE: "Quá hạn, chưa báo cáo",
}


def directive_citation(directive: Directive) -> str:
    """'Công văn số 1661/UBND-VX ngày 15/8/2020 của UBND tỉnh'."""
    issuer = directive.issuer_agency.short_name if directive.issuer_agency else directive.issuer
    when = f" ngày {nd30.short_date(directive.issued_date)}" if directive.issued_date else ""
    return f"{directive.doc_type.label} số {directive.reference}{when} của {issuer}"


def issuer_name(directive: Directive) -> str:
    return directive.issuer_agency.name if directive.issuer_agency else directive.issuer


def reports_to(task: Task, directive: Directive) -> str:
    """Where a task's results go: its report-to agency, else the directive's issuer."""
    return task.report_to.name if task.report_to else issuer_name(directive)


def draft_reply(
    session: Session,
    directive: Directive,
    agency: Agency,
    as_of: date,
    issued_on: date | None = None,
) -> DocumentDraft:
    """The reply with its figures as of `as_of`, dated `issued_on` (default today)."""
    assignments = session.scalars(
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .where(
            Task.directive_id == directive.id,
            Assignment.agency_id == agency.id,
            Assignment.owes,
        )
        .options(
            selectinload(Assignment.periods).selectinload(Period.submissions),
            selectinload(Assignment.task).selectinload(Task.indicators),
            selectinload(Assignment.task).joinedload(Task.report_to),
        )
        .order_by(Task.position)
    ).all()
    if not assignments:
        raise LookupError(f"{agency.code} has no work on {directive.reference}")
    ids = [assignment.id for assignment in assignments]
    outcomes = _outcomes(session, as_of, ids)
    own = reported(session, as_of, Assignment.id.in_(ids), periods=False)
    citation = directive_citation(directive)
    paragraphs = [
        f"Thực hiện {citation} về việc {directive.subject}, {agency.name} báo cáo kết quả"
        f" thực hiện tính đến ngày {nd30.short_date(as_of)} như sau:"
    ]
    tables: list[Table] = []
    appendices: list[Appendix] = []
    warnings: list[str] = []
    index = 0
    for assignment in assignments:
        task = assignment.task
        compiled = _compilation(session, directive, task, agency, as_of)
        lines = _task_lines(assignment, own.get((task.id, agency.id)), outcomes, as_of)
        period_table = _period_table(assignment, outcomes, as_of)
        if not lines and period_table is None and compiled is None:
            warnings.append(
                f"Nhiệm vụ {task.number} ({task.title}) chưa có báo cáo kết quả đến ngày"
                f" {nd30.short_date(as_of)}: không đưa vào báo cáo. Hãy gửi báo cáo nhiệm vụ"
                " trước, hoặc tự viết nội dung vào dự thảo."
            )
            continue
        index += 1
        paragraphs.append(f"{index}. Nhiệm vụ {task.number}: {task.title}")
        paragraphs.extend(lines)
        if period_table is not None:
            tables.append(period_table)
            paragraphs.append(
                f"Báo cáo định kỳ ({task.recurrence_text or 'định kỳ'}): "
                + _period_summary(assignment, outcomes)
                + "."
            )
            paragraphs.append(TABLE_MARKER.format(len(tables)))
        if compiled is not None:
            appendices.append(compiled.appendix)
            paragraphs.append(
                compiled.summary.replace("{appendix}", _APPENDIX.format(len(appendices)))
            )
    evidence = _evidence_appendix(session, ids, as_of)
    if evidence is not None:
        appendices.append(evidence)
        paragraphs.append(f"Tài liệu minh chứng kèm theo: xem {_APPENDIX.format(len(appendices))}.")
    recipients = _recipients(assignments, directive, agency)
    paragraphs.append(
        f"Trên đây là kết quả thực hiện {directive.doc_type.label} số {directive.reference},"
        f" {agency.name} báo cáo {_joined(recipients)}./."
    )
    paragraphs = [_name_appendices(text, len(appendices)) for text in paragraphs]
    distribution = ["Như trên"]
    issuer = issuer_name(directive)
    if issuer not in recipients:
        short = directive.issuer_agency.short_name if directive.issuer_agency else issuer
        distribution.append(f"{short} (để b/c)")
    distribution.append(filing_line(agency))
    return DocumentDraft(
        kind="reply",
        title=f"Báo cáo kết quả thực hiện {directive.doc_type.label} số {directive.reference}",
        symbol=f"BC-{symbol_code(agency)}",
        issued_on=issued_on or clock.today(),
        as_of=as_of,
        doc_type="Báo cáo",
        subject=f"Kết quả thực hiện {citation} về việc {directive.subject}",
        recipients=recipients,
        body="\n\n".join(paragraphs),
        signer_authority="",
        distribution=distribution,
        directive_id=directive.id,
        tables=tables,
        appendices=appendices,
        warnings=warnings,
        **agency_identity(agency),
    )


def _outcomes(session: Session, as_of: date, ids: list[int]) -> dict[tuple, Outcome]:
    """{(kind, assignment id, period id): outcome} of the agency's obligations."""
    owed = obligations.obligations(as_of, Assignment.id.in_(ids))
    return {
        (row.kind, row.assignment_id, row.period_id): Outcome(row.outcome)
        for row in session.execute(
            sa.select(owed.c.kind, owed.c.assignment_id, owed.c.period_id, owed.c.outcome)
        )
    }


def _task_lines(
    assignment: Assignment,
    submission: Reported | None,
    outcomes: dict[tuple, Outcome],
    as_of: date,
) -> list[str]:
    """The agency's own report on the task (the one `reported` chooses: never a period's),
    its figures and its result; [] without one."""
    if submission is None or not submission.text.strip():
        return []
    lines = [submission.text.removeprefix(DEMO_MARK).strip()]
    for indicator in assignment.task.indicators:
        value = submission.value(indicator.code)
        if value and indicator.agencies_report_denominator and value[1]:
            lines.append(
                f"{indicator.denominator_label}: {nd30.format_number(value[1])}; "
                f"{indicator.numerator_label.lower()}: {nd30.format_number(value[0])},"
                f" đạt {nd30.percent(indicator.rate(*value))}."
            )
        elif value:
            lines.append(
                f"{indicator.numerator_label}: {nd30.format_number(value[0])}"
                f" {indicator.unit}.".replace(" .", ".")
            )
    outcome = outcomes.get((obligations.Kind.REPORT.value, assignment.id, None))
    if outcome is not None:
        state = OUTCOME_LABELS[outcome]
        if assignment.completed_on and assignment.completed_on <= as_of:
            state += f" (ngày {nd30.short_date(assignment.completed_on)})"
        elif assignment.due_date:
            state += f" (thời hạn {nd30.short_date(assignment.due_date)})"
        lines.append(f"Kết quả: {state}.")
    return lines


def _period_table(
    assignment: Assignment, outcomes: dict[tuple, Outcome], as_of: date
) -> Table | None:
    periods = [
        period
        for period in assignment.periods
        if (obligations.Kind.PERIOD.value, assignment.id, period.id) in outcomes
    ]
    if not periods:
        return None
    rows = []
    for period in periods:
        outcome = outcomes[(obligations.Kind.PERIOD.value, assignment.id, period.id)]
        sent = [s for s in period.submissions if s.submitted_on <= as_of]
        rows.append(
            [
                f"{nd30.short_date(period.starts_on)} – {nd30.short_date(period.ends_on)}",
                nd30.short_date(period.due_date),
                nd30.short_date(sent[-1].submitted_on) if sent else "",
                PERIOD_LABELS[outcome],
            ]
        )
    return numbered(
        [
            Column("Kỳ báo cáo", width=2.6),
            Column("Hạn báo cáo", width=1.4),
            Column("Ngày báo cáo", width=1.4),
            Column("Tình trạng", width=2.2),
        ],
        rows,
        caption=f"Các kỳ báo cáo của nhiệm vụ {assignment.task.number}",
    )


def _period_summary(assignment: Assignment, outcomes: dict[tuple, Outcome]) -> str:
    counted: defaultdict[Outcome, int] = defaultdict(int)
    for (kind, assignment_id, _period), outcome in outcomes.items():
        if kind == obligations.Kind.PERIOD.value and assignment_id == assignment.id:
            counted[outcome] += 1
    total = sum(counted.values())
    parts = [f"{counted[o]} {PERIOD_LABELS[o].lower()}" for o in COUNTED if counted[o]]
    return f"{total} kỳ, gồm " + ", ".join(parts)


@dataclass(frozen=True)
class _Compiled:
    summary: str
    appendix: Appendix


def _compilation(
    session: Session, directive: Directive, task: Task, agency: Agency, as_of: date
) -> _Compiled | None:
    """The figures of the agencies reporting task `task` to `agency`, if it is the
    task's report-to agency and the task has an indicator."""
    if task.report_to_id != agency.id or not task.indicators:
        return None
    indicator = task.indicators[0]
    others = session.execute(
        sa.select(Assignment.agency_id, Agency.name)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(
            obligations.PROVINCE,
            Assignment.task_id == task.id,
            Assignment.agency_id != agency.id,
            Assignment.owes,
            Assignment.standing_on(as_of),
        )
        .order_by(Agency.name)
    ).all()
    if not others:
        return None
    figures = reported(session, as_of, Assignment.task_id == task.id)
    rows, values, missing = [], [], []
    own_rates = indicator.agencies_report_denominator
    for agency_id, name in others:
        found = figures.get((task.id, agency_id))
        value = found.value(indicator.code) if found else None
        if found is None or value is None:
            missing.append(name)
            continue
        values.append(value)
        numbers = (
            [
                nd30.format_number(value[1]),
                nd30.format_number(value[0]),
                nd30.percent(indicator.rate(*value)),
            ]
            if own_rates
            else [nd30.format_number(value[0])]
        )
        rows.append([name, *numbers, nd30.short_date(found.submitted_on)])
    numerator = sum(value[0] for value in values)
    denominator = (
        sum(value[1] or 0 for value in values) if own_rates else indicator.denominator_value
    )
    rate = indicator.rate(numerator, denominator)
    number_columns = (
        [
            Column(indicator.denominator_label, numeric=True, width=1.6),
            Column(indicator.numerator_label, numeric=True, width=1.5),
            Column("Tỷ lệ", numeric=True, width=1.1),
        ]
        if own_rates
        else [Column(f"{indicator.numerator_label} ({indicator.unit})", numeric=True, width=2.6)]
    )
    total_numbers = (
        [nd30.format_number(denominator), nd30.format_number(numerator), nd30.percent(rate)]
        if own_rates
        else [nd30.format_number(numerator)]
    )
    table = numbered(
        [Column("Cơ quan, đơn vị", width=4.2), *number_columns, Column("Ngày báo cáo", width=1.3)],
        rows,
        ["Tổng cộng (toàn tỉnh)", *total_numbers, ""] if values else None,
    )
    notes = []
    if missing:
        notes.append(f"Chưa báo cáo ({len(missing)} cơ quan, đơn vị): " + "; ".join(missing) + ".")
    reported_count = len(values)
    summary = (
        f"Tổng hợp báo cáo nhiệm vụ {task.number} của các cơ quan, đơn vị đến ngày"
        f" {nd30.short_date(as_of)}: {reported_count}/{len(others)} cơ quan, đơn vị đã báo"
        " cáo"
    )
    if values and rate is not None:
        summary += (
            f"; {_lower_first(indicator.numerator_label)} {nd30.format_number(numerator)}/"
            f"{nd30.format_number(denominator)}, {_lower_first(indicator.name)} toàn tỉnh"
            f" đạt {nd30.percent(rate)}"
        )
    elif values:
        summary += (
            f"; {_lower_first(indicator.numerator_label)} cộng lại"
            f" {nd30.format_number(numerator)} {indicator.unit}"
        )
    if missing:
        summary += f"; {len(missing)} cơ quan, đơn vị chưa báo cáo"
    summary += " (chi tiết tại {appendix})."
    return _Compiled(
        summary=summary,
        appendix=Appendix(
            title=f"Kết quả thực hiện nhiệm vụ {task.number} của các cơ quan, đơn vị"
            f" (tính đến ngày {nd30.short_date(as_of)})",
            tables=[table],
            notes=notes,
        ),
    )


def _evidence_appendix(session: Session, ids: list[int], as_of: date) -> Appendix | None:
    rows = session.execute(
        sa.select(Evidence.original_name, Evidence.uploaded_at, Evidence.sha256, Task.number)
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Evidence.assignment_id.in_(ids), Evidence.uploaded_at < end_of_day(as_of))
        .order_by(Task.position, Evidence.id)
    ).all()
    if not rows:
        return None
    return Appendix(
        title="Danh mục tài liệu minh chứng",
        tables=[
            numbered(
                [
                    Column("Nhiệm vụ", width=0.9),
                    Column("Tên tệp", width=3.0),
                    Column("Ngày tải lên", width=1.3),
                    Column("Mã SHA-256", width=4.3),
                ],
                [
                    [
                        row.number,
                        display_name(row.original_name),
                        nd30.short_date(clock.local_date(row.uploaded_at)),
                        row.sha256,
                    ]
                    for row in rows
                ],
            )
        ],
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def _recipients(
    assignments: Sequence[Assignment], directive: Directive, agency: Agency
) -> list[str]:
    """The bodies the tasks report to; a task reported to this agency itself is
    reported on to the directive's issuer. Never the agency itself."""
    names: list[str] = []
    for assignment in assignments:
        task = assignment.task
        own = task.report_to_id == agency.id
        name = issuer_name(directive) if own else reports_to(task, directive)
        if name != agency.name and name not in names:
            names.append(name)
    return names or [issuer_name(directive)]


#: Where the body names an appendix, resolved once all are known.
_APPENDIX = "\x00appendix {}\x00"


def _name_appendices(text: str, count: int) -> str:
    """A lone appendix is "Phụ lục"; with several, each is "Phụ lục I", "Phụ lục II" ..."""
    for number in range(1, count + 1):
        name = "Phụ lục" if count == 1 else f"Phụ lục {ROMAN[number - 1]}"
        text = text.replace(_APPENDIX.format(number), name)
    return text
