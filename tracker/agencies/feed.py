"""An agency's private calendar feed: its open deadlines and reporting periods as
iCalendar, for phones and Outlook. The secret token in the feed's URL is the credential;
issuing a new one revokes the old."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from icalendar import Alarm, Calendar, Event
from sqlalchemy.orm import Session

from tracker import clock
from tracker.agencies.models import Agency
from tracker.assignments import obligations
from tracker.assignments.models import Assignment, Period
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.directives.models import Directive, Task

PRODID = "-//tracker//Theo dõi nhiệm vụ//VI"
TIMEZONE = "Asia/Ho_Chi_Minh"
#: secrets.token_urlsafe(32) gives 43 URL-safe characters; allow some room, no more.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
#: How often a client should fetch the feed again (RFC 7986; X-PUBLISHED-TTL for Outlook).
REFRESH_INTERVAL = timedelta(hours=1)


def issue_feed_token(session: Session, actor: User | None, agency: Agency) -> str:
    """Give the agency a new feed token; the old one (if any) stops working."""
    renewed = agency.feed_token is not None
    agency.feed_token = secrets.token_urlsafe(32)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="agency.feed_renew" if renewed else "agency.feed_issue",
        subject_type="agency",
        subject_id=agency.id,
        # Never the token itself: the event log is read by many.
        before={"feed": renewed},
        after={"feed": True},
    )
    return agency.feed_token


def revoke_feed_token(session: Session, actor: User | None, agency: Agency) -> bool:
    """Stop the agency's feed; False (and no event) when it had none."""
    if agency.feed_token is None:
        return False
    agency.feed_token = None
    session.flush()
    record_event(
        session,
        actor=actor,
        action="agency.feed_revoke",
        subject_type="agency",
        subject_id=agency.id,
        before={"feed": True},
        after={"feed": False},
    )
    return True


def agency_by_feed_token(session: Session, token: str) -> Agency | None:
    """The agency whose feed this token opens, or None. Malformed tokens never reach the
    database."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    return session.scalar(sa.select(Agency).where(Agency.feed_token == token))


def assignment_path(assignment_id: int) -> str:
    return f"/assignments/{assignment_id}"


def build_feed(
    session: Session,
    agency: Agency,
    now: datetime,
    *,
    link: Callable[[int], str] = assignment_path,
) -> bytes:
    """The agency's VCALENDAR: one all-day event per open obligation with a due date (an
    assignment's own report, or a reporting period begun); done, cancelled and "for
    information" work is left out. One query, however much work there is. `link` turns
    an assignment id into the URL shown."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Nhiệm vụ của {agency.short_name}")
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")

    owed = obligations.obligations(clock.local_date(now), Assignment.agency_id == agency.id)
    rows = session.execute(
        sa.select(
            owed.c.kind,
            owed.c.assignment_id,
            owed.c.period_id,
            owed.c.due_date,
            Task,
            Directive,
            Period.starts_on,
            Period.ends_on,
        )
        .join(Task, owed.c.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
        .outerjoin(Period, owed.c.period_id == Period.id)
        .where(owed.c.outcome.in_(obligations.OPEN_OUTCOMES), owed.c.due_date.is_not(None))
        .order_by(owed.c.due_date, owed.c.assignment_id, owed.c.period_id)
    ).all()
    for row in rows:
        url = link(row.assignment_id)
        if row.kind == obligations.Kind.REPORT:
            calendar.add_component(
                _event(
                    uid=f"assignment-{row.assignment_id}@tracker",
                    summary=f"Hạn: {_work_name(row.Task, row.Directive)}",
                    day=row.due_date,
                    description=_description(row.Task, url),
                    url=url,
                    now=now,
                )
            )
        else:
            span = f"{_day(row.starts_on)} – {_day(row.ends_on)}"
            calendar.add_component(
                _event(
                    uid=f"period-{row.period_id}@tracker",
                    summary=f"Hạn báo cáo kỳ {span}: {_work_name(row.Task, row.Directive)}",
                    day=row.due_date,
                    description=_description(row.Task, url, f"Kỳ báo cáo: {span}."),
                    url=url,
                    now=now,
                )
            )
    return calendar.to_ical()


def _work_name(task: Task, directive: Directive) -> str:
    """e.g. 'NV 2 – 1661/UBND-VX – Cài đặt Bluezone'."""
    return f"NV {task.number} – {directive.reference} – {task.title}"


def _description(task: Task, url: str, *extra: str) -> str:
    return "\n\n".join([*extra, task.text, url])


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _event(*, uid: str, summary: str, day: date, description: str, url: str, now: datetime):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC))
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("description", description)
    if "://" in url:  # URL takes an absolute URI only
        event.add("url", url)
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event
