"""How values read in the interface: dd/mm/yyyy dates, Vietnamese numbers."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from tracker import clock


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local_date(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(clock.LOCAL_ZONE)
    return local.strftime("%H:%M %d/%m/%Y")


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """98.3 -> '98,3'; 33000 -> '33.000'."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_percent(value: float | None) -> str:
    return "" if value is None else f"{format_number(value, 1)}\u00a0%"


_SWAP = str.maketrans(".,", ",.")


def _in_reader_language(text: str) -> str:
    """Vietnamese separators ('1.234,5') as the page's language writes them: English
    swaps them ('1,234.5'). Documents render in Vietnamese (`i18n.vietnamese`)."""
    from tracker.i18n import current_language  # noqa: PLC0415 (i18n needs the app's Babel)

    if current_language() != "en":
        return text
    return text.translate(_SWAP)


def display_number(value: float | int | None, decimals: int = 0) -> str:
    return _in_reader_language(format_number(value, decimals))


def display_percent(value: float | None) -> str:
    return _in_reader_language(format_percent(value))


def init_app(app: Flask) -> None:
    """Dates are dd/mm/yyyy in every language; numbers follow the page's language."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(display_number, "number")
    app.add_template_filter(display_percent, "percent")
