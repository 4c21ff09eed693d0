"""The dashboards' charts: figures from the one model, drawn as SVG images with no
script, each with its numbers on the page."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker import clock
from tracker.assignments import obligations
from tracker.assignments.deadlines import COUNTED, OUTCOME_SHORT_LABELS, Outcome
from tracker.directives.models import Directive, DirectiveStatus, Task
from tracker.reports import counts, trends
from tracker.reports.accountability import build_accountability

AS_OF = date(2020, 9, 10)


def test_weekly_rate_counts_each_deadline_in_its_week(session):
    weeks = trends.weekly_on_time(session, AS_OF)
    assert len(weeks) == trends.WEEKS
    assert weeks[-1].starts_on <= AS_OF <= weeks[-1].ends_on
    assert all(week.starts_on.weekday() == 0 for week in weeks)
    # The oracle: every obligation owed on AS_OF, bucketed by its deadline's Monday.
    owed = obligations.obligations(AS_OF)
    expected: dict[date, Counter] = {}
    for due, outcome in session.execute(sa.select(owed.c.due_date, owed.c.outcome)):
        if due is None or due > AS_OF or due < weeks[0].starts_on:
            continue
        monday = due - timedelta(days=due.weekday())
        expected.setdefault(monday, Counter())[outcome] += 1
    assert sum(sum(counter.values()) for counter in expected.values()) > 0
    for week in weeks:
        counter = expected.get(week.starts_on, Counter())
        assert [week.counts.get(o) for o in COUNTED] == [counter[o.value] for o in COUNTED]
        judged = counter["done_on_time"] + counter["done_late"] + counter["open_overdue"]
        assert week.counts.on_time_rate == (
            pytest.approx(100 * counter["done_on_time"] / judged) if judged else None
        )


def test_ranking_agrees_with_the_accountability_report(session, directive_1661):
    ranking = trends.indicator_ranking(session, AS_OF)
    assert ranking is not None and ranking.directive.id == directive_1661.id
    (section,) = [s for s in build_accountability(session, AS_OF, directive_1661.id).sections]
    report = {
        line.agency_code: (line.indicator_value, line.indicator_rank)
        for line in section.lines
        if line.indicator_value is not None
    }
    chart = {line.agency_code: (line.rate, line.rank) for line in ranking.lines}
    assert set(chart) == set(report)
    for code, (rate, rank) in chart.items():
        assert rate == pytest.approx(report[code][0]) and rank == report[code][1]
    # The province figure sums numerators and denominators; it is no mean of the rates.
    province = ranking.province
    assert province.numerator == sum(line.numerator for line in ranking.lines)
    assert province.denominator == sum(line.denominator for line in ranking.lines)
    assert province.rate == pytest.approx(100 * province.numerator / province.denominator)
    rates = [line.rate for line in ranking.lines]
    assert rates == sorted(rates, reverse=True)
    assert all(line.gap == pytest.approx(max(0.0, 100 - line.rate)) for line in ranking.lines)


def test_progress_is_the_dashboard_total(client, auth, session):
    figure = trends.progress(session, AS_OF)
    assert figure.counts.total and figure.done == (
        figure.counts.done_on_time + figure.counts.done_late
    )
    auth.login("lanhdao")
    page = client.get(f"/?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    totals = page.split('data-testid="totals"')[1].split("</tr>")[0]
    assert f'data-count="total">{figure.counts.total}<' in totals
    share = re.search(r'data-count="done_share">([^<]+)<', page).group(1)
    assert share.replace(
        "\u00a0", " "
    ) == f"{100 * figure.done / figure.counts.total:.1f} %".replace(".", ",")


@pytest.mark.parametrize("name", ["directives", "weekly", "ranking"])
def test_chart_is_an_svg_image_without_script(client, auth, name):
    auth.login("vanphong")
    response = client.get(f"/charts/{name}.svg?as_of={AS_OF.isoformat()}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "<script" not in svg and "http://kozea" not in svg.lower()
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    if name == "directives":
        assert "Công văn 1661/UBND-VX" in svg and "Quá hạn (đã xong)" in svg
    if name == "ranking":
        assert "Sở TT&amp;TT" in svg or "Sở TT&TT" in svg


def test_dashboards_show_charts_with_their_numbers(client, auth):
    auth.login("vanphong")
    page = client.get(f"/?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    for name in ("weekly", "directives", "ranking"):
        assert f"/charts/{name}.svg?as_of=2020-09-10" in page
    assert 'data-testid="chart-weekly-data"' in page
    assert 'data-testid="chart-ranking-data"' in page
    auth.logout()
    auth.login("stttt")
    page = client.get(f"/?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert "/charts/weekly.svg" in page and "/charts/ranking.svg" not in page
    assert "Toàn bộ nhiệm vụ của Sở TT&amp;TT" in page


def test_an_agency_charts_only_its_own_work(client, auth, session):
    auth.login("stttt")
    assert client.get("/charts/ranking.svg").status_code == 403
    assert client.get("/charts/nothing.svg").status_code == 404
    own = client.get(f"/charts/directives.svg?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    auth.logout()
    auth.login("vanphong")
    everyone = client.get(f"/charts/directives.svg?as_of={AS_OF.isoformat()}").get_data(
        as_text=True
    )
    assert own != everyone  # the agency's bars are its own counts, not the province's


def test_late_agencies_link_to_their_list(client, auth):
    auth.login("lanhdao")
    page = client.get(f"/?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    late = page.split('data-testid="late-agencies"')[1]
    assert re.search(r'href="/assignments\?agency=\w+&amp;overdue=1&amp;sort=deadline"', late)


def test_outcomes_have_short_labels_for_every_counted_class():
    assert set(OUTCOME_SHORT_LABELS) == set(COUNTED)
    assert Outcome.CANCELLED not in OUTCOME_SHORT_LABELS


def test_the_dashboard_pages_its_directives_and_totals_them_all(client, auth, session, monkeypatch):
    """Read on the day itself, the total comes from the tallies: it is every listed
    directive's counts added up, page by page, and the live recount's."""
    statuses = (DirectiveStatus.ACTIVE, DirectiveStatus.DRAFT)
    with clock.frozen(AS_OF):
        first = counts.directive_page(session, AS_OF, 1, statuses=statuses, per_page=1)
        assert first.pages >= 2
        pages = [
            counts.directive_page(session, AS_OF, n, statuses=statuses, per_page=1)
            for n in range(1, 99)
        ]
        assert pages[-1].page == first.pages  # past the last page: the last
        listed = [s for p in pages[: first.pages] for s in p.summaries]
        assert len({s.directive.id for s in listed}) == first.pages
        assert first.total == obligations.total_of(s.counts for s in listed)
        live = obligations.counts(
            session,
            AS_OF,
            obligations.PROVINCE,
            Task.directive_id.in_(sa.select(Directive.id).where(Directive.status.in_(statuses))),
        )
        assert first.total == live and live.total > 0
        # The weekly chart read from the tallies is the obligations' own.
        assert trends.province_weekly_on_time(session, AS_OF) == trends.weekly_on_time(
            session, AS_OF, obligations.PROVINCE
        )
        monkeypatch.setattr(counts, "DIRECTIVES_PER_PAGE", 1)
        auth.login("vanphong")
        page = client.get("/?page=2").get_data(as_text=True)
    assert 'data-testid="directive-pages"' in page
    assert f"Trang 2/{first.pages}" in page
    totals = page.split('data-testid="totals"')[1].split("</tr>")[0]
    assert f'data-count="total">{first.total.total}<' in totals
    assert page.count('<tr data-directive="') == 1
