"""The leaders' accountability report: numbers checked against the seed by other means,
the evidence manifest, the event log head, the XLSX and CSV exports, query counts."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa

from tests.helpers import count_queries, text_file, user_named
from tracker import clock
from tracker.agencies.models import Agency
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    Submission,
    SubmissionOutcome,
)
from tracker.assignments.operations import assign_task
from tracker.assignments.workflow import Action, apply
from tracker.audit import Event, verify_chain
from tracker.directives.models import Task
from tracker.evidence.models import Evidence
from tracker.evidence.operations import add_evidence
from tracker.reports.accountability import (
    AccountabilityReport,
    AgencyLine,
    DirectiveSection,
    build_accountability,
)
from tracker.reports.counts import directive_counts
from tracker.reports.export import (
    EVIDENCE_HEADER,
    EVIDENCE_SHEET,
    SUMMARY_HEADER,
    SUMMARY_SHEET,
    summary_rows,
    to_csv,
    to_xlsx,
)

AS_OF_DATES = (date(2020, 8, 17), date(2020, 8, 30))
BLUEZONE = "bluezone_staff"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _section(report: AccountabilityReport, reference: str = "1661/UBND-VX") -> DirectiveSection:
    found = [section for section in report.sections if section.reference == reference]
    assert len(found) == 1, [section.reference for section in report.sections]
    return found[0]


def _line(section: DirectiveSection, code: str) -> AgencyLine:
    found = [line for line in section.lines if line.agency_code == code]
    assert len(found) == 1, code
    return found[0]


def _expected_counts(session, directive_id: int, as_of: date) -> dict[str, list[int]]:
    """Four counts per agency code, classified here in Python from the raw columns."""
    rows = session.execute(
        sa.select(Agency.code, Assignment.status, Assignment.due_date, Assignment.completed_on)
        .join(Agency, Assignment.agency_id == Agency.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.directive_id == directive_id)
    )
    counts: dict[str, list[int]] = {}
    for code, status, due, completed in rows:
        if status == AssignmentStatus.CANCELLED:
            continue
        four = counts.setdefault(code, [0, 0, 0, 0])
        if status == AssignmentStatus.DONE and completed <= as_of:
            four[0 if due is None or completed <= due else 1] += 1
        else:
            four[2 if due is None or due >= as_of else 3] += 1
    return counts


def _expected_values(session, task: Task, as_of: date) -> dict[str, float | None]:
    """Bluezone rate per agency code from the ORM: latest accepted (as of the date), else
    latest still pending then; submissions sent after the date do not exist yet."""
    expected: dict[str, float | None] = {}
    assignments = session.scalars(
        sa.select(Assignment).where(
            Assignment.task_id == task.id, Assignment.status != AssignmentStatus.CANCELLED
        )
    )
    for assignment in assignments:
        sent = [s for s in assignment.submissions if s.submitted_on <= as_of]

        def decided(submission: Submission) -> bool:
            return (
                submission.reviewed_at is not None
                and clock.local_date(submission.reviewed_at) <= as_of
            )

        accepted = [s for s in sent if s.outcome == SubmissionOutcome.ACCEPTED and decided(s)]
        pending = [s for s in sent if not decided(s)]
        chosen = (accepted or pending or [None])[-1]
        value = chosen.figures.get(BLUEZONE) if chosen else None
        expected[assignment.agency.code] = 100 * value[0] / value[1] if value else None
    return expected


# Numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_accountability_totals_match_directive_counts(session, directive_1661, as_of):
    section = _section(build_accountability(session, as_of))
    expected = directive_counts(session, directive_1661.id, as_of)
    totals = section.totals
    assert (totals.done_on_time, totals.done_late, totals.open_within, totals.open_overdue) == (
        expected.done_on_time,
        expected.done_late,
        expected.open_within,
        expected.open_overdue,
    )
    assert totals.total == expected.total == sum(line.total for line in section.lines)
    assert totals.on_time_rate == pytest.approx(expected.on_time_rate)
    assert section.title == "Công văn 1661/UBND-VX"
    assert section.issued_date == date(2020, 8, 15)


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_accountability_agency_counts_match_raw_assignments(session, directive_1661, as_of):
    section = _section(build_accountability(session, as_of))
    expected = _expected_counts(session, directive_1661.id, as_of)
    found = {
        line.agency_code: [line.done_on_time, line.done_late, line.open_within, line.open_overdue]
        for line in section.lines
    }
    assert found == expected
    for line in section.lines:
        total = sum(expected[line.agency_code])
        assert line.total == total == line.reports + line.periods
        judged = total - line.open_within
        if judged:
            assert line.on_time_rate == pytest.approx(100.0 * line.done_on_time / judged)
        else:
            assert line.on_time_rate is None


def test_accountability_seed_numbers_as_of_30_august(session):
    section = _section(build_accountability(session, date(2020, 8, 30)))
    # Task 2 (due 18/8): 14 on time, 5 late; task 3 (due 20/8): 4 on time, 1 late; task 4 STTTT.
    assert (section.totals.done_on_time, section.totals.done_late) == (19, 6)
    stttt = _line(section, "STTTT")
    assert (stttt.total, stttt.done_on_time, stttt.open_within) == (3, 2, 1)
    assert stttt.head_title == "GIÁM ĐỐC"


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_accountability_indicator_values_match_submissions(session, directive_1661, as_of):
    task = directive_1661.tasks[1]
    assert task.indicators[0].code == BLUEZONE
    section = _section(build_accountability(session, as_of))
    expected = _expected_values(session, task, as_of)
    assert section.indicator_name == task.indicators[0].name
    for line in section.lines:
        assert line.indicator_name == task.indicators[0].name
        if expected.get(line.agency_code) is None:
            assert line.indicator_value is None, line.agency_code
        else:
            assert line.indicator_value == pytest.approx(expected[line.agency_code])
    assert sum(line.indicator_value is not None for line in section.lines) == sum(
        value is not None for value in expected.values()
    )


def test_accountability_indicator_value_is_the_accepted_figures(session, directive_1661):
    snv = session.scalar(
        sa.select(Assignment)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Assignment.task_id == directive_1661.tasks[1].id, Agency.code == "SNV")
    )
    accepted = [s for s in snv.submissions if s.outcome == SubmissionOutcome.ACCEPTED]
    numerator, denominator = accepted[-1].figures[BLUEZONE]
    line = _line(_section(build_accountability(session, date(2020, 8, 30))), "SNV")
    assert line.indicator_value == pytest.approx(100.0 * numerator / denominator)
    assert (numerator, denominator) == (71, 72)


def test_accountability_indicator_pending_then_returned_later(session):
    """SXD sent 41/47 on 18/8, returned on 19/8: pending as of 18/8, nothing as of 30/8."""
    on_18 = _line(_section(build_accountability(session, date(2020, 8, 18))), "SXD")
    on_30 = _line(_section(build_accountability(session, date(2020, 8, 30))), "SXD")
    assert on_18.indicator_value == pytest.approx(100.0 * 41 / 47)
    assert on_30.indicator_value is None
    assert on_30.indicator_rank is None


def test_accountability_indicator_ignores_later_submissions(session):
    """THANUYEN reported on 25/8: no value as of 17/8."""
    on_17 = _line(_section(build_accountability(session, date(2020, 8, 17))), "THANUYEN")
    on_30 = _line(_section(build_accountability(session, date(2020, 8, 30))), "THANUYEN")
    assert on_17.indicator_value is None
    assert on_30.indicator_value == pytest.approx(100.0 * 176 / 208)


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_accountability_ranks_consistent_with_values(session, as_of):
    section = _section(build_accountability(session, as_of))
    values = [line.indicator_value for line in section.lines if line.indicator_value is not None]
    assert values
    for line in section.lines:
        if line.indicator_value is None:
            assert line.indicator_rank is None
        else:
            higher = sum(value > line.indicator_value for value in values)
            assert line.indicator_rank == higher + 1
    ranks = sorted(line.indicator_rank for line in section.lines if line.indicator_rank)
    assert ranks[0] == 1


def test_accountability_ranks_share_ties(session):
    """Seven agencies report 100 % by 30/8; the next one ranks 8th."""
    section = _section(build_accountability(session, date(2020, 8, 30)))
    full = [line for line in section.lines if line.indicator_value == 100.0]
    assert len(full) == 7
    assert {line.indicator_rank for line in full} == {1}
    others = [line.indicator_rank for line in section.lines if line.indicator_value != 100.0]
    assert min(rank for rank in others if rank is not None) == 8


def test_accountability_lines_sorted_late_first(session):
    section = _section(build_accountability(session, date(2020, 8, 30)))
    keys = [(-line.open_overdue, line.on_time_rate, line.agency_code) for line in section.lines]
    assert keys == sorted(keys)
    assert section.lines[0].open_overdue == max(line.open_overdue for line in section.lines)


def test_accountability_skips_cancelled_and_directives_without_work(session, make_assignment):
    office = user_named(session, "vanphong")
    assignment = make_assignment("SNV")
    reference = assignment.task.directive.reference
    report = build_accountability(session, date(2020, 8, 30))
    assert _section(report, reference).lines[0].agency_code == "SNV"
    apply(assignment, Action.CANCEL, office, reason="Thử nghiệm.")
    session.flush()
    report = build_accountability(session, date(2020, 8, 30))
    references = [section.reference for section in report.sections]
    assert reference not in references
    # Directives seeded without assignments (1569, 1605, 197, 51) are not reported either.
    assert references == ["1661/UBND-VX"]


def test_accountability_one_directive(session, directive_1661, make_assignment):
    make_assignment("SNV")
    report = build_accountability(session, date(2020, 8, 30), directive_1661.id)
    assert [section.directive_id for section in report.sections] == [directive_1661.id]
    assert {line.directive_reference for line in report.evidence} == {"1661/UBND-VX"}
    with pytest.raises(LookupError):
        build_accountability(session, date(2020, 8, 30), directive_id=10**9)


def _plain(value, path: str = "report") -> None:
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            _plain(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            _plain(item, f"{path}[{index}]")
    else:
        assert value is None or type(value) in (str, int, float, bool, date, datetime), (
            path,
            type(value),
        )


def test_accountability_holds_plain_values_only(session):
    report = build_accountability(session, date(2020, 8, 30))
    _plain(report)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.sections[0].lines[0].done_late = 5  # type: ignore[misc]


# Evidence and the event log -----------------------------------------------------------------


def _upload_at(session, instant: datetime, name: str) -> Evidence:
    worker = user_named(session, "stttt")
    assignment = session.scalar(
        sa.select(Assignment)
        .join(Agency, Assignment.agency_id == Agency.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Agency.code == "STTTT", Task.number == "1")
    )
    with clock.frozen(instant):
        return add_evidence(session, worker, assignment, text_file(f"{name}\n"), name)


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_accountability_evidence_manifest_matches_uploads(session, as_of):
    rows = session.execute(
        sa.select(Evidence.sha256, Evidence.original_name, Evidence.uploaded_at, Agency.code)
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .join(Agency, Assignment.agency_id == Agency.id)
    ).all()
    expected = sorted(
        (sha, name, code) for sha, name, at, code in rows if clock.local_date(at) <= as_of
    )
    report = build_accountability(session, as_of)
    assert sorted((e.sha256, e.file_name, e.agency_code) for e in report.evidence) == expected
    assert expected  # the seed has files on both dates
    for line in report.evidence:
        assert line.uploaded_at.utcoffset().total_seconds() == 7 * 3600
        assert clock.local_date(line.uploaded_at) <= as_of
        assert len(line.sha256) == 64 and line.size > 0 and line.uploaded_by


def test_accountability_evidence_cutoff_is_end_of_local_day(session):
    late_evening = _upload_at(session, datetime(2020, 8, 30, 23, 30, tzinfo=LOCAL), "toi-30.txt")
    next_morning = _upload_at(session, datetime(2020, 8, 31, 0, 30, tzinfo=LOCAL), "sang-31.txt")
    # Both are 30/8 in UTC.
    assert late_evening.uploaded_at.day == next_morning.uploaded_at.day == 30
    names = {line.file_name for line in build_accountability(session, date(2020, 8, 30)).evidence}
    assert "toi-30.txt" in names
    assert "sang-31.txt" not in names
    on_31 = build_accountability(session, date(2020, 8, 31)).evidence
    uploaded = [line for line in on_31 if line.file_name == "sang-31.txt"]
    assert uploaded[0].uploaded_at == datetime(2020, 8, 31, 0, 30, tzinfo=LOCAL)


def test_accountability_event_head_matches_verified_chain(session):
    report = build_accountability(session, date(2020, 8, 30))
    chain = verify_chain(session)
    assert (report.event_count, report.event_head_hash, report.chain_ok) == (
        chain.count,
        chain.head_hash,
        True,
    )
    last = session.scalar(sa.select(Event.row_hash).order_by(Event.id.desc()).limit(1))
    assert report.event_head_hash == last
    quick = build_accountability(session, date(2020, 8, 30), check_chain=False)
    assert (quick.event_count, quick.event_head_hash, quick.chain_ok) == (
        chain.count,
        chain.head_hash,
        None,
    )


# Exports ------------------------------------------------------------------------------------


@pytest.fixture
def report(session) -> AccountabilityReport:
    return build_accountability(session, date(2020, 8, 30))


def test_xlsx_header_frozen_and_bold(report):
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    assert workbook.sheetnames[:2] == [SUMMARY_SHEET, EVIDENCE_SHEET]
    for name, header in ((SUMMARY_SHEET, SUMMARY_HEADER), (EVIDENCE_SHEET, EVIDENCE_HEADER)):
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2"
        assert tuple(cell.value for cell in sheet[1]) == header
        assert all(cell.font.bold for cell in sheet[1])
        assert all(sheet.column_dimensions[cell.column_letter].width >= 8 for cell in sheet[1])
    assert workbook.properties.creator == "tracker"
    assert "30/08/2020" in workbook.properties.title


def test_xlsx_numbers_are_numeric_cells(report):
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))[SUMMARY_SHEET]
    rows = list(sheet.iter_rows(min_row=2))
    expected = list(summary_rows(report))
    # One row per agency, then the "Tổng cộng" row.
    assert len(rows) == len(expected) == len(report.sections[0].lines) + 1
    assert rows[-1][0].value == "Tổng cộng" and rows[-1][0].font.bold
    for cells, values in zip(rows, expected, strict=True):
        for column in range(3, 10):
            assert cells[column].data_type == "n"
            assert isinstance(cells[column].value, int)
            assert cells[column].value == values[column]
        # The total is the sum of the four counts, and of reports and periods.
        assert cells[3].value == sum(cells[column].value for column in range(6, 10))
        assert cells[3].value == cells[4].value + cells[5].value
        # openpyxl reads a whole number back as int: 0.0 is stored as "0".
        assert cells[10].data_type == "n" and isinstance(cells[10].value, int | float)
        assert cells[10].value == pytest.approx(values[10])
        assert cells[10].number_format == "0.0"
        assert cells[12].number_format == "0.0"
        if values[12] is None:
            assert cells[12].value is None and cells[13].value is None
        else:
            assert cells[12].value == pytest.approx(values[12])
            assert isinstance(cells[13].value, int)
    for column in range(3, 10):
        assert rows[-1][column].value == sum(row[column].value for row in rows[:-1])


def test_xlsx_vietnamese_text_intact(session, report):
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))[SUMMARY_SHEET]
    name = session.scalar(sa.select(Agency.name).where(Agency.code == "SNV"))
    row = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] == name)
    assert row[0] == "Công văn 1661/UBND-VX"
    head = session.scalar(sa.select(Agency.head_name).where(Agency.code == "SNV"))
    assert row[2] == f"GIÁM ĐỐC {head}".strip()
    assert row[11] == "Tỷ lệ cán bộ, công chức, viên chức cài đặt ứng dụng Bluezone"
    assert row[12] == pytest.approx(100.0 * 71 / 72)


def test_xlsx_evidence_times_are_local_datetimes(report):
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))[EVIDENCE_SHEET]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(report.evidence)
    for row, line in zip(rows, report.evidence, strict=True):
        assert row[2] == line.file_name and row[3] == line.sha256 and row[4] == line.size
        assert isinstance(row[7], datetime) and row[7].tzinfo is None
        assert row[7] == line.uploaded_at.replace(tzinfo=None)
    # The demo uploads happen at local noon.
    assert {row[7].hour for row in rows} == {12}


def test_xlsx_info_sheet_has_head_hash(report):
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    values = [value for row in workbook.worksheets[2].iter_rows(values_only=True) for value in row]
    assert report.event_head_hash in values
    assert report.event_count in values


def test_csv_starts_with_bom_and_matches_rows(report):
    data = to_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == SUMMARY_HEADER
    expected = list(summary_rows(report))
    assert len(rows) - 1 == len(expected)
    for found, values in zip(rows[1:], expected, strict=True):
        for text, value in zip(found, values, strict=True):
            if value is None:
                assert text == ""
            elif isinstance(value, float):
                assert "," not in text
                assert float(text) == pytest.approx(value, abs=0.005)
            else:
                assert text == str(value)
    assert any("Sở Nội vụ" in row[1] for row in rows[1:])
    assert data.decode("utf-8-sig").startswith('Văn bản,"Cơ quan, đơn vị",Thủ trưởng,')


# Query count --------------------------------------------------------------------------------


def _queries(session, connection, **options) -> int:
    session.flush()
    with count_queries(connection) as statements:
        build_accountability(session, date(2020, 8, 30), **options)
    return len(statements)


def test_accountability_query_count_constant(
    session, connection, directive_1661, make_agency, make_task, make_user, today
):
    before = _queries(session, connection, check_chain=False)
    office = user_named(session, "vanphong")
    agencies = [make_agency() for _ in range(15)]
    workers = {agency.id: make_user(agency=agency) for agency in agencies}
    indicator = {
        "code": "ty_le",
        "name": "Tỷ lệ thử",
        "unit": "người",
        "numerator": "Đạt",
        "denominator": "Tổng",
    }
    tasks = [directive_1661.tasks[1], *(make_task(indicators=[indicator]) for _ in range(3))]
    for task in tasks:
        created = assign_task(session, None, task, agencies).created
        for number, assignment in enumerate(created):
            worker = workers[assignment.agency_id]
            add_evidence(session, worker, assignment, text_file(f"{number}\n"), f"f{number}.txt")
            code = task.indicators[0].code
            apply(assignment, Action.SUBMIT, worker, text="Đã làm.", figures={code: [number, 20]})
            if number % 3 == 0:
                apply(assignment, Action.ACCEPT, office)
            elif number % 3 == 1:
                apply(assignment, Action.RETURN, office, reason="Bổ sung.")
                apply(assignment, Action.CANCEL, office, reason="Thử nghiệm.")
    after = build_accountability(session, date(2020, 8, 30), check_chain=False)
    assert len(after.sections) == 4
    assert len(_section(after).lines) > 39
    assert _queries(session, connection, check_chain=False) == before
    # The chain check adds one query per 1,000 events, whatever else there is.
    events = verify_chain(session).count
    assert _queries(session, connection) == before + events // 1000 + 1


def test_accountability_counts_periods_and_shows_extensions(session, directive_1661):
    """Periods count on their own, as on the dashboard; extended work is shown as such."""
    from tracker.assignments.periods import generate_periods
    from tracker.assignments.workflow import decide_extension, request_extension
    from tracker.reports.accountability import build_accountability
    from tracker.reports.counts import directive_counts

    assert generate_periods(session, date(2020, 9, 10)) > 0
    task3 = next(task for task in directive_1661.tasks if task.number == "3")
    late = session.scalar(
        sa.select(Assignment)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Assignment.task_id == task3.id, Agency.code == "MUONGTE")
    )
    assert late.is_open  # Mường Tè did not report in the demo
    extension = request_extension(
        late,
        user_named(session, "muongte"),
        proposed_date=date(2020, 9, 30),
        reason="Chờ số liệu thôn.",
    )
    decide_extension(extension, user_named(session, "vanphong"), grant=True)
    day = date(2020, 9, 10)
    (section,) = build_accountability(session, day, directive_1661.id).sections
    counts = directive_counts(session, directive_1661.id, day)
    assert (
        section.totals.done_on_time,
        section.totals.done_late,
        section.totals.open_within,
        section.totals.open_overdue,
    ) == (counts.done_on_time, counts.done_late, counts.open_within, counts.open_overdue)
    lines = {line.agency_code: line for line in section.lines}
    assert lines["MUONGTE"].extended == 1
    assert lines["SNV"].extended == 0
    stttt = lines["STTTT"]
    assert stttt.reports == 3  # tasks 1, 2 and 4
    assert stttt.periods > 0 and stttt.total == stttt.reports + stttt.periods


def test_nothing_judged_yet_shows_no_rate(client, auth, session, directive_1661):
    """On 16/08/2020 no deadline of 1661 has come and nothing is done: the dashboard
    prints a dash for the on-time rate, never '0,0 %'."""
    counts = directive_counts(session, directive_1661.id, date(2020, 8, 16))
    assert counts.total and counts.judged == 0 and counts.on_time_rate is None
    auth.login("vanphong")
    page = client.get("/?as_of=2020-08-16").get_data(as_text=True)
    row = page.split('data-directive="1661/UBND-VX"')[1].split("</tr>")[0]
    cell = row.split('data-count="on_time_rate">')[1].split("</td>")[0]
    assert "—" in cell and "%" not in cell
