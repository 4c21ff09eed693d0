"""Form fields the interface needs beyond WTForms: dates typed as dd/mm/yyyy."""

from __future__ import annotations

from datetime import date, datetime

from wtforms import StringField


class DateField(StringField):
    """A date written dd/mm/yyyy (also accepts yyyy-mm-dd)."""

    def __init__(self, label: str = "", validators: list | None = None, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                self.data = datetime.strptime(text, pattern).date()  # noqa: DTZ007
                return
            except ValueError:
                continue
        raise ValueError("Ngày không hợp lệ: hãy viết theo dạng dd/mm/yyyy, ví dụ 18/08/2020.")
