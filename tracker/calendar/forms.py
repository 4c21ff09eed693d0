"""Forms of the calendar page: add an office day, delete one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.calendar.models import DayKind
from tracker.calendar.operations import NAME_LENGTH
from tracker.fields import DateField


class CalendarDayForm(FlaskForm):
    day = DateField(
        _l("Ngày"), validators=[InputRequired(_l("Hãy nhập ngày theo dạng dd/mm/yyyy."))]
    )
    kind = SelectField(
        _l("Loại"),
        choices=[
            SelectChoice(DayKind.DAY_OFF.value, _l("Ngày nghỉ (nghỉ bù, nghỉ theo quyết định)")),
            SelectChoice(DayKind.WORKING_DAY.value, _l("Ngày làm bù (thứ Bảy, Chủ nhật đi làm)")),
        ],
        default=DayKind.DAY_OFF.value,
    )
    name = StringField(
        _l("Tên hoặc lý do"),
        validators=[
            DataRequired(_l("Hãy nhập tên hoặc lý do, ví dụ “Nghỉ Tết Nguyên đán (nghỉ bù)”.")),
            Length(max=NAME_LENGTH),
        ],
    )


class DeleteForm(FlaskForm):
    """Carries the CSRF token of a delete button."""
