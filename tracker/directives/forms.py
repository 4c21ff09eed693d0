"""Forms for entering a directive, its tasks, its text, and confirming it."""

from __future__ import annotations

from flask_babel import LazyString, gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.agencies.models import Agency
from tracker.calendar import RECURRENCE_LABELS
from tracker.directives.doctypes import CONTEXT as DOC_TYPE
from tracker.directives.doctypes import DocType
from tracker.directives.operations import SIGNER_AUTHORITIES
from tracker.fields import DateField


class RelativeDeadlineFields:
    """'Within N (working) days from the issue date / the receipt': shared by the forms
    that enter a task."""

    due_in_days = IntegerField(
        _l("Hoặc: trong số ngày"),
        validators=[Optional(), NumberRange(1, 3650, _l("Số ngày phải từ 1 đến 3650."))],
    )
    due_in_working_days = BooleanField(_l("Tính ngày làm việc"))
    due_from = SelectField(
        _l("Kể từ"),
        choices=[
            SelectChoice("assigned", _l("ngày nhận (ngày giao)")),
            SelectChoice("issued", _l("ngày ban hành văn bản")),
        ],
        default="assigned",
    )


def _capitalised(label: str) -> str:
    return gettext(label).capitalize()


def recurrence_field() -> SelectField:
    """The choice of a recurring report rule, or none."""
    return SelectField(
        _l("Báo cáo định kỳ"),
        choices=[SelectChoice("", _l("Không"))]
        + [
            SelectChoice(rule, LazyString(_capitalised, label))
            for rule, label in RECURRENCE_LABELS.items()
        ],
        default="",
    )


def lines(text: str | None) -> list[str]:
    """Textarea lines as a list, blanks dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DirectiveForm(FlaskForm):
    doc_type = SelectField(
        _l("Loại văn bản"),
        choices=[SelectChoice(item.value, lazy_pgettext(DOC_TYPE, item.label)) for item in DocType],
        default=DocType.CONG_VAN.value,
    )
    number = StringField(
        _l("Số"), validators=[DataRequired(_l("Hãy nhập số văn bản.")), Length(max=20)]
    )
    symbol = StringField(
        _l("Ký hiệu"),
        validators=[DataRequired(_l("Hãy nhập ký hiệu, ví dụ UBND-VX.")), Length(max=60)],
    )
    issuer = StringField(
        _l("Cơ quan ban hành"),
        validators=[DataRequired(_l("Hãy nhập cơ quan ban hành.")), Length(max=255)],
        default="Ủy ban nhân dân tỉnh Lai Châu",
    )
    issuer_parent = StringField(_l("Cơ quan chủ quản"), validators=[Optional(), Length(max=255)])
    place = StringField(
        _l("Địa danh"), validators=[Optional(), Length(max=120)], default="Lai Châu"
    )
    issued_date = DateField(
        _l("Ngày ban hành"), validators=[InputRequired(_l("Hãy nhập ngày ban hành."))]
    )
    subject = TextAreaField(
        _l("Trích yếu"), validators=[DataRequired(_l("Hãy nhập trích yếu.")), Length(max=2000)]
    )
    recipients = TextAreaField(_l("Kính gửi (mỗi dòng một nơi)"), validators=[Length(max=5000)])
    body = TextAreaField(_l("Toàn văn"), validators=[Optional(), Length(max=500_000)])
    signer_authority = SelectField(
        _l("Thẩm quyền ký"),
        choices=[SelectChoice(item, item or _l("(ký trực tiếp)")) for item in SIGNER_AUTHORITIES],
    )
    signer_title = StringField(_l("Chức vụ người ký"), validators=[Optional(), Length(max=120)])
    signer_name = StringField(_l("Người ký"), validators=[Optional(), Length(max=120)])
    distribution = TextAreaField(_l("Nơi nhận (mỗi dòng một nơi)"), validators=[Length(max=5000)])


class TaskForm(RelativeDeadlineFields, FlaskForm):
    number = StringField(
        _l("Số thứ tự"),
        validators=[DataRequired(_l("Hãy nhập số thứ tự, ví dụ 2 hoặc 2.a.")), Length(max=20)],
    )
    title = StringField(_l("Tên ngắn"), validators=[Optional(), Length(max=255)])
    text = TextAreaField(
        _l("Nội dung nhiệm vụ"),
        validators=[DataRequired(_l("Hãy nhập nội dung.")), Length(max=20_000)],
    )
    report_to = SelectField(_l("Báo cáo về"), coerce=int, default=0)
    due_date = DateField(_l("Thời hạn"), validators=[Optional()])
    due_text = StringField(_l("Thời hạn theo văn bản"), validators=[Optional(), Length(max=255)])
    recurrence = recurrence_field()
    evidence_required = BooleanField(_l("Yêu cầu minh chứng"))
    is_request = BooleanField(_l("Là đề nghị (gửi cơ quan không trực thuộc)"))

    def set_agencies(self, agencies: list[Agency]) -> None:
        self.report_to.choices = [SelectChoice("0", gettext("(không)"))] + [
            SelectChoice(str(agency.id), agency.short_name) for agency in agencies
        ]


class TextForm(FlaskForm):
    body = TextAreaField(
        _l("Toàn văn"), validators=[DataRequired(_l("Hãy dán toàn văn.")), Length(max=500_000)]
    )


class ConfirmForm(FlaskForm):
    """Confirming a draft directive: a POST with only a CSRF token."""


class CloseForm(FlaskForm):
    """Closing a directive: done, with a date and a note."""

    closed_on = DateField(
        _l("Ngày kết thúc"), validators=[InputRequired(_l("Hãy nhập ngày kết thúc."))]
    )
    note = TextAreaField(
        _l("Kết quả, lý do kết thúc"),
        validators=[DataRequired(_l("Hãy ghi kết quả hoặc lý do kết thúc.")), Length(max=2000)],
    )


class SupersedeForm(FlaskForm):
    """This directive replaces one it cites: a POST with only a CSRF token."""


class IndicatorForm(FlaskForm):
    """The office adds an indicator to a task (`tracker.directives.indicators`)."""

    name = StringField(
        _l("Tên chỉ tiêu"),
        validators=[DataRequired(_l("Hãy nhập tên chỉ tiêu.")), Length(max=255)],
    )
    code = StringField(
        _l("Mã (chữ thường không dấu; để trống để tự đặt)"),
        validators=[Optional(), Length(max=40)],
    )
    kind = SelectField(
        _l("Loại"),
        choices=[
            SelectChoice("ratio", _l("Tỷ lệ (tử số / mẫu số)")),
            SelectChoice("count", _l("Số lượng")),
        ],
        default="ratio",
    )
    unit = StringField(
        _l("Đơn vị tính (người, tin bài…)"),
        validators=[DataRequired(_l("Hãy nhập đơn vị tính.")), Length(max=60)],
    )
    numerator = StringField(
        _l("Tên tử số (hoặc của số lượng)"), validators=[Optional(), Length(max=120)]
    )
    denominator = StringField(_l("Tên mẫu số"), validators=[Optional(), Length(max=120)])
    target = DecimalField(
        _l("Mục tiêu (% với tỷ lệ; số với số lượng)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, message=_l("Mục tiêu không được âm."))],
    )
    allow_over = BooleanField(_l("Cho phép tử số lớn hơn mẫu số"))
    denominator_value = IntegerField(
        _l("Mẫu số cố định của toàn tỉnh (để trống nếu mỗi đơn vị tự báo cáo mẫu số)"),
        validators=[Optional(), NumberRange(min=1, message=_l("Mẫu số phải lớn hơn 0."))],
    )
    denominator_source = StringField(
        _l("Nguồn của mẫu số cố định"), validators=[Optional(), Length(max=500)]
    )
    baseline_numerator = IntegerField(
        _l("Số liệu ban đầu (toàn tỉnh)"),
        validators=[Optional(), NumberRange(min=0, message=_l("Số liệu không được âm."))],
    )
    baseline_date = DateField(_l("Ngày của số liệu ban đầu"), validators=[Optional()])
    baseline_source = StringField(
        _l("Nguồn của số liệu ban đầu"), validators=[Optional(), Length(max=500)]
    )

    def spec(self, position: int) -> dict:
        """The definition `build_indicator` reads; the code is made from the position
        when left empty."""
        return {
            "code": (self.code.data or "").strip() or f"chi_tieu_{position}",
            "name": self.name.data,
            "kind": self.kind.data,
            "unit": self.unit.data,
            "numerator": self.numerator.data,
            "denominator": self.denominator.data if self.kind.data == "ratio" else "",
            "target": self.target.data,
            "allow_over": self.allow_over.data,
            "denominator_value": self.denominator_value.data,
            "denominator_source": self.denominator_source.data,
            "baseline": {
                "numerator": self.baseline_numerator.data,
                "date": self.baseline_date.data,
                "source": self.baseline_source.data,
            },
        }
