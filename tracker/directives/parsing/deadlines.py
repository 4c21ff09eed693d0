"""Deadlines in a task's text: by a date, periods, relative, recurring, scheduled.
Dates that are not deadlines (a cited document's date, an effective date, a condition)
are not taken: every pattern needs the words that make a date a time limit."""

from __future__ import annotations

import calendar as month_calendar
import re
from datetime import date

from tracker.directives.parsing.draft import Deadline
from tracker.directives.parsing.patterns import ANY_DATE, RECALLED_LETTER, date_from
from tracker.directives.parsing.source import sentence_start, squash

DATE = r"(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
TIME = r"(?P<hour>\d{1,2})\s*(?:giờ|h|g)\s*(?:(?P<minute>\d{1,2})\s*(?:phút|'|’)?)?"
BEFORE = (
    r"(?:trước|chậm\s+nhất(?:\s+(?:là|vào|đến))?|hạn\s+chót|không\s+muộn\s+hơn|hoàn\s+thành\s+trong|"
    r"đến\s+hết)"
)

BY_DATE = re.compile(
    rf"{BEFORE}\s+(?:{TIME}\s*(?:sáng|chiều|tối)?\s*,?\s*)?(?:ngày\s*)?(?P<date>{DATE})",
    re.IGNORECASE,
)
#: The day a thing is done, under its label: "Thời gian: Ngày 22/7/2018 (Chủ nhật)".
DAY_LABEL = re.compile(rf"Thời\s+gian\s*:\s*(?:ngày\s*)(?P<date>{DATE})", re.IGNORECASE)
#: On a day: "trong ngày 20/8/2020", "trong ngày Lễ giỗ Tổ Hùng Vương (10 tháng 3 âm lịch,
#: tức ngày 31/3/2012)".
ON_DAY = re.compile(
    rf"trong\s+ngày\s*(?:[^.;()\d]{{3,60}}\([^()]{{0,60}}?tức\s+(?:là\s+)?ngày\s*)?(?P<date>{DATE})",
    re.IGNORECASE,
)
#: A period's first day may leave its year to the last's: "từ ngày 30 tháng 6 đến ngày 03
#: tháng 7 năm 2013", and its month too: "từ ngày 22 đến hết ngày 23 tháng 5 năm 2021".
DAY_MONTH = (
    r"\d{1,2}\s*[/.-]\s*\d{1,2}(?!\s*[/.-]?\s*\d)|\d{1,2}\s+tháng\s+\d{1,2}(?!\s+năm)|"
    r"\d{1,2}(?=\s+(?:đến|tới)\s)"
)
#: A weekday before the day it names: "thứ Bẩy ngày 29/4/2023", "Chủ nhật, ngày ...".
WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s+nhật)\s*,?\s*"
PERIOD = re.compile(
    rf"từ\s+(?:(?:buổi\s+)?(?:sáng|chiều|tối)\s+)?(?:{WEEKDAY})?ngày\s*"
    rf"(?P<start>{DATE}|{DAY_MONTH})\s*(?:\([^()]{{0,20}}\)\s*)?(?:đến|tới)\s+(?:hết\s+)?"
    rf"(?:{WEEKDAY})?(?:ngày\s*)?(?P<end>{DATE})",
    re.IGNORECASE,
)
#: A number of days followed by the period they are: "trong 02 ngày, từ ngày 22 ...",
#: "trong 3 ngày: từ thứ Hai, ngày 29/4/2019 đến hết ...", "05 ngày liên tục, từ ...".
SPELLED_OUT = re.compile(rf"\s*(?:liên\s+tục)?\s*[,(:]?\s*từ\s+(?:{WEEKDAY})?ngày", re.IGNORECASE)
#: When an event takes place, not a time given for a task: "diễn ra tại An Giang từ ngày".
HAPPENING = re.compile(r"diễn\s+ra[^,.;:()]*$", re.IGNORECASE)
#: A weekday of every week: "vào thứ Năm hằng tuần", "các thứ Hai đầu tuần".
WEEKDAYS = {
    "hai": "MO",
    "2": "MO",
    "ba": "TU",
    "3": "TU",
    "tư": "WE",
    "4": "WE",
    "năm": "TH",
    "5": "TH",
    "sáu": "FR",
    "6": "FR",
    "bảy": "SA",
    "7": "SA",
}
WEEKLY_DAY = re.compile(
    r"thứ\s+(?P<day>hai|ba|tư|năm|sáu|bảy|[2-7])\s+(?:(?:hằng|hàng|mỗi)\s+tuần|đầu\s+tuần)",
    re.IGNORECASE,
)
#: The words before a weekday that belong to it: "trước 15 giờ", "vào", "tất cả các ngày".
WEEKLY_BEFORE = re.compile(
    rf"(?:(?:trước|vào)\s+(?:(?:lúc\s+)?{TIME}\s*(?:sáng|chiều|tối)?\s*,?\s*)?)?"
    r"(?:(?:tất\s+cả\s+)?các\s+)?(?:ngày\s+)?$",
    re.IGNORECASE,
)
MONTH_PERIOD = re.compile(
    r"trong\s+tháng\s+(?P<month>\d{1,2})\s*(?:/|năm)\s*(?P<year>\d{4})", re.IGNORECASE
)
#: To the end of a month: "đến hết tháng 3 năm 2013".
MONTH_END = re.compile(
    r"đến\s+hết\s+tháng\s+(?P<month>\d{1,2})\s*(?:/|năm)\s*(?P<year>\d{4})", re.IGNORECASE
)
MONTH_RANGE = re.compile(
    r"từ\s+tháng\s+(?P<m1>\d{1,2})(?:\s*(?:/|năm)\s*(?P<y1>\d{4}))?\s+(?:đến|tới)\s+(?:hết\s+)?"
    r"tháng\s+(?P<m2>\d{1,2})\s*(?:/|năm)\s*(?P<y2>\d{4})",
    re.IGNORECASE,
)
RELATIVE = re.compile(
    r"(?P<within>trong\s+(?:vòng|thời\s+hạn|thời\s+gian)?\s*)?(?P<days>\d{1,3})\s+ngày"
    r"(?P<working>\s+làm\s+việc)?(?:\s*,?\s*kể\s+từ\s+(?:ngày\s*)?(?P<ref>"
    + DATE
    + r"|[^,.;()]{3,60}?)(?=[,.;()]|\s+(?:phải|để|báo|gửi)|$))?",
    re.IGNORECASE,
)
SCHEDULED = re.compile(
    rf"(?P<at>(?:bắt\s+đầu\s+(?:từ\s+)?|vào\s+(?:lúc\s+|hồi\s+)?|lúc\s+){TIME}\s*(?:sáng|chiều|tối)?\s*"
    r"(?:(?:đến|-)\s*\d{1,2}\s*(?:giờ|h|g)(?:\s*\d{1,2}\s*(?:phút)?)?\s*)?,?\s*"
    rf"(?:\([^)]*\)\s*)?(?:ngày\s*)(?:(?:thứ\s+\S+|chủ\s+nhật)\s*,?\s*)?(?P<date>{DATE}))",
    re.IGNORECASE,
)
#: A meeting's time under its label: "(thời gian: 09h00 ngày 19 tháng 5 năm 2015)", "Thời
#: gian: từ 15h 30 đến 17h30 ngày 21/9/2010".
TIME_LABEL = re.compile(
    rf"thời\s+gian\s*:\s*(?P<at>(?:từ\s+)?{TIME}\s*(?:sáng|chiều|tối)?\s*"
    r"(?:(?:đến|-)\s*\d{1,2}\s*(?:giờ|h|g)\s*(?:\d{1,2}\s*(?:phút)?)?\s*)?,?\s*"
    rf"ngày\s*(?P<date>{DATE}))",
    re.IGNORECASE,
)
#: Days named one by one: "trong 2 ngày 26/9 và 27/9/2018".
NAMED_DAYS = re.compile(
    rf"trong\s+(?:\d{{1,2}}\s+)?ngày\s*(?P<start>{DAY_MONTH})\s*(?:và|,|-|–)\s*(?:ngày\s*)?"
    rf"(?P<end>{DATE})",
    re.IGNORECASE,
)
QUARTER = re.compile(
    r"(?:trong\s+)?quý\s+(?P<quarter>IV|III|II|I|[1-4])\s*(?:/|năm)\s*(?P<year>\d{4})",
    re.IGNORECASE,
)
QUARTERS = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
MONTHLY_DAY = re.compile(
    r"trước\s+ngày\s+(?P<day>\d{1,2})\s+(?:hằng|hàng|của\s+mỗi|mỗi)\s+tháng", re.IGNORECASE
)
DAILY_TIME = re.compile(
    rf"trước\s+{TIME}\s*(?:sáng|chiều)?\s*(?:hằng|hàng|mỗi)\s+ngày", re.IGNORECASE
)
RECURRING_WORDS = (
    (re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+tuần\b", re.IGNORECASE), "FREQ=WEEKLY"),
    (re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+tháng\b", re.IGNORECASE), "FREQ=MONTHLY"),
    (
        re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+quý\b", re.IGNORECASE),
        "FREQ=MONTHLY;INTERVAL=3",
    ),
    (
        re.compile(
            r"\b(?:định\s+kỳ\s+)?(?:06|6|sáu)\s+tháng\s+(?:một\s+lần|đầu\s+năm|cuối\s+năm)",
            re.IGNORECASE,
        ),
        "FREQ=MONTHLY;INTERVAL=6",
    ),
    (re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+năm\b", re.IGNORECASE), "FREQ=YEARLY"),
    (re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+ngày\b", re.IGNORECASE), "FREQ=DAILY"),
    (re.compile(r"\bđịnh\s+kỳ\b", re.IGNORECASE), None),
)


#: A sentence recalling an earlier document ("Ngày 09/02/2021, Bộ Y tế đã có Công văn số
#: 949/BYT-KH-TC ..., thời hạn gửi về Bộ Y tế trước ngày 23/02/2021"): its time limit is
#: that document's, not one this one sets.
OVERDUE = re.compile(r"\bđã\s+quá\s+hạn\b", re.IGNORECASE)


def _day_before(day_month: str, end: date) -> date | None:
    """The day and month of `day_month` in the year that puts it on or before `end`; a day
    alone is in the month of `end`."""
    numbers = [int(number) for number in re.findall(r"\d{1,2}", day_month)[:2]]
    day, month = numbers if len(numbers) == 2 else (numbers[0], end.month)
    for year in (end.year, end.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found <= end:
            return found
    return None


def _parse_date(text: str) -> date | None:
    match = ANY_DATE.search(text)
    return date_from(match) if match else None


def _time(match: re.Match[str]) -> str | None:
    hour = match.groupdict().get("hour")
    if not hour:
        return None
    minute = match.groupdict().get("minute") or "0"
    hour_value, minute_value = int(hour), int(minute)
    if hour_value > 23 or minute_value > 59:
        return None
    if re.search(r"chiều|tối", match.group(), re.IGNORECASE) and hour_value < 12:
        hour_value += 12
    return f"{hour_value:02d}:{minute_value:02d}"


def find_deadlines(text: str, offset: int = 0) -> list[Deadline]:
    """Deadlines in `text` (a slice of the document starting at `offset`), in order."""
    found: list[Deadline] = []
    taken: list[tuple[int, int]] = []

    def add(deadline: Deadline, start: int, end: int) -> None:
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            return
        taken.append((start, end))
        deadline.span = (offset + start, offset + end)
        found.append(deadline)

    for match in [*PERIOD.finditer(text), *NAMED_DAYS.finditer(text)]:
        if HAPPENING.search(text, max(0, match.start() - 80), match.start()):
            continue  # "Lễ hội ... diễn ra tại An Giang từ ngày 23 đến ngày 26 ...": its time
        end = _parse_date(match.group("end"))
        start = _parse_date(match.group("start"))
        if start is None and end is not None:  # "từ ngày 30 tháng 6": the year of the end
            start = _day_before(match.group("start"), end)
        add(
            Deadline("period", squash(match.group()), date=end, start=start),
            match.start(),
            match.end(),
        )
    for match in MONTH_RANGE.finditer(text):
        year2 = int(match.group("y2"))
        year1 = int(match.group("y1") or year2)
        month1, month2 = int(match.group("m1")), int(match.group("m2"))
        if 1 <= month1 <= 12 and 1 <= month2 <= 12:
            last = month_calendar.monthrange(year2, month2)[1]
            add(
                Deadline(
                    "period",
                    squash(match.group()),
                    date=date(year2, month2, last),
                    start=date(year1, month1, 1),
                ),
                match.start(),
                match.end(),
            )
    for match in MONTH_END.finditer(text):
        month, year = int(match.group("month")), int(match.group("year"))
        if 1 <= month <= 12:
            end_of_month = date(year, month, month_calendar.monthrange(year, month)[1])
            add(
                Deadline("by_date", squash(match.group()), date=end_of_month),
                match.start(),
                match.end(),
            )
    for match in MONTH_PERIOD.finditer(text):
        month, year = int(match.group("month")), int(match.group("year"))
        if 1 <= month <= 12:
            last = month_calendar.monthrange(year, month)[1]
            add(
                Deadline(
                    "period",
                    squash(match.group()),
                    date=date(year, month, last),
                    start=date(year, month, 1),
                ),
                match.start(),
                match.end(),
            )
    for match in QUARTER.finditer(text) if "quý" in text.lower() else ():
        quarter, year = QUARTERS[match.group("quarter").upper()], int(match.group("year"))
        last_month = quarter * 3
        add(
            Deadline(
                "period",
                squash(match.group()),
                date=date(year, last_month, month_calendar.monthrange(year, last_month)[1]),
                start=date(year, last_month - 2, 1),
            ),
            match.start(),
            match.end(),
        )
    for match in WEEKLY_DAY.finditer(text):
        weekly = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[match.group('day').lower()]}"
        before = WEEKLY_BEFORE.search(text, max(0, match.start() - 40), match.start())
        begins = before.start() if before else match.start()
        words = squash(text[begins : match.end()])
        deadline = Deadline("recurring", words, rule=weekly, time=_time(before) if before else None)
        add(deadline, begins, match.end())
    for match in MONTHLY_DAY.finditer(text):
        day = int(match.group("day"))
        if 1 <= day <= 31:
            add(
                Deadline("recurring", squash(match.group()), rule=f"FREQ=MONTHLY;BYMONTHDAY={day}"),
                match.start(),
                match.end(),
            )
    for match in DAILY_TIME.finditer(text):
        add(
            Deadline("recurring", squash(match.group()), rule="FREQ=DAILY", time=_time(match)),
            match.start(),
            match.end(),
        )
    for match in [*BY_DATE.finditer(text), *ON_DAY.finditer(text), *DAY_LABEL.finditer(text)]:
        sentence = sentence_start(text, match.start())
        if any(p.search(text, sentence, match.start()) for p in (RECALLED_LETTER, OVERDUE)):
            continue  # "Bộ Y tế đã có Công văn số ..., thời hạn ... trước ngày ...": past
        add(
            Deadline(
                "by_date",
                squash(match.group()),
                date=_parse_date(match.group("date")),
                time=_time(match),
            ),
            match.start(),
            match.end(),
        )
    for match in [*SCHEDULED.finditer(text), *TIME_LABEL.finditer(text)]:
        add(
            Deadline(
                "scheduled",
                squash(match.group("at")),
                date=_parse_date(match.group("date")),
                time=_time(match),
            ),
            match.start("at"),
            match.end("at"),
        )
    for match in RELATIVE.finditer(text):
        days = int(match.group("days"))
        reference = match.group("ref")
        if not (match.group("within") or reference):
            continue  # "được nghỉ 01 ngày": a length of time, not a time limit
        if days == 0 or days > 365 or _is_date_fragment(text, match.start()):
            continue
        if SPELLED_OUT.match(text, match.end()):
            continue  # "trong 02 ngày, từ ngày 22 đến hết ngày 23 tháng 5": the period says it
        reference_date = _parse_date(reference) if reference else None
        add(
            Deadline(
                "relative",
                squash(match.group()),
                days=days,
                working_days=bool(match.group("working")),
                reference=reference_date.isoformat()
                if reference_date
                else (squash(reference) if reference else None),
            ),
            match.start(),
            match.end(),
        )
    lower = text.lower()
    periodic = "hằng" in lower or "hàng" in lower or "định kỳ" in lower or "tháng" in lower
    for pattern, rule in RECURRING_WORDS if periodic else ():  # their words first: fewer scans
        for match in pattern.finditer(text):
            add(Deadline("recurring", squash(match.group()), rule=rule), match.start(), match.end())
    found.sort(key=lambda deadline: deadline.span[0] if deadline.span else 0)
    return [deadline for deadline in found if deadline.kind != "by_date" or deadline.date]


def _is_date_fragment(text: str, start: int) -> bool:
    """The digits belong to a date (05/10, 3.2020), not to a duration."""
    return start > 0 and text[start - 1] in "/.-"
