"""Extension requests: the assigned agency asks for a later deadline, whoever set the
deadline grants or refuses, through the workflow module's own steps."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, url_for
from flask_login import current_user

from tracker import db
from tracker.api import blueprint, schemas
from tracker.api.idempotency import replay_or_run
from tracker.api.problems import Problem
from tracker.api.resources import visible_assignment
from tracker.api.spec import Reply, operation
from tracker.assignments import queries
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.assignments.workflow import WorkflowError, decide_extension, request_extension


def extension_out(extension: ExtensionRequest) -> schemas.ExtensionOut:
    return schemas.ExtensionOut(
        id=extension.id,
        assignment_id=extension.assignment_id,
        requested_at=extension.requested_at,
        proposed_date=extension.proposed_date,
        reason=extension.reason,
        status=extension.status,
        decided_at=extension.decided_at,
        granted_date=extension.granted_date,
        decision_reason=extension.decision_reason,
    )


def _visible_extension(extension_id: int) -> ExtensionRequest:
    """The request if the user may see its assignment; 404 alike otherwise."""
    extension = db.session.scalar(
        sa.select(ExtensionRequest)
        .join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
        .where(ExtensionRequest.id == extension_id, queries.visible_to(current_user))
    )
    if extension is None:
        raise Problem(404)
    return extension


@operation(
    blueprint,
    "/assignments/<int:assignment_id>/extensions",
    summary="The extension requests of an assignment, the latest first",
    tag="extensions",
    response=schemas.ExtensionList,
    problems=(404,),
)
def list_extensions(assignment_id: int) -> schemas.ExtensionList:
    assignment = visible_assignment(assignment_id)
    found = db.session.scalars(
        sa.select(ExtensionRequest)
        .where(ExtensionRequest.assignment_id == assignment.id)
        .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
    )
    return schemas.ExtensionList(items=[extension_out(item) for item in found])


@operation(
    blueprint,
    "/assignments/<int:assignment_id>/extensions",
    "POST",
    summary="Ask for a later deadline, with a reason (the assigned agency)",
    tag="extensions",
    body=schemas.ExtensionBody,
    response=schemas.ExtensionOut,
    status=201,
    problems=(403, 404, 409),
    idempotent=True,
)
def create_extension(assignment_id: int, body: schemas.ExtensionBody) -> Response:
    return replay_or_run(lambda: _request(assignment_id, body))


def _request(assignment_id: int, body: schemas.ExtensionBody) -> Reply:
    assignment = visible_assignment(assignment_id)
    try:
        extension = request_extension(
            assignment, current_user, proposed_date=body.proposed_date, reason=body.reason
        )
    except WorkflowError as error:
        db.session.rollback()
        raise Problem(error.http_status, error.message) from None
    return Reply(
        extension_out(extension),
        status=201,
        headers={"Location": url_for("api.show_extension", extension_id=extension.id)},
    )


@operation(
    blueprint,
    "/extensions/<int:extension_id>",
    summary="One extension request",
    tag="extensions",
    response=schemas.ExtensionOut,
    problems=(404,),
)
def show_extension(extension_id: int) -> schemas.ExtensionOut:
    return extension_out(_visible_extension(extension_id))


def _decide(extension_id: int, *, grant: bool, granted_date=None, reason: str = "") -> Reply:
    extension = _visible_extension(extension_id)
    try:
        decide_extension(
            extension, current_user, grant=grant, granted_date=granted_date, reason=reason
        )
    except WorkflowError as error:
        db.session.rollback()
        raise Problem(error.http_status, error.message) from None
    db.session.commit()
    return Reply(extension_out(extension))


@operation(
    blueprint,
    "/extensions/<int:extension_id>/grant",
    "POST",
    summary="Grant the request: the date asked for, or another (whoever set the deadline)",
    tag="extensions",
    body=schemas.GrantBody,
    response=schemas.ExtensionOut,
    problems=(403, 404, 409),
)
def grant_extension(extension_id: int, body: schemas.GrantBody) -> Reply:
    """The assignment's working deadline moves; its original deadline stays on record."""
    return _decide(extension_id, grant=True, granted_date=body.granted_date, reason=body.reason)


@operation(
    blueprint,
    "/extensions/<int:extension_id>/deny",
    "POST",
    summary="Refuse the request, saying why (whoever set the deadline)",
    tag="extensions",
    body=schemas.DenyBody,
    response=schemas.ExtensionOut,
    problems=(403, 404, 409),
)
def deny_extension(extension_id: int, body: schemas.DenyBody) -> Reply:
    return _decide(extension_id, grant=False, reason=body.reason)
