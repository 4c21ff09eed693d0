"""The draft of a document, as staff may edit it before it is made final."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.fields import DateField


class DocumentForm(FlaskForm):
    issued_on = DateField("Ngày ký", validators=[InputRequired("Hãy nhập ngày ký.")])
    subject = TextAreaField(
        "Trích yếu", validators=[DataRequired("Hãy nhập trích yếu."), Length(max=2000)]
    )
    recipients = TextAreaField("Kính gửi (mỗi dòng một nơi)", validators=[Length(max=5000)])
    body = TextAreaField(
        "Nội dung (các đoạn cách nhau một dòng trống)",
        validators=[DataRequired("Nội dung văn bản đang trống."), Length(max=200_000)],
    )
    signer_authority = StringField(
        "Thẩm quyền ký (TM., KT., TL. ...)", validators=[Optional(), Length(max=120)]
    )
    signer_title = StringField(
        "Chức vụ người ký", validators=[DataRequired("Hãy nhập chức vụ người ký."), Length(max=120)]
    )
    signer_name = StringField("Họ tên người ký", validators=[Optional(), Length(max=120)])
    distribution = TextAreaField("Nơi nhận (mỗi dòng một nơi)", validators=[Length(max=5000)])
    preview_html = SubmitField("Xem dự thảo trên trình duyệt")
    preview = SubmitField("Xem bản dự thảo (PDF)")
    issue = SubmitField("Phát hành (cấp số)")
