"""The urging letter (công văn đôn đốc) from the provincial People's Committee to the
agencies late on a directive, as the genre writes it.

It names exactly the open overdue obligations of the obligations model (one-off reports
and reporting periods; "for information" and cancelled work never), grouped by task:
"Nhiệm vụ 2 (thời hạn 18/8/2020, báo cáo về Sở Thông tin và Truyền thông): Sở Công
Thương, ...". It says where each task reports and gives a new time limit. With many
agencies it is addressed to "Các cơ quan, đơn vị có tên tại Phụ lục kèm theo" and the
list goes to an appendix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import calendar, clock
from tracker.agencies.models import Agency, AgencyKind
from tracker.assignments import obligations
from tracker.assignments.models import Period
from tracker.directives.models import Directive, Task
from tracker.documents import nd30
from tracker.documents.drafts import (
    Appendix,
    Column,
    DocumentDraft,
    Table,
    agency_identity,
    filing_line,
    numbered,
    symbol_code,
)
from tracker.documents.reply import reports_to

#: Working days the urging letter gives late agencies.
NEW_LIMIT_WORKING_DAYS = 5
#: Above this many agencies, the letter addresses them through its appendix.
MAX_LISTED_RECIPIENTS = 6
ADDRESSED_BY_APPENDIX = "Các cơ quan, đơn vị có tên tại Phụ lục kèm theo"


@dataclass(frozen=True)
class OverdueItem:
    """One overdue obligation, worded."""

    agency_id: int
    agency_name: str
    task_id: int
    task_number: str
    task_title: str
    #: e.g. "Báo cáo kết quả" or "Báo cáo kỳ 16/8 – 22/8/2020".
    what: str
    due_date: date
    report_to: str


def overdue_items(session: Session, directive: Directive, as_of: date) -> list[OverdueItem]:
    """The directive's open overdue obligations on `as_of`, by task then agency."""
    late = obligations.overdue(
        session, as_of, obligations.PROVINCE, Task.directive_id == directive.id
    )
    if not late:
        return []
    agencies = {
        agency.id: agency
        for agency in session.scalars(
            sa.select(Agency).where(Agency.id.in_({item.agency_id for item in late}))
        )
    }
    tasks = {task.id: task for task in directive.tasks}
    periods = {
        period.id: period
        for period in session.scalars(
            sa.select(Period).where(Period.id.in_({i.period_id for i in late if i.period_id}))
        )
    }
    items = []
    for item in late:
        task = tasks[item.task_id]
        if item.period_id is None:
            what = "Báo cáo kết quả thực hiện"
        else:
            period = periods[item.period_id]
            what = (
                f"Báo cáo {task.recurrence_text or 'định kỳ'} kỳ"
                f" {nd30.short_date(period.starts_on)} – {nd30.short_date(period.ends_on)}"
            )
        items.append(
            OverdueItem(
                agency_id=item.agency_id,
                agency_name=agencies[item.agency_id].name,
                task_id=task.id,
                task_number=task.number,
                task_title=task.title,
                what=what,
                due_date=item.due_date,
                report_to=reports_to(task, directive),
            )
        )
    position = {task_id: index for index, task_id in enumerate(tasks)}
    items.sort(key=lambda i: (position[i.task_id], i.due_date, i.what, i.agency_name))
    return items


def draft_urge(
    session: Session,
    directive: Directive,
    issuer: Agency,
    as_of: date,
    issued_on: date | None = None,
) -> DocumentDraft:
    """The letter naming who is late as of `as_of`, dated `issued_on` (default today);
    the new time limit runs from the letter's date."""
    items = overdue_items(session, directive, as_of)
    if not items:
        raise LookupError(f"no agency is late on {directive.reference} on {as_of}")
    issued_on = issued_on or clock.today()
    limit = calendar.add_working_days(issued_on, NEW_LIMIT_WORKING_DAYS)
    agencies = list(dict.fromkeys(item.agency_name for item in items))
    by_appendix = len(agencies) > MAX_LISTED_RECIPIENTS
    reference = f"{directive.doc_type.label} số {directive.reference}"
    who = (
        "các cơ quan, đơn vị có tên tại Phụ lục kèm theo" if by_appendix else "các cơ quan, đơn vị"
    )
    paragraphs = [
        f"Ngày {nd30.short_date(directive.issued_date)}, {issuer.short_name} ban hành"
        f" {reference} về việc {directive.subject}. Đến ngày {nd30.short_date(as_of)}, {who}"
        " chưa thực hiện các nội dung sau, đã quá thời hạn:"
    ]
    groups: dict[tuple, list[OverdueItem]] = defaultdict(list)
    for item in items:
        groups[(item.task_number, item.task_title, item.what, item.due_date)].append(item)
    for (number, title, what, due), group in groups.items():
        names = [item.agency_name for item in group]
        listed = f"{len(names)} cơ quan, đơn vị" if by_appendix else ", ".join(names)
        paragraphs.append(
            f"- Nhiệm vụ {number} ({title}): {what[0].lower()}{what[1:]}, thời hạn"
            f" {nd30.short_date(due)}, báo cáo về {group[0].report_to}: {listed}."
        )
    destinations = list(dict.fromkeys(item.report_to for item in items))
    where = (
        f"về {destinations[0]}"
        if len(destinations) == 1
        else "về cơ quan được giao theo dõi từng nhiệm vụ như trên"
    )
    paragraphs.append(
        f"{issuer.short_name} yêu cầu thủ trưởng các cơ quan, đơn vị nêu trên khẩn trương"
        " thực hiện,"
        f" báo cáo kết quả {where} trước ngày {nd30.short_date(limit)}; chịu trách nhiệm"
        f" trước Chủ tịch {issuer.short_name} nếu để chậm trễ./."
    )
    appendices = []
    if by_appendix:
        appendices.append(
            Appendix(
                title=f"Danh sách cơ quan, đơn vị chậm thực hiện {reference}"
                f" (tính đến ngày {nd30.short_date(as_of)})",
                tables=[_appendix_table(groups)],
            )
        )
    subject = f"V/v đôn đốc thực hiện {reference}"
    identity = agency_identity(issuer)
    office = next((child for child in issuer.children if child.kind == AgencyKind.OFFICE), None)
    if office is not None:
        identity |= {
            "signer_title": office.head_title or "CHÁNH VĂN PHÒNG",
            "signer_name": office.head_name,
            "signer_is_demo": office.head_name_is_demo,
        }
    return DocumentDraft(
        kind="urge",
        title=f"Đôn đốc thực hiện {reference}",
        symbol=f"{symbol_code(issuer)}-{issuer.drafting_unit or 'TH'}",
        issued_on=issued_on,
        as_of=as_of,
        doc_type=None,
        subject=subject,
        recipients=[ADDRESSED_BY_APPENDIX] if by_appendix else agencies,
        body="\n\n".join(paragraphs),
        signer_authority="TL. CHỦ TỊCH" if office is not None else "",
        distribution=[
            "Như trên",
            f"Chủ tịch, các Phó Chủ tịch {issuer.short_name} (b/c)",
            filing_line(issuer),
        ],
        directive_id=directive.id,
        appendices=appendices,
        **identity,
    )


def _appendix_table(groups: dict[tuple, list[OverdueItem]]) -> Table:
    """One row per overdue content (task, what, deadline), naming its agencies."""
    return numbered(
        [
            Column("Nội dung chưa thực hiện", width=3.0),
            Column("Thời hạn", width=1.5),
            Column("Báo cáo về", width=1.8),
            Column("Cơ quan, đơn vị chưa thực hiện", width=4.2),
        ],
        [
            [
                f"Nhiệm vụ {task_number}: {what[0].lower()}{what[1:]}",
                nd30.short_date(due),
                group[0].report_to,
                f"{len(group)}: " + "; ".join(item.agency_name for item in group) + ".",
            ]
            for (task_number, _title, what, due), group in groups.items()
        ],
    )
