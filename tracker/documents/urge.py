"""The urging letter (công văn đôn đốc) from the provincial People's Committee to the
agencies that are late on a directive."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from tracker import calendar
from tracker.agencies.models import Agency
from tracker.assignments.deadlines import Outcome, outcome_expr
from tracker.assignments.models import Assignment
from tracker.directives.models import Directive, Task
from tracker.documents import nd30
from tracker.documents.reply import DEFAULT_PLACE, DocumentDraft

#: Working days the urging letter gives late agencies.
NEW_LIMIT_WORKING_DAYS = 5
DRAFTING_UNIT = "TH"


def draft_urge(
    session: Session, directive: Directive, issuer: Agency, as_of: date
) -> DocumentDraft:
    rows = (
        session.execute(
            sa.select(Assignment)
            .join(Task, Assignment.task_id == Task.id)
            .where(
                Task.directive_id == directive.id, outcome_expr(as_of) == Outcome.OPEN_OVERDUE.value
            )
            .options(joinedload(Assignment.agency), joinedload(Assignment.task))
            .order_by(Assignment.agency_id, Task.position)
        )
        .scalars()
        .all()
    )
    if not rows:
        raise LookupError(f"no agency is late on {directive.reference} on {as_of}")
    late: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in rows:
        late[assignment.agency_id].append(assignment)
    limit = calendar.add_working_days(as_of, NEW_LIMIT_WORKING_DAYS)
    issued = nd30.short_date(directive.issued_date)
    paragraphs = [
        f"Ngày {issued}, {issuer.short_name} ban hành {directive.doc_type.label} số"
        f" {directive.reference} về việc"
        f" {directive.subject}. Đến ngày {nd30.short_date(as_of)}, các cơ quan, đơn vị sau"
        " chưa hoàn thành nhiệm vụ được giao, đã quá thời hạn:",
    ]
    for assignments in late.values():
        agency = assignments[0].agency
        items = "; ".join(
            f"nhiệm vụ {a.task.number} ({a.task.title}, thời hạn {nd30.short_date(a.due_date)})"
            for a in assignments
        )
        paragraphs.append(f"- {agency.name}: {items}.")
    paragraphs.append(
        f"{issuer.short_name} yêu cầu thủ trưởng các cơ quan, đơn vị nêu trên khẩn trương"
        f" hoàn thành các nhiệm vụ được giao, báo cáo kết quả thực hiện trước ngày"
        f" {nd30.short_date(limit)}; chịu trách nhiệm trước Chủ tịch {issuer.short_name}"
        " nếu để chậm trễ./."
    )
    return DocumentDraft(
        kind="urge",
        title=f"Đôn đốc thực hiện {directive.doc_type.label} số {directive.reference}",
        parent_body="",
        issuing_body=issuer.name,
        symbol=f"{issuer.code}-{DRAFTING_UNIT}",
        place=DEFAULT_PLACE,
        issued_on=as_of,
        doc_type=None,
        subject=f"V/v đôn đốc thực hiện {directive.doc_type.label} số {directive.reference}",
        subject_under_number=f"V/v đôn đốc thực hiện {directive.doc_type.label} số"
        f" {directive.reference}",
        recipients=[assignments[0].agency.name for assignments in late.values()],
        body="\n\n".join(paragraphs),
        signer_authority="TL. CHỦ TỊCH",
        signer_title="CHÁNH VĂN PHÒNG",
        signer_name="",
        distribution=["Như trên", "Chủ tịch, các PCT UBND tỉnh (b/c)", "Lưu: VT"],
        author=issuer.name,
        directive_id=directive.id,
        agency_id=issuer.id,
    )
