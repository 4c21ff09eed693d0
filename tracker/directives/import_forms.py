"""Forms of the import: upload or paste, then review the parsed draft."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from tracker.agencies.models import Agency, AgencyGroup
from tracker.directives.doctypes import CONTEXT as DOC_TYPE
from tracker.directives.doctypes import DocType
from tracker.directives.forms import RelativeDeadlineFields, recurrence_field
from tracker.directives.operations import SIGNER_AUTHORITIES
from tracker.fields import DateField


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp văn bản (.txt, .docx hoặc PDF có lớp chữ)"))
    text = TextAreaField(_l("Hoặc dán toàn văn"), validators=[Optional(), Length(max=400_000)])


class ReviewTaskForm(RelativeDeadlineFields, Form):
    include = BooleanField(_l("Nhận nhiệm vụ này"), default=True)
    number = StringField(
        _l("Số thứ tự"), validators=[DataRequired(_l("Thiếu số thứ tự.")), Length(max=20)]
    )
    title = StringField(_l("Tên ngắn"), validators=[Optional(), Length(max=255)])
    text = TextAreaField(
        _l("Nội dung"), validators=[DataRequired(_l("Thiếu nội dung.")), Length(max=20_000)]
    )
    report_to = SelectField(_l("Báo cáo về"), default="")
    due_date = DateField(_l("Thời hạn"), validators=[Optional()])
    due_text = HiddenField()
    recurrence = recurrence_field()
    leads = SelectMultipleField(_l("Chủ trì"))
    cooperating = SelectMultipleField(_l("Phối hợp"))
    unresolved = HiddenField()
    span = HiddenField()


class ReviewCitationForm(Form):
    include = BooleanField(_l("Liên kết"), default=True)
    doc_type = StringField(_l("Loại"), validators=[Optional(), Length(max=60)])
    number = StringField(_l("Số"), validators=[Optional(), Length(max=20)])
    symbol = StringField(_l("Ký hiệu"), validators=[Optional(), Length(max=60)])
    date = DateField(_l("Ngày"), validators=[Optional()])
    issuer = StringField(_l("Cơ quan ban hành"), validators=[Optional(), Length(max=255)])


class ReviewForm(FlaskForm):
    doc_type = SelectField(
        _l("Loại văn bản"),
        choices=[SelectChoice(item.label, lazy_pgettext(DOC_TYPE, item.label)) for item in DocType],
    )
    number = StringField(
        _l("Số"), validators=[DataRequired(_l("Hãy nhập số văn bản.")), Length(max=20)]
    )
    symbol = StringField(
        _l("Ký hiệu"), validators=[DataRequired(_l("Hãy nhập ký hiệu.")), Length(max=60)]
    )
    issuer = StringField(
        _l("Cơ quan ban hành"),
        validators=[DataRequired(_l("Hãy nhập cơ quan ban hành.")), Length(max=255)],
    )
    issuer_parent = StringField(_l("Cơ quan chủ quản"), validators=[Optional(), Length(max=255)])
    place = StringField(_l("Địa danh"), validators=[Optional(), Length(max=120)])
    issued_date = DateField(_l("Ngày ban hành"), validators=[Optional()])
    subject = TextAreaField(_l("Trích yếu"), validators=[Optional(), Length(max=2000)])
    recipients = TextAreaField(_l("Kính gửi (mỗi dòng một nơi)"), validators=[Length(max=5000)])
    signer_authority = SelectField(
        _l("Thẩm quyền ký"),
        choices=[SelectChoice(item, item or _l("(ký trực tiếp)")) for item in SIGNER_AUTHORITIES],
    )
    signer_title = StringField(_l("Chức vụ người ký"), validators=[Optional(), Length(max=120)])
    signer_name = StringField(_l("Người ký"), validators=[Optional(), Length(max=120)])
    distribution = TextAreaField(_l("Nơi nhận (mỗi dòng một nơi)"), validators=[Length(max=5000)])
    tasks = FieldList(FormField(ReviewTaskForm), min_entries=0, max_entries=300)
    citations = FieldList(FormField(ReviewCitationForm), min_entries=0, max_entries=300)
    update_existing = BooleanField(_l("Cập nhật văn bản đã có (thêm các nhiệm vụ mới)"))

    def set_choices(self, groups: list[AgencyGroup], agencies: list[Agency]) -> None:
        targets = [SelectChoice(f"g{g.id}", g.name, optgroup=_("Nhóm")) for g in groups] + [
            SelectChoice(f"a{a.id}", a.name, optgroup=_("Cơ quan, đơn vị")) for a in agencies
        ]
        report_to = [SelectChoice("", _("(không)"))] + [
            SelectChoice(str(a.id), a.short_name) for a in agencies
        ]
        for entry in self.tasks:
            entry.form.leads.choices = targets
            entry.form.cooperating.choices = targets
            entry.form.report_to.choices = report_to
