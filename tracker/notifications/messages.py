"""The words of reminders, overdue alerts and the daily e-mail digest, in the language
gettext gives when they are written: the recipient's (the caller's `force_locale`), else
Vietnamese. A reminder is stored as written for its recipient; the names it quotes
(directives, tasks, agencies) stay as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from tracker import calendar
from tracker.formatting import format_date
from tracker.i18n import N_
from tracker.notifications.ladder import Step

APP_NAME = N_("Theo dõi nhiệm vụ")
TITLE_LENGTH = 300


@dataclass(frozen=True)
class Subject:
    """What a reminder is about."""

    task_number: str
    #: The directive's title, e.g. "Công văn 1661/UBND-VX".
    directive_title: str
    #: The task's short title.
    task_title: str
    agency_name: str
    agency_short_name: str
    due: date
    #: The reporting period's first and last day, when the reminder is about a period.
    period: tuple[date, date] | None = None

    @property
    def label(self) -> str:
        """e.g. "nhiệm vụ 2 của Công văn 1661/UBND-VX" or "báo cáo kỳ 01/08 - 14/08/2020,
        nhiệm vụ 2 của ...", in the current language."""
        if self.period is None:
            return assignment_label(self.task_number, self.directive_title)
        return period_label(*self.period, self.task_number, self.directive_title)


def assignment_label(task_number: str, directive_title: str) -> str:
    return _("nhiệm vụ %(number)s của %(directive)s", number=task_number, directive=directive_title)


def period_label(starts_on: date, ends_on: date, task_number: str, directive_title: str) -> str:
    period = f"{starts_on:%d/%m} - {format_date(ends_on)}"
    what = assignment_label(task_number, directive_title)
    return _("báo cáo kỳ %(period)s, %(what)s", period=period, what=what)


def notification_title(step: Step, subject: Subject, as_of: date) -> str:
    """One line: what is due, and for the office which agency is late."""
    if step.overdue:
        late = max(calendar.working_days_between(subject.due, as_of), 1)
        text = _(
            "Cảnh báo quá hạn (%(days)s ngày làm việc): %(agency)s chưa hoàn thành %(what)s",
            days=late,
            agency=subject.agency_short_name,
            what=subject.label,
        )
    elif step.name == "due-0":
        text = _("Hôm nay đến hạn: %(what)s", what=subject.label)
    else:
        left = calendar.working_days_between(as_of, subject.due)
        text = _(
            "Nhắc việc: còn %(days)s ngày làm việc đến hạn %(what)s",
            days=left,
            what=subject.label,
        )
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def notification_body(subject: Subject) -> str:
    return "\n".join(
        [
            subject.task_title,
            _("Đơn vị thực hiện: %(agency)s", agency=subject.agency_name),
            _("Thời hạn: %(date)s", date=format_date(subject.due)),
        ]
    )


#: Steps listed in one grouped notification; the rest are counted.
GROUP_ITEMS = 30


def group_title(day: date, count: int, overdue: int) -> str:
    """One agency's reminders of a day, e.g. "Nhắc việc ngày 19/08/2020: 5 việc, trong đó
    2 việc quá hạn"."""
    text = _("Nhắc việc ngày %(date)s: %(count)s việc", date=format_date(day), count=count)
    return text + (_(", trong đó %(count)s việc quá hạn", count=overdue) if overdue else "")


def escalation_title(day: date, count: int, agencies: int) -> str:
    """The office's overdue alert of a day, all agencies together."""
    return _(
        "Cảnh báo quá hạn ngày %(date)s: %(count)s việc của %(agencies)s cơ quan, đơn vị"
        " chưa hoàn thành",
        date=format_date(day),
        count=count,
        agencies=agencies,
    )


def group_body(lines: Sequence[str]) -> str:
    """One line per step; past GROUP_ITEMS the rest are counted."""
    shown = [f"- {line}" for line in lines[:GROUP_ITEMS]]
    if len(lines) > GROUP_ITEMS:
        shown.append(_("... và %(count)s việc khác.", count=len(lines) - GROUP_ITEMS))
    return "\n".join(shown)


@dataclass(frozen=True)
class DigestItem:
    title: str
    body: str
    link: str
    overdue: bool


def digest_subject(items: Sequence[DigestItem], day: date) -> str:
    """e.g. "[Theo dõi nhiệm vụ] 3 thông báo ngày 18/08/2020 (1 cảnh báo quá hạn)"."""
    subject = _(
        "[%(app)s] %(count)s thông báo ngày %(date)s",
        app=_(APP_NAME),
        count=len(items),
        date=format_date(day),
    )
    overdue = sum(item.overdue for item in items)
    return subject + (_(" (%(count)s cảnh báo quá hạn)", count=overdue) if overdue else "")


def digest_body(
    name: str,
    items: Sequence[DigestItem],
    day: date,
    base_url: str,
    list_link: str,
    more: int = 0,
) -> str:
    """Plain text: each item with its link, then the link to the notification list;
    `more` items not listed are counted."""
    base_url = base_url.rstrip("/")
    lines = [
        _("Kính gửi %(name)s,", name=name),
        "",
        _(
            "Hệ thống %(app)s có %(count)s thông báo ngày %(date)s:",
            app=_(APP_NAME),
            count=len(items) + max(more, 0),
            date=format_date(day),
        ),
        "",
    ]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item.title}")
        lines.extend(f"   {line}" for line in item.body.splitlines())
        if item.link:
            lines.append("   " + _("Xem chi tiết: %(link)s", link=base_url + item.link))
        lines.append("")
    if more > 0:
        lines += [_("... và %(count)s thông báo khác.", count=more), ""]
    lines += [
        _("Tất cả thông báo: %(link)s", link=base_url + list_link),
        "",
        _(
            "Thư này do hệ thống %(app)s gửi tự động mỗi ngày một lần, xin không trả lời.",
            app=_(APP_NAME),
        ),
    ]
    return "\n".join(lines) + "\n"
