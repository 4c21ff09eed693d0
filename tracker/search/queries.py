"""Searching: ranked, filtered, highlighted, and never past what the user may see.

An agency user finds the directives and tasks it has work in (or reviews), and the
reports and files of those assignments only (`assignments.queries.visible_to`, the rule
the pages use); the office and leaders find everything, agencies included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.assignments.queries import visible_directive_ids, visible_ids
from tracker.assignments.workflow import SUBMISSION_LABELS
from tracker.auth.models import User
from tracker.directives.models import STATUS_NAMES, Directive, title_of
from tracker.i18n import N_
from tracker.search import engine
from tracker.search.folding import WORD, fold, terms
from tracker.search.models import EntryKind, SearchEntry

#: Results per page of search.
RESULTS = 50
#: How many matches are ranked: all of them up to this many; beyond it, the newest this
#: many (a common word matches most of the index, and scoring every match would cost
#: the most). The page says so and asks for more words or a filter.
RANKED = 1000
#: Characters of text shown around the first match.
EXCERPT = 240
#: How much a match counts by kind: a directive found by its number or subject comes
#: before the reports that quote it.
KIND_WEIGHTS = {
    EntryKind.DIRECTIVE: 6.0,
    EntryKind.AGENCY: 2.5,
    EntryKind.TASK: 2.0,
    EntryKind.SUBMISSION: 1.0,
    EntryKind.EVIDENCE: 1.0,
}


#: The statuses a search is narrowed to: a directive's, and a report's decision (the
#: status an entry is indexed with).
DIRECTIVE_STATUSES = {status.value: label for status, label in STATUS_NAMES.items()}
REPORT_STATUSES = {outcome.value: label for outcome, label in SUBMISSION_LABELS.items()}


class SearchError(ValueError):
    """A query or filter that cannot be searched; the message is for the user."""


@dataclass(frozen=True)
class Filters:
    kind: EntryKind | None = None
    #: An agency's code.
    agency: str | None = None
    status: str | None = None
    day_from: date | None = None
    day_to: date | None = None


def invalid(label: str, text: str) -> SearchError:
    """A filter's value refused: `label` is the filter's untranslated name."""
    return SearchError(_("%(label)s “%(text)s” không hợp lệ.", label=_(label), text=text))


def checked_filters(
    *,
    kind: EntryKind | None = None,
    agency: str | None = None,
    status: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
) -> Filters:
    """The filters as searched: a known status, an agency's code in upper case, a range
    of days the right way round; SearchError, saying which, otherwise."""
    if status is not None and status not in {**DIRECTIVE_STATUSES, **REPORT_STATUSES}:
        raise invalid(N_("Trạng thái"), status[:40])
    if day_from and day_to and day_from > day_to:
        raise SearchError(_("“Từ ngày” phải trước “Đến ngày”."))
    return Filters(
        kind=kind,
        agency=(agency or "").strip().upper()[:40] or None,
        status=status,
        day_from=day_from,
        day_to=day_to,
    )


@dataclass(frozen=True)
class Hit:
    kind: EntryKind
    object_id: int
    directive_id: int | None
    assignment_id: int | None
    agency_code: str | None
    status: str
    day: date | None
    title: Markup
    excerpt: Markup
    #: The directive a task, report or file belongs to, e.g. "Công văn 1661/UBND-VX".
    directive_title: str | None = None


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    #: How many entries match in all (the page shows at most RESULTS), counted up to
    #: RANKED; `more` when more match.
    total: int
    more: bool = False


def _allowed(user: User) -> sa.ColumnElement[bool]:
    if user.reads_everything:
        return sa.true()
    assignments = visible_ids(user)
    directives = visible_directive_ids(user)
    return sa.or_(
        sa.and_(
            SearchEntry.kind.in_((EntryKind.DIRECTIVE.value, EntryKind.TASK.value)),
            SearchEntry.directive_id.in_(directives),
        ),
        sa.and_(
            SearchEntry.kind.in_((EntryKind.SUBMISSION.value, EntryKind.EVIDENCE.value)),
            SearchEntry.assignment_id.in_(assignments),
        ),
    )


def search(session: Session, user: User, query: str, filters: Filters) -> Results:
    """The entries matching every word of `query` (as prefixes, without diacritics),
    best first. Two statements (three on PostgreSQL, which scores the candidates apart):
    the candidates, which also count the matches, and the page of hits."""
    words = terms(query)
    if not words:
        return Results([], 0)
    dialect = session.get_bind().dialect.name
    matched, entry_id, score = engine.matches(dialect, words)
    where = [] if user.reads_everything else [_allowed(user)]
    if filters.kind is not None:
        where.append(SearchEntry.kind == filters.kind.value)
    if filters.agency:
        agency = sa.select(Agency.id).where(Agency.code == filters.agency)
        where.append(SearchEntry.agency_id.in_(agency))
    if filters.status:
        where.append(SearchEntry.status == filters.status)
    if filters.day_from is not None:
        where.append(SearchEntry.day >= filters.day_from)
    if filters.day_to is not None:
        where.append(SearchEntry.day <= filters.day_to)
    # Candidates: the matching entries the user may see, newest first (the highest ids:
    # entries are written as the data comes, and rebuilt in date order), at most RANKED
    # of them; only they are scored (scoring every match of a common word costs the
    # most), then ranked here, and the best RESULTS are read with their text.
    if score is None and not where:  # nothing to filter on: the kind comes with the scores
        candidates = sa.select(entry_id).select_from(matched)
    else:
        columns = [entry_id, SearchEntry.kind, *([score] if score is not None else [])]
        candidates = (
            sa.select(*columns)
            .select_from(matched)
            .join(SearchEntry, SearchEntry.id == entry_id)
            .where(*where)
        )
    found = session.execute(candidates.order_by(entry_id.desc()).limit(RANKED + 1)).all()
    if not found:
        return Results([], 0)
    total, more = min(len(found), RANKED), len(found) > RANKED
    chosen = found[:RANKED]
    if score is None:
        chosen = session.execute(
            sa.select(
                SearchEntry.id, SearchEntry.kind, engine.score_of(words, SearchEntry.id)
            ).where(SearchEntry.id.in_([row[0] for row in chosen]))
        ).all()
    ranks = sorted(
        (value * KIND_WEIGHTS.get(EntryKind(kind), 1.0), entry) for entry, kind, value in chosen
    )[:RESULTS]
    rank_of = {entry: rank for rank, entry in ranks}
    rows = list(
        session.execute(
            sa.select(
                SearchEntry,
                Agency.code,
                Directive.doc_type,
                Directive.number,
                Directive.symbol,
            )
            .outerjoin(Agency, Agency.id == SearchEntry.agency_id)
            .outerjoin(Directive, Directive.id == SearchEntry.directive_id)
            .where(SearchEntry.id.in_(list(rank_of)))
        )
    )
    rows.sort(key=lambda row: (rank_of[row[0].id], row[0].id))
    hits = [
        Hit(
            kind=EntryKind(entry.kind),
            object_id=entry.object_id,
            directive_id=entry.directive_id,
            assignment_id=entry.assignment_id,
            agency_code=code,
            status=entry.status,
            day=entry.day,
            title=highlight(entry.title, words),
            excerpt=excerpt(entry.body, words),
            directive_title=title_of(doc_type, number, symbol)
            if doc_type is not None and entry.kind != EntryKind.DIRECTIVE.value
            else None,
        )
        for entry, code, doc_type, number, symbol in rows
    ]
    return Results(hits, total, more=more)


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where words of `text` start with one of the folded `words`: folding keeps
    offsets, so the spans hold in the original text."""
    folded = fold(text)
    return [
        (found.start(), found.end())
        for found in WORD.finditer(folded)
        if any(found.group().startswith(word) for word in words)
    ]


def highlight(text: str, words: list[str]) -> Markup:
    """`text` escaped, with the matching words in <mark>."""
    parts: list[str] = []
    position = 0
    for start, end in _spans(text, words):
        parts += [str(escape(text[position:start])), f"<mark>{escape(text[start:end])}</mark>"]
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704 (every piece was escaped above)


def excerpt(text: str, words: list[str], length: int = EXCERPT) -> Markup:
    """A stretch of `text` around its first match (its start when none), highlighted."""
    text = re.sub(r"\s+", " ", text or "").strip()
    spans = _spans(text, words)
    start = max(0, spans[0][0] - length // 3) if spans else 0
    if start:
        start = text.find(" ", start) + 1 or start
    piece = text[start : start + length]
    cut = start + length < len(text)
    return Markup(("… " if start else "") + highlight(piece, words) + (" …" if cut else ""))  # noqa: S704 (highlight escapes)
