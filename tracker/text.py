"""Cleaning text that came from outside before it is stored or shown: one rule for
display names, one for cells of spreadsheets, one for what forms may carry."""

from __future__ import annotations

import unicodedata

#: Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned
#: characters, and the Unicode line and paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
#: What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Control characters a form field may carry: tab and line breaks.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def display_name(text: str) -> str:
    """A name as shown anywhere (pages, PDFs, spreadsheets): NFC, without control or
    invisible characters (NUL, bidi overrides such as U+202E), white space folded."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in INVISIBLE_CATEGORIES)
    return " ".join(kept.split())


def inert_cell(value):
    """A spreadsheet cell that cannot run as a formula: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe; other values pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def has_forbidden_controls(text: str) -> bool:
    """NUL and other control characters no form field should carry."""
    return any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in text)
