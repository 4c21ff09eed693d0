"""Reminders and overdue alerts, and the daily e-mail digest.

`run_reminders(session, as_of)` does a day's work, as `tracker remind` runs it from cron:

1. Reminders. For every open assignment with a deadline and every open reporting period,
   the ladder (ladder.py) says which step is due on `as_of`, if any. Each step is given
   once per obligation and deadline: it is claimed in `reminder_sent`, keyed by step,
   object and deadline ("overdue-1:assignment:42:2020-08-18"), with INSERT ... ON
   CONFLICT DO NOTHING, so a rerun, a second run in parallel or a run killed half-way
   never gives a step twice. An extension moves the deadline, so the ladder starts again
   for the new date. The steps claimed are grouped: every active user of an agency gets
   one notification a day listing all of its agency's steps, and every secretariat user
   gets one listing the day's overdue steps of all agencies (escalation). An agency's
   users are the only accounts it has, so they stand for its head too.
2. Digest. Everyone with notifications not yet e-mailed (nor read in the interface) and an
   e-mail address (mail.email_address) gets at most one e-mail a day listing them all,
   the notifications of workflow steps (notifications.events) included, except the kinds
   they chose to keep in the app (`User.mail_off`); `DigestSent(user, day)` records it.
   People without an address see the notifications in the interface only.

Not reminded: work already submitted and waiting for review (a slow review never makes an
agency late), done or cancelled work, "for information" (để biết) assignments, and work of
directives that are not active (closed or superseded).

Operations flush and never commit; `checkpoint` (the command passes `session.commit`) is
called once the notifications are in and after each person's digest, so a run killed
half-way keeps what it finished and the next run does only the rest.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import calendar, clock
from tracker.agencies.models import Agency
from tracker.assignments import obligations
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    Period,
    PeriodStatus,
)
from tracker.auth.models import Role, User
from tracker.db import take_write_lock, upsert_insert
from tracker.directives.models import Directive, DirectiveStatus, Task, title_of
from tracker.i18n import spoken
from tracker.notifications import messages
from tracker.notifications.events import Kind
from tracker.notifications.ladder import FIRST_OVERDUE, Step, step_due
from tracker.notifications.mail import Mailer, RecipientRefused, build_message, email_address
from tracker.notifications.models import DigestSent, Notification, ReminderSent
from tracker.webhooks.events import queue_overdue

#: Assignments that are reminded: open and not waiting for the reviewer.
REMINDED_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.RETURNED,
)
REMINDED_PERIOD_STATUSES = (PeriodStatus.OPEN, PeriodStatus.RETURNED)
#: Items listed in one e-mail; the rest are counted, with the link to the full list.
DIGEST_ITEMS = 50
#: Rows per INSERT or IN (...) list, well under SQLite's limit of bound parameters.
CHUNK = 500


@dataclass
class Summary:
    as_of: date
    dry_run: bool = False
    #: New notifications (would be created, on a dry run): one per person a day.
    notifications: int = 0
    #: Ladder steps given, per step, e.g. {"due-3": 2, "overdue-1": 5}: one per
    #: obligation, whatever the number of people told.
    steps: Counter[str] = field(default_factory=Counter)
    #: E-mail digests sent (would be sent).
    mails: int = 0
    #: People given new notifications who have no e-mail address (in-app only).
    in_app_only: int = 0
    #: Users whose address the mail server refused; retried on the next run.
    refused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DueReminder:
    """One deadline with a ladder step due."""

    kind: str  # "assignment" or "period"
    id: int
    agency_id: int
    link: str
    subject: messages.Subject
    step: Step

    @property
    def key(self) -> str:
        return f"{self.step.name}:{self.kind}:{self.id}:{self.subject.due.isoformat()}"


def run_reminders(
    session: Session,
    as_of: date,
    *,
    dry_run: bool = False,
    mailer: Mailer | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> Summary:
    """Create the day's notifications, then send the day's digests; a dry run writes and
    sends nothing and counts what it would do. Raises mail.MailError when the mail server
    cannot be used: the people mailed before stay recorded, the rest get theirs next run.
    `mailer` (default: one from the app's MAIL_* settings) is closed at the end."""
    config = current_app.config
    summary = Summary(as_of=as_of, dry_run=dry_run)
    due = due_reminders(
        session,
        as_of,
        ladder=config["REMINDER_LADDER"],
        repeat_days=int(config["REMINDER_REPEAT_DAYS"]),
    )
    fresh = _unclaimed(session, due)
    if not dry_run:
        fresh = _claim(session, fresh, as_of)
        queue_overdue(
            session,
            [
                {
                    "kind": item.kind,
                    "id": item.id,
                    "agency_id": item.agency_id,
                    "due_date": item.subject.due.isoformat(),
                }
                for item in fresh
                if item.step.name == FIRST_OVERDUE
            ],
        )
    rows = notification_rows(session, fresh, as_of)
    if not dry_run:
        rows = _insert_notifications(session, rows)
    summary.notifications = len(rows)
    summary.steps = Counter(item.step.name for item in fresh)
    notified = {row["user_id"] for row in rows}
    summary.in_app_only = sum(
        1 for user in _users(session, notified) if email_address(user, config) is None
    )
    if checkpoint and not dry_run:
        checkpoint()

    with mailer or Mailer(config) as transport:
        send_digests(
            session,
            as_of,
            transport,
            summary,
            dry_run=dry_run,
            also_pending=notified if dry_run else (),
            checkpoint=checkpoint,
        )
    return summary


# 1. Reminders -----------------------------------------------------------------------------


def due_reminders(
    session: Session, as_of: date, *, ladder: Sequence[int], repeat_days: int
) -> list[DueReminder]:
    """Every open obligation (`tracker.assignments.obligations`) not waiting for its
    reviewer, with a ladder step due on `as_of`: one query."""
    # A deadline later than this has no step due yet (its first step is still to come).
    horizon = calendar.add_working_days(as_of, max([*ladder, 0]) + 1)
    paths = current_app.url_map.bind("localhost")
    found: list[DueReminder] = []

    def add(kind: str, object_id: int, assignment_id: int, subject: messages.Subject, agency_id):
        step = step_due(as_of, subject.due, ladder, repeat_days)
        if step is not None:
            link = paths.build("assignments.show", {"assignment_id": assignment_id})
            found.append(DueReminder(kind, object_id, agency_id, link, subject, step))

    owed = obligations.obligations(as_of)
    rows = session.execute(
        sa.select(
            owed.c.kind,
            owed.c.assignment_id,
            owed.c.period_id,
            owed.c.agency_id,
            owed.c.due_date,
            Period.starts_on,
            Period.ends_on,
            *_described,
        )
        .join(Assignment, owed.c.assignment_id == Assignment.id)
        .join(Task, owed.c.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
        .join(Agency, owed.c.agency_id == Agency.id)
        .outerjoin(Period, owed.c.period_id == Period.id)
        .where(
            owed.c.outcome.in_(obligations.OPEN_OUTCOMES),
            owed.c.due_date.is_not(None),
            owed.c.due_date <= horizon,
            Directive.status == DirectiveStatus.ACTIVE,
            # Work waiting for its reviewer is not the agency's to chase.
            sa.case(
                (owed.c.period_id.is_(None), Assignment.status.in_(REMINDED_STATUSES)),
                else_=Period.status.in_(REMINDED_PERIOD_STATUSES),
            ),
        )
        .order_by(owed.c.due_date, owed.c.assignment_id, owed.c.period_id)
    )
    for row in rows:
        if row.period_id is None:
            kind, object_id, period = "assignment", row.assignment_id, None
        else:
            kind, object_id, period = "period", row.period_id, (row.starts_on, row.ends_on)
        add(kind, object_id, row.assignment_id, _subject(row, period, row.due_date), row.agency_id)
    return found


_described = (
    Task.number,
    Task.title.label("task_title"),
    Directive.doc_type,
    Directive.number.label("directive_number"),
    Directive.symbol,
    Agency.name.label("agency_name"),
    Agency.short_name.label("agency_short_name"),
)


def _title(row: Any) -> str:
    return title_of(row.doc_type, row.directive_number, row.symbol)


def _subject(row: Any, period: tuple[date, date] | None, due: date) -> messages.Subject:
    return messages.Subject(
        task_number=row.number,
        directive_title=_title(row),
        task_title=row.task_title,
        agency_name=row.agency_name,
        agency_short_name=row.agency_short_name,
        due=due,
        period=period,
    )


def notification_rows(
    session: Session, due: Sequence[DueReminder], as_of: date
) -> list[dict[str, Any]]:
    """The day's notifications: for each agency with steps, one per active user of it
    listing them all; and one per active secretariat user listing every agency's
    overdue steps. Each is written in its recipient's language (`User.language`)."""
    if not due:
        return []
    by_agency: dict[int, list[DueReminder]] = defaultdict(list)
    for item in due:
        by_agency[item.agency_id].append(item)
    agency_users: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for user_id, agency_id, language in session.execute(
        sa.select(User.id, User.agency_id, User.language)
        .where(
            User.role == Role.AGENCY,
            User.active.is_(True),
            User.agency_id.in_(by_agency),
        )
        .order_by(User.id)
    ):
        if agency_id is not None:  # agency users always have one (the query asks for it)
            agency_users[agency_id].append((user_id, language))
    now = clock.now()
    rows: list[dict] = []

    def add(
        recipients: Iterable[tuple[int, str | None]],
        key: str,
        items: Sequence[DueReminder],
        title: Callable[[], str],
    ):
        single = len(items) == 1
        kind = (Kind.OVERDUE if any(i.step.overdue for i in items) else Kind.REMINDER).value
        link = items[0].link if single else _inbox_link()
        written: dict[str, dict[str, Any]] = {}
        for user_id, language in dict.fromkeys(recipients):
            language = spoken(language)
            if language not in written:
                with force_locale(language):
                    written[language] = {
                        "key": key,
                        "kind": kind,
                        "title": messages.notification_title(items[0].step, items[0].subject, as_of)
                        if single
                        else title(),
                        "body": messages.notification_body(items[0].subject)
                        if single
                        else messages.group_body([_described_step(i, as_of) for i in items]),
                        "link": link,
                        "created_at": now,
                    }
            rows.append({"user_id": user_id, **written[language]})

    for agency_id, items in by_agency.items():
        add(
            agency_users[agency_id],
            f"reminders:{as_of.isoformat()}:{agency_id}:{_digest(items)}",
            items,
            partial(messages.group_title, as_of, len(items), sum(i.step.overdue for i in items)),
        )
    late = [item for item in due if item.step.overdue]
    if late:
        office = session.execute(
            sa.select(User.id, User.language)
            .where(User.role == Role.SECRETARIAT, User.active.is_(True))
            .order_by(User.id)
        ).all()
        add(
            office,
            f"overdue:{as_of.isoformat()}:{_digest(late)}",
            late,
            partial(messages.escalation_title, as_of, len(late), len({i.agency_id for i in late})),
        )
    return rows


def _described_step(item: DueReminder, as_of: date) -> str:
    return messages.notification_title(item.step, item.subject, as_of)


def _digest(items: Sequence[DueReminder]) -> str:
    """A short name for a set of steps: a second batch on the same day (a deadline moved
    since the morning's run) is a notification of its own, never lost to the first."""
    return hashlib.sha256("\n".join(sorted(i.key for i in items)).encode()).hexdigest()[:12]


def _inbox_link() -> str:
    return current_app.url_map.bind("localhost").build("inbox.index")


def _unclaimed(session: Session, due: Sequence[DueReminder]) -> list[DueReminder]:
    """The steps not given before."""
    given: set[str] = set()
    for chunk in _chunks(sorted({item.key for item in due})):
        given.update(
            session.scalars(sa.select(ReminderSent.key).where(ReminderSent.key.in_(chunk)))
        )
    return [item for item in due if item.key not in given]


def _claim(session: Session, due: Sequence[DueReminder], as_of: date) -> list[DueReminder]:
    """Record the steps as given; returns those this run claimed (a parallel run may
    have claimed some meanwhile)."""
    claimed: set[str] = set()
    rows = [{"key": item.key, "agency_id": item.agency_id, "day": as_of} for item in due]
    for chunk in _chunks(rows):
        statement = (
            upsert_insert(session)(ReminderSent)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(ReminderSent.key)
        )
        claimed.update(session.scalars(statement))
    return [item for item in due if item.key in claimed]


def _insert_notifications(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert, skipping any (user, key) a parallel run has inserted meanwhile; returns the
    rows this call inserted."""
    inserted: set[tuple[int, str]] = set()
    for chunk in _chunks(rows):
        statement = (
            upsert_insert(session)(Notification)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(Notification.user_id, Notification.key)
        )
        inserted.update((user_id, key) for user_id, key in session.execute(statement))
    session.flush()
    return [row for row in rows if (row["user_id"], row["key"]) in inserted]


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _users(session: Session, ids: Iterable[int]) -> list[User]:
    ids = sorted(set(ids))
    found: list[User] = []
    for chunk in _chunks(ids):
        found.extend(session.scalars(sa.select(User).where(User.id.in_(chunk))))
    return sorted(found, key=lambda user: user.id)


# 2. The daily digest ----------------------------------------------------------------------


def _pending(user: User | None = None) -> sa.ColumnElement[bool]:
    """Notifications not yet e-mailed and not read in the interface meanwhile (of the
    kinds `user` gets by mail)."""
    condition = sa.and_(Notification.emailed_at.is_(None), Notification.read_at.is_(None))
    if user is None:
        return condition
    return sa.and_(
        condition,
        Notification.user_id == user.id,
        Notification.kind.not_in(user.mail_off or []),
    )


def send_digests(
    session: Session,
    as_of: date,
    mailer: Mailer,
    summary: Summary,
    *,
    dry_run: bool = False,
    also_pending: Iterable[int] = (),
    checkpoint: Callable[[], None] | None = None,
) -> None:
    """One e-mail per person with pending notifications and an address, at most one a day.
    `also_pending`: people a dry run would have notified."""
    config = current_app.config
    already = set(session.scalars(sa.select(DigestSent.user_id).where(DigestSent.day == as_of)))
    waiting = set(session.scalars(sa.select(Notification.user_id).where(_pending()).distinct()))
    for user in _users(session, (waiting | set(also_pending)) - already):
        address = email_address(user, config)
        if not user.active or address is None:
            continue
        if dry_run:
            summary.mails += 1
            continue
        try:
            # A savepoint per person: if the mail is not accepted, their DigestSent and
            # emailed_at marks vanish with it and the next run sends it.
            take_write_lock(session)
            with session.begin_nested():
                sent = _send_digest(session, mailer, user, address, as_of, config)
        except RecipientRefused:
            summary.refused.append(user.username)
            continue
        summary.mails += sent
        # Crash safety: DigestSent was inserted and flushed BEFORE the mail was handed to
        # the server (so a parallel run waits on that row instead of mailing too), and
        # the commit comes right after it was accepted. The only window left is a kill
        # between the server's "250 OK" and this commit: the rerun then sends that one
        # person's digest again. The reverse order (commit, then send) would instead
        # risk a digest never sent; a rare duplicate is the lesser harm for reminders.
        if checkpoint:
            checkpoint()


def _send_digest(
    session: Session,
    mailer: Mailer,
    user: User,
    address: str,
    as_of: date,
    config: Mapping[str, Any],
) -> int:
    notes = list(
        session.scalars(sa.select(Notification).where(_pending(user)).order_by(Notification.id))
    )
    if not notes:
        return 0
    claimed = session.execute(
        upsert_insert(session)(DigestSent)
        .values(user_id=user.id, day=as_of, sent_at=clock.now(), notifications=len(notes))
        .on_conflict_do_nothing(index_elements=["user_id", "day"])
        .returning(DigestSent.user_id)
    ).first()
    if claimed is None:  # a parallel run has taken this person's digest of the day
        return 0
    now = clock.now()
    for note in notes:
        note.emailed_at = now
    session.flush()

    items = sorted(
        (
            messages.DigestItem(note.title, note.body, note.link, note.kind == Kind.OVERDUE)
            for note in notes
        ),
        key=lambda item: not item.overdue,  # stable: overdue first, each group oldest first
    )
    paths = current_app.url_map.bind("localhost")
    # The digest's own words in the recipient's language (its items were written in it).
    with force_locale(spoken(user.language)):
        body = messages.digest_body(
            user.full_name or user.username,
            items[:DIGEST_ITEMS],
            as_of,
            config["MAIL_BASE_URL"],
            paths.build("notifications.index"),
            more=len(items) - DIGEST_ITEMS,
        )
        subject = messages.digest_subject(items, as_of)
    mailer.send(build_message(config, user.full_name or user.username, address, subject, body))
    return 1


# 3. The notification list -----------------------------------------------------------------


def unread_count(session: Session, user_id: int) -> int:
    return session.execute(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def recent_notifications(
    session: Session, user_id: int, limit: int = 200, *, unread: bool = False
) -> list[Notification]:
    """The user's notifications (or only the unread ones), newest first."""
    where = [Notification.user_id == user_id]
    if unread:
        where.append(Notification.read_at.is_(None))
    return list(
        session.scalars(
            sa.select(Notification)
            .where(*where)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult


def notify_admins(session: Session, *, key: str, title: str, body: str) -> int:
    """An in-app notification to every active admin, once per admin and key. `title` and
    `body` are messages marked for translation (N_), written in each admin's language."""
    admins = session.execute(
        sa.select(User.id, User.language).where(User.role == Role.ADMIN, User.active.is_(True))
    ).all()
    already = set(
        session.scalars(
            sa.select(Notification.user_id).where(
                Notification.key == key, Notification.user_id.in_([row.id for row in admins])
            )
        )
    )
    new = [admin for admin in admins if admin.id not in already]
    for admin in new:
        with force_locale(spoken(admin.language)):
            words = {"title": _(title), "body": _(body)}
        session.add(Notification(user_id=admin.id, key=key, kind="system", **words))
    session.flush()
    return len(new)


def set_mailed_kinds(session: Session, user: User, mailed: Iterable[Kind]) -> None:
    """The kinds of notification the user gets by e-mail; the others stay in the app."""
    mailed = set(mailed)
    user.mail_off = sorted(kind.value for kind in Kind if kind not in mailed)
    session.flush()
