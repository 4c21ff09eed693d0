"""One agency with its sub-units, and adding a sub-unit (admins, as on the page)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker import db
from tracker.agencies.models import Agency
from tracker.agencies.operations import AgencyError
from tracker.agencies.subunits import add_subunit
from tracker.agencies.tree import sees
from tracker.api import blueprint, schemas
from tracker.api.idempotency import replay_or_run
from tracker.api.problems import Problem
from tracker.api.resources import agency_ref
from tracker.api.spec import Reply, operation
from tracker.auth.models import Role


def _seen(agency_id: int) -> Agency:
    """The agency if the user may open its page (`agencies.tree.sees`); 404 otherwise."""
    agency = db.session.scalar(
        sa.select(Agency)
        .where(Agency.id == agency_id)
        .options(selectinload(Agency.children), selectinload(Agency.parent))
    )
    if agency is None or not sees(current_user, agency):
        raise Problem(404)
    return agency


def _detail(agency: Agency) -> schemas.AgencyDetail:
    parent = agency.parent
    return schemas.AgencyDetail(
        id=agency.id,
        code=agency.code,
        name=agency.name,
        short_name=agency.short_name,
        kind=agency.kind,
        parent_id=agency.parent_id,
        # An agency user sees its own subtree: the agency above is named, not opened.
        parent=agency_ref(parent) if parent is not None else None,
        subunits=[agency_ref(child) for child in sorted(agency.children, key=lambda a: a.code)],
    )


@operation(
    blueprint,
    "/agencies/<int:agency_id>",
    summary="One agency with its sub-units (an agency user: its own and those below it)",
    tag="agencies",
    response=schemas.AgencyDetail,
    problems=(404,),
)
def show_agency(agency_id: int) -> schemas.AgencyDetail:
    return _detail(_seen(agency_id))


@operation(
    blueprint,
    "/agencies/<int:agency_id>/subunits",
    "POST",
    summary="Add a sub-unit under the agency (admins)",
    tag="agencies",
    body=schemas.SubunitBody,
    response=schemas.AgencyDetail,
    status=201,
    problems=(403, 404, 422),
    idempotent=True,
)
def create_subunit(agency_id: int, body: schemas.SubunitBody) -> Response:
    return replay_or_run(lambda: _add(agency_id, body))


def _add(agency_id: int, body: schemas.SubunitBody) -> Reply:
    above = _seen(agency_id)
    if current_user.role != Role.ADMIN:
        raise Problem(403)
    try:
        created = add_subunit(
            db.session,
            current_user,
            parent=above.code,
            code=body.code,
            name=body.name,
            short_name=body.short_name,
            kind=body.kind.value if body.kind else "",
        )
    except AgencyError as error:
        db.session.rollback()
        raise Problem(422, str(error)) from None
    return Reply(
        _detail(created),
        status=201,
        headers={"Location": url_for("api.show_agency", agency_id=created.id)},
    )
