"""Work handed down the agency tree: sub-units from the CLI, a page and a CSV file; who
sees and reviews what; the roll-up, under random trees; the four-way count at any level;
a fixed number of queries as the tree grows."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import count_queries, csrf_token, post_form
from tracker.agencies.models import Agency
from tracker.agencies.operations import AgencyError, agency_by_code
from tracker.agencies.subunits import add_subunit, import_subunits
from tracker.assignments import obligations
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.assignments.operations import AssignmentError, hand_down
from tracker.assignments.rollup import level, roll_ups
from tracker.assignments.workflow import Action, NotPermitted, apply
from tracker.auth.models import Role


@pytest.fixture
def district(session, make_user, make_agency):
    """A district with two communes, a user each, and a task handed to the district."""
    tamduong = agency_by_code(session, "TAMDUONG")
    binhlu = add_subunit(session, None, parent="TAMDUONG", code="XA-BINHLU", name="UBND xã Bình Lư")
    natam = add_subunit(session, None, parent="TAMDUONG", code="XA-NATAM", name="UBND xã Nà Tăm")
    users = {
        "district": make_user(agency=tamduong, username="td-user"),
        "binhlu": make_user(agency=binhlu, username="binhlu-user"),
        "natam": make_user(agency=natam, username="natam-user"),
        "office": make_user(role=Role.SECRETARIAT, username="office-user"),
    }
    return tamduong, binhlu, natam, users


def test_csv_import_is_all_or_nothing(session):
    good = (
        "parent,code,name,short_name,kind\nTAMDUONG,XA-A,UBND xã A,,\nXA-A,THON-1,Thôn 1,,other\n"
    )
    result = import_subunits(session, None, good.encode())
    assert [agency.code for agency in result.created] == ["XA-A", "THON-1"]
    assert agency_by_code(session, "THON-1").parent.code == "XA-A"
    bad = "parent,code,name\nTAMDUONG,XA-B,UBND xã B\nTAMDUONG,x y,Z\nNOPE,XA-C,C\n"
    savepoint = session.begin_nested()
    with pytest.raises(AgencyError) as refused:
        import_subunits(session, None, bad.encode())
    savepoint.rollback()
    assert "Dòng 3" in str(refused.value) and "Dòng 4" in str(refused.value)
    assert agency_by_code(session, "XA-B") is None
    with pytest.raises(AgencyError, match="thiếu cột"):
        import_subunits(session, None, b"code,name\nX,Y\n")
    with pytest.raises(AgencyError, match="UTF-8"):
        import_subunits(session, None, b"parent,code,name\nTAMDUONG,XA-D,X\xe3 \xd0\n")


def test_hand_down_rules(session, make_assignment, district):
    tamduong, binhlu, natam, users = district
    parent = make_assignment(tamduong, due_date=date(2020, 8, 20))
    with pytest.raises(AssignmentError, match="không được sau"):
        hand_down(session, users["district"], parent, [binhlu], due_date=date(2020, 8, 21))
    with pytest.raises(AssignmentError, match="Không phải đơn vị trực thuộc"):
        hand_down(
            session, users["district"], parent, [agency_by_code(session, "SYT")], due_date=None
        )
    with pytest.raises(AssignmentError, match="Chỉ đơn vị được giao"):
        hand_down(session, users["binhlu"], parent, [natam], due_date=None)
    with pytest.raises(AssignmentError, match="Chỉ đơn vị được giao"):
        hand_down(session, users["office"], parent, [natam], due_date=None)
    result = hand_down(
        session,
        users["district"],
        parent,
        [binhlu, natam],
        due_date=None,
        instructions="Đi từng nhà",
    )
    assert [a.agency.code for a in result.created] == ["XA-BINHLU", "XA-NATAM"]
    assert all(a.due_date == date(2020, 8, 20) and a.parent_id == parent.id for a in result.created)
    again = hand_down(session, users["district"], parent, [binhlu], due_date=None)
    assert again.created == [] and again.skipped == [binhlu]


def test_review_belongs_to_the_handing_down_agency(session, make_assignment, district):
    tamduong, binhlu, natam, users = district
    parent = make_assignment(tamduong, due_date=date(2020, 8, 20))
    child = hand_down(session, users["district"], parent, [binhlu], due_date=None).created[0]
    apply(child, Action.SUBMIT, users["binhlu"], text="Đã củng cố 12 tổ.")
    assert child.is_reviewer(users["district"]) and not child.is_reviewer(users["office"])
    assert child.can_view(users["office"]) and child.can_view(users["district"])
    assert not child.can_view(users["natam"]) and not parent.can_view(users["binhlu"])
    with pytest.raises(NotPermitted):
        apply(child, Action.ACCEPT, users["office"])
    apply(child, Action.ACCEPT, users["district"])
    assert child.status == AssignmentStatus.DONE
    assert roll_ups(session, date(2020, 8, 19), [parent.id])[parent.id].done == 1


def test_pages_show_each_their_subtree(client, auth, session, make_assignment, district, today):
    tamduong, binhlu, natam, users = district
    parent = make_assignment(tamduong, due_date=date(2020, 8, 20))
    session.commit()
    auth.login("td-user")
    page = f"/assignments/{parent.id}"
    assert 'data-testid="hand-down"' in client.get(page).get_data(as_text=True)
    late = post_form(
        client,
        f"{page}/hand-down",
        {"sub_units": [str(binhlu.id)], "due_date": "21/08/2020"},
        token_from=page,
    )
    assert late.status_code == 422 and "không được sau" in late.get_data(as_text=True)
    done = post_form(
        client, f"{page}/hand-down", {"sub_units": [str(binhlu.id), str(natam.id)]}, token_from=page
    )
    assert done.status_code == 302
    children = session.scalars(sa.select(Assignment).where(Assignment.parent_id == parent.id)).all()
    assert len(children) == 2
    mine = client.get(f"/agencies/{tamduong.id}").get_data(as_text=True)
    assert "0/2 đơn vị đã hoàn thành" in mine and "UBND xã Bình Lư" in mine
    auth.logout()
    auth.login("binhlu-user")
    own = next(child for child in children if child.agency_id == binhlu.id)
    sibling = next(child for child in children if child.agency_id == natam.id)
    assert client.get(f"/assignments/{own.id}").status_code == 200
    assert client.get(f"/assignments/{sibling.id}").status_code == 404
    assert client.get(page).status_code == 404
    assert client.get(f"/agencies/{tamduong.id}").status_code == 404
    assert client.get(f"/agencies/{binhlu.id}").status_code == 200
    listed = client.get("/assignments").get_data(as_text=True)
    assert f"/assignments/{own.id}" in listed and f"/assignments/{sibling.id}" not in listed


def test_admin_adds_sub_units_on_the_page(client, auth, session, today):
    tamduong = agency_by_code(session, "TAMDUONG")
    session.commit()
    auth.login("admin")
    page = f"/agencies/{tamduong.id}"
    added = post_form(
        client,
        f"{page}/subunits",
        {"code": "xa-banbo", "name": "UBND xã Bản Bo"},
        token_from=page,
    )
    assert added.status_code == 302
    assert agency_by_code(session, "XA-BANBO").parent_id == tamduong.id
    refused = post_form(
        client, f"{page}/subunits", {"code": "XA-BANBO", "name": "Trùng"}, token_from=page
    )
    assert refused.status_code == 422 and "Đã có cơ quan" in refused.get_data(as_text=True)
    csv_file = (
        io.BytesIO(
            b"parent,code,name\nTAMDUONG,XA-HOTHAU,UBND x\xc3\xa3 H\xe1\xbb\x93 Th\xe1\xba\xa7u\n"
        ),
        "x.csv",
    )
    imported = client.post(
        f"{page}/subunits/import",
        data={"file": csv_file, "csrf_token": csrf_token(client, page)},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    assert agency_by_code(session, "XA-HOTHAU").name == "UBND xã Hồ Thầu"
    auth.logout()
    auth.login("tamduong")
    assert (
        post_form(
            client, f"{page}/subunits", {"code": "XA-Z", "name": "Z"}, token_from=page
        ).status_code
        == 403
    )


def test_province_counts_leave_handed_down_work_out(session, make_assignment, district):
    tamduong, binhlu, natam, users = district
    parent = make_assignment(tamduong, due_date=date(2020, 8, 20))
    of_task = Assignment.task_id == parent.task_id
    day = date(2020, 8, 25)
    before = obligations.counts(session, day, obligations.PROVINCE, of_task)
    hand_down(session, users["district"], parent, [binhlu, natam], due_date=None)
    assert obligations.counts(session, day, obligations.PROVINCE, of_task) == before
    at_district = obligations.counts(session, day, obligations.tier(tamduong.id), of_task)
    assert at_district.total == 2 and at_district.open_overdue == 2


# The roll-up under random trees ---------------------------------------------------------------


@st.composite
def trees(draw):
    """Parents (index of an earlier node, or None for a child of the root), whether each
    node is handed the work, its status and its reported figure."""
    size = draw(st.integers(1, 9))
    nodes = []
    for index in range(size):
        parent = draw(st.one_of(st.none(), st.integers(0, index - 1))) if index else None
        nodes.append(
            (
                parent,
                draw(st.booleans()),
                draw(st.sampled_from(["assigned", "submitted", "done"])),
                draw(st.one_of(st.none(), st.tuples(st.integers(0, 50), st.integers(50, 80)))),
            )
        )
    return nodes


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=trees())
def test_roll_up_and_levels_agree_with_an_oracle(session, make_task, make_user, today, tree):
    savepoint = session.begin_nested()
    try:
        root = add_subunit(
            session, None, parent="UBND", code="ROOT", name="Huyện thử", kind="district"
        )
        agencies = [root]
        for index, (parent, *_rest) in enumerate(tree):
            above = agencies[0] if parent is None else agencies[parent + 1]
            agencies.append(
                add_subunit(
                    session, None, parent=above.code, code=f"N{index}", name=f"Đơn vị {index}"
                )
            )
        users = {agency.id: make_user(agency=agency) for agency in agencies}
        task = make_task(
            due_date=date(2020, 8, 20),
            indicators=[
                {
                    "code": "k",
                    "name": "Tỷ lệ",
                    "unit": "người",
                    "numerator": "Đạt",
                    "denominator": "Tổng",
                    "target_percent": 100,
                }
            ],
        )
        from tracker.assignments.operations import assign_task

        held = {root.id: assign_task(session, None, task, [root]).created[0]}
        # Hand down breadth first: a node is handed the work only if its parent holds it.
        for index, (parent, handed, _status, _figure) in enumerate(tree):
            agency, above = (
                agencies[index + 1],
                agencies[0] if parent is None else agencies[parent + 1],
            )
            if handed and above.id in held:
                held[agency.id] = hand_down(
                    session, users[above.id], held[above.id], [agency], due_date=None
                ).created[0]
        # Leaves first, so a parent's acceptance follows its own report.
        for index in reversed(range(len(tree))):
            _parent, _handed, status, figure = tree[index]
            assignment = held.get(agencies[index + 1].id)
            if assignment is None or status == "assigned":
                continue
            worker = users[assignment.agency_id]
            figures = {"k": list(figure)} if figure else {"k": [0, 1]}
            apply(assignment, Action.SUBMIT, worker, text="Báo cáo.", figures=figures)
            if status == "done":
                apply(assignment, Action.ACCEPT, users[assignment.parent.agency_id])
        as_of = date(2020, 9, 1)
        found = roll_ups(session, as_of, [a.id for a in held.values()])

        def oracle(assignment):
            own = [a for a in held.values() if a.parent_id == assignment.id]
            return own

        def value(assignment):
            if assignment.status in (AssignmentStatus.SUBMITTED, AssignmentStatus.DONE):
                index = agencies.index(assignment.agency) - 1
                figure = tree[index][3] if index >= 0 else None
                return tuple(figure) if figure else (0, 1)
            total = None
            for child in oracle(assignment):
                child_value = value(child)
                if child_value is not None:
                    total = (
                        child_value
                        if total is None
                        else (total[0] + child_value[0], total[1] + child_value[1])
                    )
            return total

        for assignment in held.values():
            roll = found[assignment.id]
            children = oracle(assignment)
            assert {a.id for a in roll.lines} == {a.id for a in children}
            assert roll.done == sum(a.status == AssignmentStatus.DONE for a in children)
            values = [value(child) for child in children if value(child) is not None]
            if values:
                assert roll.figures["k"] == (sum(v[0] for v in values), sum(v[1] for v in values))
                assert roll.reporting["k"] == len(values)
            else:
                assert "k" not in roll.figures
        # The four-way count at each level is the sum of its branches, and the branches
        # are each a sub-unit's own handed-down obligations plus its own level's.
        of_task = Assignment.task_id == task.id
        for agency in agencies:
            at = level(session, as_of, agency)
            total = obligations.total_of([counts for _child, counts in at.sub_units])
            assert total == at.handed_down
            for child, counts in at.sub_units:
                own = obligations.counts(
                    session,
                    as_of,
                    Assignment.agency_id == child.id,
                    Assignment.parent_id.is_not(None),
                    of_task,
                )
                below = obligations.counts(session, as_of, obligations.tier(child.id), of_task)
                assert counts == own + below
            below_all = sum(
                1
                for a in held.values()
                if a.parent_id is not None
                and agency.id != a.agency_id
                and _within(a.agency, agency)
            )
            assert at.handed_down.total == below_all
    finally:
        savepoint.rollback()
        session.expire_all()


def _within(agency: Agency, ancestor: Agency) -> bool:
    current = agency
    while current is not None:
        if current.id == ancestor.id:
            return True
        current = current.parent
    return False


def test_roll_up_and_agency_page_queries_do_not_grow_with_the_tree(
    client, auth, session, connection, make_assignment, district, today
):
    tamduong, binhlu, natam, users = district
    parent = make_assignment(tamduong, due_date=date(2020, 8, 20))
    session.commit()
    auth.login("td-user")

    def measure() -> tuple[int, int]:
        session.expire_all()
        with count_queries(connection) as rollup_statements:
            roll_ups(session, today, [parent.id])
        with count_queries(connection) as page_statements:
            assert client.get(f"/agencies/{tamduong.id}").status_code == 200
        return len(rollup_statements), len(page_statements)

    hand_down(session, users["district"], parent, [binhlu], due_date=None)
    session.commit()
    measure()  # the first request reads the working-day calendar, kept for the process
    small = measure()
    rng = random.Random(7)
    above = [binhlu, natam]
    for number in range(30):
        agency = add_subunit(
            session,
            None,
            parent=rng.choice(above).code,
            code=f"GROW{number}",
            name=f"Đơn vị {number}",
        )
        above.append(agency)
    hand_down(session, users["district"], parent, above[1:], due_date=None)
    second = make_assignment(tamduong, due_date=date(2020, 8, 20))
    hand_down(session, users["district"], second, above[1:5], due_date=None)
    session.commit()
    large = measure()
    assert large == small
