"""Forms of the calendar page: add an office day, delete one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.calendar.models import DayKind
from tracker.calendar.operations import NAME_LENGTH
from tracker.fields import DateField


class CalendarDayForm(FlaskForm):
    day = DateField("Ngày", validators=[InputRequired("Hãy nhập ngày theo dạng dd/mm/yyyy.")])
    kind = SelectField(
        "Loại",
        choices=[
            SelectChoice(DayKind.DAY_OFF.value, "Ngày nghỉ (nghỉ bù, nghỉ theo quyết định)"),
            SelectChoice(DayKind.WORKING_DAY.value, "Ngày làm bù (thứ Bảy, Chủ nhật đi làm)"),
        ],
        default=DayKind.DAY_OFF.value,
    )
    name = StringField(
        "Tên hoặc lý do",
        validators=[
            DataRequired("Hãy nhập tên hoặc lý do, ví dụ “Nghỉ Tết Nguyên đán (nghỉ bù)”."),
            Length(max=NAME_LENGTH),
        ],
    )


class DeleteForm(FlaskForm):
    """Carries the CSRF token of a delete button."""
