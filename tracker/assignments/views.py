"""Assigning tasks, the assignment page and its workflow steps."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import audit, clock, db
from tracker.agencies.models import Agency, AgencyGroup
from tracker.agencies.operations import all_agencies, all_groups
from tracker.agencies.tree import subtree_ids
from tracker.assignments import listing, listing_export, queries
from tracker.assignments.deadlines import COUNTED, DEADLINE_LABELS, OUTCOME_LABELS
from tracker.assignments.forms import (
    ROLE_LABELS,
    AssignForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    HandDownForm,
    UploadForm,
    action_form_class,
    period_form_class,
)
from tracker.assignments.models import ExtensionRequest, Period
from tracker.assignments.operations import AssignmentError, assign_task, hand_down
from tracker.assignments.rollup import roll_ups
from tracker.assignments.workflow import (
    ACTION_LABELS,
    EVENT_LABELS,
    PERIOD_STATUS_LABELS,
    STATUS_LABELS,
    SUBMISSION_LABELS,
    Action,
    WorkflowError,
    allowed_actions,
    allowed_period_actions,
    apply,
    apply_period,
    decide_extension,
    extension_refusal,
    request_extension,
)
from tracker.auth.guards import found_or_404, staff_required
from tracker.directives.models import Task
from tracker.documents.parallel import pool_size
from tracker.evidence.operations import EvidenceError, add_evidence, can_withdraw
from tracker.evidence.queries import evidence_of
from tracker.routing import back_to

blueprint = Blueprint("assignments", __name__)


@blueprint.route("/assignments")
@login_required
def index():
    """The list of obligations: filtered, sorted, paged; ?format=xlsx|csv|pdf exports
    it (?limit=N: its first N rows)."""
    today = clock.today()
    soon = int(current_app.config["DUE_SOON_WORKING_DAYS"])
    try:
        chosen = listing.Filter.from_args(request.args)
        export = request.args.get("format")
        if export in EXPORT_TYPES:
            return _export(export, chosen, today, soon)
        found = listing.page(
            db.session,
            current_user,
            chosen,
            today,
            soon,
            after=request.args.get("after"),
            before=request.args.get("before"),
        )
    except listing.FilterError as error:
        chosen, found, problem = listing.Filter(), None, str(error)
    else:
        problem = None
    return render_template(
        "assignments/index.html",
        chosen=chosen,
        found=found,
        problem=problem,
        today=today,
        directives=listing.directive_choices(db.session, current_user, chosen.directive),
        agencies=listing.agency_choices(db.session, current_user),
        sort_labels=listing.SORT_LABELS,
        pdf_rows=listing.PDF_ROWS,
        Sort=listing.Sort,
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        outcome_labels={outcome: OUTCOME_LABELS[outcome] for outcome in COUNTED},
        all_outcome_labels=OUTCOME_LABELS,
    ), (400 if problem else 200)


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "pdf": "application/pdf",
}


def _export(export: str, chosen: listing.Filter, today, soon: int) -> Response:
    """The list as a file: the CSV streamed as its rows are read, the spreadsheet whole,
    the PDF of its first rows (listing.PDF_ROWS unless ?limit= says)."""
    if export == "pdf":
        limit = listing.export_limit(request.args, listing.PDF_ROWS, listing.PDF_MOST_ROWS)
        rows = list(listing.every_row(db.session, current_user, chosen, today, soon, limit + 1))
        context = listing_export.pdf_context(rows, chosen, limit, today, clock.now())
        db.end_reads(db.session)  # no transaction stays open while the PDF is laid out
        processes = pool_size(current_app.config["PDF_PROCESSES"])
        body: bytes | Iterator[bytes] = listing_export.to_pdf(context, processes)
    else:
        limit = listing.export_limit(request.args, listing.EXPORT_ROWS, listing.EXPORT_ROWS)
        rows_read = listing.every_row(db.session, current_user, chosen, today, soon, limit)
        if export == "xlsx":
            body = listing_export.to_xlsx(rows_read)
        else:
            body = stream_with_context(listing_export.csv_chunks(rows_read))
    return Response(
        body,
        mimetype=EXPORT_TYPES[export],
        headers={
            "Content-Disposition": (
                f"attachment; filename=danh-sach-nhiem-vu-{today.isoformat()}.{export}"
            )
        },
    )


@blueprint.route("/tasks/<int:task_id>/assign", methods=["GET", "POST"])
@staff_required
def assign(task_id: int):
    task = found_or_404(db.session.get(Task, task_id))
    form = AssignForm()
    groups, agencies = all_groups(db.session), all_agencies(db.session)
    form.set_choices(groups, agencies)
    if not form.is_submitted():
        form.due_date.data = task.due_date
    status = 200
    if form.validate_on_submit():
        targets = _targets(form.targets.data, groups, agencies)
        try:
            result = assign_task(
                db.session,
                current_user,
                task,
                targets,
                role=form.role.data,
                due_date=form.due_date.data,
            )
        except AssignmentError as error:
            form.targets.errors.append(str(error))
            status = 422
        else:
            db.session.commit()
            earlier = ", ".join(agency.short_name for agency in result.skipped)
            if result.created:
                message = _(
                    "Đã giao nhiệm vụ %(number)s cho %(count)s cơ quan, đơn vị.",
                    number=task.number,
                    count=len(result.created),
                )
                flash(
                    message
                    + (
                        " " + _("Đã có từ trước: %(agencies)s.", agencies=earlier)
                        if earlier
                        else ""
                    ),
                    "success",
                )
            elif earlier:
                flash(
                    _(
                        "Không giao thêm: %(agencies)s đã được giao nhiệm vụ %(number)s từ trước.",
                        agencies=earlier,
                        number=task.number,
                    ),
                    "warning",
                )
            else:
                flash(_("Không giao thêm: nhóm đã chọn chưa có cơ quan, đơn vị nào."), "warning")
            return redirect(url_for("directives.show", directive_id=task.directive_id) + "#tasks")
    elif form.is_submitted():
        status = 422
    return render_template("assignments/assign.html", form=form, task=task), status


def _targets(values: list[str], groups: list[AgencyGroup], agencies: list[Agency]):
    groups_by_key = {f"g{group.id}": group for group in groups}
    agencies_by_key = {f"a{agency.id}": agency for agency in agencies}
    return [groups_by_key.get(value) or agencies_by_key[value] for value in values]


def _load_row(assignment_id: int):
    return found_or_404(
        queries.one(
            db.session,
            assignment_id,
            clock.today(),
            current_app.config["DUE_SOON_WORKING_DAYS"],
            current_user,
        )
    )


def _sub_units(assignment) -> list[Agency]:
    """The agencies the assignment's agency may hand it down to: its sub-units, at any
    depth, by name."""
    return list(
        db.session.scalars(
            sa.select(Agency)
            .where(Agency.id.in_(subtree_ids(assignment.agency_id, strict=True)))
            .order_by(Agency.name)
        )
    )


def _render(
    row,
    form=None,
    *,
    error: str | None = None,
    failed_action: str | None = None,
    status: int = 200,
    hand_down_form: HandDownForm | None = None,
):
    assignment = row.assignment
    may_hand_down = assignment.is_worker(current_user) and assignment.is_open and assignment.owes
    if hand_down_form is None and may_hand_down:
        hand_down_form = HandDownForm(formdata=None)
    if hand_down_form is not None:
        hand_down_form.set_choices(_sub_units(assignment) if may_hand_down else [])
    form_class = action_form_class(assignment.task)
    if form is None:
        form = form_class(formdata=None)
    form.version.data = str(assignment.version)
    shown, page, pages = _period_page(assignment)
    files = evidence_of(db.session, assignment.id)
    return render_template(
        "assignments/show.html",
        row=row,
        assignment=assignment,
        task=assignment.task,
        form=form,
        upload_form=UploadForm(),
        actions=allowed_actions(assignment, current_user),
        can_upload=_can_upload(assignment),
        evidence=files,
        withdrawable={e.id for e in files if can_withdraw(e, current_user)},
        **_history(assignment.id),
        action_labels=ACTION_LABELS,
        status_labels=STATUS_LABELS,
        deadline_labels=DEADLINE_LABELS,
        outcome_labels=OUTCOME_LABELS,
        role_labels=ROLE_LABELS,
        submission_labels=SUBMISSION_LABELS,
        event_labels=EVENT_LABELS,
        Action=Action,
        periods=[(period, allowed_period_actions(period, current_user)) for period in shown],
        period_page=page,
        period_pages=pages,
        period_count=len(assignment.periods),
        period_status_labels=PERIOD_STATUS_LABELS,
        period_form=period_form_class(assignment.task)(),
        can_request_extension=extension_refusal(assignment, current_user) is None,
        extension_form=ExtensionRequestForm(),
        decision_form=ExtensionDecisionForm(),
        roll_up=roll_ups(db.session, clock.today(), [assignment.id])[assignment.id],
        hand_down_form=hand_down_form if may_hand_down else None,
        error=error,
        failed_action=failed_action,
    ), status


#: Reporting periods shown per page of an assignment, the latest first.
PERIODS_PER_PAGE = 10


def _period_page(assignment) -> tuple[list, int, int]:
    """The periods of the page asked for (?periods=N), the latest first."""
    latest_first = list(reversed(assignment.periods))
    pages = max(1, -(-len(latest_first) // PERIODS_PER_PAGE))
    page = min(max(request.args.get("periods", 1, type=int) or 1, 1), pages)
    start = (page - 1) * PERIODS_PER_PAGE
    return latest_first[start : start + PERIODS_PER_PAGE], page, pages


#: Events of an assignment's history shown per page, the newest first.
EVENTS_PER_PAGE = 20


def _history(assignment_id: int) -> dict:
    events, page, pages = audit.history_page(
        db.session,
        "assignment",
        assignment_id,
        request.args.get("events", 1, type=int) or 1,
        EVENTS_PER_PAGE,
    )
    return {"events": events, "event_page": page, "event_pages": pages}


def _can_upload(assignment) -> bool:
    return assignment.is_worker(current_user) and Action.SUBMIT in allowed_actions(
        assignment, current_user
    )


@blueprint.route("/assignments/<int:assignment_id>")
@login_required
def show(assignment_id: int):
    return _render(_load_row(assignment_id))


@blueprint.route("/assignments/<int:assignment_id>/<action>", methods=["POST"])
@login_required
def act(assignment_id: int, action: str):
    row = _load_row(assignment_id)
    assignment = row.assignment
    try:
        step = Action(action)
    except ValueError:
        abort(404)
    form = action_form_class(assignment.task)()
    if not form.validate_on_submit():
        messages = [str(error) for errors in form.errors.values() for error in errors]
        if "csrf_token" in form.errors:
            abort(400)
        return _render(row, form, error=" ".join(messages), failed_action=step.value, status=422)
    try:
        apply(
            assignment,
            step,
            current_user,
            expected_version=int(form.version.data),
            reason=form.reason.data,
            text=form.text.data,
            progress=form.progress.data,
            figures=form.figures(assignment.task),
        )
    except WorkflowError as error:
        db.session.rollback()
        row = _load_row(assignment_id)
        return _render(
            row, form, error=error.message, failed_action=step.value, status=error.http_status
        )
    db.session.commit()
    flash(_("%(action)s: đã ghi nhận.", action=_(ACTION_LABELS[step])), "success")
    return redirect(back_to(url_for("assignments.show", assignment_id=assignment_id)))


@blueprint.route("/assignments/<int:assignment_id>/hand-down", methods=["POST"])
@login_required
def hand_down_view(assignment_id: int):
    """The assigned agency hands its work down to some of its sub-units."""
    row = _load_row(assignment_id)
    assignment = row.assignment
    if not assignment.is_worker(current_user):
        abort(403)
    form = HandDownForm()
    form.set_choices(_sub_units(assignment))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        messages = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _render(
            row, error=messages, failed_action="hand_down", status=422, hand_down_form=form
        )
    chosen = list(db.session.scalars(sa.select(Agency).where(Agency.id.in_(form.sub_units.data))))
    try:
        result = hand_down(
            db.session,
            current_user,
            assignment,
            chosen,
            due_date=form.due_date.data,
            instructions=form.instructions.data or "",
        )
    except AssignmentError as error:
        db.session.rollback()
        return _render(
            _load_row(assignment_id),
            error=str(error),
            failed_action="hand_down",
            status=422,
            hand_down_form=form,
        )
    db.session.commit()
    message = _("Đã giao cho %(count)s đơn vị trực thuộc.", count=len(result.created))
    if result.skipped:
        message += " " + _(
            "Đã giao từ trước: %(names)s.",
            names=", ".join(agency.short_name for agency in result.skipped),
        )
    flash(message, "success")
    return redirect(url_for("assignments.show", assignment_id=assignment_id) + "#handed-down")


@blueprint.route("/assignments/<int:assignment_id>/evidence", methods=["POST"])
@login_required
def upload(assignment_id: int):
    row = _load_row(assignment_id)
    assignment = row.assignment
    if not _can_upload(assignment):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _render(
            row, error=_("Hãy chọn một tệp để tải lên."), failed_action="upload", status=422
        )
    try:
        add_evidence(db.session, current_user, assignment, upload_file.stream, upload_file.filename)
    except EvidenceError as error:
        db.session.rollback()
        return _render(
            _load_row(assignment_id),
            error=str(error),
            failed_action="upload",
            status=error.http_status,
        )
    db.session.commit()
    flash(_("Đã tải lên “%(name)s”.", name=upload_file.filename), "success")
    return redirect(url_for("assignments.show", assignment_id=assignment_id) + "#evidence")


@blueprint.route("/periods/<int:period_id>")
@login_required
def period(period_id: int):
    """A reporting period lives on its assignment's page."""
    found = db.session.get(Period, period_id)
    if found is None:
        abort(404)
    _load_row(found.assignment_id)  # 404 unless the user may see the assignment
    return redirect(url_for("assignments.show", assignment_id=found.assignment_id) + "#periods")


@blueprint.route("/extensions/<int:extension_id>")
@login_required
def extension(extension_id: int):
    """An extension request lives on its assignment's page."""
    found = db.session.get(ExtensionRequest, extension_id)
    if found is None:
        abort(404)
    _load_row(found.assignment_id)
    return redirect(url_for("assignments.show", assignment_id=found.assignment_id) + "#extension")


@blueprint.route("/periods/<int:period_id>/<action>", methods=["POST"])
@login_required
def period_act(period_id: int, action: str):
    period = db.session.get(Period, period_id)
    if period is None:
        abort(404)
    _load_row(period.assignment_id)  # 404 unless the user may see the assignment
    try:
        step = Action(action)
    except ValueError:
        abort(404)
    form = period_form_class(period.assignment.task)()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        messages = [str(error) for errors in form.errors.values() for error in errors]
        return _render(
            _load_row(period.assignment_id),
            error=" ".join(messages),
            failed_action=f"period-{period_id}",
            status=422,
        )
    try:
        apply_period(
            period,
            step,
            current_user,
            text=form.text.data,
            reason=form.reason.data,
            figures=form.figures(period.assignment.task) if step == Action.SUBMIT else None,
        )
    except WorkflowError as error:
        db.session.rollback()
        return _render(
            _load_row(period.assignment_id),
            error=error.message,
            failed_action=f"period-{period_id}",
            status=error.http_status,
        )
    db.session.commit()
    flash(
        _(
            "Kỳ báo cáo đến hạn %(date)s: đã ghi nhận.",
            date=period.due_date.strftime("%d/%m/%Y"),
        ),
        "success",
    )
    return redirect(
        back_to(url_for("assignments.show", assignment_id=period.assignment_id) + "#periods")
    )


@blueprint.route("/assignments/<int:assignment_id>/extension", methods=["POST"])
@login_required
def extension_request(assignment_id: int):
    row = _load_row(assignment_id)
    if not row.assignment.is_worker(current_user):
        abort(403)
    form = ExtensionRequestForm()
    if not form.validate_on_submit():
        messages = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _render(row, error=messages, failed_action="extension", status=422)
    try:
        request_extension(
            row.assignment,
            current_user,
            proposed_date=form.proposed_date.data,
            reason=form.reason.data,
        )
    except WorkflowError as error:
        db.session.rollback()
        return _render(
            _load_row(assignment_id),
            error=error.message,
            failed_action="extension",
            status=error.http_status,
        )
    db.session.commit()
    flash(_("Đã gửi đề nghị gia hạn."), "success")
    return redirect(url_for("assignments.show", assignment_id=assignment_id) + "#extension")


@blueprint.route("/extensions/<int:extension_id>/<decision>", methods=["POST"])
@login_required
def extension_decide(extension_id: int, decision: str):
    extension = db.session.get(ExtensionRequest, extension_id)
    if extension is None or decision not in ("grant", "deny"):
        abort(404)
    row = _load_row(extension.assignment_id)
    if not row.assignment.decides_extensions(current_user):
        abort(403)
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        messages = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _render(row, error=messages, failed_action="extension", status=422)
    try:
        decide_extension(
            extension,
            current_user,
            grant=decision == "grant",
            granted_date=form.granted_date.data,
            reason=form.reason.data or "",
        )
    except WorkflowError as error:
        db.session.rollback()
        return _render(
            _load_row(extension.assignment_id),
            error=error.message,
            failed_action="extension",
            status=error.http_status,
        )
    db.session.commit()
    flash(_("Đã xử lý đề nghị gia hạn."), "success")
    return redirect(
        back_to(url_for("assignments.show", assignment_id=row.assignment.id) + "#extension")
    )
