"""The end of a document: the signer block and the distribution list (Nơi nhận)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.directives.parsing.draft import Span
from tracker.directives.parsing.items import item_marker
from tracker.directives.parsing.patterns import UPPER, is_capitals
from tracker.directives.parsing.source import Line, segments, squash

DISTRIBUTION_START = re.compile(r"^\s*Nơi\s+nhận\s*:?", re.IGNORECASE)
AUTHORITY = re.compile(r"^(TM|KT|Q|TL|TUQ)\s*\.\s*", re.IGNORECASE)
#: Lines of a digital-signature stamp or a signing note, never the signer's name.
STAMP = re.compile(
    r"(?:Ký\s+bởi|Giờ\s+ký|Ngày\s+ký|Thời\s+gian\s+ký|Email|Cơ\s+quan\s*:|\(đã\s+ký\)|"
    r"\d{4}[.-]\d{2}[.-]\d{2}|\+07:00|Signature|Ký số)",
    re.IGNORECASE,
)
NAME = re.compile(rf"^[{UPPER}][\wÀ-ỹ]*(?:\s+[{UPPER}][\wÀ-ỹ]*){{1,5}}$")
CLOSING = re.compile(r"\./\.\s*$|\./\s*$")
ITEM = re.compile(r"^[-+•–]\s*")


@dataclass
class Signature:
    name: str | None = None
    title: str | None = None
    authority: str | None = None
    distribution: list[str] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)
    #: Index of the first line that is no longer body text.
    body_end: int = 0


def parse_signature(lines: list[Line], body_start: int) -> Signature:
    signature = Signature(body_end=len(lines))
    distribution_line = _find_distribution(lines, body_start)
    title_lines = _find_title_lines(lines, body_start, distribution_line)
    candidates = [
        index
        for index in (distribution_line, title_lines[0] if title_lines else None)
        if index is not None
    ]
    if candidates:
        signature.body_end = min(candidates)
    if distribution_line is not None:
        _read_distribution(signature, lines, distribution_line)
    if title_lines:
        _read_signer(signature, lines, title_lines)
    return signature


def _find_distribution(lines: list[Line], start: int) -> int | None:
    for line in lines[start:]:
        if DISTRIBUTION_START.match(line.text):
            return line.index
    return None


def _find_title_lines(lines: list[Line], start: int, distribution: int | None) -> list[int]:
    """Capitals lines of the signer block (TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ
    TỊCH), searched after the body's closing line or near the Nơi nhận."""
    first = start
    for line in lines[start:]:
        if CLOSING.search(line.text):
            first = line.index + 1
            break
    if distribution is not None:
        first = min(first, distribution) if first > start else distribution
    found: list[int] = []
    for line in lines[max(first - 1, start) :]:
        for segment in segments(line):
            text = squash(segment.text)
            if DISTRIBUTION_START.match(text) or ITEM.match(text) or item_marker(text):
                continue  # "I/.MỤC ĐÍCH YÊU CẦU" in capitals is a section, not a title
            if _is_title(text):
                if found and line.index > found[-1] + 3:
                    return found
                found.append(line.index)
                break
        if found and line.index > found[-1] + 12:
            break
    return found


#: The most common family names, which begin a signer's name written in capitals
#: ("TRẦN PHƯỚC ĐỨC" under "HIỆU TRƯỞNG"), unlike a title.
SURNAMES = frozenset(
    [
        "NGUYỄN",
        "TRẦN",
        "LÊ",
        "PHẠM",
        "HOÀNG",
        "HUỲNH",
        "PHAN",
        "VŨ",
        "VÕ",
        "ĐẶNG",
        "BÙI",
        "ĐỖ",
        "HỒ",
        "NGÔ",
        "DƯƠNG",
        "LÝ",
        "ĐINH",
        "ĐOÀN",
        "TRỊNH",
        "LƯƠNG",
        "MAI",
        "TRƯƠNG",
        "LÂM",
        "VƯƠNG",
        "CAO",
        "HÀ",
        "TÔ",
        "TẠ",
        "CHU",
        "KIỀU",
        "LƯU",
        "TĂNG",
        "TÔN",
        "THÁI",
        "QUÁCH",
        "LA",
        "PHÙNG",
        "ÔNG",
        "KHỔNG",
        "TRIỆU",
        "HẦU",
        "LỤC",
        "NÔNG",
        "LÒ",
        "QUÀNG",
        "VI",
        "HỨA",
        "THÂN",
        "KIM",
    ]
)
#: Words of a title, never of a name.
TITLE_WORDS = re.compile(r"CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG|THỨ|BỘ|CHÁNH|BÍ THƯ|ỦY|UỶ|BAN|PHÓ|KT\.|TM\.")


def _capital_name(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= 5
        and words[0] in SURNAMES
        and is_capitals(text)
        and not TITLE_WORDS.search(text)
    )


#: A numbered heading in capitals ("I. MỤC ĐÍCH, YÊU CẦU"), never a signer's title.
HEADING = re.compile(r"^(?:[IVX]{1,4}|\d{1,2})[.)]\s")


def _is_title(text: str) -> bool:
    if len(text) > 60 or not is_capitals(text) or STAMP.search(text) or _capital_name(text):
        return False
    if HEADING.match(text):
        return False
    words = text.split()
    return 1 <= len(words) <= 8 and not text.endswith((";", ","))


def _right_segment(line: Line):
    found = [
        s for s in segments(line) if not DISTRIBUTION_START.match(s.text) and not ITEM.match(s.text)
    ]
    return found[-1] if found else None


def _read_signer(signature: Signature, lines: list[Line], title_lines: list[int]) -> None:
    titles = []
    for index in title_lines:
        segment = _right_segment(lines[index])
        if segment is not None and _is_title(squash(segment.text)):
            titles.append(segment)
    if not titles:
        return
    # The authority is the one right above the title: "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH
    # / PHÓ CHỦ TỊCH" is signed KT.
    match = None
    for segment in titles:
        match = AUTHORITY.match(squash(segment.text)) or match
    if match:
        signature.authority = match.group(1).upper() + "."
    last = squash(titles[-1].text)
    if len(titles) > 1 and " " not in last and titles[-2].line == titles[-1].line - 1:
        last = f"{squash(titles[-2].text)} {last}"  # "TM. BAN THƯỜNG" / "VỤ": one, wrapped
    lone = AUTHORITY.match(last)
    if lone:  # "Q. GIÁM ĐỐC" on one line: the title follows the prefix
        last = last[lone.end() :]
    signature.title = last
    signature.spans["signer_title"] = (titles[0].start, titles[-1].end)
    for line in lines[title_lines[-1] + 1 : title_lines[-1] + 14]:
        segment = _right_segment(line)
        if segment is None:
            continue
        text = squash(segment.text)
        if STAMP.search(text) or is_capitals(text) and len(text.split()) > 5:
            continue
        if NAME.match(text) and not ITEM.match(text):
            signature.name = text
            signature.spans["signer_name"] = (segment.start, segment.end)
    # The last plausible name wins: stamps and notes come before it.


def _read_distribution(signature: Signature, lines: list[Line], start: int) -> None:
    items: list[str] = []
    first_line = lines[start]
    rest = DISTRIBUTION_START.sub("", first_line.text, count=1)
    pending = [rest] if rest.strip() else []
    for line in lines[start + 1 : start + 40]:
        if line.blank:
            if items:
                break
            continue
        pending.append(line.text)
    begin = end = None
    for raw in pending:
        column_segments = [s for s in re.split(r"\s{3,}", raw.strip()) if s]
        if not column_segments:
            continue
        text = column_segments[0].strip()
        if re.match(r"^Bản\s+điện\s+tử\s*:?$", text, re.IGNORECASE):
            continue
        if ITEM.match(text):
            items.append(ITEM.sub("", text))
        elif not items:
            continue  # the signer's title beside "Nơi nhận:"
        elif items and not items[-1].rstrip().endswith((";", ".")) and not _is_title(text):
            items[-1] += " " + text
        else:
            break
    cleaned = [squash(item).strip(" ;.") for item in items]
    signature.distribution = [item for item in cleaned if item]
    if signature.distribution:
        begin = first_line.start
        end = lines[min(start + len(pending), len(lines) - 1)].end
        signature.spans["distribution"] = (begin, end)
