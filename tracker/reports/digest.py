"""The weekly digest of a directive: a short message to paste into the steering
committee's Zalo group, and a chart sized for a phone.

For a directive and a Vietnamese week (Monday to Sunday), as things stood at the end of
the week (or today, for the week under way): the four-way count of its obligations (the
one model), the reports sent that week, the agencies with overdue work, and the
agencies ranked on the directive's first indicator, with the province-wide figure from
summed numerators and denominators. The message is plain Vietnamese text (NFC) of at
most MESSAGE_LENGTH characters, its lists shortened to fit.

Zalo has no open API for group messages: tracker stops at a message ready to paste.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.assignments import obligations
from tracker.assignments.models import Assignment, Period, PeriodStatus, Submission
from tracker.assignments.obligations import Counts
from tracker.auth.models import User
from tracker.directives.models import Directive, Task
from tracker.formatting import format_date, format_number, format_percent
from tracker.reports.indicators import (
    ProvinceFigure,
    describe,
    end_of_day,
    province_figures,
    target_text,
)
from tracker.reports.trends import (
    IndicatorRanking,
    first_indicator,
    province_by_week,
    ranking_of,
)

#: The longest message: a Zalo message stays readable on a phone.
MESSAGE_LENGTH = 1500
#: Weeks the chart's trend shows, the digest's week last.
TREND_WEEKS = 6


class DigestError(ValueError):
    """A digest that cannot be made; the message is for the user."""


def week_of(day: date) -> tuple[date, date]:
    """The Vietnamese week (Monday to Sunday) holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class Sent:
    """Reports sent in the week, by agency: (short name, how many)."""

    agencies: list[tuple[str, int]]

    @property
    def reports(self) -> int:
        return sum(count for _name, count in self.agencies)


@dataclass(frozen=True)
class Digest:
    directive: Directive
    starts_on: date
    ends_on: date
    #: The day the figures are as of: the week's Sunday, or today for this week.
    as_of: date
    counts: Counts
    sent: Sent
    #: Agencies with overdue work on `as_of`: (short name, obligations overdue), most first.
    late: list[tuple[str, int]]
    #: Every indicator of the directive, province-wide, as of `as_of`.
    figures: list[ProvinceFigure]
    ranking: IndicatorRanking | None
    #: (day, province-wide figure) of the ranked indicator at the end of each week,
    #: oldest first; the last is `as_of` (`trends.province_by_week`).
    trend: list[tuple[date, ProvinceFigure | None]]
    link: str

    @property
    def text(self) -> str:
        """The message, its lists shortened until it fits MESSAGE_LENGTH."""
        for names in (5, 4, 3, 2, 1, 0):
            text = unicodedata.normalize("NFC", "\n".join(self._lines(names)))
            if len(text) <= MESSAGE_LENGTH:
                return text
        return text[: MESSAGE_LENGTH - 1] + "…"

    def _lines(self, names: int) -> list[str]:
        directive, counts = self.directive, self.counts
        lines = [
            f"TUẦN {format_date(self.starts_on)} – {format_date(self.ends_on)}: {directive.title}",
        ]
        if directive.subject:
            lines.append(f"V/v {directive.subject}")
        done = counts.done_on_time + counts.done_late
        rate = counts.on_time_rate
        lines += [
            "",
            f"- Tiến độ đến ngày {format_date(self.as_of)}: {done}/{counts.total} nhiệm vụ"
            f" đã hoàn thành ({counts.done_on_time} đúng hạn, {counts.done_late} quá hạn);"
            f" {counts.open_within} đang thực hiện trong hạn; {counts.open_overdue} quá hạn"
            " chưa hoàn thành."
            + (f" Tỷ lệ đúng hạn: {format_percent(rate)}." if rate is not None else ""),
        ]
        if self.sent.agencies:
            listed = _listing([f"{name} ({count})" for name, count in self.sent.agencies], names)
            lines.append(
                f"- Trong tuần: {self.sent.reports} báo cáo của {len(self.sent.agencies)}"
                f" cơ quan, đơn vị{': ' + listed if listed else ''}."
            )
        else:
            lines.append("- Trong tuần: chưa có báo cáo nào.")
        if self.late:
            listed = _listing([f"{name} ({count})" for name, count in self.late], names)
            lines.append(
                f"- Chậm: {len(self.late)} cơ quan, đơn vị còn nhiệm vụ quá hạn"
                f"{': ' + listed if listed else ''}."
            )
        else:
            lines.append("- Không có cơ quan, đơn vị nào còn nhiệm vụ quá hạn.")
        lines += self._indicator_lines(names)
        lines += ["", f"Chi tiết: {self.link}"]
        return lines

    def _indicator_lines(self, names: int) -> list[str]:
        lines = [f"- {_figure_line(figure)}" for figure in self.figures]
        ranking = self.ranking
        if ranking is None or not ranking.lines or not names:
            return lines
        indicator = ranking.indicator
        shown = max(1, min(3, names))
        scored = [
            f"{line.agency_name} {describe(indicator, line.numerator, line.denominator)}"
            if line.rate is None
            else f"{line.agency_name} {format_percent(line.rate)}"
            for line in ranking.lines
        ]
        lines.append(f"  {indicator.name}, cao nhất: {', '.join(scored[:shown])}.")
        if len(ranking.lines) > shown:
            lines.append(f"  Thấp nhất: {', '.join(list(reversed(scored))[:shown])}.")
        return lines


def _figure_line(figure: ProvinceFigure) -> str:
    """'Tỷ lệ ... (mục tiêu 100 %): toàn tỉnh 33.000/460.196 (7,2 %), theo ...'."""
    indicator = figure.indicator
    target = target_text(indicator)
    named = f"{indicator.name}{f' (mục tiêu {target})' if target else ''}"
    if figure.numerator is None:
        return f"{named}: chưa có số liệu."
    line = f"{named}: toàn tỉnh {figure.describe()}"
    if figure.stated:
        assert figure.day is not None
        line += f", số liệu ngày {format_date(figure.day)}: {indicator.baseline_source}"
        if figure.reporting:
            line += (
                f"; {figure.reporting}/{figure.owing} đơn vị đã báo cáo, cộng"
                f" {format_number(figure.reported[0])} {indicator.unit}".rstrip()
            )
    elif not figure.complete:
        line += f"; {figure.reporting}/{figure.owing} đơn vị đã báo cáo"
    return line + "."


def may_read(session: Session, user: User, directive: Directive) -> bool:
    """Who may make a directive's digest (none of a draft): the office and leaders, and
    an agency with a recurring (weekly, monthly...) task of it, which reports such
    digests (1661's task 4, Sở TT&TT). It names every agency's figures and delays."""
    if directive.is_draft:
        return False
    if user.reads_everything:
        return True
    if user.agency_id is None:
        return False
    return bool(
        session.scalar(
            sa.select(sa.literal(True))
            .select_from(Assignment)
            .join(Task, Assignment.task_id == Task.id)
            .where(
                Task.directive_id == directive.id,
                Task.recurrence.is_not(None),
                Assignment.agency_id == user.agency_id,
            )
            .limit(1)
        )
    )


def period_to_report(
    session: Session, user: User, directive: Directive, digest: Digest
) -> Period | None:
    """The reporting period of the user's agency that this digest can be sent as, in
    one step: of a recurring task of the directive, begun by the week's end, still to
    report (open, or returned); the one covering the week first, else the earliest
    due."""
    if user.agency_id is None:
        return None
    covers = sa.and_(Period.starts_on <= digest.ends_on, Period.ends_on >= digest.starts_on)
    return session.scalars(
        sa.select(Period)
        .join(Assignment, Period.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(
            Task.directive_id == directive.id,
            Task.recurrence.is_not(None),
            Assignment.agency_id == user.agency_id,
            Period.status.in_((PeriodStatus.OPEN, PeriodStatus.RETURNED)),
            Period.starts_on <= digest.ends_on,
        )
        .order_by(sa.case((covers, 0), else_=1), Period.due_date, Period.id)
        .limit(1)
    ).first()


def link_to(directive: Directive) -> str:
    """The directive's page as a full link: on BASE_URL, else MAIL_BASE_URL (the address
    people open tracker at), since a digest is also made without a request."""
    config = current_app.config
    base = (config.get("BASE_URL") or config.get("MAIL_BASE_URL") or "").rstrip("/")
    paths = current_app.url_map.bind("localhost")
    return base + paths.build("directives.show", {"directive_id": directive.id})


def _listing(items: list[str], names: int) -> str:
    """The first `names` items, then how many more."""
    if names == 0:
        return ""
    shown = ", ".join(items[:names])
    rest = len(items) - names
    return shown + (f" và {rest} đơn vị khác" if rest > 0 else "")


def compose(session: Session, directive: Directive, day: date, today: date, link: str) -> Digest:
    """The digest of the week holding `day`, as things stood at its end (or `today`,
    for the week under way). A fixed number of queries, plus one per trend week."""
    starts_on, ends_on = week_of(day)
    issued = directive.issued_date or date.min
    if starts_on > today:
        raise DigestError(_("Tuần được chọn chưa bắt đầu."))
    if ends_on < issued:
        raise DigestError(
            _(
                "Tuần được chọn kết thúc trước ngày ban hành văn bản (%(date)s).",
                date=format_date(issued),
            )
        )
    as_of = min(ends_on, today)
    of_directive = sa.and_(obligations.PROVINCE, Task.directive_id == directive.id)
    counts = obligations.counts(session, as_of, of_directive)
    late = obligations.late_agencies(session, as_of, of_directive, limit=10_000)
    names = dict(
        session.execute(
            sa.select(Agency.id, Agency.short_name).where(
                Agency.id.in_([agency.agency_id for agency in late])
            )
        ).all()
    )
    indicators = [indicator for task in directive.tasks for indicator in task.indicators]
    figures = province_figures(session, as_of, indicators)
    found = first_indicator(session, directive)
    ranking = trend = None
    if found is not None:
        task, indicator = found
        ranking = ranking_of(session, as_of, directive, task, indicator)
        trend = province_by_week(session, ranking, task, as_of, TREND_WEEKS)
    return Digest(
        directive=directive,
        starts_on=starts_on,
        ends_on=ends_on,
        as_of=as_of,
        counts=counts,
        sent=_sent(session, directive, starts_on, as_of),
        late=[(names[agency.agency_id], agency.overdue) for agency in late],
        figures=figures,
        ranking=ranking,
        trend=trend or [],
        link=link,
    )


def _sent(session: Session, directive: Directive, starts_on: date, as_of: date) -> Sent:
    """Reports (of assignments and of periods) sent from Monday to `as_of`, by agency,
    most first: one query."""
    since = end_of_day(starts_on - timedelta(days=1))
    count = sa.func.count(Submission.id)
    rows = session.execute(
        sa.select(Agency.short_name, count)
        .join(Assignment, Submission.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(
            Task.directive_id == directive.id,
            Submission.submitted_at >= since,
            Submission.submitted_at < end_of_day(as_of),
        )
        .group_by(Agency.id, Agency.short_name)
        .order_by(count.desc(), Agency.short_name)
    )
    return Sent([(name, int(number)) for name, number in rows])
