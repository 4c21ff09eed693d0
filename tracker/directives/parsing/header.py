"""The header: issuing body and its parent, number and symbol, place and date, document
type, subject and recipients. Works on plain text and on the two-column headers of
`pdftotext -layout` (columns separated by runs of spaces)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date

from tracker.directives.parsing.draft import Span
from tracker.directives.parsing.items import item_marker
from tracker.directives.parsing.patterns import (
    DATE_LINE,
    NUMBER_LINE,
    TITLED_TYPES,
    TYPE_BY_ABBREVIATION,
    is_capitals,
)
from tracker.directives.parsing.source import Line, Segment, segments, squash

#: The national title, or the Party's and the Youth Union's in its place on their own
#: documents ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐOÀN TNCS HỒ CHÍ MINH").
NATIONAL_TITLE = re.compile(
    r"C[ỘO]NG\s*H(?:O[AÀ]|[ÒÓ]A)\s+X[ÃA]\s+H[ỘO]I|^\s*ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM\s*$|"
    r"^\s*ĐOÀN\s+TNCS\s+HỒ\s+CHÍ\s+MINH\s*$",
    re.IGNORECASE,
)
MOTTO = re.compile(r"Độc\s*lập\s*-?\s*Tự\s*do", re.IGNORECASE)
#: "V/v ...", "V/v: ...", "Về việc ...", and "Về: ..." or "Về tổ chức ..." as some write it.
SUBJECT_START = re.compile(
    r"^[“\"]?(?:(?:V/[vV]|[Vv]ề\s+việc)\s*:?|[Vv]ề\s*:|[Vv]ề(?=\s+[a-zà-ỹđ]))\s*"
)
RECIPIENTS_START = re.compile(r"^\s*Kính\s+gửi\s*:?", re.IGNORECASE)
RULE_LINE = re.compile(r"^[\s_\-–—=.*]+$")
#: Words that begin the name of a body; a header line starting so begins a new body.
BODY_WORDS = re.compile(
    r"^(?:ỦY BAN|UỶ BAN|UBND|SỞ|PHÒNG|BAN|VĂN PHÒNG|TRUNG TÂM|CHI CỤC|TRƯỜNG|CÔNG AN|"
    r"BỘ CHỈ HUY|BỘ|CỤC|VỤ|TỔNG CỤC|HỘI|LIÊN ĐOÀN|ĐÀI|BÁO|THANH TRA|TỈNH ĐOÀN|BCĐ|"
    r"HỘI ĐỒNG|ĐẢNG ỦY|TỈNH ỦY|HUYỆN ỦY|MẶT TRẬN|BỆNH VIỆN|KHO BẠC|CHI NHÁNH|TỔNG LIÊN ĐOÀN|"
    r"CÔNG ĐOÀN|BẢO HIỂM XÃ HỘI|HỌC VIỆN|ĐẠI HỌC|TỔNG CÔNG TY|CÔNG TY|"
    # a union's, pioneers' or board's own unit under its organisation: "ĐỘI TNTP HỒ CHÍ
    # MINH" / "LIÊN ĐỘI TRƯỜNG TH NGUYỄN HUỆ", "TỈNH ĐOÀN ..." / "BCH ĐOÀN HUYỆN ..."
    r"LIÊN ĐỘI|TIỂU BAN|BCH|BAN CHẤP HÀNH|HUYỆN ĐOÀN|THÀNH ĐOÀN|QUẬN ĐOÀN|ĐOÀN TRƯỜNG|"
    r"CHI ĐOÀN|LIÊN CHI ĐOÀN|CHI BỘ|ĐẢNG BỘ|ĐẢNG UỶ|TỈNH UỶ|HUYỆN UỶ|THÀNH ỦY|THÀNH UỶ|QUẬN ỦY|"
    r"QUẬN UỶ)\b"
)
#: The furthest line a header can reach.
HEADER_LIMIT = 45


@dataclass
class Header:
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    issuer: str | None = None
    issuer_parent: str | None = None
    place: str | None = None
    issued_date: date | None = None
    subject: str | None = None
    recipients: list[str] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)
    #: Index of the first line of the body.
    body_start: int = 0

    def fields(self) -> dict:
        """The header's values as the draft takes them (spans and position aside)."""
        return {
            item.name: getattr(self, item.name)
            for item in dataclasses.fields(self)
            if item.name not in ("spans", "body_start")
        }


def parse_header(lines: list[Line]) -> Header:
    header = Header()
    limit = min(len(lines), HEADER_LIMIT)
    tagged: list[tuple[Segment, str]] = []
    for line in lines[:limit]:
        for segment in _split_columns(segments(line)):
            tag = _tag(segment.text)
            if tag == "text" and _ends_title(segment, tagged):
                tag = "title"  # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" / "VIỆT NAM"
            tagged.append((segment, tag))

    last_line = -1  # the last line of the number or date; none yet
    issuer_lines: list[Segment] = []
    seen_landmark = False
    number_line = _read_number(header, lines[:limit])
    # Lines counted without the blank ones, and without those that hold only the national
    # title or motto: a copy from a web page may set a blank line between the lines of the
    # header ("UỶ BAN NHÂN DÂN" / "" / "THÀNH PHỐ HỒ CHÍ MINH"), or the cells of its table
    # one after another ("ỦY BAN NHÂN DÂN HUYỆN" / "CỘNG HÒA ..." / "PHÒNG GIÁO DỤC").
    landmarks: dict[int, bool] = {}
    for segment, tag in tagged:
        only = landmarks.get(segment.line, True)
        landmarks[segment.line] = only and tag in ("title", "motto", "rule")
    content = (line for line in lines if not line.blank and not landmarks.get(line.index))
    rank = {line.index: position for position, line in enumerate(content)}
    for segment, tag in tagged:
        if tag == "date" and header.place is None:
            _read_date(header, segment, lines)
            seen_landmark = True
            last_line = max(last_line, segment.line)
        elif segment.line == number_line or tag == "number":
            seen_landmark = True
            last_line = max(last_line, segment.line)
        elif tag in ("title", "motto", "doctype"):
            seen_landmark = True
        elif (
            tag == "text"
            and not seen_landmark
            and is_capitals(segment.text)
            and not item_marker(segment.text)  # "I. YÊU CẦU CHUNG": the body's section
        ):
            issuer_lines.append(segment)
        elif (
            tag == "text"
            and seen_landmark
            and is_capitals(segment.text)
            and issuer_lines
            and rank.get(segment.line, -9) <= rank.get(issuer_lines[-1].line, -9) + 1
            and segment.line < (number_line if number_line is not None else limit)
        ):
            issuer_lines.append(segment)  # the body's name continues beside the title
    if header.place is None:
        _read_split_date(header, lines[:limit])
    _read_issuer(header, issuer_lines)

    after = last_line + 1
    double_spaced = _double_spaced(lines[:limit])
    subject_end = _read_subject(header, lines, tagged, double_spaced)
    title_end = _read_title(header, lines, max(after, 0), limit)
    after = max(after, subject_end, title_end)
    recipients_end = _read_recipients(header, lines, after, limit, double_spaced)
    header.body_start = max(after, recipients_end)
    if header.doc_type is None:
        header.doc_type = _type_from_symbol(header.symbol)
    return header


def _split_columns(found: list[Segment]) -> list[Segment]:
    """Columns only two spaces apart: split before the national title, the motto or the
    date when they do not start their segment."""
    result = []
    for segment in found:
        cut = None
        for pattern in _landmarks_in(segment.text):
            match = pattern.search(segment.text)
            if match and match.start() > 0 and segment.text[: match.start()].endswith("  "):
                cut = match.start()
                break
        if cut is None:
            result.append(segment)
            continue
        left = segment.text[:cut].rstrip()
        result.append(Segment(left, segment.start, segment.column, segment.line))
        result.append(
            Segment(segment.text[cut:], segment.start + cut, segment.column + cut, segment.line)
        )
    return result


def _read_number(header: Header, lines: list[Line]) -> int | None:
    """'Số: 1661 /UBND-VX', 'Số 369 / PGD&ĐT', 'Số       25 /KH-SGDĐT', 'Số:    /KH-UBND'.
    Searched on whole lines: layout extraction may put wide gaps inside it."""
    for line in lines:
        match = NUMBER_LINE.search(line.text)
        if match:
            header.number = re.sub(r"\s+", "", match.group("number")) or None  # "225 - KH"
            header.symbol = re.sub(r"\s+", "", match.group("symbol")).rstrip(".-/")
            header.spans["number"] = (line.start + match.start(), line.start + match.end())
            return line.index
    return None


def _ends_title(segment: Segment, tagged: list[tuple[Segment, str]]) -> bool:
    """`segment` is "VIỆT NAM" under a national title broken before it."""
    if squash(segment.text) not in ("VIỆT NAM", "CHỦ NGHĨA VIỆT NAM"):
        return False
    above = [
        piece
        for piece, tag in tagged
        if tag == "title" and segment.line - 2 <= piece.line < segment.line
    ]
    return any("VIỆT NAM" not in squash(piece.text).upper() for piece in above)


#: The longest a header's place-and-date line runs.
DATE_LINE_LENGTH = 90


def _landmarks_in(text: str) -> list[re.Pattern[str]]:
    """The landmark patterns worth searching `text` for: cheap tests on its words first,
    so that the body's long lines are not searched three times each."""
    lower = text.lower()
    found = []
    if "ội" in lower or "oi" in lower or "đảng" in lower or "đoàn" in lower:
        found.append(NATIONAL_TITLE)
    if "lập" in lower or "lap" in lower:
        found.append(MOTTO)
    if "th" in lower and "ng" in lower:
        found.append(DATE_LINE)
    return found


#: A type's name with the place of the document in a series: "THÔNG BÁO SỐ 2".
SERIES = re.compile(r"^(?P<type>.+?)\s+SỐ\s+\d{1,3}$")


def _series_title(text: str) -> str | None:
    """The type's name of a title line numbering a series ("THÔNG BÁO SỐ 2"), else None."""
    found = SERIES.match(squash(text))
    return found.group("type") if found and found.group("type") in TITLES else None


def _tag(text: str) -> str:
    landmarks = _landmarks_in(text)
    if NATIONAL_TITLE in landmarks and NATIONAL_TITLE.search(text):
        return "title"
    if MOTTO in landmarks and MOTTO.search(text):
        return "motto"
    if _series_title(text):
        return "doctype"  # "THÔNG BÁO SỐ 2": the second notice of a series, not its number
    if len(text) < 60 and NUMBER_LINE.search(text):
        return "number"
    if DATE_LINE in landmarks and len(text.strip()) <= DATE_LINE_LENGTH and DATE_LINE.search(text):
        return "date"  # not a date in a sentence of the body ("... nghỉ 01 ngày, ngày ...")
    if RULE_LINE.match(text):
        return "rule"
    if _titled_line(squash(text), TITLES, first_line=False) or squash(text) in TITLES:
        return "doctype"  # "THÔNG BÁO HOÃN TRẠI HÈ QUÂN SỰ", "THÔNG BÁO": no issuer's name
    return "text"


#: A document's symbol before its place on one line: "TB-VPCP Hà Nội", "/TCT-TTKT Hà Nội".
SYMBOL_BEFORE_PLACE = re.compile(r"^(?:\S*\s+)*?/?[A-ZĐ&]+-[A-ZĐ&-]+\s+(?=\S)")


def _place(match: re.Match[str]) -> str:
    """The place of a date line, without the number's symbol an OCR set before it on the
    same line ("Số: 330/TB-VPCP Hà Nội, ngày ...")."""
    return SYMBOL_BEFORE_PLACE.sub("", squash(match.group("place")))


def _read_date(header: Header, segment: Segment, lines: list[Line]) -> None:
    match = DATE_LINE.search(segment.text)
    assert match is not None  # the segment was tagged "date" by this pattern
    header.place = _place(match)
    header.spans["place"] = (
        segment.start + match.start("place"),
        segment.start + match.end("place"),
    )
    header.spans["issued_date"] = (segment.start + match.start(), segment.start + match.end())
    if match.group("day") and match.group("month"):
        try:
            header.issued_date = date(
                int(match.group("year")), int(match.group("month")), int(match.group("day"))
            )
        except (TypeError, ValueError):  # no year: left to write by hand
            header.issued_date = None


#: Where a place-and-date line begins: "Lai Châu, ngày", "Hiệp Hòa,".
DATE_START = re.compile(r"[A-ZĐÂÊÔƠƯ][^\d,:;]{0,40}(?:\s\d{1,2})?,\s*(?:ngày\b.*)?$")


def _read_split_date(header: Header, lines: list[Line]) -> None:
    """A place and date cut by the layout: over two lines ('Lai Châu, ngày 15 tháng 8' /
    'năm 2020', 'Hiệp Hòa,' / 'ngày 12 tháng 3 năm 2021'), or into two columns by a gap
    left for a handwritten day ('Hiệp Hòa, ngày      tháng 3 năm 2021': no date, the
    day is to be filled in). The pieces are the segment where the place begins, the rest
    of its line, and the next line's segments under it (else its last one)."""
    for first, second in zip(lines, [*lines[1:], None], strict=False):
        found = segments(first)
        starts = [index for index, piece in enumerate(found) if DATE_START.search(piece.text)]
        if not starts:
            continue
        begin = found[starts[-1]]
        pieces = found[starts[-1] :]
        if second is not None:
            below = segments(second)
            under = [piece for piece in below if piece.column >= begin.column - 5]
            pieces += under or below[-1:]
        joined = " ".join(piece.text for piece in pieces)
        match = DATE_LINE.search(squash(joined))
        if not match:
            continue
        header.place = _place(match)
        header.spans["place"] = (begin.start, begin.start + len(header.place))
        header.spans["issued_date"] = (begin.start, pieces[-1].end)
        try:
            header.issued_date = date(
                int(match.group("year")), int(match.group("month")), int(match.group("day"))
            )
        except (TypeError, ValueError):
            header.issued_date = None
        return


def _read_issuer(header: Header, issuer_lines: list[Segment]) -> None:
    groups: list[list[Segment]] = []
    for segment in issuer_lines:
        text = squash(segment.text)
        if RULE_LINE.match(text):
            continue
        if not groups or BODY_WORDS.match(text) and not _continues(groups[-1][-1].text):
            groups.append([segment])
        else:
            groups[-1].append(segment)
    if not groups:
        return
    issuer = groups[-1]
    header.issuer = squash(" ".join(segment.text for segment in issuer))
    header.spans["issuer"] = (issuer[0].start, issuer[-1].end)
    if len(groups) > 1:
        parent = [segment for group in groups[:-1] for segment in group]
        header.issuer_parent = squash(" ".join(segment.text for segment in parent))
        header.spans["issuer_parent"] = (parent[0].start, parent[-1].end)


def _continues(previous: str) -> bool:
    """A body's name broken after words that cannot end it."""
    return bool(re.search(r"(?:NHÂN DÂN|VÀ|&|,|-|CỦA|CHỈ ĐẠO)\s*$", previous.strip()))


#: The longest line a double-spaced header's subject goes on with.
HEADER_LINE = 60


def _double_spaced(lines: list[Line]) -> bool:
    """A header copied from a web page with a blank line after each of its lines."""
    content = [index for index, line in enumerate(lines[:-1]) if not line.blank]
    followed = sum(1 for index in content if lines[index + 1].blank)
    return len(content) >= 6 and followed >= 0.7 * len(content)


def _read_subject(
    header: Header, lines: list[Line], tagged: list[tuple[Segment, str]], double_spaced: bool
) -> int:
    """A công văn's 'V/v ...', wrapped lines joined; returns the line after it. In a
    double-spaced header one blank line does not end it; a line in capitals does
    ("KHẨN", the motto)."""
    for segment, _tag_name in tagged:
        if RECIPIENTS_START.match(segment.text):
            break  # the body begins: "Kính gửi: ..." / "Về đề nghị của UBND tỉnh ..."
        match = SUBJECT_START.match(segment.text)
        if not match:
            continue
        parts = [segment.text[match.end() :]]
        start, end = segment.start + match.end(), segment.end
        index = segment.line + 1
        while index < len(lines):
            line = lines[index]
            if line.blank and double_spaced and index + 1 < len(lines):
                line = lines[index + 1]  # a short line of the header, not the body
                if is_capitals(line.text) or len(line.stripped) > HEADER_LINE:
                    break
                index += 1
            line_segments = segments(line)
            if line.blank or not line_segments or RECIPIENTS_START.match(line.text):
                break
            if NUMBERED.match(line.stripped) or BODY_OPENING.match(line.stripped):
                break  # a copy without blank lines: the body follows ("1. Hồ sơ ...")
            left = line_segments[0]
            if _tag(left.text) != "text" or left.column > segment.column + 30:
                break
            parts.append(left.text)
            end = left.end
            index += 1
        header.subject = _clean_subject(" ".join(parts), strip_about=True)
        header.spans["subject"] = (start, end)
        header.doc_type = header.doc_type or "Công văn"
        return index
    return 0


def _read_title(header: Header, lines: list[Line], start: int, limit: int) -> int:
    """A type line in capitals (KẾ HOẠCH, THÔNG BÁO ...) and the title below it."""
    names = TITLES
    first = next((line.index for line in lines if not line.blank), None)
    for index in range(start, limit):
        text = squash(lines[index].text)
        titled = _titled_line(text, names, first_line=index == first)
        if titled is not None and OF_ISSUER.match(titled[1]):
            text = titled[0].upper()  # "THÔNG BÁO CỦA UBND XÃ": the title is below
        elif titled is not None:
            doc_type, title = titled
            header.doc_type = doc_type
            header.subject = _clean_subject(title, strip_about=title[:4].upper() == "V/V ")
            line = lines[index]
            header.spans["doc_type"] = (line.start + line.indent, line.end)
            title_start = line.text.find(title.split()[0], line.indent + len(doc_type))
            header.spans["subject"] = (line.start + max(title_start, line.indent), line.end)
            return index + 1
        series = _series_title(text)
        if series:
            text = series
        if text not in names:
            continue
        header.doc_type = names[text]
        header.spans["doc_type"] = (lines[index].start + lines[index].indent, lines[index].end)
        parts: list[str] = []
        span_start = span_end = 0
        cursor = index + 1
        while cursor < len(lines) and not parts and lines[cursor].blank:
            cursor += 1
        while cursor < len(lines):
            line = lines[cursor]
            text = squash(line.text)
            if not text or RULE_LINE.match(text) or RECIPIENTS_START.match(text):
                break
            if parts and (_looks_like_body(text) or NUMBERED.match(text)):
                break  # the body begins: "Thực hiện ...", "1. Hồ sơ lấy ý kiến ..."
            title = " ".join(parts)
            if (
                parts
                and is_capitals(title)
                and not is_capitals(text)
                and any(char.isalpha() for char in text)  # "... NĂM 2019 -" / "2020"
                and not text.startswith("(")  # "(Theo Quyết định số 33/2015/QĐ-TTg ..."
                and title.count("(") <= title.count(")")
            ):
                break  # "VỀ VIỆC ..." in capitals, then the body's first sentence
            if not parts and (OF_ISSUER.match(text) or not text):
                cursor += 1  # "THÔNG BÁO" / "CỦA UBND XÃ" / "Về việc ...": whose, not what
                continue
            if not parts:
                span_start = line.start + line.indent
            parts.append(text)
            span_end = line.end
            cursor += 1
        if parts:
            title = " ".join(parts)  # "THÔNG BÁO" / "V/v sử dụng trang phục ...": no "V/v"
            header.subject = _clean_subject(title, strip_about=title[:4].upper() == "V/V ")
            header.spans["subject"] = (span_start, span_end)
        return cursor
    return 0


TITLES = {name.upper(): name for name in TITLED_TYPES}
#: A line that may begin with a type's name (a quick test before the full one).
TYPE_FIRST = re.compile(
    "|".join(re.escape(name) for name in (*TITLES, *TITLES.values(), "CÔNG VĂN", "Công văn"))
)
#: A type and its title on one line: "THÔNG BÁO HOÃN TRẠI HÈ QUÂN SỰ", and, as the first
#: line of a copy whose header was lost, "Thông báo về việc treo cờ ..." or "Công văn V/v ...".
TITLE_LINE_LENGTH = 150


def _titled_line(text: str, names: dict[str, str], *, first_line: bool) -> tuple[str, str] | None:
    """(type, title) of a line that holds both, else None."""
    if not TYPE_FIRST.match(text) or len(text) > TITLE_LINE_LENGTH:
        return None
    if re.search(r"\bsố\s*:?\s*\d", text, re.IGNORECASE):
        return None
    for upper, name in (*names.items(), ("CÔNG VĂN", "Công văn")):
        rest = text[len(upper) :]
        if not rest.startswith(" ") or not rest.strip():
            continue
        if text.startswith(upper) and is_capitals(rest):
            return name, rest.strip()
        if first_line and text.startswith(name) and re.match(r"\s+(?:về|V/v)\s", rest, re.I):
            return name, rest.strip()
        if first_line and text.startswith(name) and UNMARKED_TITLE.match(rest):
            return name, rest.strip()  # "Thông báo nghỉ lễ và treo cờ nhân dịp Tết ..."
    return None


#: A title after its type's name with no "về việc": lower-case words, and no sentence's end.
UNMARKED_TITLE = re.compile(r"\s+[a-zà-ỹđ][^.:;]*[^\s.:;,]$")


#: A numbered item's mark: "1.", "2)", "a)", "II.".
NUMBERED = re.compile(r"(?:\d{1,2}[.)]|[a-zđ]\)|[IVX]{1,4}\.)\s")


#: A line under a document's type naming its issuer: "CỦA UBND XÃ".
OF_ISSUER = re.compile(r"^CỦA\s")


#: The addressee line under a "Kính gửi:" of its own: short, or a list of bodies ("Ủy ban
#: nhân dân các tỉnh, thành phố: Hồ Chí Minh, Hải Phòng, ...") closed by its stop.
ADDRESSEES = re.compile(
    r"(?:Ủy\s+ban|Uỷ\s+ban|UBND|Sở|Bộ|Các|Ban|Phòng|Trường|Hiệu\s+trưởng|Thủ\s+trưởng|"
    r"Giám\s+đốc|Chủ\s+tịch)\s.{0,250}[.;]$"
)


def _addressee_line(text: str) -> bool:
    return len(text) <= HEADER_LINE + 40 or bool(ADDRESSEES.match(text))


#: How a body's first sentence opens; "Ngày" too, but a wrapped subject may go on with it
#: ("V/v tuyên truyền kỷ niệm 130 năm" / "Ngày sinh Chủ tịch Tôn Đức Thắng"), unless a
#: date and its comma follow ("Ngày 08 tháng 10 năm 2019, Bộ trưởng ... ký ...").
BODY_OPENING = re.compile(
    r"(?:Căn cứ|Thực hiện|Để|Nhằm|Trong|Theo|Sau khi)\b|"
    r"Ngày\s+\d{1,2}(?:\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\s+tháng\s+\d{1,2}\s+năm\s+\d{4})\s*,"
)


def _body_sentence(text: str) -> bool:
    """A line too long to be a wrapped addressee that lists none: the body's first
    sentence, set straight under the last addressee."""
    if INTRODUCES.search(text):
        return True  # "Trung tâm xây dựng định hướng ... như sau:"
    return len(text) > HEADER_LINE + 40 and ";" not in text[:-1] and not ADDRESSEES.match(text)


#: The sentence that introduces a body's items.
INTRODUCES = re.compile(r"(?:như\s+sau|sau\s+đây|sau)\s*:\s*$")


def _looks_like_body(text: str) -> bool:
    return bool(BODY_OPENING.match(text) or re.match(r"Ngày\b", text))


def _clean_subject(text: str, *, strip_about: bool = False) -> str:
    """Wrapped lines joined; a công văn's 'V/v' or 'Về việc' dropped, a titled document's
    title kept as written."""
    text = squash(text).strip(" .;:")
    if text.endswith(("”", '"')) and not re.search(r'[“"]', text[:-1]):
        text = text[:-1].rstrip(" .;:")  # “V/v ...”: the quotes were round the whole line
    if strip_about:
        text = re.sub(r"^(?:về việc|v/v)\s+", "", text, flags=re.IGNORECASE)
    return text


def _read_recipients(
    header: Header, lines: list[Line], start: int, limit: int, double_spaced: bool = False
) -> int:
    """'Kính gửi:' then one addressee on the line, or a list; returns the line after."""
    for index in range(max(start - 3, 0), min(limit + 10, len(lines))):
        line = lines[index]
        match = RECIPIENTS_START.search(line.text)
        if not match:
            continue
        pieces: list[tuple[str, int, int]] = []
        rest = line.text[match.end() :]
        if rest.strip():
            offset = line.start + match.end() + (len(rest) - len(rest.lstrip()))
            pieces.append((rest.strip(), offset, line.end))
        cursor = index + 1
        seen_blank = False
        while cursor < len(lines):
            current = lines[cursor]
            if current.blank:
                if pieces and not _list_goes_on(pieces, lines, cursor, double_spaced):
                    break
                if pieces:
                    cursor += 1
                    continue
                if seen_blank:
                    break
                seen_blank = True
                cursor += 1
                continue
            text = current.stripped
            if NUMBERED.match(text) or _looks_like_body(text):
                break  # the body begins: "1. Các đơn vị ...", "Thực hiện ..."
            is_item = text[:1] in "-+•–"
            if not is_item and pieces and pieces[-1][0].rstrip().endswith("."):
                break  # (after "Công đoàn Giáo dục các tỉnh:" its members follow)
            if not is_item and pieces and _body_sentence(text):
                break  # no blank line before the body: "Với sự phối hợp chặt chẽ ..."
            if not is_item and not pieces and not (seen_blank and _addressee_line(text)):
                break
            pieces.append((text, current.start + current.indent, current.end))
            cursor += 1
            if not is_item and len(pieces) == 1 and not text.rstrip().endswith((";", ",")):
                break  # "Kính gửi:" / "" / "Hiệu trưởng các trường ...": one addressee
        header.recipients = _split_recipients(pieces)
        if pieces:
            header.spans["recipients"] = (pieces[0][1], pieces[-1][2])
        return cursor
    return 0


def _list_goes_on(
    pieces: list[tuple[str, int, int]], lines: list[Line], blank: int, double_spaced: bool
) -> bool:
    """An addressee list goes on past a blank line: to its next dash after a ';' (or in a
    double-spaced header, after any dash item), and to the members after a ':' or ','
    ("Công đoàn Giáo dục các tỉnh:" / "Lào Cai, ...")."""
    following = next((line for line in lines[blank:] if not line.blank), None)
    if following is None:
        return False
    last = pieces[-1][0].rstrip()
    if last.endswith(";") or (double_spaced and last[:1] in "-+•–"):
        return following.stripped[:1] in "-+•–"
    return (
        last.endswith((":", ","))
        and following.indent > 0
        and not NUMBERED.match(following.stripped)
        and not _looks_like_body(following.stripped)
    )


def _split_recipients(pieces: list[tuple[str, int, int]]) -> list[str]:
    items: list[str] = []
    for text, _start, _end in pieces:
        starts_item = text[:1] in "-+•–"
        text = text.lstrip("-+•– ").strip()
        if not items or starts_item or items[-1].endswith(";"):
            items.append(text)
        else:
            items[-1] += " " + text
    cleaned = []
    for item in items:
        for part in re.split(r";\s*(?=\S)", item):
            part = squash(part).strip(" ;.,")
            if part:
                cleaned.append(part)
    return cleaned


def _type_from_symbol(symbol: str | None) -> str | None:
    if not symbol:
        return None
    first = symbol.split("-")[0]
    return TYPE_BY_ABBREVIATION.get(first, "Công văn")
