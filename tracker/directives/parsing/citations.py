"""Cited documents: type, number/symbol, date and issuer, in every form they are written."""

from __future__ import annotations

import re

from tracker.directives.parsing.draft import CitedDraft
from tracker.directives.parsing.patterns import (
    ANY_DATE,
    DOC_TYPE_PATTERN,
    TYPE_BY_ABBREVIATION,
    date_from,
)
from tracker.directives.parsing.source import squash

SYMBOL_PART = r"[A-ZĐ0-9&][A-ZĐa-zđ0-9&]*"
#: Between a symbol's parts: "-", "/", or a dot before a capital ("TB-VP.UBND", "BĐ.TP"),
#: not the full stop that ends the sentence.
SYMBOL_JOIN = r"(?:\s*[-/]\s*|\.(?=(?-i:[A-ZĐ])))"
#: A character of a citation's issuer, which ends before the next cited document ("của
#: Chính phủ và Thông tư 01/2011/TT-BNV": the issuer is "Chính phủ").
ISSUER_CHAR = rf"(?:(?!\s+(?:và\s+)?(?:{DOC_TYPE_PATTERN})\s)[^,;.()\n])"
CITATION = re.compile(
    # "Chương trình phối hợp số 01/CTrPH-...": a few words may name it before "số"
    rf"(?P<type>{DOC_TYPE_PATTERN})(?:(?:\s+[^\s\d,;.()]+){{1,3}}?\s+số\s*:?\s*|\s+(?:số\s*:?\s*)?)"
    rf"(?P<number>\d{{1,5}}(?:-[A-ZĐ]+)?)\s*/\s*"
    rf"(?P<symbol>{SYMBOL_PART}(?:{SYMBOL_JOIN}{SYMBOL_PART})*)"
    r"(?P<tail>\s*,?\s*(?:ngày\s*(?P<date>\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|"
    r"\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    rf"(?:\s*của\s+(?P<issuer>{ISSUER_CHAR}+(?:\n{ISSUER_CHAR}+)?)?)?)",
    re.IGNORECASE,
)
#: "(số 157/KH-BGDĐT ngày 13/3/2020)": a number and symbol with no type before them.
BARE_CITATION = re.compile(
    rf"\bsố\s+(?P<number>\d{{1,5}})\s*/\s*(?P<symbol>(?P<abbr>[A-ZĐ][A-Za-zĐđ]*)-"
    rf"{SYMBOL_PART}(?:{SYMBOL_JOIN}{SYMBOL_PART})*)"
    r"(?P<tail>\s*,?\s*ngày\s*(?P<date>\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}))?"
)
#: A further document of the same type listed after one: "Công văn số 1017/BTNMT-TCMT, số
#: 1016/BTNMT-TCMT".
LISTED = re.compile(
    rf"\s*(?:,|và)\s*(?:số\s*:?\s*)(?P<number>\d{{1,5}})\s*/\s*"
    rf"(?P<symbol>{SYMBOL_PART}(?:{SYMBOL_JOIN}{SYMBOL_PART})*)",
    re.IGNORECASE,
)
ISSUER_END = re.compile(
    r"\s+(?:về\s+việc|về|v/v|quy\s+định|hướng\s+dẫn|ban\s+hành|"
    r"triển\s+khai|thực\s+hiện|đã|và|tại)\b.*$",
    re.IGNORECASE | re.DOTALL,
)


def find_citations(text: str, offset: int = 0, *, exclude: str | None = None) -> list[CitedDraft]:
    """Every numbered document the text refers to, in order of first mention, once each.
    `exclude` is the document's own number/symbol."""
    found: dict[tuple[str, str], CitedDraft] = {}
    for match in CITATION.finditer(text):
        number = match.group("number")
        symbol = re.sub(r"\s+", "", match.group("symbol")).rstrip("-/")
        key = (number, symbol.upper())
        if key in found or (exclude and f"{number}/{symbol}" == exclude):
            continue
        date_text = match.group("date")
        date_match = ANY_DATE.search(date_text) if date_text else None
        issuer = match.group("issuer")
        if issuer:
            issuer = squash(ISSUER_END.sub("", issuer)).strip(" ,")
        doc_type = squash(match.group("type"))
        doc_type = doc_type[:1].upper() + doc_type[1:].lower()
        found[key] = CitedDraft(
            doc_type=doc_type,
            number=number,
            symbol=symbol,
            date=date_from(date_match) if date_match else None,
            issuer=issuer or None,
            text=squash(match.group()),
            span=(offset + match.start(), offset + match.end()),
        )
        position = match.end("symbol")
        while listed := LISTED.match(text, position):
            position = listed.end()
            symbol = listed.group("symbol")
            found.setdefault(
                (listed.group("number"), symbol.upper()),
                CitedDraft(
                    doc_type=doc_type,
                    number=listed.group("number"),
                    symbol=symbol,
                    date=None,
                    issuer=None,
                    text=squash(listed.group()).lstrip(",").strip(),
                    span=(offset + listed.start("number"), offset + listed.end()),
                ),
            )
    for match in BARE_CITATION.finditer(text):
        number = match.group("number")
        symbol = re.sub(r"\s+", "", match.group("symbol")).rstrip("-/")
        key = (number, symbol.upper())
        abbreviated_type = TYPE_BY_ABBREVIATION.get(match.group("abbr"))
        if (
            key in found
            or abbreviated_type is None
            or (exclude and f"{number}/{symbol}" == exclude)
        ):
            continue
        date_match = ANY_DATE.search(match.group("date") or "")
        found[key] = CitedDraft(
            doc_type=abbreviated_type,
            number=number,
            symbol=symbol,
            date=date_from(date_match) if date_match else None,
            issuer=None,
            text=squash(match.group()),
            span=(offset + match.start(), offset + match.end()),
        )
    return sorted(found.values(), key=lambda cited: cited.span[0] if cited.span else 0)
