"""Words and patterns of Vietnamese administrative documents."""

from __future__ import annotations

import re
from datetime import date

# Document types, longest first so "Thông tư liên tịch" wins over "Thông tư".
DOC_TYPES = (
    "Thông tư liên tịch",
    "Nghị quyết",
    "Nghị định",
    "Quyết định",
    "Chỉ thị",
    "Thông báo",
    "Thông tư",
    "Kế hoạch",
    "Hướng dẫn",
    "Chương trình",
    "Công văn",
    "Công điện",
    "Báo cáo",
    "Tờ trình",
    "Luật",
    "Pháp lệnh",
    "Đề án",
    "Phương án",
    "Quy chế",
    "Quy định",
    "Văn bản",
    "Công văn hỏa tốc",
)
#: Types whose title stands alone on a line in capitals (box 5a of ND30).
TITLED_TYPES = (
    "Kế hoạch",
    "Thông báo",
    "Chỉ thị",
    "Quyết định",
    "Nghị quyết",
    "Hướng dẫn",
    "Chương trình",
    "Báo cáo",
    "Tờ trình",
    "Công điện",
    "Đề án",
    "Phương án",
    "Quy chế",
)
#: Any type name, its words possibly broken over lines ("Thông tư\nliên tịch").
DOC_TYPE_PATTERN = "|".join(
    re.escape(name).replace(r"\ ", r"\s+") for name in sorted(DOC_TYPES, key=len, reverse=True)
)
#: Type names by their ND30 abbreviation, for a citation written "số 157/KH-BGDĐT".
TYPE_BY_ABBREVIATION = {
    "KH": "Kế hoạch",
    "TB": "Thông báo",
    "CT": "Chỉ thị",
    "QĐ": "Quyết định",
    "NQ": "Nghị quyết",
    "HD": "Hướng dẫn",
    "CTr": "Chương trình",
    "BC": "Báo cáo",
    "TTr": "Tờ trình",
    "CĐ": "Công điện",
    "TT": "Thông tư",
    "NĐ": "Nghị định",
    "TTLT": "Thông tư liên tịch",
}

#: A sentence recalling an earlier letter ("Ngày 09/02/2021, Bộ Y tế đã có Công văn số ...
#: đề nghị ...", "Thực hiện Công văn số ..., với nội dung yêu cầu ..."): what it asked,
#: and by when, was asked then, not by this document.
RECALLED_LETTER = re.compile(
    r"\bđã\s+(?:có|ban\s+hành|gửi)\s+(?:công\s+văn|văn\s+bản|kế\s+hoạch|thông\s+báo)"
    # "Thực hiện Công văn số ... của UBND Thành phố ..., với nội dung yêu cầu Sở ..."
    r"|\bvới\s+nội\s+dung\s+(?:yêu\s+cầu|đề\s+nghị|giao|chỉ\s+đạo)",
    re.IGNORECASE,
)
#: Upper-case letters of Vietnamese, for character classes: "Ủy", "Ông", "Đắk".
UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
#: A document's symbol (ký hiệu): upper-case groups joined by "-", "–", "/" or "."
#: (spaces around them allowed: "VPCP-V .III", "GDĐT –KT&KĐCL"), with "&", "." and
#: lower-case letters inside a group ("PGD&ĐT", "UBND.VP", "NVYTrH", "CTr") and a comma
#: between two groups ("TCBC,CCVC").
SYMBOL = r"[A-ZĐ0-9](?:[A-ZĐa-zđ0-9&.]|,(?=[A-ZĐ])|\s*[-–/.]\s*(?=[A-ZĐ0-9]))*"

#: "Số: 1661/UBND-VX", "Số 1234/UBND-VX", "Số:    /KH-UBND" and "Số: ....../KH-UBND"
#: (a number left to write by hand: no number).
NUMBER_LINE = re.compile(
    rf"^\s*Số\s*:?\s*(?P<number>\d*(?:\s*-\s*[A-ZĐ]{{1,6}}(?=\s*/))?)[\s.…_]*/\s*(?P<symbol>{SYMBOL})"
)

#: "Lai Châu, ngày 15 tháng 8 năm 2020", "Quận 9, ngày ..."; OCR of italics may read
#: "năm" as "nắm"; a date left to write by hand ("Hà Nội, ngày tháng năm") has the place.
DATE_LINE = re.compile(
    # not a symbol's tail: "Chỉ thị số 40-CT/TW, ngày 11 tháng 12 năm 2024" in the body
    r"(?<![/\-–\w])(?P<place>[A-ZĐÂÊÔƠƯ][^\d,:;]{1,40}?(?:\s\d{1,2})?)\s*,\s*ngày\s*(?P<day>\d{1,2})?\s*"
    r"tháng\s*(?P<month>\d{1,2})?\s*n[ăắằâấầa]m\s*(?:(?P<year>\d{4})|[\s.…_]*$)",
    re.IGNORECASE,
)

# Dates in running text: 18/8/2020, 18-8-2020, 18.8.2020, ngày 03 tháng 10 năm 2020.
NUMERIC_DATE = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
LONG_DATE = r"(?P<ld>\d{1,2})\s+tháng\s+(?P<lm>\d{1,2})\s+năm\s+(?P<ly>\d{4})"
ANY_DATE = re.compile(rf"(?:{NUMERIC_DATE}|{LONG_DATE})")


def date_from(match: re.Match[str]) -> date | None:
    """The date of an ANY_DATE match, or None if it is not a real date."""
    groups = match.groupdict()
    if groups.get("d"):
        day, month, year = groups["d"], groups["m"], groups["y"]
    else:
        day, month, year = groups["ld"], groups["lm"], groups["ly"]
    try:
        return date(int(year), int(month), int(day))
    except (TypeError, ValueError):
        return None


def upper_ratio(text: str) -> float:
    letters = [character for character in text if character.isalpha()]
    if not letters:
        return 0.0
    return sum(character.isupper() for character in letters) / len(letters)


def is_capitals(text: str) -> bool:
    return upper_ratio(text) > 0.9


#: Words that make a request of someone: "đề nghị X", "giao X", "đồng ý X tổ chức" (not
#: "đề nghị của X", whose request it is).
REQUEST = re.compile(
    r"\b(?:đề\s+nghị(?!\s+của)|yêu\s+cầu(?!\s+của)|(?<!bàn\s)giao(?!\s+(?:lưu|thông|dịch|tiếp))|"
    r"đồng\s+ý|chấp\s+thuận|cho\s+phép|"
    r"chỉ\s+thị)\b",
    re.IGNORECASE,
)
