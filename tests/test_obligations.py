"""One model of obligations: every count agrees with an independent oracle, and every
output (dashboard, accountability lines, CSV, XLSX, PDF, urging letter) reads the same
numbers. Random directives, assignments, periods, extensions and submissions come from
hypothesis; each example runs in a savepoint rolled back at its end."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import user_named
from tests.nd30 import Pdf
from tracker import clock
from tracker.agencies.operations import agency_by_code
from tracker.assignments import obligations, tally
from tracker.assignments.deadlines import COUNTED, Outcome
from tracker.assignments.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Period,
    PeriodStatus,
)
from tracker.assignments.operations import assign_task
from tracker.assignments.periods import generate_periods
from tracker.assignments.workflow import (
    Action,
    apply,
    apply_period,
    decide_extension,
    request_extension,
)
from tracker.directives import operations as directive_operations
from tracker.directives.models import Task
from tracker.documents.accountability import draft_accountability
from tracker.documents.operations import preview_pdf
from tracker.documents.urge import draft_urge, overdue_items
from tracker.reports.accountability import build_accountability
from tracker.reports.counts import directive_summaries
from tracker.reports.export import TOTAL_ROW_LABEL, to_csv, to_xlsx

START = date(2020, 8, 10)
DAY = st.integers(min_value=0, max_value=80)


@dataclass(frozen=True)
class TaskPlan:
    due: int | None
    recurrence: str | None


@dataclass(frozen=True)
class WorkPlan:
    task: int
    agency: int
    role: AssignmentRole
    #: none | submit | accept | return | cancel | extend
    story: str
    day: int
    later: int


@dataclass(frozen=True)
class Scenario:
    tasks: list[TaskPlan]
    work: list[WorkPlan]
    #: For each period in creation order: None (no report) or (submit day, accept?).
    periods: list[tuple[int, bool] | None]
    as_of: int


RECURRENCES = st.sampled_from(
    [None, None, "FREQ=WEEKLY;UNTIL=20200930", "FREQ=MONTHLY;COUNT=3", "FREQ=WEEKLY;COUNT=4"]
)


@st.composite
def scenarios(draw) -> Scenario:
    tasks = draw(
        st.lists(
            st.builds(TaskPlan, due=st.one_of(st.none(), DAY), recurrence=RECURRENCES),
            min_size=1,
            max_size=3,
        )
    )
    work = []
    for index in range(len(tasks)):
        for agency in draw(st.sets(st.integers(0, 2), min_size=1, max_size=3)):
            work.append(
                WorkPlan(
                    task=index,
                    agency=agency,
                    role=draw(st.sampled_from(list(AssignmentRole))),
                    story=draw(
                        st.sampled_from(["none", "submit", "accept", "return", "cancel", "extend"])
                    ),
                    day=draw(DAY),
                    later=draw(st.integers(0, 20)),
                )
            )
    periods = draw(
        st.lists(st.one_of(st.none(), st.tuples(DAY, st.booleans())), min_size=12, max_size=12)
    )
    return Scenario(tasks, work, periods, as_of=draw(st.integers(-5, 110)))


@pytest.fixture
def cast(session, make_agency, make_user):
    agencies = [make_agency(head_name=f"Người đứng đầu {n}") for n in range(3)]
    workers = [make_user(agency=agency) for agency in agencies]
    return agencies, workers


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


def _build(session, scenario: Scenario, agencies, workers):
    office = user_named(session, "vanphong")
    with clock.frozen(START):
        directive = directive_operations.create_directive(
            session,
            None,
            doc_type="cong_van",
            number="7001",
            symbol="UBND-PROP",
            issuer="Ủy ban nhân dân tỉnh Lai Châu",
            issued_date=START,
            subject="văn bản thử nghiệm ngẫu nhiên",
            body="Nội dung.",
        )
        directive.issuer_agency = agency_by_code(session, "UBND")
        tasks = [
            directive_operations.add_task(
                session,
                None,
                directive,
                number=str(number),
                title=f"Nhiệm vụ ngẫu nhiên {number}",
                text="Thực hiện.",
                due_date=_day(plan.due) if plan.due is not None else None,
                recurrence=plan.recurrence,
            )
            for number, plan in enumerate(scenario.tasks, start=1)
        ]
        directive_operations.confirm_directive(session, None, directive)
        made: list[tuple[WorkPlan, Assignment]] = []
        for plan in scenario.work:
            (assignment,) = assign_task(
                session, None, tasks[plan.task], [agencies[plan.agency]], role=plan.role
            ).created
            made.append((plan, assignment))
    for plan, assignment in made:
        _play(session, plan, assignment, workers[plan.agency], office)
    generate_periods(session, date(2020, 11, 30))
    periods = sorted(
        (period for _, assignment in made for period in assignment.periods),
        key=lambda period: period.id,
    )
    for period, plan in zip(periods, scenario.periods, strict=False):
        if plan is None or not period.is_open or not period.assignment.is_open:
            continue
        day = max(_day(plan[0]), period.starts_on)
        worker = workers[agencies.index(period.assignment.agency)]
        with clock.frozen(day):
            apply_period(period, Action.SUBMIT, worker, text="Báo cáo kỳ.")
            if plan[1]:
                apply_period(period, Action.ACCEPT, office)
    session.flush()
    return directive, [assignment for _, assignment in made]


def _play(session, plan: WorkPlan, assignment: Assignment, worker, office) -> None:
    day, later = _day(plan.day), _day(plan.day + plan.later)
    if plan.story == "none" or plan.role == AssignmentRole.INFORM:
        return
    if plan.story == "cancel":
        with clock.frozen(day):
            apply(assignment, Action.CANCEL, office, reason="Không còn cần thiết.")
        return
    if plan.story == "extend" and assignment.due_date is not None:
        with clock.frozen(day):
            proposed = max(later, assignment.due_date) + timedelta(days=1)
            extension = request_extension(
                assignment, worker, proposed_date=proposed, reason="Cần thêm."
            )
            decide_extension(extension, office, grant=True)
        return
    if plan.story in ("submit", "accept", "return"):
        with clock.frozen(day):
            apply(assignment, Action.SUBMIT, worker, text="Đã thực hiện.")
        if plan.story != "submit":
            with clock.frozen(later):
                action = Action.ACCEPT if plan.story == "accept" else Action.RETURN
                apply(
                    assignment, action, office, reason="Chưa đủ." if plan.story == "return" else ""
                )


def _oracle(assignments: list[Assignment], as_of: date):
    """Per agency id: Counter of outcomes, and the overdue obligations, by hand."""
    counts: dict[int, Counter] = defaultdict(Counter)
    late: set[tuple[int, int | None]] = set()

    def classify(done_on: date | None, due: date | None) -> Outcome:
        if done_on is not None and done_on <= as_of:
            return Outcome.DONE_ON_TIME if due is None or done_on <= due else Outcome.DONE_LATE
        return Outcome.OPEN_WITHIN if due is None or due >= as_of else Outcome.OPEN_OVERDUE

    for assignment in assignments:
        if assignment.role == AssignmentRole.INFORM:
            continue
        gone = assignment.status == AssignmentStatus.CANCELLED and assignment.cancelled_on <= as_of
        if not gone:
            done_on = (
                assignment.completed_on if assignment.status == AssignmentStatus.DONE else None
            )
            outcome = classify(done_on, assignment.due_date)
            counts[assignment.agency_id][outcome] += 1
            if outcome == Outcome.OPEN_OVERDUE:
                late.add((assignment.id, None))
        for period in assignment.periods:
            if period.starts_on > as_of:
                continue
            if period.status == PeriodStatus.CANCELLED and period.cancelled_on <= as_of:
                continue
            if period.status != PeriodStatus.DONE and gone:
                continue
            done_on = period.completed_on if period.status == PeriodStatus.DONE else None
            outcome = classify(done_on, period.due_date)
            counts[assignment.agency_id][outcome] += 1
            if outcome == Outcome.OPEN_OVERDUE:
                late.add((assignment.id, period.id))
    return counts, late


def _numbers(line: str) -> list[int]:
    return [int(token) for token in re.findall(r"(?<![\d,])\d+(?![\d,])", line)]


@pytest.mark.slow  # twenty scenarios, each also rendered to a PDF
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_obligations_agree_everywhere(app, session, cast, scenario):
    agencies, workers = cast
    savepoint = session.begin_nested()
    try:
        directive, assignments = _build(session, scenario, agencies, workers)
        as_of = _day(scenario.as_of)
        expected, expected_late = _oracle(assignments, as_of)
        found = obligations.count_by(
            session, as_of, ("agency_id",), Task.directive_id == directive.id
        )
        # 1. Per agency, the four counts are the oracle's and add up to the total.
        assert {key[0] for key in found} == {k for k, v in expected.items() if sum(v.values())}
        for (agency_id,), counts in found.items():
            assert [counts.get(o) for o in COUNTED] == [expected[agency_id][o] for o in COUNTED]
            assert counts.total == sum(counts.get(o) for o in COUNTED)
            assert counts.total == counts.reports + counts.periods

        # 2. The dashboard, the report lines, CSV, XLSX and PDF say the same.
        report = build_accountability(session, as_of, directive.id, check_chain=False)
        (section,) = report.sections
        lines = {line.agency_code: line for line in section.lines}
        for agency in agencies:
            counts = found.get((agency.id,))
            if counts is None:
                assert agency.code not in lines
                continue
            line = lines[agency.code]
            assert [getattr(line, o.value) for o in COUNTED] == [counts.get(o) for o in COUNTED]
            assert line.total == counts.total
            # The rate judges only work that is done or past its deadline.
            judged = sum(expected[agency.id][o] for o in COUNTED if o != Outcome.OPEN_WITHIN)
            on_time = expected[agency.id][Outcome.DONE_ON_TIME]
            assert line.on_time_rate == (pytest.approx(100 * on_time / judged) if judged else None)
        (summary,) = [
            s for s in directive_summaries(session, as_of) if s.directive.id == directive.id
        ]
        assert [summary.counts.get(o) for o in COUNTED] == [
            getattr(section.totals, o.value) for o in COUNTED
        ]
        assert summary.counts.on_time_rate == section.totals.on_time_rate
        rows = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
        header, body = rows[0], rows[1:]
        total_column = header.index("Số nhiệm vụ")
        four = [
            header.index(label)
            for label in (
                "Hoàn thành đúng hạn",
                "Hoàn thành quá hạn",
                "Đang thực hiện trong hạn",
                "Quá hạn chưa hoàn thành",
            )
        ]
        assert body[-1][0] == TOTAL_ROW_LABEL
        for row in body:
            assert int(row[total_column]) == sum(int(row[i]) for i in four)
        assert int(body[-1][total_column]) == section.totals.total
        sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))["Tổng hợp"]
        xlsx_rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert [list(map(str, r[3:10])) for r in xlsx_rows] == [r[3:10] for r in body]
        pdf = preview_pdf(draft_accountability(report, agency_by_code(session, "VPUBND")))
        with Pdf(pdf) as document:
            total_line = next(
                line for line in document.text.splitlines() if line.startswith("Tổng cộng")
            )
        totals = section.totals
        assert _numbers(total_line)[:5] == [
            totals.total,
            totals.done_on_time,
            totals.done_late,
            totals.open_within,
            totals.open_overdue,
        ]

        # 3. The urging letter names exactly the overdue obligations of the report.
        items = overdue_items(session, directive, as_of)
        named = {(item.agency_id, item.task_id, item.due_date) for item in items}
        assert len(items) == len(expected_late) == section.totals.open_overdue
        by_agency = Counter(item.agency_id for item in items)
        for agency in agencies:
            line = lines.get(agency.code)
            assert by_agency[agency.id] == (line.open_overdue if line else 0)
        assert len(named) <= len(items)
        if items:
            draft = draft_urge(session, directive, agency_by_code(session, "UBND"), as_of)
            text = draft.body + " ".join(
                cell
                for appendix in draft.appendices
                for t in appendix.tables
                for row in t.rows
                for cell in row
            )
            for item in items:
                assert item.agency_name in text
        else:
            with pytest.raises(LookupError):
                draft_urge(session, directive, agency_by_code(session, "UBND"), as_of)

        # 4. The tallies kept by every flush equal a full recount, and answer as the
        # obligations do on every day from the last completion or cancellation on.
        session.flush()
        assert tally.differences(session) == []
        last_change = max(
            session.scalar(sa.select(sa.func.max(column))) or START
            for column in (
                Assignment.completed_on,
                Assignment.cancelled_on,
                Period.completed_on,
                Period.cancelled_on,
            )
        )
        for day in sorted({as_of, _day(20), _day(40), _day(60), _day(81), last_change}):
            if day < last_change:
                continue
            with clock.frozen(day):
                assert tally.usable_on(day)
                assert tally.province_counts(session, day) == obligations.counts(
                    session, day, obligations.PROVINCE
                )
                assert tally.late_agencies(session, day, 5000) == obligations.late_agencies(
                    session, day, obligations.PROVINCE, limit=5000
                )
    finally:
        savepoint.rollback()
        session.expire_all()


def test_tallies_take_away_in_slices_and_rebuild(session, monkeypatch):
    """Rows taken to nought go, however many a change touches (a rebuild on
    PostgreSQL once named 25,000 keys in one statement); a rebuild counts again."""
    monkeypatch.setattr(tally, "_DELETE_SLICE", 3)
    kept, late = tally.stored(session)
    assert len(kept) > 3 and len(late) > 3
    tally._apply(
        session,
        Counter({key: -n for key, n in kept.items()}),
        Counter({key: -n for key, n in late.items()}),
    )
    assert tally.stored(session) == (Counter(), Counter())
    assert tally.rebuild(session) == sum(kept.values())
    assert tally.stored(session) == (kept, late)
    assert tally.differences(session) == []
