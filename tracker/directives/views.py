"""Directive pages: list, detail, manual entry, tasks, full text, confirmation."""

from __future__ import annotations

from collections import defaultdict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock, db
from tracker.agencies.models import Agency
from tracker.agencies.operations import all_agencies
from tracker.assignments import obligations
from tracker.assignments import queries as assignment_queries
from tracker.assignments.closing import can_close, close_directive, supersedable
from tracker.assignments.deadlines import DEADLINE_LABELS, OUTCOME_LABELS
from tracker.assignments.forms import ROLE_LABELS
from tracker.assignments.obligations import Counts
from tracker.assignments.workflow import STATUS_LABELS, WorkflowError
from tracker.auth.guards import found_or_404, staff_required
from tracker.calendar import RECURRENCE_LABELS
from tracker.directives import operations, queries
from tracker.directives.forms import (
    CloseForm,
    ConfirmForm,
    DirectiveForm,
    IndicatorForm,
    SupersedeForm,
    TaskForm,
    TextForm,
    lines,
)
from tracker.directives.indicators import IndicatorError
from tracker.directives.indicators import add_indicator as add_indicator_to
from tracker.directives.models import (
    STATUS_NAMES,
    Directive,
    DirectiveStatus,
    Task,
)
from tracker.documents.operations import documents_of
from tracker.errors import render_error
from tracker.reports import digest
from tracker.reports.counts import directive_counts, directive_page

blueprint = Blueprint("directives", __name__)


@blueprint.route("/directives")
@login_required
def index():
    today = clock.today()
    listed = directive_page(
        db.session,
        today,
        request.args.get("page", 1, type=int) or 1,
        visible=None if current_user.reads_everything else queries.visible_to(current_user),
    )
    return render_template(
        "directives/index.html",
        listed=listed,
        summaries=listed.summaries,
        total=listed.total,
        total_label=obligations.TOTAL_LABEL,
        total_definition=obligations.TOTAL_DEFINITION,
        status_names=STATUS_NAMES,
        today=today,
    )


@blueprint.route("/directives/<int:directive_id>")
@login_required
def show(directive_id: int):
    directive = found_or_404(queries.load_directive(db.session, directive_id, current_user))
    today = clock.today()
    listed = assignment_queries.task_rows(
        db.session,
        today,
        current_app.config["DUE_SOON_WORKING_DAYS"],
        [task.id for task in directive.tasks],
        current_user,
    )
    task_counts = defaultdict(
        Counts,
        {
            task_id: counts
            for (task_id,), counts in obligations.count_by(
                db.session,
                today,
                ("task_id",),
                obligations.PROVINCE,
                Task.directive_id == directive.id,
                assignment_queries.visible_to(current_user),
            ).items()
        },
    )
    return render_template(
        "directives/show.html",
        directive=directive,
        rows_by_task=listed.rows,
        assignments_by_task=listed.totals,
        task_counts=task_counts,
        counts=directive_counts(db.session, directive.id, today),
        status_names=STATUS_NAMES,
        assignment_status_labels=STATUS_LABELS,
        deadline_labels=DEADLINE_LABELS,
        outcome_labels=OUTCOME_LABELS,
        role_labels=ROLE_LABELS,
        task_form=_task_form() if current_user.is_staff and directive.is_draft else None,
        text_form=TextForm() if current_user.is_staff and directive.body is None else None,
        confirm_form=ConfirmForm(),
        close_form=(
            CloseForm(formdata=None, closed_on=today)
            if can_close(directive, current_user)
            else None
        ),
        supersede_form=SupersedeForm(),
        supersedable=supersedable(db.session, directive) if current_user.is_staff else [],
        documents=documents_of(db.session, directive.id, current_user),
        may_digest=digest.may_read(db.session, current_user, directive),
        indicator_form=(
            IndicatorForm(formdata=None)
            if current_user.is_staff and not directive.is_closed
            else None
        ),
        today=today,
    )


@blueprint.route("/directives/new", methods=["GET", "POST"])
@staff_required
def create():
    form = DirectiveForm()
    if form.validate_on_submit():
        try:
            directive = operations.create_directive(
                db.session,
                current_user,
                doc_type=form.doc_type.data,
                number=form.number.data,
                symbol=form.symbol.data,
                issuer=form.issuer.data,
                issuer_parent=form.issuer_parent.data or "",
                place=form.place.data or "",
                issued_date=form.issued_date.data,
                subject=form.subject.data,
                recipients=lines(form.recipients.data),
                body=form.body.data or None,
                signer_authority=form.signer_authority.data,
                signer_title=form.signer_title.data or "",
                signer_name=form.signer_name.data or "",
                distribution=lines(form.distribution.data),
            )
        except operations.DirectiveError as error:
            form.number.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã tạo văn bản (dự thảo). Hãy thêm các nhiệm vụ rồi xác nhận."), "success")
            return redirect(url_for("directives.show", directive_id=directive.id))
    return render_template("directives/new.html", form=form), 422 if form.errors else 200


@blueprint.route("/directives/<int:directive_id>/tasks", methods=["POST"])
@staff_required
def add_task(directive_id: int):
    directive = found_or_404(db.session.get(Directive, directive_id))
    form = _task_form()
    if directive.status != DirectiveStatus.DRAFT:
        return render_error(409, _("Chỉ thêm nhiệm vụ khi văn bản còn là dự thảo."))
    if form.validate_on_submit():
        try:
            operations.add_task(
                db.session,
                current_user,
                directive,
                number=form.number.data,
                title=form.title.data or "",
                text=form.text.data,
                report_to=_agency_or_none(form.report_to.data),
                due_date=form.due_date.data,
                due_text=form.due_text.data or "",
                recurrence=form.recurrence.data or None,
                recurrence_text=RECURRENCE_LABELS.get(form.recurrence.data, ""),
                evidence_required=form.evidence_required.data,
                due_in_days=form.due_in_days.data,
                due_in_working_days=form.due_in_working_days.data,
                due_from=form.due_from.data,
                is_request=form.is_request.data,
            )
        except operations.DirectiveError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Đã thêm nhiệm vụ %(number)s.", number=form.number.data), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "danger")
    return redirect(url_for("directives.show", directive_id=directive.id) + "#tasks")


@blueprint.route("/directives/<int:directive_id>/tasks/<int:task_id>/indicators", methods=["POST"])
@staff_required
def add_indicator(directive_id: int, task_id: int):
    """The office adds an indicator to a task of a directive not yet closed."""
    task = found_or_404(db.session.get(Task, task_id))
    if task.directive_id != directive_id:
        abort(404)
    back = url_for("directives.show", directive_id=directive_id) + f"#task-{task.id}"
    form = IndicatorForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "danger")
        return redirect(back)
    try:
        indicator = add_indicator_to(
            db.session, current_user, task, form.spec(len(task.indicators) + 1)
        )
    except IndicatorError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(back)
    db.session.commit()
    flash(_("Đã thêm chỉ tiêu “%(name)s”.", name=indicator.name), "success")
    return redirect(back)


@blueprint.route("/directives/<int:directive_id>/confirm", methods=["POST"])
@staff_required
def confirm(directive_id: int):
    directive = found_or_404(db.session.get(Directive, directive_id))
    if ConfirmForm().validate_on_submit():
        try:
            operations.confirm_directive(db.session, current_user, directive)
        except operations.DirectiveError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Đã xác nhận văn bản: có thể giao nhiệm vụ."), "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


@blueprint.route("/directives/<int:directive_id>/close", methods=["POST"])
@staff_required
def close(directive_id: int):
    """Close a directive (done, with a date and a note): its open obligations end."""
    directive = found_or_404(db.session.get(Directive, directive_id))
    form = CloseForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    try:
        ended = close_directive(
            db.session, current_user, directive, on=form.closed_on.data, note=form.note.data
        )
    except WorkflowError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            _("Đã kết thúc văn bản; %(count)s nhiệm vụ còn mở được kết thúc theo.", count=ended),
            "success",
        )
    return redirect(url_for("directives.show", directive_id=directive.id))


@blueprint.route("/directives/<int:directive_id>/supersede/<int:old_id>", methods=["POST"])
@staff_required
def supersede(directive_id: int, old_id: int):
    """This directive replaces one it cites: the old one's open obligations end today."""
    directive = found_or_404(db.session.get(Directive, directive_id))
    old = found_or_404(db.session.get(Directive, old_id))
    if SupersedeForm().validate_on_submit():
        try:
            ended = close_directive(db.session, current_user, old, note="", superseded_by=directive)
        except WorkflowError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(
                _(
                    "%(title)s đã được thay thế; %(count)s nhiệm vụ còn mở được kết thúc theo.",
                    title=old.title,
                    count=ended,
                ),
                "success",
            )
    return redirect(url_for("directives.show", directive_id=directive.id))


@blueprint.route("/directives/<int:directive_id>/text", methods=["POST"])
@staff_required
def attach_text(directive_id: int):
    directive = found_or_404(db.session.get(Directive, directive_id))
    form = TextForm()
    if form.validate_on_submit():
        try:
            operations.attach_text(db.session, current_user, directive, form.body.data)
        except operations.DirectiveError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Đã lưu toàn văn."), "success")
    else:
        flash(_("Hãy dán toàn văn trước khi lưu."), "danger")
    return redirect(url_for("directives.show", directive_id=directive.id))


def _task_form() -> TaskForm:
    form = TaskForm()
    form.set_agencies(all_agencies(db.session))
    return form


def _agency_or_none(agency_id: int | None) -> Agency | None:
    return db.session.get(Agency, agency_id) if agency_id else None
