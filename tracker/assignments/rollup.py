"""Work handed down the agency tree, rolled up: what a parent's obligation shows of its
sub-units' work, and the four-way count read at any level of the tree.

- A parent's handed-down work: its direct sub-assignments, and how many are done.
- Figures sum up the tree: a sub-unit's value is what it reported itself, else the sum
  of what its own sub-units' values are; a parent's roll-up is the sum of its direct
  sub-units' values (numerators and denominators summed, never a mean of rates).
- The four-way count at a level is `obligations.counts` with `obligations.tier`: the
  same model as the dashboard's.

Each function is a fixed number of queries, whatever the depth or size of the tree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload

from tracker.agencies.models import Agency
from tracker.agencies.tree import subtree_ids
from tracker.assignments import obligations
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.assignments.obligations import Counts
from tracker.reports.indicators import reported

#: A figure as summed: [numerator, denominator], the denominator None for a count.
Figure = tuple[int, int | None]


@dataclass
class RollUp:
    """One assignment's work handed down, as of a day."""

    #: The direct sub-assignments, by id, with their agencies loaded.
    lines: list[Assignment] = field(default_factory=list)
    #: Indicator code -> the sum of the direct sub-units' values (see the module).
    figures: dict[str, Figure] = field(default_factory=dict)
    #: Indicator code -> how many direct sub-units have a value for it.
    reporting: dict[str, int] = field(default_factory=dict)

    @property
    def owed(self) -> list[Assignment]:
        """The sub-assignments still counted: not cancelled."""
        return [line for line in self.lines if line.status != AssignmentStatus.CANCELLED]

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.status == AssignmentStatus.DONE)


def _add(one: Figure | None, other: Figure | None) -> Figure | None:
    if one is None or other is None:
        return one if other is None else other
    denominator = None if one[1] is None or other[1] is None else one[1] + other[1]
    return one[0] + other[0], denominator


def roll_ups(session: Session, as_of: date, parent_ids: Sequence[int]) -> dict[int, RollUp]:
    """{parent assignment id: RollUp} for each of `parent_ids`: two queries, whatever
    the depth of the tree below them."""
    found = {parent_id: RollUp() for parent_id in parent_ids}
    if not found:
        return found
    below = (
        sa.select(Assignment.id.label("id"))
        .where(Assignment.parent_id.in_(list(found)))
        .cte(recursive=True)
    )
    deeper = aliased(Assignment)
    below = below.union_all(sa.select(deeper.id).where(deeper.parent_id == below.c.id))
    descendants = list(
        session.scalars(
            sa.select(Assignment)
            .where(Assignment.id.in_(sa.select(below.c.id)))
            .options(joinedload(Assignment.agency))
            .order_by(Assignment.id)
        )
    )
    if not descendants:
        return found
    said = reported(session, as_of, Assignment.id.in_([a.id for a in descendants]))
    children: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in descendants:
        children[assignment.parent_id or 0].append(assignment)
    codes = sorted({code for report in said.values() for code in (report.figures or {})})

    def value(assignment: Assignment, code: str) -> Figure | None:
        report = said.get((assignment.task_id, assignment.agency_id))
        own = report.value(code) if report else None
        if own is not None:
            return own
        total: Figure | None = None
        for child in children.get(assignment.id, []):
            total = _add(total, value(child, code))
        return total

    for parent_id, roll in found.items():
        roll.lines = children.get(parent_id, [])
        for code in codes:
            values = [value(line, code) for line in roll.owed]
            present = [figure for figure in values if figure is not None]
            if present:
                total: Figure | None = None
                for figure in present:
                    total = _add(total, figure)
                assert total is not None
                roll.figures[code] = total
                roll.reporting[code] = len(present)
    return found


@dataclass(frozen=True)
class Level:
    """The four-way counts at one agency's level of the tree, as of a day."""

    agency: Agency
    #: The agency's own obligations (to whoever gave it the work).
    own: Counts
    #: The work handed down inside its subtree (`obligations.tier`).
    handed_down: Counts
    #: Each direct sub-unit, with the counts of its subtree's share of `handed_down`:
    #: its own obligations there, plus what it handed down in turn.
    sub_units: list[tuple[Agency, Counts]]


def level(session: Session, as_of: date, agency: Agency) -> Level:
    """Three queries, whatever the size of the subtree."""
    own = obligations.counts(session, as_of, Assignment.agency_id == agency.id)
    tree = {
        row.id: row
        for row in session.scalars(
            sa.select(Agency).where(Agency.id.in_(subtree_ids(agency.id))).order_by(Agency.id)
        )
    }
    by_agency = obligations.count_by(session, as_of, ("agency_id",), obligations.tier(agency.id))

    def branch(agency_id: int) -> int | None:
        """The direct sub-unit of `agency` whose subtree holds `agency_id`."""
        current = tree.get(agency_id)
        while current is not None and current.parent_id != agency.id:
            current = tree.get(current.parent_id) if current.parent_id else None
        return None if current is None else current.id

    per_branch: dict[int, Counts] = defaultdict(Counts)
    for (agency_id,), counts in by_agency.items():
        top = branch(agency_id)
        if top is not None:
            per_branch[top] = per_branch[top] + counts
    children = [row for row in tree.values() if row.parent_id == agency.id]
    children.sort(key=lambda row: row.name)
    return Level(
        agency=agency,
        own=own,
        handed_down=obligations.total_of(by_agency.values()),
        sub_units=[(child, per_branch.get(child.id, Counts())) for child in children],
    )
