"""How an agency prints itself in documents, as an admin edits it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class IdentityForm(FlaskForm):
    header_parent = TextAreaField(
        _l("Cơ quan chủ quản in trên tiêu đề (mỗi dòng một dòng in; để trống nếu không có)"),
        validators=[Optional(), Length(max=255)],
    )
    header_name = TextAreaField(
        _l("Tên cơ quan in trên tiêu đề (mỗi dòng một dòng in)"),
        validators=[DataRequired(_l("Hãy nhập tên cơ quan in trên tiêu đề.")), Length(max=255)],
    )
    state_heading = StringField(
        _l("Dòng thay Quốc hiệu, Tiêu ngữ (chỉ khi quy định riêng, ví dụ ĐOÀN TNCS HỒ CHÍ MINH)"),
        validators=[Optional(), Length(max=255)],
    )
    symbol_code = StringField(
        _l("Chữ viết tắt trong ký hiệu (ví dụ STTTT trong BC-STTTT)"),
        validators=[DataRequired(_l("Hãy nhập chữ viết tắt tên cơ quan.")), Length(max=40)],
    )
    place = StringField(
        _l("Địa danh ghi ngày tháng"),
        validators=[DataRequired(_l("Hãy nhập địa danh.")), Length(max=120)],
    )
    drafting_unit = StringField(
        _l("Đơn vị soạn thảo (Lưu: VT, …)"), validators=[Optional(), Length(max=40)]
    )
    head_title = StringField(
        _l("Chức vụ thủ trưởng (in ở chữ ký)"),
        validators=[DataRequired(_l("Hãy nhập chức vụ thủ trưởng.")), Length(max=120)],
    )
    head_name = StringField(_l("Họ tên thủ trưởng"), validators=[Optional(), Length(max=120)])


class SubUnitForm(FlaskForm):
    """An admin adds one sub-unit under an agency."""

    code = StringField(
        _l("Mã đơn vị (chữ không dấu, số, “-”; ví dụ XA-BINHLU)"),
        validators=[DataRequired(_l("Hãy nhập mã đơn vị.")), Length(max=32)],
    )
    name = StringField(
        _l("Tên đơn vị"),
        validators=[DataRequired(_l("Hãy nhập tên đơn vị.")), Length(max=255)],
    )
    short_name = StringField(
        _l("Tên ngắn (để trống: như tên đơn vị)"), validators=[Optional(), Length(max=120)]
    )


class SubUnitImportForm(FlaskForm):
    """An admin adds many sub-units from a CSV file."""

    file = FileField(_l("Tệp CSV"), validators=[FileRequired(_l("Hãy chọn một tệp CSV."))])
