"""Where a task's results are sent: the body a report goes to ("báo cáo ... về Sở Y tế",
"gửi về ...", "(qua Sở Y tế)"), read from the task's words and the agencies known."""

from __future__ import annotations

import re

from tracker.directives.parsing.agencies import (
    ACRONYM_HEADS,
    HEAD,
    NAME_BOUNDARY,
    PERSON_HEAD,
    QUALIFIED,
    Gazetteer,
    clause_start,
    fold_keep_length,
    name_end,
)
from tracker.directives.parsing.patterns import REQUEST
from tracker.directives.parsing.source import squash

REPORT_WORD = re.compile(r"báo\s+cáo", re.IGNORECASE)
REPORT_TO_WORD = re.compile(
    r"(?<!\S)(?:gửi\s+về|gửi\s+cho|gửi|về|cho|lên|(?<!hợp )với)\s+"
    r"|^\s*(?:(?:đề\s+xuất|kết\s+quả|nhanh|gấp|ngay)\s+)+",  # "báo cáo đề xuất UBND huyện"
    re.IGNORECASE,
)
#: "gửi về Sở Nội vụ", "gửi ý kiến về Phòng Khảo thí".
SENDING = re.compile(
    r"\b(?:gửi|phản\s+ánh|nộp)(?:\s+[^\s,.;:()]+){0,6}?\s+(?:về(?:\s+cho)?|cho|đến|tới)\s+(?=\S)"
    r"|\bgửi\s+(?=\S)",
    re.IGNORECASE,
)
#: "(qua Sở Y tế)", "(thông qua phòng CTCT)", "thông qua Văn phòng HĐND tỉnh".
THROUGH = re.compile(r"^\s*(?:\(\s*(?:thông\s+)?qua|thông\s+qua)\s+", re.IGNORECASE)


def report_target(text: str, gazetteer: Gazetteer) -> tuple[str, tuple[int, int]] | None:
    """The body results are reported to: 'báo cáo kết quả về Sở Thông tin và Truyền
    thông', 'gửi về Sở Y tế', 'báo cáo UBND tỉnh (qua Sở Y tế)' (the body it goes through
    receives it), 'Nhận báo cáo: Đồng chí ..., chuyên viên Phòng GD&ĐT'; the first the
    text names. Reporting 'theo quy định' (as the rules have it, to whoever they say) sets
    no one."""
    receiver = RECEIVER.search(text)
    if receiver:
        return squash(receiver.group("who")).rstrip(" ,"), receiver.span("who")
    found = [
        candidate
        for candidate in (_reported(text, gazetteer), _sent(text, gazetteer))
        if candidate is not None
    ]
    return min(found, key=lambda candidate: candidate[1][0]) if found else None


def _reported(text: str, gazetteer: Gazetteer) -> tuple[str, tuple[int, int]] | None:
    """'báo cáo [kết quả] về|cho|lên X', 'báo cáo X'."""
    for report in REPORT_WORD.finditer(text):
        if _purpose(text, report.start()):
            continue  # "Nhằm ... kịp thời tổng hợp báo cáo gửi UBND Quận 9": the issuer's own
        clause_end = len(text)
        for stop in (".", ";"):
            position = text.find(stop, report.end())
            if position != -1:
                clause_end = min(clause_end, position)
        clause = text[report.end() : clause_end]
        starts = [0] + [m.end() for m in REPORT_TO_WORD.finditer(clause)]
        for start in starts:
            found = _body_at(clause, start, gazetteer)
            if found is None:
                continue
            name, (begin, end) = found
            name, (begin, end) = _through(clause, name, begin, end, gazetteer)
            if ROUTINE.match(clause, end):
                break  # "báo cáo Bộ GD&ĐT theo quy định"
            offset = report.end()
            return name, (offset + begin, offset + end)
    return None


def _sent(text: str, gazetteer: Gazetteer) -> tuple[str, tuple[int, int]] | None:
    """'lập danh sách ... gửi về Sở Nội vụ', 'phản ánh về Bộ ...'."""
    for sending in SENDING.finditer(text):
        if _purpose(text, sending.start()):
            continue
        if DELIVERED.search(text, max(0, sending.start() - 12), sending.start()):
            continue  # "Đĩa CD ... được gửi tới BHXH tỉnh": sent to them, not by them
        found = _body_at(text, sending.end() + _address_label(text, sending.end()), gazetteer)
        if found is not None:
            name, (begin, end) = found
            name, (begin, end) = _through(text, name, begin, end, gazetteer)
            if ROUTINE.match(text, end):
                continue
            return name, (begin, end)
    return None


#: What the issuer sends, not what it asks for: "được gửi tới", "sẽ gửi" (not "tiền quyên
#: góp thu được gửi về Văn phòng Đoàn": what they collected, they send).
DELIVERED = re.compile(r"(?<![\wÀ-ỹ])(?:(?<!thu\s)(?<!nhận\s)được|sẽ)\s+$", re.IGNORECASE)
#: Who receives the reports, under a label: "Nhận báo cáo: Đồng chí Văn Hữu Bắc, chuyên
#: viên Phòng GD&ĐT".
RECEIVER = re.compile(
    r"(?:Nơi\s+|Đầu\s+mối\s+)?[Nn]hận\s+báo\s+cáo\s*:\s*(?P<who>[^\n;.:]{3,120})", re.IGNORECASE
)
#: A report sent "theo quy định" straight after its addressee ("(phòng GDMN)" between).
ROUTINE = re.compile(r"\s*(?:\([^()]{0,40}\)\s*)?theo\s+quy\s+định", re.IGNORECASE)
#: A sentence that states a purpose ("Nhằm ...", "Để ..."): what it reports is not asked.
PURPOSE = re.compile(r"\s*(?:Nhằm|Để)(?![\wÀ-ỹ])")
#: "gửi về theo địa chỉ: Vụ Giáo dục chuyên nghiệp, ..."
ADDRESS_LABEL = re.compile(r"\s*(?:theo\s+)?địa\s+chỉ\s*:", re.IGNORECASE)
#: A division named before its body: "Vụ Giáo dục chuyên nghiệp, Bộ Giáo dục và Đào tạo".
DIVISION = re.compile(r"(?:Vụ|Phòng|Cục|Văn phòng)\s")
#: A body with divisions of its own, which a report goes through to it.
PARENT = re.compile(r"(?:Sở|Bộ|Tổng\s+cục)\s")
#: The office of a body that has one as a division: "Văn phòng Sở", "Văn phòng Trung tâm
#: Văn hóa Quận 9" (not "Văn phòng UBND tỉnh", a body of its own).
OFFICE_OF = re.compile(r"Văn\s+phòng\s+(?=(?:Sở|Trung\s+tâm|Trường|Bệnh\s+viện|Công\s+ty)\s)")


def _purpose(text: str, position: int) -> bool:
    """`position` is in the purpose a sentence states ("Nhằm ... báo cáo ..."), not in the
    request that follows it ("Để ..., Sở Xây dựng đề nghị ... gửi về Sở Xây dựng")."""
    start = clause_start(text, position)
    return bool(PURPOSE.match(text, start)) and not REQUEST.search(text, start, position)


def _address_label(text: str, position: int) -> int:
    label = ADDRESS_LABEL.match(text, position)
    return label.end() - position if label else 0


def _through(
    text: str, name: str, begin: int, end: int, gazetteer: Gazetteer
) -> tuple[str, tuple[int, int]]:
    """'UBND tỉnh (qua Sở Y tế)': the body it goes through receives it, unless that is a
    division of the same body ('Sở Nội vụ (qua Phòng Công chức, viên chức)'). A division
    named with its body after a comma ('Vụ Giáo dục chuyên nghiệp, Bộ Giáo dục và Đào
    tạo') stands for that body."""
    through = THROUGH.match(text[end:])
    if through:
        via = _body_at(text, end + through.end(), gazetteer)
        if via is not None and not (DIVISION.match(via[0]) and PARENT.match(name)):
            return via  # not "Sở Nội vụ (qua Phòng ...)", "Bộ ... (qua Cục Trẻ em)"
    if DIVISION.match(name) and text[end : end + 2] == ", ":
        parent = _body_at(text, end + 2, gazetteer)
        if parent is not None and not DIVISION.match(parent[0]):
            return parent
    office = OFFICE_OF.match(text, begin, end)
    if office:
        return squash(text[office.end() : end]), (office.end(), end)
    return name, (begin, end)


#: Characters after a position in which a body's name must fit.
NAME_WINDOW = 300


def _body_at(text: str, position: int, gazetteer: Gazetteer) -> tuple[str, tuple[int, int]] | None:
    """A body's name starting at `position` (spaces allowed before it)."""
    while position < len(text) and text[position].isspace():
        position += 1
    rest = text[position:]
    # Only a name that starts here: matched at the start of a bounded window, so a long
    # text with many "báo cáo" stays linear.
    start = rest[:NAME_WINDOW]
    known = gazetteer.pattern().match(fold_keep_length(start))
    entry = gazetteer.lookup(known.group()) if known is not None else None
    if known is not None and entry is not None:
        end = known.end()
        qualified = QUALIFIED.match(start, end) if entry.kind == "addressees" else None
        if qualified:  # "gửi về các cơ quan liên quan"
            end = qualified.end()
        return squash(start[:end]), (position, position + end)
    head = re.match(rf"(?:{HEAD}|{PERSON_HEAD})(?![\wÀ-ỹ])", rest)
    if not head:
        return None
    if head.group().upper() in ACRONYM_HEADS or re.fullmatch(PERSON_HEAD, head.group()):
        end = name_end(rest, head.end(), lower_words=False)  # "UBND huyện Tam Đường"
    else:
        end = len(rest)
        for pattern in (NAME_BOUNDARY, re.compile(r"[,.;:()]|\n\s*\n")):
            match = pattern.search(rest, head.end())
            if match:
                end = min(end, match.start())
    name = squash(rest[:end])
    alone = (
        re.fullmatch(PERSON_HEAD, head.group())
        or head.group() in ("UBND", "HĐND", "BGH")
        or (" " in head.group() and head.group()[:4].lower() != "các ")  # "Ban Chỉ đạo"
        # the issuing ministry or department by its kind: "gửi về Bộ trước ngày 15/6"
        or (head.group() in ("Bộ", "Sở", "Cục", "Tổng cục") and name == head.group())
    )
    if (len(name) <= len(head.group()) + 1 and not alone) or len(name) > 90:
        return None  # "báo cáo Phó Thủ tướng", "Báo cáo UBND danh sách": a title alone
    return name, (position, position + len(rest[:end].rstrip()))
