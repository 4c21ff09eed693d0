"""Forms of the import: upload or paste, then review the parsed draft."""

from __future__ import annotations

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
from tracker.directives.doctypes import DocType
from tracker.directives.forms import RelativeDeadlineFields, recurrence_field
from tracker.directives.operations import SIGNER_AUTHORITIES
from tracker.fields import DateField


class ImportForm(FlaskForm):
    file = FileField("Tệp văn bản (.txt, .docx hoặc PDF có lớp chữ)")
    text = TextAreaField("Hoặc dán toàn văn", validators=[Optional(), Length(max=400_000)])


class ReviewTaskForm(RelativeDeadlineFields, Form):
    include = BooleanField("Nhận nhiệm vụ này", default=True)
    number = StringField("Số thứ tự", validators=[DataRequired("Thiếu số thứ tự."), Length(max=20)])
    title = StringField("Tên ngắn", validators=[Optional(), Length(max=255)])
    text = TextAreaField(
        "Nội dung", validators=[DataRequired("Thiếu nội dung."), Length(max=20_000)]
    )
    report_to = SelectField("Báo cáo về", default="")
    due_date = DateField("Thời hạn", validators=[Optional()])
    due_text = HiddenField()
    recurrence = recurrence_field()
    leads = SelectMultipleField("Chủ trì")
    cooperating = SelectMultipleField("Phối hợp")
    unresolved = HiddenField()
    span = HiddenField()


class ReviewCitationForm(Form):
    include = BooleanField("Liên kết", default=True)
    doc_type = StringField("Loại", validators=[Optional(), Length(max=60)])
    number = StringField("Số", validators=[Optional(), Length(max=20)])
    symbol = StringField("Ký hiệu", validators=[Optional(), Length(max=60)])
    date = DateField("Ngày", validators=[Optional()])
    issuer = StringField("Cơ quan ban hành", validators=[Optional(), Length(max=255)])


class ReviewForm(FlaskForm):
    doc_type = SelectField(
        "Loại văn bản", choices=[SelectChoice(item.label, item.label) for item in DocType]
    )
    number = StringField("Số", validators=[DataRequired("Hãy nhập số văn bản."), Length(max=20)])
    symbol = StringField("Ký hiệu", validators=[DataRequired("Hãy nhập ký hiệu."), Length(max=60)])
    issuer = StringField(
        "Cơ quan ban hành", validators=[DataRequired("Hãy nhập cơ quan ban hành."), Length(max=255)]
    )
    issuer_parent = StringField("Cơ quan chủ quản", validators=[Optional(), Length(max=255)])
    place = StringField("Địa danh", validators=[Optional(), Length(max=120)])
    issued_date = DateField("Ngày ban hành", validators=[Optional()])
    subject = TextAreaField("Trích yếu", validators=[Optional(), Length(max=2000)])
    recipients = TextAreaField("Kính gửi (mỗi dòng một nơi)", validators=[Length(max=5000)])
    signer_authority = SelectField(
        "Thẩm quyền ký",
        choices=[SelectChoice(item, item or "(ký trực tiếp)") for item in SIGNER_AUTHORITIES],
    )
    signer_title = StringField("Chức vụ người ký", validators=[Optional(), Length(max=120)])
    signer_name = StringField("Người ký", validators=[Optional(), Length(max=120)])
    distribution = TextAreaField("Nơi nhận (mỗi dòng một nơi)", validators=[Length(max=5000)])
    tasks = FieldList(FormField(ReviewTaskForm), min_entries=0, max_entries=300)
    citations = FieldList(FormField(ReviewCitationForm), min_entries=0, max_entries=300)
    update_existing = BooleanField("Cập nhật văn bản đã có (thêm các nhiệm vụ mới)")

    def set_choices(self, groups: list[AgencyGroup], agencies: list[Agency]) -> None:
        targets = [SelectChoice(f"g{g.id}", g.name, optgroup="Nhóm") for g in groups] + [
            SelectChoice(f"a{a.id}", a.name, optgroup="Cơ quan, đơn vị") for a in agencies
        ]
        report_to = [SelectChoice("", "(không)")] + [
            SelectChoice(str(a.id), a.short_name) for a in agencies
        ]
        for entry in self.tasks:
            entry.form.leads.choices = targets
            entry.form.cooperating.choices = targets
            entry.form.report_to.choices = report_to
