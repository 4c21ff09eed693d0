"""Preparing a text for parsing without moving any character, so every span found in
the prepared text is also a span of the original."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _

from tracker.formatting import display_number


class NotADirective(ValueError):
    """The input cannot be read as a directive; the message is in the language in force
    when it is raised (a request's reader's, the importer's in the job queue, TRACKER_LANG's
    on the command line, else Vietnamese)."""


def too_long(length: int, limit: int) -> str:
    """The refusal of a text longer than `limit` characters, both numbers as the reader
    writes them (400.000 in Vietnamese, 400,000 in English)."""
    return _(
        "Văn bản quá dài (%(length)s ký tự; tối đa %(limit)s).",
        length=display_number(length),
        limit=display_number(limit),
    )


@dataclass(frozen=True)
class Line:
    #: The line's text, without its line break.
    text: str
    #: Offset of the line's first character in the document.
    start: int
    #: Index of the line in the document.
    index: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip())

    @property
    def blank(self) -> bool:
        return not self.text.strip()


# Lines that are page furniture: a page number alone ("2", "- 2 -", "Trang 2").
PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*-)?\s*$")
EMPHASIS = re.compile(r"\*\*|__")


def prepare(text: str) -> str:
    """NFC, then blank out markdown emphasis, form feeds and page numbers, keeping length.

    NFC may change the length of a decomposed text; the prepared text is then the
    document the spans refer to (the parser returns it as Draft.text)."""
    if "\x00" in text:
        raise NotADirective(_("Tệp không phải văn bản thuần (có ký tự NUL)."))
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n").replace("\t", " ").replace("\u00a0", " ")
    text = EMPHASIS.sub(lambda match: " " * len(match.group()), text)
    prepared = []
    for line in text.split("\n"):
        prepared.append(" " * len(line) if PAGE_NUMBER.match(line) and line.strip() else line)
    return "\n".join(_untable(prepared))


def sentence_start(text: str, position: int, stops: tuple[str, ...] = (".", ";")) -> int:
    """Where the sentence that `position` is in begins: after the last of `stops`."""
    return max(text.rfind(stop, 0, position) for stop in stops) + 1


#: A line that only rules ("-------", "———", "***").
RULE = re.compile(r"^[\s_\-–—=.*]+$")
#: A cell boundary of a header table copied from a web page: a line that is only "|".
TABLE_BAR = re.compile(r"^\s*\|\s*$")
#: Where a header ends: its addressees, or the body's first item.
BELOW_HEADER = re.compile(r"\s*(?:Kính\s+gửi|\d{1,2}[.)]\s|[a-zđ][.)]\s)")
#: How far down a header table reaches.
TABLE_LINES = 60


#: Cells of a header table kept on one line: "ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI ... |".
INLINE_BAR = re.compile(r"(?:^|\s)\|(?=\s|$)")
#: A row of such a table further down, the signer's cells: "| TL. BỘ TRƯỞNG |".
TABLE_ROW = re.compile(r"^\s*\|\s.*\s\|\s*$")


def _inline_cells(line: str) -> str:
    """A table's cells on one line, the bars become the wide gaps of a layout."""
    if "|" not in line or TABLE_BAR.match(line):
        return line  # a lone bar between cells: _untable reads those
    return INLINE_BAR.sub(lambda bar: " " * len(bar.group()), line)


def _cell_fragment(previous: str, line: str) -> bool:
    """`previous` is a lone word or a label that `line` goes on from."""
    if not previous.strip() or not line.strip() or RULE.match(previous) or RULE.match(line):
        return False
    return len(previous.split()) == 1 or previous.rstrip().endswith(":")


def _untable(lines: list[str]) -> list[str]:
    """A header table flattened by a web page, one cell after another between "|" lines
    and a cell's words broken over lines ("ỦY" / "BAN NHÂN DÂN", "Số:" / "36/KH-UBND",
    "Cà" / "Mau, ngày ..."): the bars blanked, a lone word or a label ending in ":" put
    back on the line of the words that follow it. Lengths are kept (a line break becomes
    a space)."""
    # where cells end: lone bars ("|" lines), or, above the addressees and the items, bars
    # ending a line ("BẢO" / "HIỂM XÃ HỘI VIỆT NAM |")
    header_end = next(
        (index for index, line in enumerate(lines[:TABLE_LINES]) if BELOW_HEADER.match(line)),
        TABLE_LINES,
    )
    lone = [index for index, line in enumerate(lines[:TABLE_LINES]) if TABLE_BAR.match(line)]
    ending = [
        index for index, line in enumerate(lines[:header_end]) if line.rstrip().endswith(" |")
    ]
    bars = max((found for found in (lone, ending) if len(found) > 1), key=max, default=[])
    lines = [
        _inline_cells(line) if index < TABLE_LINES or TABLE_ROW.match(line) else line
        for index, line in enumerate(lines)
    ]
    if len(bars) < 2:
        return lines
    closed = set(ending)  # a line that ends its cell ("ĐỘNG |") takes no more words
    joined: list[str] = []
    for index, line in enumerate(lines):
        if index <= bars[-1] and TABLE_BAR.match(line):
            line = " " * len(line)
        if (
            index <= bars[-1]
            and joined
            and index - 1 not in closed
            and _cell_fragment(joined[-1], line)
        ):
            joined[-1] += " " + line
            continue
        joined.append(line)
    return joined


def split_lines(text: str) -> list[Line]:
    lines = []
    offset = 0
    for index, line in enumerate(text.split("\n")):
        lines.append(Line(line, offset, index))
        offset += len(line) + 1
    return lines


@dataclass(frozen=True)
class Segment:
    """A run of text on one line, separated from its neighbours by 3+ spaces: the
    columns of a header extracted with `pdftotext -layout`."""

    text: str
    start: int
    column: int
    line: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


GAP = re.compile(r"\S(?:.*?\S)?(?=\s{3,}|\s*$)")


def segments(line: Line) -> list[Segment]:
    found = []
    for match in GAP.finditer(line.text):
        found.append(Segment(match.group(), line.start + match.start(), match.start(), line.index))
    return found


def squash(text: str) -> str:
    """Whitespace runs to single spaces."""
    return " ".join(text.split())
