"""The list of obligations: every one-off report and reporting period owed, filtered,
sorted and paged by keyset, for the office, leaders and agencies.

Rows are `tracker.assignments.obligations` rows, so "overdue" here is the dashboard's
"quá hạn chưa hoàn thành" and a late agency's list has exactly as many rows as its count.
The filter is a plain value (`Filter`), read from and written to the URL, so a list can
be shared and bookmarked. A page is one query for its rows and one for the count,
whatever the amount of data.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_names
from tracker.assignments import obligations
from tracker.assignments.deadlines import COUNTED, Outcome, soon_cutoff
from tracker.assignments.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Period,
    PeriodStatus,
)
from tracker.assignments.queries import visible_among_many, visible_directive_ids
from tracker.assignments.workflow import PERIOD_STATUS_LABELS, STATUS_LABELS
from tracker.auth.models import User
from tracker.directives.models import Directive, DirectiveStatus, Task, title_of
from tracker.formatting import display_number
from tracker.i18n import N_

#: Rows per page.
PAGE_ROWS = 50
#: Rows a spreadsheet export holds at most; the file says when it was cut.
EXPORT_ROWS = 50_000
#: Rows a PDF export holds unless `limit` asks otherwise, and at most: a PDF is read and
#: printed, not filtered (the spreadsheet is for the whole list).
PDF_ROWS = 500
PDF_MOST_ROWS = 2_000
#: Rows an export reads from the database at a time, so it streams in bounded memory.
_EXPORT_BATCH = 1_000
#: How many directives the filter offers, the newest first (an older one is chosen from
#: its own page, whose link carries it).
DIRECTIVE_CHOICES = 200
#: The list's total is counted up to this many rows ("more than 10,000").
COUNT_LIMIT = 10_000
#: The deadline that sorts last: work without one.
NO_DEADLINE = date(9999, 12, 31)


class Sort(StrEnum):
    DEADLINE = "deadline"
    AGENCY = "agency"
    DIRECTIVE = "directive"
    STATUS = "status"
    OUTCOME = "outcome"


SORT_LABELS = {
    Sort.DEADLINE: N_("Thời hạn"),
    Sort.AGENCY: N_("Cơ quan, đơn vị"),
    Sort.DIRECTIVE: N_("Văn bản"),
    Sort.STATUS: N_("Trạng thái"),
    Sort.OUTCOME: N_("Kết quả"),
}


class FilterError(ValueError):
    """A filter value that makes no sense; the message is for the user."""


@dataclass(frozen=True)
class Filter:
    """What the list shows; every field is a URL parameter of the same name."""

    directive: int | None = None
    #: An agency's code, e.g. "STTTT".
    agency: str | None = None
    role: AssignmentRole | None = None
    status: AssignmentStatus | None = None
    outcome: Outcome | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    due_soon: bool = False
    sort: Sort = Sort.DEADLINE
    descending: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filter:
        """Read the URL's parameters; raises FilterError naming the wrong one."""

        def value(name: str) -> str | None:
            text = (args.get(name) or "").strip()
            return text or None

        def choice(name: str, kind, label: str):
            text = value(name)
            if text is None:
                return None
            try:
                return kind(text)
            except ValueError:
                message = _("%(label)s “%(text)s” không hợp lệ.", label=_(label), text=text)
                raise FilterError(message) from None

        def day(name: str, label: str) -> date | None:
            text = value(name)
            if text is None:
                return None
            try:
                return date.fromisoformat(text)
            except ValueError:
                message = _("%(label)s phải là một ngày (năm-tháng-ngày).", label=_(label))
                raise FilterError(message) from None

        directive = value("directive")
        if directive is not None and (not directive.isdigit() or len(directive) > 9):
            raise FilterError(_("Văn bản được chọn không hợp lệ."))
        sort_text = value("sort") or Sort.DEADLINE.value
        descending = sort_text.startswith("-")
        try:
            sort = Sort(sort_text.removeprefix("-"))
        except ValueError:
            raise FilterError(_("Không sắp xếp được theo “%(sort)s”.", sort=sort_text)) from None
        found = cls(
            directive=int(directive) if directive else None,
            agency=(value("agency") or "").upper()[:40] or None,
            role=choice("role", AssignmentRole, N_("Vai trò")),
            status=choice("status", AssignmentStatus, N_("Trạng thái")),
            outcome=choice("outcome", Outcome, N_("Kết quả")),
            due_from=day("due_from", N_("Hạn từ ngày")),
            due_to=day("due_to", N_("Hạn đến ngày")),
            overdue=value("overdue") in ("1", "true", "on"),
            due_soon=value("due_soon") in ("1", "true", "on"),
            sort=sort,
            descending=descending,
        )
        if found.outcome is not None and found.outcome not in COUNTED:
            raise FilterError(_("Kết quả được chọn không hợp lệ."))
        if found.due_from and found.due_to and found.due_from > found.due_to:
            raise FilterError(_("“Hạn từ ngày” phải trước “Hạn đến ngày”."))
        return found

    @property
    def only_open(self) -> bool:
        """Whether the filter keeps open work only (within or past its deadline)."""
        open_outcome = self.outcome is not None and self.outcome.value in obligations.OPEN_OUTCOMES
        return self.overdue or self.due_soon or open_outcome

    def to_args(self) -> dict[str, str]:
        """The URL parameters that give this filter back (defaults left out)."""
        args: dict[str, str] = {}
        for item in fields(self):
            if item.name in ("sort", "descending"):
                continue
            current = getattr(self, item.name)
            if current in (None, False):
                continue
            if current is True:
                args[item.name] = "1"
            elif isinstance(current, date):
                args[item.name] = current.isoformat()
            else:
                args[item.name] = str(current)  # a StrEnum's str() is its value
        if self.sort != Sort.DEADLINE or self.descending:
            args["sort"] = ("-" if self.descending else "") + self.sort.value
        return args

    def sorted_by(self, sort: Sort) -> Filter:
        """The same filter sorted by `sort`; the column already sorted on flips order."""
        descending = not self.descending if sort == self.sort else False
        return replace(self, sort=sort, descending=descending)


@dataclass(frozen=True)
class Row:
    """One obligation: an assignment's own report, or one reporting period of it."""

    assignment_id: int
    period_id: int | None
    directive_id: int
    directive_title: str
    task_number: str
    task_title: str
    agency_code: str
    agency_name: str
    role: AssignmentRole
    status: AssignmentStatus
    period_status: PeriodStatus | None
    due_date: date | None
    period_starts_on: date | None
    period_ends_on: date | None
    outcome: Outcome
    progress: int

    @property
    def status_label(self) -> str:
        """The period's status for a period's row, else the assignment's (untranslated:
        pages translate it, exports keep it)."""
        if self.period_status is not None:
            return PERIOD_STATUS_LABELS[self.period_status]
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    #: How many rows the list has, counted up to COUNT_LIMIT; `more_than_total` when
    #: it has more.
    total: int
    more_than_total: bool
    #: Cursors for the next and previous pages; None at either end.
    after: str | None
    before: str | None


def directive_choices(session: Session, user: User, chosen: int | None) -> list[tuple[int, str]]:
    """(id, title) of the directives the filter offers: the newest DIRECTIVE_CHOICES
    active or closed ones the user has work in (any, for the office and leaders), and
    the one chosen, wherever it falls."""
    columns = (Directive.id, Directive.doc_type, Directive.number, Directive.symbol)
    query = sa.select(*columns).where(
        Directive.status.in_((DirectiveStatus.ACTIVE, DirectiveStatus.CLOSED))
    )
    if not user.reads_everything:
        query = query.where(Directive.id.in_(visible_directive_ids(user, session)))
    newest = query.order_by(Directive.issued_date.desc(), Directive.id.desc())
    found = list(session.execute(newest.limit(DIRECTIVE_CHOICES)))
    if chosen is not None and all(row.id != chosen for row in found):
        found += session.execute(query.where(Directive.id == chosen))
    return [(row.id, title_of(row.doc_type, row.number, row.symbol)) for row in found]


def agency_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """(code, short name) of the agencies the filter offers: every one, to those who
    read everything; none to an agency (its list holds its own work)."""
    return agency_names(session) if user.reads_everything else []


def _where(session: Session, user: User, chosen: Filter) -> list[sa.ColumnElement[bool]]:
    """Conditions on Assignment and Task, as `obligations.obligations` takes them."""
    where: list[sa.ColumnElement[bool]] = [visible_among_many(session, user)]
    if chosen.directive is not None:
        where.append(Task.directive_id == chosen.directive)
    if chosen.agency is not None:
        agency = sa.select(Agency.id).where(Agency.code == chosen.agency)
        where.append(Assignment.agency_id.in_(agency))
    if chosen.role is not None:
        where.append(Assignment.role == chosen.role)
    if chosen.status is not None:
        where.append(Assignment.status == chosen.status)
    return where


@dataclass(frozen=True)
class _Piece:
    """One part of the obligations, ordered and cut on its own before the parts merge:
    `rows` (a subquery of obligation columns), the tables its keys read besides it,
    and its sort keys, each a column or a Python constant the part holds throughout
    (the deadline of reports without one, the period of a one-off report)."""

    rows: sa.Subquery
    joins: tuple
    keys: tuple
    #: The rows are open work only (`obligations.open_parts`).
    narrowed: bool


def _halves(
    where: list[sa.ColumnElement[bool]], chosen: Filter, as_of: date
) -> tuple[tuple[sa.Select, sa.Select], bool]:
    """The two halves of the obligations the filter reads, and whether they are the
    open ones only (`obligations.open_parts`), for a filter of open work from today on."""
    narrowed = obligations.open_parts(as_of, *where) if chosen.only_open else None
    if narrowed is not None:
        return narrowed, True
    return obligations.parts(as_of, *where), False


def _pieces(halves: tuple[sa.Select, sa.Select], narrowed: bool, chosen: Filter) -> list[_Piece]:
    """The filtered obligations as the parts a page merges.

    The deadline order reads three parts, each on an index in its order: reports with
    a deadline (by due date), reports without one (they sort last), and periods. The
    other orders read the two halves of `obligations.parts`. The row's identity ends
    every key (the period is 0 for a one-off report), so the order is total and the
    keyset exact."""
    reports, periods = halves

    def dated(rows):
        return rows.c.due_date

    def undated(_rows):
        return NO_DEADLINE

    def either(rows):
        return sa.func.coalesce(rows.c.due_date, NO_DEADLINE)

    # (the part, its deadline key, whether its rows are periods)
    parts = (
        [
            (reports.where(Assignment.due_date.is_not(None)), dated, False),
            (reports.where(Assignment.due_date.is_(None)), undated, False),
            (periods, dated, True),
        ]
        if chosen.sort == Sort.DEADLINE
        else [(reports, either, False), (periods, dated, True)]
    )
    found = []
    for number, (select, deadline, of_periods) in enumerate(parts):
        rows = select.subquery(f"part_{number}")
        due_key = deadline(rows)
        identity = (rows.c.assignment_id, rows.c.period_id if of_periods else 0)
        keys, joins = {
            Sort.DEADLINE: ((due_key,), ()),
            Sort.AGENCY: ((Agency.code, due_key), (Agency,)),
            Sort.DIRECTIVE: (
                (Directive.issued_date, Directive.id, Task.position, due_key),
                (Task, Directive),
            ),
            Sort.STATUS: ((Assignment.status, due_key), (Assignment,)),
            Sort.OUTCOME: ((rows.c.outcome, due_key), ()),
        }[chosen.sort]
        found.append(_Piece(rows, joins, (*keys, *identity), narrowed))
    return found


def _conditions(rows, chosen: Filter, as_of: date, due_soon_days: int, narrowed: bool) -> list:
    """The filter's conditions on the obligations' own columns (`rows`); on the rows of
    `obligations.open_parts` (`narrowed`), an outcome is a condition on the due date."""

    def outcome_is(outcome: Outcome) -> sa.ColumnElement[bool]:
        if narrowed:
            return obligations.open_outcome_is(rows, outcome, as_of)
        return rows.c.outcome == outcome.value

    conditions: list[sa.ColumnElement[bool]] = []
    if chosen.outcome is not None:
        conditions.append(outcome_is(chosen.outcome))
    if chosen.overdue:
        conditions.append(outcome_is(Outcome.OPEN_OVERDUE))
    if chosen.due_soon:
        conditions.append(
            sa.and_(
                outcome_is(Outcome.OPEN_WITHIN),
                rows.c.due_date <= soon_cutoff(as_of, due_soon_days),
            )
        )
    if chosen.due_from is not None:
        conditions.append(rows.c.due_date >= chosen.due_from)
    if chosen.due_to is not None:
        conditions.append(rows.c.due_date <= chosen.due_to)
    return conditions


def _join(query: sa.Select, rows, tables) -> sa.Select:
    """Join to `rows` the tables among Assignment, Task, Directive, Agency that a key
    reads (every obligation has exactly one of each)."""
    if Assignment in tables:
        query = query.join(Assignment, rows.c.assignment_id == Assignment.id)
    if Task in tables:
        query = query.join(Task, rows.c.task_id == Task.id)
    if Directive in tables:
        query = query.join(Directive, rows.c.directive_id == Directive.id)
    if Agency in tables:
        query = query.join(Agency, rows.c.agency_id == Agency.id)
    return query


def _is_column(key) -> bool:
    """A key read from the rows, as opposed to a constant of a part (a date or 0)."""
    return not isinstance(key, int | date)


def _beyond(keys: tuple, values: list, descending: bool) -> sa.ColumnElement[bool]:
    """The rows whose keys come after `values` in the order (before them when
    `descending`), as one row-value comparison on the key columns, which an index in
    the same order serves. Constant keys are compared here: a leading constant decides
    alone unless it equals its value; a trailing one (a report's period, 0, before any
    period of the same assignment) decides ties."""
    columns, cursor = list(keys), list(values)
    while columns and not _is_column(columns[0]):
        key, value = columns.pop(0), cursor.pop(0)
        if key != value:
            return sa.true() if (key < value) == descending else sa.false()
    trailing = None
    if columns and not _is_column(columns[-1]):
        trailing = (columns.pop(), cursor.pop())
    if not columns:
        return sa.false()
    row, point = sa.tuple_(*columns), sa.tuple_(*(sa.literal(value) for value in cursor))
    if trailing is None:
        return row < point if descending else row > point
    # Ties on the columns go after the cursor when the constant itself does.
    constant, value = trailing
    ties_after = constant < value if descending else constant > value
    if descending:
        return row <= point if ties_after else row < point
    return row >= point if ties_after else row > point


def _ordered(piece: _Piece, conditions: list, cursor: list | None, descending: bool, limit: int):
    """One part's first `limit` rows after the cursor in the order, with its keys as
    key_0, key_1, ...: a query each engine answers by reading its index in order."""
    keys = [key if _is_column(key) else sa.literal(key) for key in piece.keys]
    query = _join(
        sa.select(
            piece.rows.c.assignment_id,
            piece.rows.c.period_id,
            piece.rows.c.directive_id,
            piece.rows.c.due_date,
            piece.rows.c.outcome,
            *(key.label(f"key_{index}") for index, key in enumerate(keys)),
        ).select_from(piece.rows),
        piece.rows,
        piece.joins,
    ).where(*conditions)
    if cursor is not None:
        query = query.where(_beyond(piece.keys, cursor, descending))
    order = [key for key in piece.keys if _is_column(key)]
    return query.order_by(*(key.desc() if descending else key.asc() for key in order)).limit(limit)


def _merged(
    pieces: list[_Piece],
    chosen: Filter,
    as_of: date,
    due_soon_days: int,
    cursor: list | None,
    descending: bool,
    limit: int,
) -> sa.Subquery:
    """The first `limit` obligations after the cursor, merged from every part's first
    `limit`, with their keys (key_0, ...)."""
    parts = [
        sa.select(
            _ordered(
                piece,
                _conditions(piece.rows, chosen, as_of, due_soon_days, piece.narrowed),
                cursor,
                descending,
                limit,
            ).subquery()
        )
        for piece in pieces
    ]
    merged = sa.union_all(*parts).subquery("merged")
    keys = [merged.c[f"key_{index}"] for index in range(len(pieces[0].keys))]
    return (
        sa.select(merged)
        .order_by(*(key.desc() if descending else key.asc() for key in keys))
        .limit(limit)
        .subquery("chosen")
    )


#: What a row shows besides the obligation's own columns.
_DETAILS = (
    Directive.doc_type,
    Directive.number,
    Directive.symbol,
    Task.number.label("task_number"),
    Task.title,
    Agency.code,
    Agency.short_name,
    Assignment.role,
    Assignment.status,
    Assignment.progress,
    Period.status.label("period_status"),
    Period.starts_on,
    Period.ends_on,
)


def _details(rows) -> sa.Select:
    """`rows` (with assignment_id, period_id, directive_id, due_date, outcome) joined
    to what a row shows."""
    return (
        sa.select(
            rows.c.assignment_id,
            rows.c.period_id,
            rows.c.directive_id,
            rows.c.due_date,
            rows.c.outcome,
            *_DETAILS,
        )
        .select_from(rows)
        .join(Assignment, rows.c.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Directive, rows.c.directive_id == Directive.id)
        .join(Agency, Assignment.agency_id == Agency.id)
        .outerjoin(Period, rows.c.period_id == Period.id)
    )


def _row(row) -> Row:
    return Row(
        assignment_id=row.assignment_id,
        period_id=row.period_id,
        directive_id=row.directive_id,
        directive_title=title_of(row.doc_type, row.number, row.symbol),
        task_number=row.task_number,
        task_title=row.title,
        agency_code=row.code,
        agency_name=row.short_name,
        role=AssignmentRole(row.role),
        status=AssignmentStatus(row.status),
        period_status=PeriodStatus(row.period_status) if row.period_status else None,
        due_date=row.due_date,
        period_starts_on=row.starts_on,
        period_ends_on=row.ends_on,
        outcome=Outcome(row.outcome),
        progress=row.progress,
    )


def _encode(values: list) -> str:
    plain = [value.isoformat() if isinstance(value, date) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        raise FilterError(_("Liên kết trang không hợp lệ; hãy mở lại danh sách.")) from None
    if not isinstance(values, list) or len(values) != size:
        raise FilterError(_("Liên kết trang không hợp lệ; hãy mở lại danh sách."))
    return values


def _key_values(row, keys) -> list:
    return [row._mapping[f"key_{index}"] for index in range(len(keys))]


def page(
    session: Session,
    user: User,
    chosen: Filter,
    as_of: date,
    due_soon_days: int,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_ROWS,
) -> Page:
    """One page of the list: the rows after (or before) a cursor, and the total.

    Each part of the obligations gives its first rows after the cursor, read in index
    order; the page takes the first of those, and only its rows are joined to what
    they show. The total counts at most COUNT_LIMIT rows."""
    where = _where(session, user, chosen)
    halves, narrowed = _halves(where, chosen, as_of)
    owed = sa.union_all(*halves).subquery("obligation")
    counted = (
        sa.select(owed.c.assignment_id)
        .where(*_conditions(owed, chosen, as_of, due_soon_days, narrowed))
        .limit(COUNT_LIMIT + 1)
        .subquery()
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0
    pieces = _pieces(halves, narrowed, chosen)
    backwards = before is not None
    cursor = before if backwards else after
    descending = chosen.descending != backwards
    values = None
    if cursor is not None:
        values = _coerce(_decode(cursor, len(pieces[0].keys)), pieces[0].keys)
    limited = _merged(pieces, chosen, as_of, due_soon_days, values, descending, size + 1)
    key_columns = [limited.c[f"key_{index}"] for index in range(len(pieces[0].keys))]
    paged = _details(limited).add_columns(*key_columns)
    paged = paged.order_by(*(c.desc() if descending else c.asc() for c in key_columns))
    found = list(session.execute(paged))
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    rows = [_row(row) for row in found]
    has_next = more if not backwards else True
    has_previous = (cursor is not None) if not backwards else more
    keys = pieces[0].keys
    return Page(
        rows=rows,
        total=min(total, COUNT_LIMIT),
        more_than_total=total > COUNT_LIMIT,
        after=_encode(_key_values(found[-1], keys)) if found and has_next else None,
        before=_encode(_key_values(found[0], keys)) if found and has_previous else None,
    )


def _coerce(values: list, keys: tuple) -> list:
    """Cursor values back to the keys' Python types (dates came as ISO text); a value
    that cannot be a key's is a broken link."""
    coerced = []
    for value, key in zip(values, keys, strict=True):
        is_date = isinstance(key, date) or isinstance(getattr(key, "type", None), sa.Date)
        if is_date:
            if not isinstance(value, str):
                raise FilterError(_("Liên kết trang không hợp lệ; hãy mở lại danh sách."))
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise FilterError(_("Liên kết trang không hợp lệ; hãy mở lại danh sách.")) from None
        elif not isinstance(value, int | str) or isinstance(value, bool):
            raise FilterError(_("Liên kết trang không hợp lệ; hãy mở lại danh sách."))
        coerced.append(value)
    return coerced


def export_limit(args: Mapping[str, str], default: int, most: int) -> int:
    """The `limit` URL parameter of an export: how many rows, from the first (`default`
    when absent); raises FilterError when it is not a whole number from 1 to `most`."""
    text = (args.get("limit") or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise FilterError(
            _("Số dòng xuất phải là một số từ 1 đến %(most)s.", most=display_number(most))
        )
    return int(text)


def every_row(
    session: Session,
    user: User,
    chosen: Filter,
    as_of: date,
    due_soon_days: int,
    limit: int = EXPORT_ROWS,
) -> Iterator[Row]:
    """The list's first `limit` rows (at most EXPORT_ROWS) in its order, for an export,
    read from the database in batches."""
    pieces = _pieces(*_halves(_where(session, user, chosen), chosen, as_of), chosen)
    chosen_rows = _merged(
        pieces, chosen, as_of, due_soon_days, None, chosen.descending, min(limit, EXPORT_ROWS)
    )
    key_columns = [chosen_rows.c[f"key_{index}"] for index in range(len(pieces[0].keys))]
    query = _details(chosen_rows).order_by(
        *(c.desc() if chosen.descending else c.asc() for c in key_columns)
    )
    for row in session.execute(query, execution_options={"yield_per": _EXPORT_BATCH}):
        yield _row(row)
