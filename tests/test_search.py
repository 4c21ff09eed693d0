"""Search: diacritics ignored, ranked, filtered, highlighted, in step with the data in
the same transaction, and never past what the user may see."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import user_named
from tracker.assignments.models import Assignment, Submission
from tracker.assignments.queries import visible_directive_ids, visible_ids, visible_to
from tracker.assignments.workflow import Action, apply
from tracker.directives.models import Task
from tracker.evidence.operations import add_evidence, withdraw_evidence
from tracker.search import index
from tracker.search.folding import fold, terms
from tracker.search.models import EntryKind, SearchEntry
from tracker.search.queries import Filters, excerpt, highlight, search


def _hits(client, query: str, **filters) -> list[tuple[str, int]]:
    response = client.get("/search", query_string={"q": query, **filters})
    assert response.status_code == 200
    return [
        (kind, int(number))
        for kind, number in re.findall(
            r'data-kind="(\w+)" data-object="(\d+)"', response.get_data(as_text=True)
        )
    ]


def test_folding_keeps_offsets_and_drops_diacritics():
    text = "Đẩy mạnh CÀI ĐẶT ứng dụng Bluezone"
    assert fold(text) == "day manh cai dat ung dung bluezone"
    assert len(fold(text)) == len(text)
    assert terms("  Cài   đặt, BLUEZONE! cài ") == ["cai", "dat", "bluezone"]


def test_office_finds_1661_without_diacritics(client, auth, directive_1661):
    """The contract: /search?q=cai+dat+bluezone as vanphong lists Công văn 1661."""
    auth.login("vanphong")
    hits = _hits(client, "cai dat bluezone")
    assert ("directive", directive_1661.id) in hits
    page = client.get("/search?q=cai+dat+bluezone").get_data(as_text=True)
    assert "<mark>cài</mark>" in page and "<mark>Bluezone</mark>" in page
    assert _hits(client, "CÀI ĐẶT Bluezone") == hits  # the same, whatever the spelling


def test_search_by_number_puts_the_directive_first(client, auth, directive_1661):
    auth.login("vanphong")
    assert _hits(client, "1661/UBND-VX")[0] == ("directive", directive_1661.id)


def test_an_agency_never_finds_another_agency_reports_or_files(client, auth, session):
    """As syt: every report or file found belongs to work syt may see, and the words of
    other agencies' reports find none of theirs."""
    syt = user_named(session, "syt")
    others = session.scalars(
        sa.select(Submission)
        .join(Assignment)
        .join(Task)
        .where(sa.not_(visible_to(syt)), Submission.text != "")
    ).all()
    assert others
    seen = set(session.scalars(sa.select(Assignment.id).join(Task).where(visible_to(syt))))
    auth.login("syt")
    for submission in others[:8]:
        words = " ".join(terms(submission.text)[2:6])
        found = search(session, syt, words, Filters())
        for hit in found.hits:
            if hit.kind in (EntryKind.SUBMISSION, EntryKind.EVIDENCE):
                assert hit.assignment_id in seen, (words, hit)
        page = client.get("/search", query_string={"q": words}).get_data(as_text=True)
        assert submission.text[:80] not in page
    for kind, _ in _hits(client, "so"):
        assert kind != "agency"  # agencies are listed for the office and leaders


def test_the_index_follows_the_data_in_the_same_transaction(session, make_assignment, make_user):
    assignment = make_assignment("SNV")
    worker = user_named(session, "snv")
    office = user_named(session, "vanphong")
    apply(assignment, Action.SUBMIT, worker, text="Đã tổ chức tập huấn xylophone cho 30 xã.")
    assert [hit.kind for hit in search(session, office, "xylophone", Filters()).hits] == [
        EntryKind.SUBMISSION
    ]
    evidence = add_evidence(
        session, worker, assignment, io.BytesIO(b"Danh sach tap huan.\n"), "zebra-tap-huan.txt"
    )
    (hit,) = search(session, office, "zebra", Filters()).hits
    assert (hit.kind, hit.assignment_id) == (EntryKind.EVIDENCE, assignment.id)
    withdraw_evidence(session, worker, evidence)
    session.flush()
    assert search(session, office, "zebra", Filters()).hits == []

    savepoint = session.begin_nested()
    apply(assignment, Action.RETURN, office, reason="Bổ sung.")
    apply(assignment, Action.SUBMIT, worker, text="Báo cáo bổ sung về quokka.")
    assert search(session, office, "quokka", Filters()).total == 1
    savepoint.rollback()
    assert search(session, office, "quokka", Filters()).total == 0  # rolled back with it


def test_rebuild_gives_the_same_index(session):
    before = session.execute(
        sa.select(SearchEntry.kind, SearchEntry.object_id, SearchEntry.title).order_by(
            SearchEntry.kind, SearchEntry.object_id
        )
    ).all()
    office = user_named(session, "vanphong")
    found = search(session, office, "bluezone", Filters()).total
    assert index.rebuild(session) == len(before)
    after = session.execute(
        sa.select(SearchEntry.kind, SearchEntry.object_id, SearchEntry.title).order_by(
            SearchEntry.kind, SearchEntry.object_id
        )
    ).all()
    assert after == before
    assert search(session, office, "bluezone", Filters()).total == found


def test_rebuild_writes_entries_in_date_order(session):
    """Search takes the highest ids as the newest: a rebuilt index numbers its entries
    in date order, those without a date first."""
    index.rebuild(session)
    days = [day for day in session.scalars(sa.select(SearchEntry.day).order_by(SearchEntry.id))]
    dated = [day for day in days if day is not None]
    assert dated == sorted(dated) and len(set(dated)) > 5
    assert days.index(dated[0]) == days.count(None)


def test_filters_narrow_the_results(client, auth, session):
    office = user_named(session, "vanphong")
    everything = search(session, office, "bluezone", Filters())
    tasks = search(session, office, "bluezone", Filters(kind=EntryKind.TASK))
    assert 0 < tasks.total < everything.total
    assert {hit.kind for hit in tasks.hits} == {EntryKind.TASK}
    reports = search(session, office, "bluezone", Filters(kind=EntryKind.SUBMISSION, agency="SYT"))
    assert reports.total and {hit.agency_code for hit in reports.hits} == {"SYT"}
    late = search(session, office, "bluezone", Filters(day_from=date(2020, 8, 19)))
    assert late.hits and all(hit.day and hit.day >= date(2020, 8, 19) for hit in late.hits)
    auth.login("vanphong")
    response = client.get("/search?q=bluezone&from=19/08/2020")
    assert response.status_code == 400
    assert "Từ ngày phải là một ngày" in response.get_data(as_text=True)
    assert client.get("/search?q=bluezone&kind=bogus").status_code == 400


def test_status_filter_narrows_by_a_directive_or_report_status(client, auth, session):
    office = user_named(session, "vanphong")
    active = search(session, office, "bluezone", Filters(status="active"))
    assert active.hits and {hit.kind for hit in active.hits} == {EntryKind.DIRECTIVE}
    accepted = search(session, office, "bluezone", Filters(status="accepted"))
    assert accepted.hits and {hit.status for hit in accepted.hits} == {"accepted"}
    auth.login("vanphong")
    page = client.get("/search?q=bluezone&status=accepted").get_data(as_text=True)
    assert '<option value="accepted" selected>' in page
    wrong = client.get("/search?q=bluezone&status=bogus")
    assert wrong.status_code == 400
    assert "Trạng thái “bogus” không hợp lệ." in wrong.get_data(as_text=True)
    english = client.get("/search?q=bluezone&from=19/08/2020&lang=en").get_data(as_text=True)
    assert "From must be a date (year-month-day)." in english
    english = client.get("/search?q=bluezone&status=bogus&lang=en").get_data(as_text=True)
    assert "Status “bogus” is not valid." in english


def test_highlight_escapes_what_it_shows():
    shown = highlight("<script>alert(1)</script> Cài đặt", ["cai"])
    assert str(shown) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Cài</mark> đặt"
    long = "mở đầu " * 100 + "cài đặt Bluezone" + " kết thúc" * 100
    piece = str(excerpt(long, ["bluezone"]))
    assert piece.startswith("… ") and piece.endswith(" …")
    assert "<mark>Bluezone</mark>" in piece


@pytest.mark.parametrize("query", ["", "   ", "!!!", "“”"])
def test_empty_queries_find_nothing_and_fail_nothing(client, auth, query):
    auth.login("vanphong")
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert 'data-testid="search-results"' not in response.get_data(as_text=True)


def test_operators_in_a_query_are_words(client, auth):
    """FTS syntax typed by a user ("AND", quotes, stars, NEAR) is searched as text."""
    auth.login("vanphong")
    for query in ['bluezone" OR "x', "bluezone*", "NEAR(bluezone", "a:* & b", "-bluezone"]:
        assert client.get("/search", query_string={"q": query}).status_code == 200


@pytest.mark.parametrize("username", ["vanphong", "lanhdao", "stttt", "syt", "snv", "admin"])
def test_the_index_lookups_say_what_visible_to_says(session, username):
    """search reads visibility as a union of index lookups: the same rule as the pages'."""
    user = user_named(session, username)
    by_rule = set(session.scalars(sa.select(Assignment.id).join(Task).where(visible_to(user))))
    by_ids = set(
        session.scalars(sa.select(Assignment.id).where(Assignment.id.in_(visible_ids(user))))
    )
    assert by_ids == by_rule
    directives = set(
        session.scalars(sa.select(Task.directive_id).join(Assignment).where(visible_to(user)))
    )
    assert set(session.scalars(visible_directive_ids(user))) == directives


def test_a_common_word_ranks_its_newest_matches_and_says_so(session, monkeypatch):
    """Past RANKED matches, the newest RANKED (those the user may see) are ranked, the
    total says "more than", and every hit is one of those newest."""
    from tracker.search import queries

    office = user_named(session, "vanphong")
    everything = search(session, office, "bluezone", Filters())
    assert not everything.more and 4 < everything.total == len(everything.hits)

    def entry_ids(hits) -> set[int]:
        return {
            session.scalars(
                sa.select(SearchEntry.id).where(
                    SearchEntry.kind == hit.kind.value, SearchEntry.object_id == hit.object_id
                )
            ).one()
            for hit in hits
        }

    monkeypatch.setattr(queries, "RANKED", 3)
    capped = search(session, office, "bluezone", Filters())
    assert capped.more and capped.total == 3
    assert entry_ids(capped.hits) == set(sorted(entry_ids(everything.hits))[-3:])
