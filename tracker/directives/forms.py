"""Forms for entering a directive, its tasks, its text, and confirming it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.agencies.models import Agency
from tracker.calendar import RECURRENCE_LABELS
from tracker.directives.doctypes import DocType
from tracker.directives.operations import SIGNER_AUTHORITIES
from tracker.fields import DateField


class RelativeDeadlineFields:
    """'Within N (working) days from the issue date / the receipt': shared by the forms
    that enter a task."""

    due_in_days = IntegerField(
        "Hoặc: trong số ngày",
        validators=[Optional(), NumberRange(1, 3650, "Số ngày phải từ 1 đến 3650.")],
    )
    due_in_working_days = BooleanField("Tính ngày làm việc")
    due_from = SelectField(
        "Kể từ",
        choices=[
            SelectChoice("assigned", "ngày nhận (ngày giao)"),
            SelectChoice("issued", "ngày ban hành văn bản"),
        ],
        default="assigned",
    )


def recurrence_field() -> SelectField:
    """The choice of a recurring report rule, or none."""
    return SelectField(
        "Báo cáo định kỳ",
        choices=[SelectChoice("", "Không")]
        + [SelectChoice(rule, label.capitalize()) for rule, label in RECURRENCE_LABELS.items()],
        default="",
    )


def lines(text: str | None) -> list[str]:
    """Textarea lines as a list, blanks dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DirectiveForm(FlaskForm):
    doc_type = SelectField(
        "Loại văn bản",
        choices=[SelectChoice(item.value, item.label) for item in DocType],
        default=DocType.CONG_VAN.value,
    )
    number = StringField("Số", validators=[DataRequired("Hãy nhập số văn bản."), Length(max=20)])
    symbol = StringField(
        "Ký hiệu", validators=[DataRequired("Hãy nhập ký hiệu, ví dụ UBND-VX."), Length(max=60)]
    )
    issuer = StringField(
        "Cơ quan ban hành",
        validators=[DataRequired("Hãy nhập cơ quan ban hành."), Length(max=255)],
        default="Ủy ban nhân dân tỉnh Lai Châu",
    )
    issuer_parent = StringField("Cơ quan chủ quản", validators=[Optional(), Length(max=255)])
    place = StringField("Địa danh", validators=[Optional(), Length(max=120)], default="Lai Châu")
    issued_date = DateField("Ngày ban hành", validators=[InputRequired("Hãy nhập ngày ban hành.")])
    subject = TextAreaField(
        "Trích yếu", validators=[DataRequired("Hãy nhập trích yếu."), Length(max=2000)]
    )
    recipients = TextAreaField("Kính gửi (mỗi dòng một nơi)", validators=[Length(max=5000)])
    body = TextAreaField("Toàn văn", validators=[Optional(), Length(max=500_000)])
    signer_authority = SelectField(
        "Thẩm quyền ký",
        choices=[SelectChoice(item, item or "(ký trực tiếp)") for item in SIGNER_AUTHORITIES],
    )
    signer_title = StringField("Chức vụ người ký", validators=[Optional(), Length(max=120)])
    signer_name = StringField("Người ký", validators=[Optional(), Length(max=120)])
    distribution = TextAreaField("Nơi nhận (mỗi dòng một nơi)", validators=[Length(max=5000)])


class TaskForm(RelativeDeadlineFields, FlaskForm):
    number = StringField(
        "Số thứ tự",
        validators=[DataRequired("Hãy nhập số thứ tự, ví dụ 2 hoặc 2.a."), Length(max=20)],
    )
    title = StringField("Tên ngắn", validators=[Optional(), Length(max=255)])
    text = TextAreaField(
        "Nội dung nhiệm vụ", validators=[DataRequired("Hãy nhập nội dung."), Length(max=20_000)]
    )
    report_to = SelectField("Báo cáo về", coerce=int, default=0)
    due_date = DateField("Thời hạn", validators=[Optional()])
    due_text = StringField("Thời hạn theo văn bản", validators=[Optional(), Length(max=255)])
    recurrence = recurrence_field()
    evidence_required = BooleanField("Yêu cầu minh chứng")
    is_request = BooleanField("Là đề nghị (gửi cơ quan không trực thuộc)")

    def set_agencies(self, agencies: list[Agency]) -> None:
        self.report_to.choices = [SelectChoice("0", "(không)")] + [
            SelectChoice(str(agency.id), agency.short_name) for agency in agencies
        ]


class TextForm(FlaskForm):
    body = TextAreaField(
        "Toàn văn", validators=[DataRequired("Hãy dán toàn văn."), Length(max=500_000)]
    )


class ConfirmForm(FlaskForm):
    """Confirming a draft directive: a POST with only a CSRF token."""


class CloseForm(FlaskForm):
    """Closing a directive: done, with a date and a note."""

    closed_on = DateField("Ngày kết thúc", validators=[InputRequired("Hãy nhập ngày kết thúc.")])
    note = TextAreaField(
        "Kết quả, lý do kết thúc",
        validators=[DataRequired("Hãy ghi kết quả hoặc lý do kết thúc."), Length(max=2000)],
    )


class SupersedeForm(FlaskForm):
    """This directive replaces one it cites: a POST with only a CSRF token."""
