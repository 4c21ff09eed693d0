"""How an agency prints itself in documents, as an admin edits it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class IdentityForm(FlaskForm):
    header_parent = TextAreaField(
        "Cơ quan chủ quản in trên tiêu đề (mỗi dòng một dòng in; để trống nếu không có)",
        validators=[Optional(), Length(max=255)],
    )
    header_name = TextAreaField(
        "Tên cơ quan in trên tiêu đề (mỗi dòng một dòng in)",
        validators=[DataRequired("Hãy nhập tên cơ quan in trên tiêu đề."), Length(max=255)],
    )
    state_heading = StringField(
        "Dòng thay Quốc hiệu, Tiêu ngữ (chỉ khi quy định riêng, ví dụ ĐOÀN TNCS HỒ CHÍ MINH)",
        validators=[Optional(), Length(max=255)],
    )
    symbol_code = StringField(
        "Chữ viết tắt trong ký hiệu (ví dụ STTTT trong BC-STTTT)",
        validators=[DataRequired("Hãy nhập chữ viết tắt tên cơ quan."), Length(max=40)],
    )
    place = StringField(
        "Địa danh ghi ngày tháng", validators=[DataRequired("Hãy nhập địa danh."), Length(max=120)]
    )
    drafting_unit = StringField(
        "Đơn vị soạn thảo (Lưu: VT, …)", validators=[Optional(), Length(max=40)]
    )
    head_title = StringField(
        "Chức vụ thủ trưởng (in ở chữ ký)",
        validators=[DataRequired("Hãy nhập chức vụ thủ trưởng."), Length(max=120)],
    )
    head_name = StringField("Họ tên thủ trưởng", validators=[Optional(), Length(max=120)])
