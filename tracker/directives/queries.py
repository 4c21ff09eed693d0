"""Reading directives for pages: a fixed number of queries per page."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from tracker.agencies.tree import subtree_ids
from tracker.assignments.models import Assignment
from tracker.auth.models import Role, User
from tracker.directives.models import Citation, Directive, Task


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Directives a user may open: all for office and leaders; for an agency user, those
    with work for its subtree (itself and its sub-units) or reported to it."""
    if user.reads_everything:
        return sa.true()
    if user.role != Role.AGENCY or user.agency_id is None:
        return sa.false()
    involved = (
        sa.select(Task.directive_id)
        .outerjoin(Assignment, Assignment.task_id == Task.id)
        .where(
            sa.or_(
                Assignment.agency_id.in_(subtree_ids(user.agency_id)),
                Task.report_to_id == user.agency_id,
            )
        )
    )
    return Directive.id.in_(involved)


def load_directive(session: Session, directive_id: int, user: User) -> Directive | None:
    return session.scalars(
        sa.select(Directive)
        .where(Directive.id == directive_id, visible_to(user))
        .options(
            selectinload(Directive.tasks).selectinload(Task.indicators),
            selectinload(Directive.tasks).joinedload(Task.report_to),
            selectinload(Directive.citations).joinedload(Citation.cited),
            selectinload(Directive.cited_by).joinedload(Citation.citing),
        )
    ).first()


def list_directives(session: Session, user: User) -> list[Directive]:
    return list(
        session.scalars(
            sa.select(Directive)
            .where(visible_to(user))
            .order_by(Directive.issued_date.desc(), Directive.id.desc())
        )
    )
