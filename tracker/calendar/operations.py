"""Editing the office's calendar: each year's official days off (bridge days of Tết, a
province's own holiday) and make-up working days. Admin only; every edit is audited."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import calendar
from tracker.audit import record_event
from tracker.auth.models import Role, User
from tracker.calendar.models import CalendarDay, DayKind
from tracker.i18n import N_, current_language

KIND_LABELS = {
    DayKind.DAY_OFF: N_("Ngày nghỉ"),
    DayKind.WORKING_DAY: N_("Ngày làm bù"),
}
#: Years the table accepts: far enough for any schedule the office could decide.
FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_LENGTH = 200


class CalendarError(ValueError):
    """A refused calendar edit; the message is in the language in force (a request's
    reader's, else Vietnamese), the holiday it names too."""


def _check_actor(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN:
        raise CalendarError(_("Chỉ quản trị hệ thống mới được sửa lịch ngày nghỉ, ngày làm bù."))


def _shown(day: date) -> str:
    return f"{calendar.weekday_name(day)}, {day:%d/%m/%Y}"


def _check_day(day: date, kind: DayKind) -> None:
    """An office row must change something: a day off on a day that would be worked, a
    make-up working day on a weekend day that would be off (and is not a holiday)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarError(
            _("Năm phải trong khoảng %(first)s–%(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
        )
    statutory_name = calendar.statutory_holidays(day.year, current_language()).get(day)
    if kind == DayKind.WORKING_DAY:
        if day.weekday() not in calendar.WEEKEND:
            raise CalendarError(
                _(
                    "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật: %(day)s vốn là ngày làm việc.",
                    day=_shown(day),
                )
            )
        if statutory_name:
            raise CalendarError(
                _(
                    "%(day)s là ngày nghỉ lễ theo quy định (%(holiday)s): "
                    "không thể đặt làm ngày làm bù.",
                    day=_shown(day),
                    holiday=statutory_name,
                )
            )
        if day in calendar.statutory_working_days(day.year):
            raise CalendarError(_("%(day)s đã là ngày làm bù theo quy định.", day=_shown(day)))
    else:
        if statutory_name:
            raise CalendarError(
                _(
                    "%(day)s đã là ngày nghỉ lễ (%(holiday)s).",
                    day=_shown(day),
                    holiday=statutory_name,
                )
            )
        if not calendar.is_statutory_working_day(day):
            raise CalendarError(
                _("%(day)s là ngày nghỉ cuối tuần, không cần thêm.", day=_shown(day))
            )


def _snapshot(row: CalendarDay) -> dict[str, str]:
    return {"day": row.day.isoformat(), "kind": row.kind.value, "name": row.name}


def set_calendar_day(
    session: Session, actor: User | None, day: date, kind: DayKind | str, name: str
) -> CalendarDay:
    """Add the office's entry for `day`, or replace the one it has (flushed)."""
    _check_actor(actor)
    try:
        kind = DayKind(kind)
    except ValueError:
        raise CalendarError(_("Loại ngày không hợp lệ: %(kind)r.", kind=kind)) from None
    name = " ".join((name or "").split())
    if not name:
        raise CalendarError(_("Hãy nhập tên hoặc lý do, ví dụ “Nghỉ Tết Nguyên đán (nghỉ bù)”."))
    if len(name) > NAME_LENGTH:
        raise CalendarError(_("Tên dài quá %(length)s ký tự.", length=NAME_LENGTH))
    _check_day(day, kind)
    row = session.scalar(sa.select(CalendarDay).where(CalendarDay.day == day))
    before = _snapshot(row) if row is not None else {}
    if row is None:
        row = CalendarDay(day=day, kind=kind, name=name)
        session.add(row)
    else:
        row.kind, row.name = kind, name
    session.flush()
    record_event(
        session,
        actor=actor,
        action="calendar_day.update" if before else "calendar_day.create",
        subject_type="calendar_day",
        subject_id=row.id,
        before=before,
        after=_snapshot(row),
    )
    calendar.mark_changed(session)
    return row


def remove_calendar_day(session: Session, actor: User | None, row: CalendarDay) -> None:
    """Delete one of the office's entries (flushed)."""
    _check_actor(actor)
    record_event(
        session,
        actor=actor,
        action="calendar_day.delete",
        subject_type="calendar_day",
        subject_id=row.id,
        before=_snapshot(row),
    )
    session.delete(row)
    session.flush()
    calendar.mark_changed(session)


def office_days_of(session: Session, year: int) -> list[CalendarDay]:
    return list(
        session.scalars(
            sa.select(CalendarDay)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day)
        )
    )
