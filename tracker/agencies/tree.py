"""The agency tree: an agency's sub-units (đơn vị trực thuộc), in SQL and in Python.

A sub-unit is an agency whose `parent` is another: a commune (UBND xã) under its
district, a division or public unit under its department, a school under its
education office. An agency's subtree is itself and every agency below it. The rule
"an agency sees its whole subtree" reads these functions, in SQL (`subtree_ids`, one
recursive query, whatever the depth) and in Python (`is_within`, walking up).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.agencies.models import Agency
from tracker.auth.models import Role, User


def subtree_ids(agency_id: int, *, strict: bool = False) -> sa.Select:
    """The ids of `agency_id` and every agency below it (without it when `strict`),
    as a SELECT for an IN (...)."""
    tree = sa.select(Agency.id.label("id")).where(Agency.id == agency_id).cte(recursive=True)
    below = aliased(Agency)
    tree = tree.union_all(sa.select(below.id).where(below.parent_id == tree.c.id))
    query = sa.select(tree.c.id)
    return query.where(tree.c.id != agency_id) if strict else query


def ancestors(agency: Agency) -> list[Agency]:
    """The agencies above `agency`, nearest first."""
    found: list[Agency] = []
    seen = {agency.id}
    above = agency.parent
    while above is not None and above.id not in seen:  # a cycle cannot loop forever
        found.append(above)
        seen.add(above.id)
        above = above.parent
    return found


def is_within(agency: Agency, ancestor_id: int | None) -> bool:
    """`agency` is the agency `ancestor_id` or one of its sub-units, at any depth."""
    if ancestor_id is None:
        return False
    return agency.id == ancestor_id or any(above.id == ancestor_id for above in ancestors(agency))


def sees(user: User, agency: Agency) -> bool:
    """Whether the user may open the agency's page: office and leaders any agency; an
    agency user its own agency and its sub-units (its subtree)."""
    if user.reads_everything:
        return True
    return user.role == Role.AGENCY and is_within(agency, user.agency_id)
