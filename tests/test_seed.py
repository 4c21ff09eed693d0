"""The seed data: Lai Châu's agencies, Công văn 1661/UBND-VX as issued, its citations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from tracker.agencies.models import Agency, AgencyGroup, AgencyKind
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import Assignment, AssignmentRole
from tracker.demo import DEMO_MARK
from tracker.directives.models import Directive, DirectiveStatus, Task
from tracker.directives.operations import find_directive
from tracker.directives.parsing.source import prepare
from tracker.directives.seed import DATA_DIR, load_all

SEED_TEXT = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "cong-van-1661-UBND-VX.txt"
DISTRICTS = {"TPLC", "TAMDUONG", "PHONGTHO", "SINHO", "MUONGTE", "NAMNHUN", "TANUYEN", "THANUYEN"}


def _assigned_codes(session, task: Task) -> set[str]:
    return set(
        session.scalars(
            sa.select(Agency.code)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.task_id == task.id)
        )
    )


def _group_codes(session, code: str) -> set[str]:
    group = session.scalar(sa.select(AgencyGroup).where(AgencyGroup.code == code))
    return {agency.code for agency in group.members}


def test_seed_agencies_of_lai_chau(session):
    districts = session.scalars(sa.select(Agency.code).where(Agency.kind == AgencyKind.DISTRICT))
    assert set(districts) == DISTRICTS
    stttt = agency_by_code(session, "STTTT")
    assert stttt.name == "Sở Thông tin và Truyền thông"
    assert stttt.parent.code == "UBND"
    assert "Sở TT&TT" in stttt.aliases
    assert stttt.headcount_is_demo
    assert agency_by_code(session, "MTTQ").kind == AgencyKind.FRONT
    mass = set(session.scalars(sa.select(Agency.code).where(Agency.kind == AgencyKind.MASS_ORG)))
    assert mass == {"LDLD", "TINHDOAN", "HLHPN", "HND", "HCCB"}


def test_seed_groups_as_1661_addresses_them(session):
    assert _group_codes(session, "HUYEN") == DISTRICTS
    assert _group_codes(session, "DOANTHE") == {"LDLD", "TINHDOAN", "HLHPN", "HND", "HCCB"}
    provincial = _group_codes(session, "SBN")
    assert {"VPUBND", "STTTT", "SYT", "TTR", "BDT", "MTTQ", "LDLD"} <= provincial
    assert not provincial & DISTRICTS
    assert "UBND" not in provincial


def test_seed_1661_header(directive_1661):
    d = directive_1661
    assert (d.number, d.symbol, d.issued_date) == ("1661", "UBND-VX", date(2020, 8, 15))
    assert d.doc_type.label == "Công văn"
    assert d.status == DirectiveStatus.ACTIVE
    assert d.subject == "đẩy mạnh cài đặt ứng dụng Bluezone để phòng, chống Covid-19"
    assert d.recipients == [
        "Các sở, ban, ngành, đoàn thể, cơ quan, đơn vị trên địa bàn tỉnh",
        "UBND các huyện, thành phố",
    ]
    assert (d.signer_title, d.signer_name) == ("CHỦ TỊCH", "Trần Tiên Dũng")
    assert d.distribution[0] == "Như trên" and d.distribution[-1] == "Lưu: VT, VX2"


def test_seed_1661_text_is_as_issued(directive_1661):
    shipped = (DATA_DIR / "lai-chau" / "1661-UBND-VX.txt").read_text(encoding="utf-8")
    # Kept as the parser reads it: the transcription's markdown emphasis (**) blanked,
    # every other character in its place, so spans into the file hold for the body too.
    assert directive_1661.body == prepare(shipped) and "**" in shipped
    assert len(directive_1661.body) == len(shipped) and "**" not in directive_1661.body
    if SEED_TEXT.exists():  # the founding text beside the checkout
        assert shipped == SEED_TEXT.read_text(encoding="utf-8")


def test_seed_1661_five_tasks_with_spans(directive_1661):
    tasks = directive_1661.tasks
    assert [task.number for task in tasks] == ["1", "2", "3", "4", "5"]
    for task in tasks:
        source = directive_1661.body[task.source_start : task.source_end]
        assert source.split() == task.text.split()


def test_seed_1661_task_1_every_addressee_no_deadline(session, directive_1661):
    task = directive_1661.tasks[0]
    assert not task.has_deadline
    expected = _group_codes(session, "SBN") | DISTRICTS
    assert _assigned_codes(session, task) == expected


def test_seed_1661_task_2_every_agency_by_18_august(session, directive_1661):
    task = directive_1661.tasks[1]
    assert task.due_date == date(2020, 8, 18)
    assert task.report_to.code == "STTTT"
    assert task.evidence_required
    assert [indicator.code for indicator in task.indicators] == ["bluezone_staff"]
    assignments = session.scalars(sa.select(Assignment).where(Assignment.task_id == task.id)).all()
    assert {a.agency.code for a in assignments} == _group_codes(session, "SBN") | DISTRICTS
    assert {a.due_date for a in assignments} == {date(2020, 8, 18)}
    assert {a.original_due_date for a in assignments} == {date(2020, 8, 18)}
    assert {a.role for a in assignments} == {AssignmentRole.LEAD}


def test_seed_1661_task_3_districts_by_20_august(session, directive_1661):
    task = directive_1661.tasks[2]
    assert _assigned_codes(session, task) == DISTRICTS
    assert task.due_date == date(2020, 8, 20)
    assert task.report_to.code == "UBND"


def test_seed_1661_task_4_weekly_and_by_20_august(session, directive_1661):
    task = directive_1661.tasks[3]
    assert _assigned_codes(session, task) == {"STTTT"}
    assert task.due_date == date(2020, 8, 20)
    # As issued the rule has no end; the demo ends it on an illustrative date.
    assert task.recurrence in ("FREQ=WEEKLY", "FREQ=WEEKLY;UNTIL=20200925")
    assert task.recurrence_text == "hàng tuần"
    assert task.report_to.code == "UBND"


def test_seed_1661_task_5_request_to_front_and_mass_orgs(session, directive_1661):
    task = directive_1661.tasks[4]
    assert task.is_request
    assert not task.has_deadline
    assert _assigned_codes(session, task) == {"MTTQ", "LDLD", "TINHDOAN", "HLHPN", "HND", "HCCB"}


def test_seed_1661_cites_four_directives(directive_1661):
    cited = [
        (c.cited.doc_type.label, c.cited.reference, c.cited.issued_date)
        for c in directive_1661.citations
    ]
    assert cited == [
        ("Công văn", "197/CV-BCĐ", date(2020, 7, 26)),
        ("Công văn", "1569/UBND-VX", date(2020, 8, 4)),
        ("Thông báo", "51/TB-UBND", date(2020, 8, 5)),
        ("Công văn", "1605/UBND-VX", date(2020, 8, 8)),
    ]
    assert directive_1661.citations[0].text == "Công văn số 197/CV-BCĐ ngày 26/7/2020"


def test_seed_cited_directives_have_no_text_but_an_assignable_duty(session, directive_1661):
    for citation in directive_1661.citations:
        cited = citation.cited
        assert cited.body is None
        assert "1661/UBND-VX" in cited.known_from
        assert cited.status == DirectiveStatus.ACTIVE
        assert len(cited.tasks) == 1
        assert "Bluezone" in cited.tasks[0].text
    assert find_directive(session, "197/CV-BCĐ").issuer_agency.code == "BCD"


def test_seed_loading_twice_changes_nothing(session):
    def counts():
        return [
            session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Agency, AgencyGroup, Directive, Task, Assignment)
        ]

    before = counts()
    report = load_all(session)
    assert report.directives_created == []
    assert (report.tasks_created, report.assignments_created) == (0, 0)
    assert counts() == before


def test_seed_demo_activity_is_marked(session, directive_1661):
    accepted = session.scalars(
        sa.select(Assignment).where(
            Assignment.task_id == directive_1661.tasks[1].id, Assignment.submissions.any()
        )
    ).all()
    assert accepted, "demo activity should have submissions on task 2"
    for assignment in accepted:
        assert all(s.text.startswith(DEMO_MARK) for s in assignment.submissions)
