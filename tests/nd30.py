"""Checks of a rendered PDF against the layout of Decree 30/2020/NĐ-CP (docs/ND30.md).

Helpers only, no tests: document tests open the PDF once and run the checks they need::

    with capture_weasyprint_warnings() as log:
        data = render_report(...)
    assert not log.records, log.messages
    with Pdf(data) as pdf:
        assert_a4_portrait(pdf)
        assert_within_margins(pdf, allow_top_margin=True)
        assert_only_fonts(pdf)
        assert_page_numbers(pdf)
        title = find_line(pdf, r"^CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM$")
        assert_line_style(title, size_range=(12, 13), bold=True, upper=True)
        assert_date_line(find_line(pdf, r"ngày \\d+ tháng").text)
    assert_fonts_embedded(data)

Every check raises AssertionError with what it found. Coordinates are PDF points
(1 mm = 72 / 25.4 pt) measured from the top-left corner of the page, as pdfplumber
gives them.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import pdfplumber
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    StreamObject,
    TextStringObject,
)

MM = 72 / 25.4
A4_PT = (595.28, 841.89)

#: ND30's date, e.g. "ngày 05 tháng 01 năm 2026": a day below 10 and months 1-2 get a
#: leading zero, months 3-12 do not.
DATE_PATTERN = r"ngày (0[1-9]|[12]\d|3[01]) tháng (0[12]|[3-9]|1[0-2]) năm (\d{4})"
#: Box 4: "<place>, <date>", the place starting with a capital letter.
PLACE_DATE_RE = re.compile(rf"(?P<place>[^\W\d_][^,\d]*), {DATE_PATTERN}")
_LOOSE_DATE_RE = re.compile(r"ngày\s+(\d+)\s+tháng\s+(\d+)\s+năm\s+(\d+)")
_SUBSET_PREFIX_RE = re.compile(r"^[A-Z]{6}\+")
_BOLD_RE = re.compile(r"bold|black|heavy", re.IGNORECASE)
_ITALIC_RE = re.compile(r"italic|oblique", re.IGNORECASE)
_FONT_FLAG_ITALIC = 1 << 6
_FONT_FLAG_FORCE_BOLD = 1 << 18


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_subset_prefix(fontname: str) -> str:
    """'OWWGAT+ND30-Serif-Bold' -> 'ND30-Serif-Bold'."""
    return _SUBSET_PREFIX_RE.sub("", fontname)


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class FontProgram:
    """One font of the PDF: its PDF name and, when embedded, the name the font file
    gives itself.

    WeasyPrint names a PDF font after the CSS family, so `@font-face { font-family:
    "ND30 Serif" }` shows up as "ABCDEF+ND30-Serif-Bold" in pdfplumber and pdffonts
    whatever file was loaded; `postscript_name` ("LiberationSerif-Bold") and `version`
    ("Version 2.1.3") come from the embedded file's own name table."""

    pdf_name: str
    embedded: bool
    postscript_name: str | None = None
    family: str | None = None
    version: str | None = None
    italic_flag: bool = False
    bold_flag: bool = False

    @property
    def name(self) -> str:
        """The font's real name: the embedded program's, else the PDF's (no subset tag)."""
        return self.postscript_name or strip_subset_prefix(self.pdf_name)

    @property
    def bold(self) -> bool:
        return self.bold_flag or bool(_BOLD_RE.search(_style_part(self.name)))

    @property
    def italic(self) -> bool:
        return self.italic_flag or bool(_ITALIC_RE.search(_style_part(self.name)))


def _style_part(name: str) -> str:
    # "LiberationSerif-BoldItalic" -> "BoldItalic"; a name without a style part is
    # searched whole.
    return name.rsplit("-", 1)[-1]


def _name_table(data: bytes) -> dict[int, str]:
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data), lazy=True) as font:
        names: dict[int, str] = {}
        for record in font["name"].names:
            if record.nameID in (1, 4, 5, 6, 16) and record.nameID not in names:
                with contextlib.suppress(UnicodeDecodeError):
                    names[record.nameID] = record.toUnicode()
        return names


def _cff_name(data: bytes) -> str | None:
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    return cff.fontNames[0] if cff.fontNames else None


def _font_program(pdf_name: str, font: DictionaryObject) -> FontProgram:
    descriptor_holder = font
    if "/DescendantFonts" in font:
        descriptor_holder = font["/DescendantFonts"][0].get_object()
    descriptor = descriptor_holder.get("/FontDescriptor")
    if descriptor is None:  # Type 3 or one of the standard 14, not embedded
        return FontProgram(pdf_name=pdf_name, embedded=False)
    descriptor = descriptor.get_object()
    flags = int(descriptor.get("/Flags", 0))
    base = FontProgram(
        pdf_name=pdf_name,
        embedded=False,
        italic_flag=bool(flags & _FONT_FLAG_ITALIC),
        bold_flag=bool(flags & _FONT_FLAG_FORCE_BOLD),
    )
    for key in ("/FontFile2", "/FontFile3", "/FontFile"):
        if key in descriptor:
            stream = descriptor[key].get_object()
            break
    else:
        return base
    data = stream.get_data()
    names: dict[int, str] = {}
    postscript: str | None = None
    subtype = stream.get("/Subtype")
    try:
        if key == "/FontFile":  # Type 1
            match = re.search(rb"/FontName\s*/(\S+)", data)
            postscript = match.group(1).decode("latin-1") if match else None
        elif key == "/FontFile3" and subtype in ("/Type1C", "/CIDFontType0C"):
            postscript = _cff_name(data)
        else:
            names = _name_table(data)
            postscript = names.get(6) or (names[4].replace(" ", "") if 4 in names else None)
    except Exception:  # an unreadable program: report the PDF's name
        postscript = None
    return FontProgram(
        pdf_name=pdf_name,
        embedded=True,
        postscript_name=postscript,
        family=names.get(16) or names.get(1),
        version=names.get(5),
        italic_flag=base.italic_flag,
        bold_flag=base.bold_flag,
    )


def _collect_fonts(resources: Any, found: dict[str, FontProgram], seen: set[int]) -> None:
    if resources is None:
        return
    resources = resources.get_object()
    if id(resources) in seen:
        return
    seen.add(id(resources))
    fonts = resources.get("/Font")
    if fonts is not None:
        for reference in fonts.get_object().values():
            font = reference.get_object()
            pdf_name = str(font.get("/BaseFont", "")).lstrip("/")
            if pdf_name and pdf_name not in found:
                found[pdf_name] = _font_program(pdf_name, font)
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for reference in xobjects.get_object().values():
            xobject = reference.get_object()
            if xobject.get("/Subtype") == "/Form":
                _collect_fonts(xobject.get("/Resources"), found, seen)


# --------------------------------------------------------------------------- the PDF


class Pdf:
    """A PDF parsed once with pdfplumber and pypdf; close it (or use `with`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reader = PdfReader(io.BytesIO(data))
        self._plumber = pdfplumber.open(io.BytesIO(data))
        self._words: dict[int, list[dict[str, Any]]] = {}
        self._lines: dict[tuple[Any, ...], list[TextLine]] = {}

    def close(self) -> None:
        self._plumber.close()

    def __enter__(self) -> Pdf:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def pages(self) -> list[Any]:
        """pdfplumber pages (parsed lazily, once)."""
        return self._plumber.pages

    @property
    def page_count(self) -> int:
        return len(self.reader.pages)

    @cached_property
    def text(self) -> str:
        """All text (pdfplumber's extract_text), NFC, pages joined by form feeds."""
        return "\f".join(nfc(page.extract_text() or "") for page in self.pages)

    def words(self, page_index: int = 0) -> list[dict[str, Any]]:
        """pdfplumber words of one page with `fontname` and `size`, text NFC."""
        if page_index not in self._words:
            words = self.pages[page_index].extract_words(extra_attrs=["fontname", "size"])
            self._words[page_index] = [{**word, "text": nfc(word["text"])} for word in words]
        return self._words[page_index]

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """The document information dictionary (from <title> and <meta> in WeasyPrint)."""
        info = self.reader.metadata
        keys = ("title", "author", "subject", "creator", "producer")
        result: dict[str, Any] = dict.fromkeys((*keys, "keywords"))
        result.update(creation_date=None, modification_date=None)
        if info is None:
            return result
        for key in keys:
            result[key] = getattr(info, key)
        result["keywords"] = info.get("/Keywords")
        for key in ("creation_date", "modification_date"):
            try:
                result[key] = getattr(info, key)
            except ValueError:  # a malformed date: keep the raw string
                result[key] = info.get("/CreationDate" if key == "creation_date" else "/ModDate")
        return result

    @cached_property
    def fonts(self) -> dict[str, FontProgram]:
        """Every font used by a page (or a form it draws), keyed by its PDF name as
        pdfplumber reports it in `fontname` (with the subset tag)."""
        found: dict[str, FontProgram] = {}
        seen: set[int] = set()
        for page in self.reader.pages:
            _collect_fonts(page.get("/Resources"), found, seen)
        return found

    def font(self, fontname: str) -> FontProgram:
        """The FontProgram of a pdfplumber `fontname`."""
        return self.fonts.get(fontname) or FontProgram(pdf_name=fontname, embedded=False)


# --------------------------------------------------------------------------- lines


@dataclass
class TextLine:
    """One line of one column: chars on the same baseline (within a tolerance) and
    not separated by a wide gap. Coordinates and fonts cover the visible chars only;
    `fonts` holds real font names (see FontProgram.name)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    fonts: set[str]
    sizes: set[float]
    bold: bool  # every visible char is bold
    italic: bool  # every visible char is italic (real italic face or slanted)
    page_index: int = 0
    any_bold: bool = field(default=False, repr=False)
    any_italic: bool = field(default=False, repr=False)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def describe(self) -> str:
        sizes = "/".join(f"{size:g}" for size in sorted(self.sizes))
        style = ("B" if self.bold else "") + ("I" if self.italic else "")
        return (
            f"top {self.top:6.1f} x {self.x0:5.1f}-{self.x1:5.1f} {sizes}pt {style:2} "
            f"{'+'.join(sorted(self.fonts))}: {self.text!r}"
        )


def _is_space(char: dict[str, Any]) -> bool:
    return not char["text"].strip()


def _is_slanted(char: dict[str, Any]) -> bool:
    a, b, c, d, _e, _f = char.get("matrix", (1, 0, 0, 1, 0, 0))
    return abs(b) < 1e-6 and abs(c) > 0.05 * abs(d)


def _ordered(chars: Iterable[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
    """(sort key, char) in stream order: x0, except that a combining mark keeps its
    place right after its base character whatever its own x0."""
    keyed: list[tuple[float, dict[str, Any]]] = []
    previous = 0.0
    for char in chars:
        text = char["text"]
        if text and unicodedata.combining(text[0]):
            previous += 1e-6
        else:
            previous = char["x0"]
        keyed.append((previous, char))
    return keyed


def _split_row(
    row: list[dict[str, Any]], gap_pt: float, column_edges: Sequence[float]
) -> list[list[dict[str, Any]]]:
    clusters: list[list[dict[str, Any]]] = [[]]
    last_visible: dict[str, Any] | None = None
    spaces = 0
    for char in row:
        if _is_space(char):
            spaces += 1
            clusters[-1].append(char)
            continue
        if last_visible is not None:
            gap = char["x0"] - last_visible["x1"]
            # Justification widens the gap around a space character, never a gap
            # without one (such as the one between the two header columns).
            wide = gap > gap_pt * (1 + spaces)
            left = (last_visible["x0"] + last_visible["x1"]) / 2
            right = (char["x0"] + char["x1"]) / 2
            crosses = any(left < edge <= right for edge in column_edges)
            if wide or crosses:
                clusters.append([])
        clusters[-1].append(char)
        last_visible = char
        spaces = 0
    return clusters


def _text_of(chars: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    previous: dict[str, Any] | None = None
    for char in chars:
        if (
            previous is not None
            and not _is_space(previous)
            and not _is_space(char)
            and char["x0"] - previous["x1"] > 3.0  # pdfplumber's default x_tolerance
        ):
            parts.append(" ")
        parts.append(char["text"])
        previous = char
    return nfc("".join(parts)).strip()


def lines(
    pdf: Pdf,
    page_index: int = 0,
    *,
    line_tolerance_pt: float = 2.0,
    gap_pt: float = 20.0,
    column_edges: Sequence[float] = (),
) -> list[TextLine]:
    """The text lines of a page, top to bottom then left to right.

    Chars whose bottoms are within `line_tolerance_pt` form a row (bottoms rather than
    tops: 12 pt and 13 pt text on one baseline differ by ~1 pt at the top, ~0.2 pt at
    the bottom). A row is split into lines where two visible chars are more than
    `gap_pt` apart with no space between them (gap_pt more for each space, since
    justification stretches spaces), and across any x in `column_edges`: pass the
    column boundary when the two header columns come closer than gap_pt (the gap
    between them is half the sum of their slack, measured as low as 17 pt)."""
    key = (page_index, line_tolerance_pt, gap_pt, tuple(column_edges))
    if key in pdf._lines:
        return pdf._lines[key]
    keyed = _ordered(pdf.pages[page_index].chars)
    keyed.sort(key=lambda item: item[1]["bottom"])
    rows: list[list[tuple[float, dict[str, Any]]]] = []
    for item in keyed:
        if rows and item[1]["bottom"] - rows[-1][0][1]["bottom"] <= line_tolerance_pt:
            rows[-1].append(item)
        else:
            rows.append([item])
    result: list[TextLine] = []
    for row in rows:
        ordered = [char for _key, char in sorted(row, key=lambda item: item[0])]
        row_lines = []
        for cluster in _split_row(ordered, gap_pt, column_edges):
            visible = [char for char in cluster if not _is_space(char)]
            if not visible:
                continue
            programs = [pdf.font(char["fontname"]) for char in visible]
            bolds = [program.bold for program in programs]
            italics = [
                program.italic or _is_slanted(char)
                for program, char in zip(programs, visible, strict=True)
            ]
            row_lines.append(
                TextLine(
                    text=_text_of(cluster),
                    x0=min(char["x0"] for char in visible),
                    x1=max(char["x1"] for char in visible),
                    top=min(char["top"] for char in visible),
                    bottom=max(char["bottom"] for char in visible),
                    fonts={program.name for program in programs},
                    sizes={round(float(char["size"]), 2) for char in visible},
                    bold=all(bolds),
                    italic=all(italics),
                    page_index=page_index,
                    any_bold=any(bolds),
                    any_italic=any(italics),
                )
            )
        result.extend(sorted(row_lines, key=lambda line: line.x0))
    pdf._lines[key] = result
    return result


def _listing(text_lines: Iterable[TextLine]) -> str:
    return "\n".join("  " + line.describe() for line in text_lines) or "  (no text)"


def find_line(
    pdf: Pdf, pattern: str | re.Pattern[str], page_index: int = 0, **options: Any
) -> TextLine:
    """The first line of the page whose text matches `pattern` (re.search)."""
    regex = re.compile(nfc(pattern)) if isinstance(pattern, str) else pattern
    page_lines = lines(pdf, page_index, **options)
    for line in page_lines:
        if regex.search(line.text):
            return line
    raise AssertionError(
        f"no line matches {regex.pattern!r} on page {page_index + 1}; its lines:\n"
        + _listing(page_lines)
    )


def find_line_anywhere(pdf: Pdf, pattern: str, **options: Any) -> tuple[int, TextLine]:
    """The page index and first line, on any page, whose text matches `pattern`."""
    for index in range(pdf.page_count):
        try:
            return index, find_line(pdf, pattern, index, **options)
        except AssertionError:
            continue
    raise AssertionError(f"no line matches {pattern!r} on any page")


# --------------------------------------------------------------------------- page checks


def assert_a4_portrait(pdf: Pdf, tolerance_pt: float = 1.0) -> None:
    """Every page is A4 portrait (595.28 x 841.89 pt) as displayed: crop box, rotation
    applied."""
    problems = []
    for index, page in enumerate(pdf.reader.pages):
        box = page.cropbox
        width, height = float(box.width), float(box.height)
        if page.rotation % 180:
            width, height = height, width
        if abs(width - A4_PT[0]) > tolerance_pt or abs(height - A4_PT[1]) > tolerance_pt:
            problems.append(
                f"page {index + 1}: {width:.2f} x {height:.2f} pt"
                f" ({width / MM:.1f} x {height / MM:.1f} mm, /Rotate {page.rotation})"
            )
    assert not problems, f"not A4 portrait ({A4_PT[0]} x {A4_PT[1]} pt):\n  " + "\n  ".join(
        problems
    )


def assert_within_margins(
    pdf: Pdf,
    left_mm: float = 30,
    right_mm: float = 15,
    top_mm: float = 20,
    bottom_mm: float = 20,
    tolerance_pt: float = 0.5,
    *,
    allow_top_margin: bool = False,
) -> None:
    """Every visible char lies inside the margins (x0 >= left, x1 <= width - right,
    top >= top margin, bottom <= height - bottom margin).

    With allow_top_margin=True a line in the top margin whose text is only digits (the
    page number) is exempt from the top check, and from nothing else."""
    left, right_margin = left_mm * MM, right_mm * MM
    top, bottom_margin = top_mm * MM, bottom_mm * MM
    problems: list[str] = []
    for index, page in enumerate(pdf.pages):
        right, bottom = float(page.width) - right_margin, float(page.height) - bottom_margin
        exempt: list[TextLine] = []
        if allow_top_margin:
            exempt = [
                line
                for line in lines(pdf, index)
                if line.top < top - tolerance_pt and line.text.isdigit()
            ]
        for char in page.chars:
            if _is_space(char):
                continue
            where = f"page {index + 1} {char['text']!r} at x {char['x0']:.1f}-{char['x1']:.1f}"
            where += f" top {char['top']:.1f}"
            if char["x0"] < left - tolerance_pt:
                problems.append(f"{where}: left of the {left_mm} mm margin ({left:.2f} pt)")
            if char["x1"] > right + tolerance_pt:
                problems.append(f"{where}: right of the {right_mm} mm margin ({right:.2f} pt)")
            if char["bottom"] > bottom + tolerance_pt:
                problems.append(f"{where}: below the {bottom_mm} mm margin ({bottom:.2f} pt)")
            if char["top"] < top - tolerance_pt and not any(
                line.x0 <= char["x0"] + 0.01
                and char["x1"] <= line.x1 + 0.01
                and line.top <= char["top"] + 0.01
                and char["bottom"] <= line.bottom + 0.01
                for line in exempt
            ):
                problems.append(f"{where}: above the {top_mm} mm margin ({top:.2f} pt)")
    if problems:
        shown = "\n  ".join(problems[:15])
        more = f"\n  ... and {len(problems) - 15} more" if len(problems) > 15 else ""
        raise AssertionError(f"{len(problems)} char(s) outside the margins:\n  {shown}{more}")


def assert_only_fonts(pdf: Pdf, family: str | tuple[str, ...] = "LiberationSerif") -> None:
    """Every char is drawn with a font whose real name (the embedded program's
    PostScript name, see FontProgram; the PDF name without its subset tag when not
    embedded) starts with `family`. Catches a whole document in the wrong font and a
    single glyph that fell back to another font (DejaVu for a missing ơ or ✓)."""
    offenders: dict[str, list[Any]] = {}
    for index, page in enumerate(pdf.pages):
        for char in page.chars:
            program = pdf.font(char["fontname"])
            if program.name.startswith(family):
                continue
            label = f"{program.name} (PDF font {char['fontname']})"
            entry = offenders.setdefault(label, [0, index + 1, ""])
            entry[0] += 1
            if len(entry[2]) < 30:
                entry[2] += char["text"]
    if offenders:
        details = "\n  ".join(
            f"{label}: {count} char(s), first on page {page}: {sample!r}"
            for label, (count, page, sample) in offenders.items()
        )
        raise AssertionError(f"fonts other than {family}:\n  {details}")


class PdfFont(NamedTuple):
    name: str
    type: str
    embedded: bool


def embedded_fonts(data: bytes) -> list[PdfFont]:
    """The fonts `pdffonts` (poppler) lists for the whole PDF: (name, type, embedded).

    Columns are read from the right (encoding, emb, sub, uni, object, generation are
    single tokens) so a name longer than pdffonts' 36-char column or a type with a
    space ("CID TrueType", "Type 1C") parse correctly."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        completed = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=False, timeout=60
        )
    if completed.returncode != 0:
        raise AssertionError(f"pdffonts failed ({completed.returncode}): {completed.stderr}")
    output = completed.stdout.splitlines()
    start = next((i + 1 for i, line in enumerate(output) if line.startswith("----")), None)
    if start is None:
        raise AssertionError(f"unexpected pdffonts output:\n{completed.stdout}")
    fonts = []
    for line in output[start:]:
        tokens = line.split()
        if len(tokens) < 8:
            continue
        fonts.append(PdfFont(tokens[0], " ".join(tokens[1:-6]), tokens[-5] == "yes"))
    return fonts


def assert_fonts_embedded(data: bytes) -> None:
    """The PDF uses at least one font and embeds every font it uses."""
    fonts = embedded_fonts(data)
    assert fonts, "pdffonts lists no font: the PDF has no text"
    missing = [font for font in fonts if not font.embedded]
    assert not missing, "fonts not embedded:\n  " + "\n  ".join(
        f"{font.name} ({font.type})" for font in missing
    )


# --------------------------------------------------------------------------- line checks


def assert_line_style(
    line: TextLine,
    size_range: tuple[float, float] = (13, 14),
    bold: bool | None = None,
    italic: bool | None = None,
    upper: bool | None = None,
) -> None:
    """Sizes within size_range (inclusive, ±0.05 pt); bold/italic True: every visible
    char, False: none; upper True: every letter a capital, False: some letter is not.
    None skips that check."""
    problems = []
    low, high = size_range
    wrong_sizes = sorted(size for size in line.sizes if not low - 0.05 <= size <= high + 0.05)
    if wrong_sizes:
        problems.append(f"size {wrong_sizes} pt outside {low}-{high} pt")
    if bold is True and not line.bold:
        problems.append("not (all) bold")
    if bold is False and line.any_bold:
        problems.append("bold")
    if italic is True and not line.italic:
        problems.append("not (all) italic")
    if italic is False and line.any_italic:
        problems.append("italic")
    letters = [char for char in line.text if char.isalpha()]
    all_upper = bool(letters) and all(char.isupper() for char in letters)
    if upper is True and not all_upper:
        problems.append("not all capitals")
    if upper is False and all_upper:
        problems.append("all capitals")
    assert not problems, f"{'; '.join(problems)}:\n  {line.describe()}"


def assert_centred(
    line: TextLine,
    within: tuple[float, float] | TextLine,
    tolerance_pt: float = 6.0,
) -> None:
    """The line's centre is the centre of `within`, a box (x_left, x_right) in points
    or another line (e.g. the motto under the national title)."""
    if isinstance(within, TextLine):
        box = (within.x0, within.x1)
    else:
        box = (float(within[0]), float(within[1]))
    expected = (box[0] + box[1]) / 2
    offset = line.centre - expected
    assert abs(offset) <= tolerance_pt, (
        f"not centred in {box[0]:.1f}-{box[1]:.1f} (centre {expected:.1f}): the line's "
        f"centre is {line.centre:.1f}, {offset:+.1f} pt off (tolerance {tolerance_pt}):\n"
        f"  {line.describe()}"
    )


def nd30_date(day: date) -> str:
    """'ngày 05 tháng 01 năm 2026', 'ngày 20 tháng 8 năm 2020', 'ngày 03 tháng 02 năm 2021'."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year:04d}"


def assert_date_line(text: str | TextLine) -> date:
    """Box 4 is '<Place>, ngày DD tháng M năm YYYY' in ND30's form and a real date;
    returns the date."""
    if isinstance(text, TextLine):
        text = text.text
    text = nfc(text).strip()
    match = PLACE_DATE_RE.fullmatch(text)
    if match is None:
        hint = ""
        loose = _LOOSE_DATE_RE.search(text)
        if loose:
            with contextlib.suppress(ValueError):
                day, month, year = (int(group) for group in loose.groups())
                hint = f"; ND30 writes that date {nd30_date(date(year, month, day))!r}"
        raise AssertionError(
            f"{text!r} is not '<Place>, ngày DD tháng M năm YYYY' "
            f"(pattern {PLACE_DATE_RE.pattern!r}){hint}"
        )
    place = match.group("place")
    assert place[0].isupper(), f"the place {place!r} does not start with a capital: {text!r}"
    day, month, year = (int(match.group(index)) for index in (2, 3, 4))
    try:
        return date(year, month, day)
    except ValueError as error:
        raise AssertionError(f"{text!r} is not a real date: {error}") from None


def assert_page_numbers(
    pdf: Pdf,
    left_mm: float = 30,
    right_mm: float = 15,
    top_mm: float = 20,
    size_range: tuple[float, float] = (13, 14),
    tolerance_pt: float = 6.0,
) -> None:
    """Page 1 has no number in its top margin; every page n >= 2 has exactly the
    number n there (entirely above the top margin line), centred over the text block
    (left margin to right margin, where @top-center puts it) within tolerance_pt, at
    a size within size_range."""
    top = top_mm * MM
    for index, page in enumerate(pdf.pages):
        in_margin = [line for line in lines(pdf, index) if line.bottom <= top + 0.5]
        numbers = [line for line in in_margin if line.text.isdigit()]
        context = f"top margin of page {index + 1}:\n" + _listing(in_margin)
        if index == 0:
            assert not numbers, f"page 1 must not be numbered; {context}"
            continue
        expected = str(index + 1)
        assert [line.text for line in numbers] == [expected], (
            f"expected the page number {expected!r} alone; {context}"
        )
        try:
            box = (left_mm * MM, float(page.width) - right_mm * MM)
            assert_centred(numbers[0], box, tolerance_pt)
            assert_line_style(numbers[0], size_range)
        except AssertionError as error:
            raise AssertionError(f"page number of page {index + 1}: {error}") from None


# --------------------------------------------------------------------------- security


def _strings_and_streams(reader: PdfReader) -> Iterator[bytes]:
    """The decoded data of every stream and every string reachable from the trailer."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, StreamObject):
            with contextlib.suppress(Exception):  # an unknown filter: the raw check covers it
                yield item.get_data()
        if isinstance(item, ByteStringObject):
            yield bytes(item)
        elif isinstance(item, TextStringObject):
            yield item.original_bytes
        elif isinstance(item, DictionaryObject):
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def assert_no_local_file(data: bytes, marker: bytes = b"root:") -> None:
    """`marker` (by default the start of /etc/passwd's first line) is nowhere in the PDF.

    SECURITY.md item 19: with WeasyPrint's default URL fetcher,
    `<link rel="attachment" href="file:///etc/passwd">` embeds the file. WeasyPrint
    compresses streams by default, so the file's bytes would not appear verbatim:
    render with `write_pdf(uncompressed_pdf=True)` for this check. On an uncompressed
    PDF the plain byte search is exact and needs no parser (it also sees objects no
    page links to). As a second line, every stream and string reachable from the
    trailer is decoded with pypdf and searched too, so a compressed PDF is not
    silently passed; an unreadable stream is covered only by the byte search."""
    assert marker not in data, (
        f"{marker!r} found at byte {data.find(marker)} of the PDF: a local file was embedded"
    )
    reader = PdfReader(io.BytesIO(data))
    for chunk in _strings_and_streams(reader):
        assert marker not in chunk, (
            f"{marker!r} found in a decoded stream or string of the PDF: a local file was "
            f"embedded: ...{chunk[max(0, chunk.find(marker) - 40) :][:120]!r}..."
        )


# --------------------------------------------------------------------------- logging


class WeasyprintLog(logging.Handler):
    """Keeps every record of WARNING or above from the "weasyprint" logger."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [f"{record.levelname}: {record.getMessage()}" for record in self.records]


@contextlib.contextmanager
def capture_weasyprint_warnings() -> Iterator[WeasyprintLog]:
    """Collect WeasyPrint's warnings and errors while rendering; assert
    `not log.records, log.messages` afterwards. WeasyPrint logs an unreachable font
    file at DEBUG only: assert_only_fonts is what catches a font that did not load."""
    logger = logging.getLogger("weasyprint")
    handler = WeasyprintLog()
    previous_level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
