"""The API's resources: directives with their tasks, assignments and their workflow
steps, the obligations list, submissions with evidence, agencies and the four-way
counts. Each reads through the same queries and permission predicates as the pages,
and each state change goes through the workflow module."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock, db
from tracker.agencies.models import Agency
from tracker.agencies.tree import subtree_ids
from tracker.api import blueprint, schemas
from tracker.api.idempotency import replay_or_run
from tracker.api.problems import Problem, field_error
from tracker.api.spec import Reply, check_if_match, operation
from tracker.assignments import listing, obligations, queries
from tracker.assignments.models import Assignment, Submission
from tracker.assignments.workflow import Action, WorkflowError, allowed_actions, apply
from tracker.directives import queries as directive_queries
from tracker.directives.models import Directive, Task
from tracker.evidence.models import Evidence
from tracker.evidence.operations import EvidenceError, add_evidence
from tracker.params import askable
from tracker.routing import MAX_ID


def page_limit(asked: int | None) -> int:
    most = int(current_app.config["API_MAX_PAGE_SIZE"])
    return min(asked or int(current_app.config["API_PAGE_SIZE"]), most)


def next_link(endpoint: str, cursor: str | None, **args: Any) -> schemas.Link:
    if cursor is None:
        return schemas.Link(next=None)
    kept = {name: value for name, value in args.items() if value not in (None, "")}
    return schemas.Link(next=url_for(endpoint, cursor=cursor, **kept))


def agency_ref(agency: Agency) -> schemas.AgencyRef:
    return schemas.AgencyRef(id=agency.id, code=agency.code, name=agency.name)


# Directives -------------------------------------------------------------------------------


def directive_fields(directive: Directive) -> dict:
    return {
        "id": directive.id,
        "reference": directive.reference,
        "doc_type": directive.doc_type,
        "number": directive.number,
        "symbol": directive.symbol,
        "issuer": directive.issuer,
        "issued_date": directive.issued_date,
        "subject": directive.subject,
        "status": directive.status,
        "closed_on": directive.closed_on,
    }


def task_out(task: Task) -> schemas.TaskOut:
    return schemas.TaskOut(
        id=task.id,
        directive_id=task.directive_id,
        number=task.number,
        title=task.title,
        text=task.text,
        due_date=task.due_date,
        due_text=task.due_text,
        recurrence_text=task.recurrence_text,
        report_to=agency_ref(task.report_to) if task.report_to else None,
        evidence_required=task.evidence_required,
        indicators=[
            schemas.IndicatorOut(
                id=indicator.id,
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                numerator_label=indicator.numerator_label,
                denominator_label=indicator.denominator_label,
            )
            for indicator in task.indicators
        ],
    )


def as_of_day(day: date | None) -> date:
    """The day asked about (today by default), within the range the pages take."""
    if day is None:
        return clock.today()
    if not askable(day):
        raise Problem(
            422, errors=[field_error("as_of", _("Ngày này nằm ngoài khoảng có thể xem."))]
        )
    return day


def cursor_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or int(cursor) > MAX_ID:
        raise Problem(422, errors=[field_error("cursor", _("Liên kết trang không hợp lệ."))])
    return int(cursor)


@operation(
    blueprint,
    "/directives",
    summary="Directives the token's user may see, newest first",
    tag="directives",
    query=schemas.PageQuery,
    response=schemas.DirectivePage,
)
def list_directives(query: schemas.PageQuery) -> schemas.DirectivePage:
    limit = page_limit(query.limit)
    after = cursor_id(query.cursor)
    statement = sa.select(Directive).where(directive_queries.visible_to(current_user))
    if after is not None:
        statement = statement.where(Directive.id < after)
    found = list(db.session.scalars(statement.order_by(Directive.id.desc()).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return schemas.DirectivePage(
        items=[schemas.DirectiveOut(**directive_fields(directive)) for directive in found],
        links=next_link(
            "api.list_directives", str(found[-1].id) if more else None, limit=query.limit
        ),
    )


@operation(
    blueprint,
    "/directives/<int:directive_id>",
    summary="One directive with its tasks and the directives it cites",
    tag="directives",
    response=schemas.DirectiveDetail,
    problems=(404,),
)
def show_directive(directive_id: int) -> schemas.DirectiveDetail:
    directive = directive_queries.load_directive(db.session, directive_id, current_user)
    if directive is None:
        raise Problem(404)
    return directive_detail(directive)


def directive_detail(directive: Directive) -> schemas.DirectiveDetail:
    return schemas.DirectiveDetail(
        **directive_fields(directive),
        place=directive.place,
        recipients=list(directive.recipients or []),
        signer_name=directive.signer_name,
        signer_title=directive.signer_title,
        tasks=[task_out(task) for task in directive.tasks],
        citations=[
            schemas.CitationOut(
                reference=citation.cited.reference,
                directive_id=citation.cited_id,
                text=citation.text,
            )
            for citation in directive.citations
        ],
    )


@operation(
    blueprint,
    "/tasks/<int:task_id>",
    summary="One task of a directive",
    tag="directives",
    response=schemas.TaskOut,
    problems=(404,),
)
def show_task(task_id: int) -> schemas.TaskOut:
    task = db.session.scalar(
        sa.select(Task)
        .join(Directive, Task.directive_id == Directive.id)
        .where(Task.id == task_id, directive_queries.visible_to(current_user))
        .options(selectinload(Task.indicators), joinedload(Task.report_to))
    )
    if task is None:
        raise Problem(404)
    return task_out(task)


# Assignments and their workflow -----------------------------------------------------------


def visible_assignment(assignment_id: int) -> Assignment:
    """The assignment if the user may see it; 404 alike for missing and not theirs."""
    assignment = db.session.scalar(
        sa.select(Assignment)
        .where(Assignment.id == assignment_id, queries.visible_to(current_user))
        .options(joinedload(Assignment.agency), joinedload(Assignment.task))
    )
    if assignment is None:
        raise Problem(404)
    return assignment


def etag_of(assignment: Assignment) -> str:
    return f"{assignment.id}.{assignment.version}"


def _assignment_out(assignment: Assignment) -> schemas.AssignmentOut:
    return schemas.AssignmentOut(
        id=assignment.id,
        task_id=assignment.task_id,
        directive_id=assignment.task.directive_id,
        agency=agency_ref(assignment.agency),
        role=assignment.role,
        status=assignment.status,
        due_date=assignment.due_date,
        original_due_date=assignment.original_due_date,
        progress=assignment.progress,
        completed_on=assignment.completed_on,
        cancelled_on=assignment.cancelled_on,
        instructions=assignment.instructions,
        parent_id=assignment.parent_id,
        version=assignment.version,
        allowed_actions=allowed_actions(assignment, current_user),
        updated_at=assignment.updated_at,
    )


@operation(
    blueprint,
    "/assignments/<int:assignment_id>",
    summary="One assignment, with what the token's user may do with it now",
    tag="assignments",
    response=schemas.AssignmentOut,
    problems=(404,),
    etag=True,
)
def show_assignment(assignment_id: int) -> Reply:
    assignment = visible_assignment(assignment_id)
    return Reply(_assignment_out(assignment), etag=etag_of(assignment))


def _step(assignment_id: int, action: Action, body: schemas.StepBody) -> Reply:
    assignment = visible_assignment(assignment_id)
    check_if_match(etag_of(assignment))
    try:
        apply(
            assignment,
            action,
            current_user,
            expected_version=assignment.version,
            reason=body.reason,
            text=body.text,
            progress=body.progress,
            figures=body.figures,
        )
    except WorkflowError as error:
        db.session.rollback()
        raise Problem(error.http_status, error.message) from None
    db.session.commit()
    return Reply(_assignment_out(assignment), etag=etag_of(assignment))


STEP_SUMMARIES = {
    Action.START: "Start the work (the assigned agency)",
    Action.REPORT_PROGRESS: "Report progress, 0 to 100 (the assigned agency)",
    Action.SUBMIT: "Submit the report: text and figures (the assigned agency)",
    Action.ACCEPT: "Accept the submitted report (the reviewer)",
    Action.RETURN: "Return the report with a reason (the reviewer)",
    Action.REOPEN: "Reopen accepted work (the office)",
    Action.CANCEL: "Cancel the assignment with a reason (the office)",
}


def _step_view(action: Action):
    def view(assignment_id: int, body: schemas.StepBody) -> Reply:
        return _step(assignment_id, action, body)

    view.__name__ = f"assignment_{action.value}"
    view.__doc__ = (
        "A workflow step, taken by the same workflow module and permission rules as the"
        " page's buttons. The answer is the assignment as it now is."
    )
    return operation(
        blueprint,
        f"/assignments/<int:assignment_id>/{action.value.replace('_', '-')}",
        "POST",
        summary=STEP_SUMMARIES[action],
        tag="assignments",
        body=schemas.StepBody,
        response=schemas.AssignmentOut,
        problems=(403, 404, 409),
        etag=True,
        if_match=True,
    )(view)


for _action in Action:
    _step_view(_action)


@operation(
    blueprint,
    "/obligations",
    summary="The obligations list: filtered and sorted as on the page, in pages",
    tag="assignments",
    query=schemas.ObligationQuery,
    response=schemas.ObligationPage,
)
def list_obligations(query: schemas.ObligationQuery) -> schemas.ObligationPage:
    """Each assignment's own report, and each reporting period of a recurring one, that
    the token's user may see. `?agency=STTTT&overdue=true` lists one agency's overdue
    obligations."""
    args = {
        name: ("1" if value is True else str(value))
        for name, value in query.model_dump(exclude={"limit", "cursor"}).items()
        if value not in (None, False)
    }
    try:
        chosen = listing.Filter.from_args(args)
        found = listing.page(
            db.session,
            current_user,
            chosen,
            clock.today(),
            int(current_app.config["DUE_SOON_WORKING_DAYS"]),
            after=query.cursor,
            size=page_limit(query.limit),
        )
    except listing.FilterError as error:
        raise Problem(422, str(error)) from None
    return schemas.ObligationPage(
        items=[
            schemas.ObligationOut(
                assignment_id=row.assignment_id,
                period_id=row.period_id,
                directive_id=row.directive_id,
                directive_title=row.directive_title,
                task_number=row.task_number,
                task_title=row.task_title,
                agency_code=row.agency_code,
                agency_name=row.agency_name,
                role=row.role,
                status=row.status,
                period_status=row.period_status,
                due_date=row.due_date,
                outcome=row.outcome,
                progress=row.progress,
            )
            for row in found.rows
        ],
        total=found.total,
        more_than_total=found.more_than_total,
        links=next_link("api.list_obligations", found.after, limit=query.limit, **args),
    )


# Submissions ------------------------------------------------------------------------------


def _submission_out(submission: Submission, files: list[Evidence]) -> schemas.SubmissionOut:
    return schemas.SubmissionOut(
        id=submission.id,
        assignment_id=submission.assignment_id,
        period_id=submission.period_id,
        submitted_at=submission.submitted_at,
        text=submission.text,
        figures=dict(submission.figures or {}),
        outcome=submission.outcome,
        evidence=[
            schemas.EvidenceOut(
                id=item.id,
                name=item.original_name,
                size=item.size,
                mime=item.mime,
                sha256=item.sha256,
                uploaded_at=item.uploaded_at,
            )
            for item in files
        ],
    )


@operation(
    blueprint,
    "/assignments/<int:assignment_id>/submissions",
    summary="The reports submitted on an assignment, the latest first",
    tag="submissions",
    response=schemas.SubmissionList,
    problems=(404,),
)
def list_submissions(assignment_id: int) -> schemas.SubmissionList:
    assignment = visible_assignment(assignment_id)
    submissions = list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.assignment_id == assignment.id)
            .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        )
    )
    files: dict[int, list[Evidence]] = {}
    for item in db.session.scalars(
        sa.select(Evidence)
        .where(Evidence.submission_id.in_([submission.id for submission in submissions]))
        .order_by(Evidence.id)
    ):
        files.setdefault(item.submission_id or 0, []).append(item)
    return schemas.SubmissionList(
        items=[_submission_out(item, files.get(item.id, [])) for item in submissions]
    )


def _figures(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        figures = json.loads(text)
    except ValueError:
        figures = None
    if not isinstance(figures, dict):
        raise Problem(
            422, errors=[field_error("figures", _("Số liệu phải là một đối tượng JSON."))]
        )
    return figures


@operation(
    blueprint,
    "/assignments/<int:assignment_id>/submissions",
    "POST",
    summary="Submit a report with its evidence files (the assigned agency)",
    tag="submissions",
    form=schemas.SubmissionForm,
    files=("file",),
    response=schemas.SubmissionOut,
    status=201,
    problems=(403, 404, 409, 413),
    if_match=True,
    idempotent=True,
)
def create_submission(assignment_id: int, form: schemas.SubmissionForm) -> Response:
    """Multipart form: `text`, optional `figures` (JSON), and any number of `file`
    parts. The files are checked and stored as on the page, then the report is
    submitted; if anything is refused, nothing is kept."""
    return replay_or_run(lambda: _create_submission(assignment_id, form))


def _create_submission(assignment_id: int, form: schemas.SubmissionForm) -> Reply:
    assignment = visible_assignment(assignment_id)
    check_if_match(etag_of(assignment))
    figures = _figures(form.figures)
    # Files are stored only for a report that may be submitted now; otherwise the step
    # below refuses, saying why, before any file is read.
    may_submit = Action.SUBMIT in allowed_actions(assignment, current_user)
    try:
        for upload in request.files.getlist("file") if may_submit else []:
            if upload.filename:
                add_evidence(db.session, current_user, assignment, upload.stream, upload.filename)
        apply(
            assignment,
            Action.SUBMIT,
            current_user,
            expected_version=assignment.version,
            text=form.text,
            figures=figures,
        )
    except EvidenceError as error:
        db.session.rollback()
        raise Problem(error.http_status, str(error)) from None
    except WorkflowError as error:
        db.session.rollback()
        raise Problem(error.http_status, error.message) from None
    submission = assignment.latest_submission
    assert submission is not None  # the step just made it
    files = list(
        db.session.scalars(
            sa.select(Evidence).where(Evidence.submission_id == submission.id).order_by(Evidence.id)
        )
    )
    location = url_for("api.list_submissions", assignment_id=assignment.id)
    return Reply(
        _submission_out(submission, files),
        status=201,
        headers={"Location": location},
        etag=etag_of(assignment),
    )


# Agencies and counts ----------------------------------------------------------------------


@operation(
    blueprint,
    "/agencies",
    summary="Agencies and sub-units: all for the office and leaders, an agency's own tree",
    tag="agencies",
    query=schemas.PageQuery,
    response=schemas.AgencyPage,
)
def list_agencies(query: schemas.PageQuery) -> schemas.AgencyPage:
    limit = page_limit(query.limit)
    after = cursor_id(query.cursor)
    statement = sa.select(Agency)
    if not current_user.reads_everything:
        own = current_user.agency_id
        statement = statement.where(
            Agency.id.in_(subtree_ids(own)) if own is not None else sa.false()
        )
    if after is not None:
        statement = statement.where(Agency.id > after)
    found = list(db.session.scalars(statement.order_by(Agency.id).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return schemas.AgencyPage(
        items=[
            schemas.AgencyOut(
                id=agency.id,
                code=agency.code,
                name=agency.name,
                short_name=agency.short_name,
                kind=agency.kind,
                parent_id=agency.parent_id,
            )
            for agency in found
        ],
        links=next_link(
            "api.list_agencies", str(found[-1].id) if more else None, limit=query.limit
        ),
    )


@operation(
    blueprint,
    "/counts",
    summary="The four-way count of the obligations the token's user may see",
    tag="counts",
    query=schemas.CountsQuery,
    response=schemas.CountsOut,
)
def counts(query: schemas.CountsQuery) -> schemas.CountsOut:
    """Done on time, done late, open within the deadline and open overdue, as of a day,
    at the province's level (what the dashboards and reports count)."""
    as_of = as_of_day(query.as_of)
    where = [obligations.PROVINCE, Assignment.id.in_(queries.visible_ids(current_user))]
    if query.directive is not None:
        where.append(Task.directive_id == query.directive)
    found = obligations.counts(db.session, as_of, *where)
    return schemas.CountsOut(
        as_of=as_of,
        done_on_time=found.done_on_time,
        done_late=found.done_late,
        open_within=found.open_within,
        open_overdue=found.open_overdue,
        total=found.total,
        on_time_rate=found.on_time_rate,
        reports=found.reports,
        periods=found.periods,
        extended=found.extended,
    )
