"""The draft of a document, as staff may edit it before it is made final."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tracker.documents.dating import date_problem
from tracker.documents.register import MAX_NUMBER
from tracker.fields import DateField


class DocumentForm(FlaskForm):
    """`as_of` is the day the document's figures are as of: its date may not be earlier."""

    def __init__(self, *args, as_of: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.as_of = as_of

    header_parent = TextAreaField(
        _l("Cơ quan chủ quản (mỗi dòng một dòng in)"), validators=[Optional(), Length(max=255)]
    )
    header_name = TextAreaField(
        _l("Cơ quan ban hành (mỗi dòng một dòng in)"),
        validators=[DataRequired(_l("Hãy nhập tên cơ quan ban hành.")), Length(max=255)],
    )
    symbol = StringField(
        _l("Ký hiệu"), validators=[DataRequired(_l("Hãy nhập ký hiệu văn bản.")), Length(max=60)]
    )
    number = IntegerField(
        _l("Số (văn thư cấp; để trống để lấy số kế tiếp)"),
        validators=[
            Optional(),
            NumberRange(1, MAX_NUMBER, _l("Số văn bản phải từ 1 đến %(max)s.")),
        ],
    )
    place = StringField(
        _l("Địa danh"), validators=[DataRequired(_l("Hãy nhập địa danh.")), Length(max=120)]
    )
    issued_on = DateField(_l("Ngày ký"), validators=[InputRequired(_l("Hãy nhập ngày ký."))])
    subject = TextAreaField(
        _l("Trích yếu"), validators=[DataRequired(_l("Hãy nhập trích yếu.")), Length(max=2000)]
    )
    recipients = TextAreaField(_l("Kính gửi (mỗi dòng một nơi)"), validators=[Length(max=5000)])
    body = TextAreaField(
        _l("Nội dung (các đoạn cách nhau một dòng trống; dòng “[Bảng 1]” là vị trí bảng 1)"),
        validators=[DataRequired(_l("Nội dung văn bản đang trống.")), Length(max=200_000)],
    )
    signer_authority = StringField(
        _l("Thẩm quyền ký (TM., KT., TL. ...)"), validators=[Optional(), Length(max=120)]
    )
    signer_title = StringField(
        _l("Chức vụ người ký"),
        validators=[DataRequired(_l("Hãy nhập chức vụ người ký.")), Length(max=120)],
    )
    signer_name = StringField(_l("Họ tên người ký"), validators=[Optional(), Length(max=120)])
    distribution = TextAreaField(_l("Nơi nhận (mỗi dòng một nơi)"), validators=[Length(max=5000)])
    preview_html = SubmitField(_l("Xem dự thảo trên trình duyệt"))
    preview = SubmitField(_l("Xem bản dự thảo (PDF)"))
    word = SubmitField(_l("Tải bản Word (.docx)"))
    issue = SubmitField(_l("Phát hành (cấp số)"))

    def validate_issued_on(self, field: DateField) -> None:
        """Within the configured window around today, and not before the figures."""
        problem = date_problem(field.data, self.as_of) if field.data else None
        if problem is not None:
            raise ValidationError(problem)
