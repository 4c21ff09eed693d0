"""Forms for assigning tasks and for each workflow step."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from tracker.agencies.models import Agency, AgencyGroup
from tracker.assignments.models import AssignmentRole
from tracker.directives.models import Task
from tracker.fields import DateField
from tracker.i18n import N_

ROLE_LABELS = {
    AssignmentRole.LEAD: N_("Chủ trì"),
    AssignmentRole.COOPERATE: N_("Phối hợp"),
    AssignmentRole.INFORM: N_("Để biết"),
}


class AssignForm(FlaskForm):
    targets = SelectMultipleField(
        _l("Giao cho (cơ quan, đơn vị hoặc nhóm)"),
        validators=[DataRequired(_l("Hãy chọn ít nhất một cơ quan, đơn vị hoặc nhóm."))],
    )
    role = SelectField(
        _l("Vai trò"),
        choices=[SelectChoice(role.value, _l(label)) for role, label in ROLE_LABELS.items()],
        default=AssignmentRole.LEAD.value,
    )
    due_date = DateField(
        _l("Thời hạn (để trống: theo thời hạn của nhiệm vụ)"), validators=[Optional()]
    )

    def set_choices(self, groups: list[AgencyGroup], agencies: list[Agency]) -> None:
        self.targets.choices = [
            SelectChoice(f"g{group.id}", group.name, optgroup=_("Nhóm")) for group in groups
        ] + [
            SelectChoice(f"a{agency.id}", agency.name, optgroup=_("Cơ quan, đơn vị"))
            for agency in agencies
        ]


class HandDownForm(FlaskForm):
    """An agency hands its assignment down to some of its sub-units."""

    sub_units = SelectMultipleField(
        _l("Giao cho đơn vị trực thuộc"),
        validators=[DataRequired(_l("Hãy chọn ít nhất một đơn vị trực thuộc."))],
        coerce=int,
    )
    due_date = DateField(
        _l("Thời hạn (để trống: theo thời hạn của đơn vị; không được sau thời hạn đó)"),
        validators=[Optional()],
    )
    instructions = TextAreaField(
        _l("Phần việc giao (để trống: giao toàn bộ nhiệm vụ)"),
        validators=[Optional(), Length(max=5000)],
    )

    def set_choices(self, sub_units: list[Agency]) -> None:
        self.sub_units.choices = [SelectChoice(agency.id, agency.name) for agency in sub_units]


class ActionForm(FlaskForm):
    """Fields of every step; each step's template shows the ones it needs."""

    version = HiddenField(
        validators=[
            InputRequired(),
            Regexp(
                r"^\d{1,9}$", message=_l("Biểu mẫu đã cũ: hãy tải lại trang rồi thực hiện lại.")
            ),
        ]
    )
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), Length(max=5000)])
    text = TextAreaField(_l("Nội dung báo cáo"), validators=[Optional(), Length(max=20_000)])
    progress = IntegerField(
        _l("Tiến độ (%)"),
        validators=[Optional(), NumberRange(0, 100, _l("Tiến độ phải từ 0 đến 100."))],
    )

    def figures(self, task: Task) -> dict[str, list[int | None]]:
        return figures_of(self, task)


def figures_of(form: FlaskForm, task: Task) -> dict[str, list[int | None]]:
    """{indicator code: [numerator, denominator or None]} as entered on `form`."""
    return {
        indicator.code: [
            form[f"{indicator.code}__numerator"].data,
            form[f"{indicator.code}__denominator"].data
            if indicator.agencies_report_denominator
            else None,
        ]
        for indicator in task.indicators
    }


def _with_figures(base: type[FlaskForm], task: Task, name: str) -> type:
    """`base` with number fields for each indicator of `task`: the numerator, and the
    denominator where agencies report it."""
    fields = {}
    for indicator in task.indicators:
        fields[f"{indicator.code}__numerator"] = IntegerField(
            f"{indicator.numerator_label} ({indicator.unit})"
            if indicator.unit
            else indicator.numerator_label,
            validators=[Optional(), NumberRange(min=0, message=_l("Phải là số không âm."))],
        )
        if indicator.agencies_report_denominator:
            fields[f"{indicator.code}__denominator"] = IntegerField(
                indicator.denominator_label,
                validators=[Optional(), NumberRange(min=0, message=_l("Phải là số không âm."))],
            )
    return type(name, (base,), fields)


def action_form_class(task: Task) -> type[ActionForm]:
    """The step form for a task, with number fields per indicator."""
    return _with_figures(ActionForm, task, "TaskActionForm")


class UploadForm(FlaskForm):
    """The file itself is read from the request stream by the evidence store."""


class PeriodForm(FlaskForm):
    text = TextAreaField(_l("Nội dung báo cáo kỳ"), validators=[Optional(), Length(max=20_000)])
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), Length(max=5000)])

    def figures(self, task: Task) -> dict[str, list[int | None]]:
        return figures_of(self, task)


def period_form_class(task: Task) -> type[PeriodForm]:
    """The period report form for a task, with number fields per indicator."""
    return _with_figures(PeriodForm, task, "TaskPeriodForm")


class ExtensionRequestForm(FlaskForm):
    proposed_date = DateField(
        _l("Đề nghị gia hạn đến ngày"), validators=[InputRequired(_l("Hãy nhập ngày đề nghị."))]
    )
    reason = TextAreaField(
        _l("Lý do"),
        validators=[DataRequired(_l("Hãy nêu lý do đề nghị gia hạn.")), Length(max=5000)],
    )


class ExtensionDecisionForm(FlaskForm):
    granted_date = DateField(
        _l("Gia hạn đến ngày (để trống: theo đề nghị)"), validators=[Optional()]
    )
    reason = TextAreaField(
        _l("Lý do (bắt buộc khi không đồng ý)"), validators=[Optional(), Length(max=5000)]
    )
