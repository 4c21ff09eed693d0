"""The forms of Decree 30/2020/NĐ-CP: dates, numbers, symbols, names in capitals."""

from __future__ import annotations

from datetime import date

from tracker.formatting import format_number

__all__ = ["format_number", "nd30_date", "percent", "place_date", "reference", "short_date"]


def nd30_date(day: date) -> str:
    """'ngày 05 tháng 01 năm 2026': days below 10 and months 1-2 get a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: date) -> str:
    return f"{place}, {nd30_date(day)}"


#: Where the clerk writes the number of a draft: no-break spaces, which HTML keeps.
NUMBER_BLANK = "\u00a0" * 8


def reference(number: int | None, symbol: str) -> str:
    """'Số: 05/BC-STTTT'; a draft has no number yet: 'Số:        /BC-STTTT', the blank
    left for the clerk."""
    return f"Số: {number:02d}/{symbol}" if number else f"Số:{NUMBER_BLANK}/{symbol}"


def short_date(day: date | None) -> str:
    """15/8/2020, as documents cite dates in running text."""
    return f"{day.day}/{day.month}/{day.year}" if day else ""


def upper(text: str) -> str:
    return text.upper()


def percent(value: float | None) -> str:
    """'98,3 %' with a no-break space, so the sign never starts a line."""
    return "" if value is None else f"{format_number(value, 1)}\u00a0%"


def body_name(name: str) -> str:
    """A parent body as headers write it: 'Ủy ban nhân dân tỉnh Lai Châu' -> 'UBND tỉnh
    Lai Châu' (upper-cased by the template)."""
    return name.replace("Ủy ban nhân dân", "UBND").replace("Uỷ ban nhân dân", "UBND")
