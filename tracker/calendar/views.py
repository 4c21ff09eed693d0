"""The working-day calendar page: a year's public holidays and the office's own days off
and make-up working days. The office reads it; the admin edits it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import calendar, clock, db
from tracker.auth.guards import found_or_404, staff_required
from tracker.auth.models import Role
from tracker.calendar import operations
from tracker.calendar.forms import CalendarDayForm, DeleteForm
from tracker.calendar.models import CalendarDay, DayKind
from tracker.i18n import N_, current_language

blueprint = Blueprint("calendar", __name__)


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The admin only: 403 for everyone else, before any object is read."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.role != Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@dataclass(frozen=True)
class Entry:
    """One line of the year's table."""

    day: date
    name: str
    kind: str  #: "holiday", "day_off" or "working_day"
    label: str
    #: The office's row, when the line is one (it can be deleted).
    row: CalendarDay | None = None


KIND_LABELS = {
    "holiday": N_("Nghỉ lễ, Tết theo quy định"),
    "statutory_working_day": N_("Làm bù theo quy định"),
    DayKind.DAY_OFF.value: N_("Ngày nghỉ theo quyết định trong năm"),
    DayKind.WORKING_DAY.value: N_("Ngày làm bù theo quyết định trong năm"),
}


def _entries(year: int, rows: list[CalendarDay]) -> list[Entry]:
    entries = [
        Entry(day, name, "holiday", KIND_LABELS["holiday"])
        for day, name in calendar.statutory_holidays(year, current_language()).items()
    ]
    entries += [
        Entry(day, N_("Làm bù"), "statutory_working_day", KIND_LABELS["statutory_working_day"])
        for day in calendar.statutory_working_days(year)
    ]
    entries += [
        Entry(row.day, row.name, row.kind.value, KIND_LABELS[row.kind.value], row) for row in rows
    ]
    return sorted(entries, key=lambda entry: (entry.day, entry.row is not None))


def _selected_year() -> int:
    year = request.args.get("year", type=int)
    if year is None or not operations.FIRST_YEAR <= year <= operations.LAST_YEAR:
        return clock.today().year
    return year


def _render(year: int, form: CalendarDayForm | None, status: int = 200) -> tuple[str, int]:
    rows = operations.office_days_of(db.session, year)
    working_days = calendar.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
    return render_template(
        "calendar/index.html",
        year=year,
        years=range(max(operations.FIRST_YEAR, year - 3), min(operations.LAST_YEAR, year + 3) + 1),
        entries=_entries(year, rows),
        working_days=working_days,
        form=form,
        can_edit=form is not None,
        weekday_name=calendar.weekday_name,
    ), status


@blueprint.route("/calendar")
@staff_required
def index():
    form = CalendarDayForm() if current_user.role == Role.ADMIN else None
    return _render(_selected_year(), form)


@blueprint.route("/calendar/days", methods=["POST"])
@admin_required
def add_day():
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            row = operations.set_calendar_day(
                db.session, current_user, form.day.data, form.kind.data, form.name.data
            )
        except operations.CalendarError as error:
            form.day.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Đã lưu %(kind)s %(day)s.",
                    kind=_(operations.KIND_LABELS[row.kind]).lower(),
                    day=f"{row.day:%d/%m/%Y}",
                ),
                "success",
            )
            return redirect(url_for("calendar.index", year=row.day.year))
    year = form.day.data.year if form.day.data else _selected_year()
    if not operations.FIRST_YEAR <= year <= operations.LAST_YEAR:
        year = clock.today().year
    return _render(year, form, 422)


@blueprint.route("/calendar/days/<int:day_id>/delete", methods=["POST"])
@admin_required
def delete_day(day_id: int):
    row = found_or_404(db.session.get(CalendarDay, day_id))
    year = row.day.year
    if DeleteForm().validate_on_submit():
        shown = f"{row.day:%d/%m/%Y}"
        operations.remove_calendar_day(db.session, current_user, row)
        db.session.commit()
        flash(_("Đã xóa ngày %(day)s khỏi lịch của cơ quan.", day=shown), "success")
    return redirect(url_for("calendar.index", year=year))
