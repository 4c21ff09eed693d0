"""Numbered items of the body: `1.`, `1.1.`, `a)`, `1/.`, `(1)`, Roman `I.` sections with numbering
restarting under each; headings that only group items are not tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.directives.parsing.patterns import UPPER, is_capitals
from tracker.directives.parsing.source import Line

#: "I.", "I)", "I:" and, in some offices' typing, "I/." or "I/".
ROMAN = re.compile(r"^(?P<n>(?:X{0,3})(?:IX|IV|V?I{0,3}))\s*(?:[.:)]|/\.?(?!\d))\s*(?=\S)")
#: "2.1." or "2.1" (several levels), then "1." or "1)" (one level).
MULTI = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s*(?=[^\s\d/%,.-])")
DECIMAL = re.compile(
    r"^(?P<n>\d{1,2})(?:\.(?!\d)|\)|/\.?(?!\d))\s*(?=[^\s\d/%,.-])"
    r"|^\((?P<bracketed>\d{1,2})\)\s*(?=[^\s\d/%,.-])"  # "(1) Dự thảo Tờ trình"
    r"|^(?P<dashed>\d{1,2})/-\s*"  # "1/- Tiêu chuẩn HS", "2/-" with its text below
    rf"|^(?P<spaced>\d{{1,2}})\s+[-–]\s+(?=[{UPPER}])"  # "1 - Tính đến thời điểm này"
    r"|^(?P<alone>\d{1,2})\.\s*$"  # "2." alone, its text on the next line
)
LETTER = re.compile(r"^(?P<n>[a-zđ])\)\s*(?=\S)")
#: "A. NHIỆM VỤ CHỦ YẾU": a part in capitals above Roman sections or numbered items.
PART = re.compile(r"^(?P<n>[A-H])\s*[.)/]\s+(?=\S)")
#: Marks a level whose items were written with their full number ("3.1.").
DOTTED = "dotted"
#: "(1)", "(2)": items only where no other item is open; inside one, its own list.
BRACKETED = "bracketed"
ROMAN_VALUES = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
    "XI": 11,
    "XII": 12,
}


@dataclass
class Item:
    #: Number path as written, e.g. ("II", "2", "1") or ("3", "a").
    path: tuple[str, ...]
    #: Kind of each level: "part", "roman", "decimal" or "letter".
    kinds: tuple[str, ...]
    start: int
    end: int = 0
    #: Offset where the text after the number begins.
    text_start: int = 0
    lines: list[Line] = field(default_factory=list)
    children: int = 0

    @property
    def number(self) -> str:
        return ".".join(self.path)


@dataclass
class Body:
    lead_in: tuple[int, int]
    items: list[Item]


def item_marker(text: str) -> tuple[str, str, int] | None:
    """(kind, number, length of the marker) of a line that starts an item."""
    stripped = text.lstrip()
    part = PART.match(stripped)
    if part and is_capitals(stripped[part.end() :]) and not ROMAN.match(stripped):
        return "part", part.group("n"), part.end()
    for kind, pattern in (
        ("roman", ROMAN),
        ("decimal", MULTI),
        ("decimal", DECIMAL),
        ("letter", LETTER),
    ):
        match = pattern.match(stripped)
        number = match and next((group for group in match.groups() if group), None)
        if match and number:
            if match.groupdict().get("bracketed"):
                kind = BRACKETED
            return kind, number, match.end()
    return None


def segment_body(lines: list[Line]) -> Body:
    """Split body lines into items at their finest level, in reading order."""
    items: list[Item] = []
    stack: list[Item] = []  # open items from the outermost level in
    last_numbers: dict[tuple[str, ...], str] = {}
    lead_end = lines[-1].end if lines else 0
    lead_start = lines[0].start if lines else 0
    in_brackets = False  # the items open were numbered "(1)", "(2)"
    for line in lines:
        marker = item_marker(line.text) if not line.blank else None
        bracketed = marker is not None and marker[0] == BRACKETED
        if marker is not None and bracketed:
            marker = ("decimal", *marker[1:]) if not stack or in_brackets else None
        item = _accept(marker, stack, last_numbers) if marker else None
        if item is not None:
            in_brackets = bracketed
        if marker is None or item is None:
            if stack:
                stack[-1].lines.append(line)
                stack[-1].end = line.end
            continue
        kind, number, length = marker
        path, kinds = item
        if not items:
            lead_end = line.start
        new = Item(
            path=path,
            kinds=kinds,
            start=line.start + line.indent,
            text_start=line.start + line.indent + length,
            end=line.end,
            lines=[line],
        )
        while stack and len(stack[-1].path) >= len(path):
            stack.pop()
        if stack:
            stack[-1].children += 1
        stack.append(new)
        items.append(new)
        last_numbers[path[:-1] + (kind,)] = path[-1]
        if "." in number:
            last_numbers[path[:-1] + (kind, DOTTED)] = number
    return Body(lead_in=(lead_start, lead_end), items=items)


def _accept(
    marker, stack: list[Item], last_numbers
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The item's full path if the marker continues the numbering plausibly, else None
    (a line that merely begins with a number is text)."""
    kind, number, _length = marker
    if kind == "decimal" and "." in number:
        parts = tuple(number.split("."))
        # 2.1 under item 2 (possibly inside a Roman section).
        parent_index = _find_parent(stack, parts[:-1])
        if parent_index is None:
            return None
        parent = stack[parent_index]
        if not _follows("decimal", last_numbers.get(parent.path + ("decimal",)), parts[-1]):
            return None
        return parent.path + (parts[-1],), parent.kinds + ("decimal",)
    candidates = []
    for depth in range(len(stack), -1, -1):
        base = stack[depth - 1].path if depth else ()
        base_kinds = stack[depth - 1].kinds if depth else ()
        previous = last_numbers.get(base + (kind,))
        if base + (kind, DOTTED) in last_numbers:
            continue  # siblings written "3.1.", "3.2.": a bare "4." is not one of them
        if _follows(kind, previous, number):
            candidates.append((base + (number,), base_kinds + (kind,)))
            if previous is not None:
                break
    return candidates[0] if candidates else None


def _find_parent(stack: list[Item], parts: tuple[str, ...]) -> int | None:
    for index in range(len(stack) - 1, -1, -1):
        path = stack[index].path
        decimal_tail = tuple(
            p for p, k in zip(path, stack[index].kinds, strict=True) if k == "decimal"
        )
        if decimal_tail == parts:
            return index
    return None


def _follows(kind: str, previous: str | None, number: str) -> bool:
    if kind == "roman":
        value = ROMAN_VALUES.get(number)
        before = ROMAN_VALUES[previous] if previous else 0  # accepted, so a known numeral
        return value is not None and value == before + 1
    if kind == "part":
        return number == ("A" if previous is None else chr(ord(previous) + 1))
    if kind == "letter":
        expected = "a" if previous is None else chr(ord(previous) + 1)
        if previous == "d":
            expected = "đ"
        elif previous == "đ":
            expected = "e"
        return number == expected
    value = int(number)
    return value == (int(previous) + 1 if previous else 1)


def is_heading(item: Item, text: str) -> bool:
    """A grouping heading: it has sub-items, or it is short text in capitals."""
    return item.children > 0 or (is_capitals(text) and len(text) < 120 and "." not in text[:-1])
