"""Dashboards: the office and leaders see directives and who is late; an agency sees its work."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock, db
from tracker.assignments import queries
from tracker.assignments.deadlines import DEADLINE_LABELS, OUTCOME_LABELS
from tracker.assignments.models import OPEN_STATUSES, Assignment, AssignmentStatus
from tracker.assignments.obligations import TOTAL_DEFINITION, TOTAL_LABEL
from tracker.assignments.workflow import STATUS_LABELS
from tracker.directives.models import INDICATOR_KIND_NAMES, DirectiveStatus, Indicator, Task
from tracker.documents import jobs, report_files
from tracker.documents.dating import date_problem
from tracker.documents.models import JobStatus, ReportJob
from tracker.documents.operations import store as document_store
from tracker.evidence.sending import send_stored
from tracker.formatting import display_number, display_percent
from tracker.params import as_of_arg
from tracker.reports import charts, trends
from tracker.reports.accountability import build_accountability
from tracker.reports.counts import directive_page, directive_summaries, late_agencies
from tracker.reports.indicators import ProvinceFigure, describe, target_text

blueprint = Blueprint("reports", __name__)


@blueprint.app_template_global()
def indicator_value(indicator: Indicator, numerator: int, denominator: int | None) -> str:
    """`indicators.describe` in the page's language."""
    return describe(
        indicator, numerator, denominator, number=display_number, percent=display_percent
    )


@blueprint.app_template_global()
def indicator_target(indicator: Indicator) -> str:
    return target_text(indicator, number=display_number)


@blueprint.app_template_global()
def province_value(figure: ProvinceFigure) -> str:
    return figure.describe(number=display_number, percent=display_percent)


@blueprint.route("/")
@login_required
def dashboard():
    today = as_of_arg()
    labels = {
        "status_labels": STATUS_LABELS,
        "deadline_labels": DEADLINE_LABELS,
        "outcome_labels": OUTCOME_LABELS,
    }
    if current_user.reads_everything:
        listed = directive_page(
            db.session,
            today,
            request.args.get("page", 1, type=int) or 1,
            statuses=(DirectiveStatus.ACTIVE, DirectiveStatus.DRAFT),
        )
        return render_template(
            "reports/dashboard_office.html",
            today=today,
            listed=listed,
            summaries=listed.summaries,
            total=listed.total,
            late=late_agencies(db.session, today),
            # The province's figure is the table's total row: the same counts, read once.
            progress=trends.Progress(listed.total),
            progress_title=_("Toàn tỉnh"),
            weeks=trends.province_weekly_on_time(db.session, today),
            ranking=trends.indicator_ranking(db.session, today),
            figures=trends.live_figures(db.session, today),
            is_today=today == clock.today(),
            total_definition=TOTAL_DEFINITION,
            total_label=TOTAL_LABEL,
            **labels,
        )
    due_soon_days = current_app.config["DUE_SOON_WORKING_DAYS"]
    # Open work first, then by deadline (no deadline last).
    order = (
        sa.case((Assignment.status.in_(OPEN_STATUSES), 0), else_=1),
        sa.case((Assignment.due_date.is_(None), 1), else_=0),
        Assignment.due_date,
    )
    own = queries.rows(
        db.session,
        today,
        due_soon_days,
        Assignment.agency_id == current_user.agency_id,
        order_by=order,
    )
    to_review = queries.rows(
        db.session,
        today,
        due_soon_days,
        Assignment.task_id.in_(
            sa.select(Task.id).where(Task.report_to_id == current_user.agency_id)
        ),
        Assignment.agency_id != current_user.agency_id,
        Assignment.status == AssignmentStatus.SUBMITTED,
        order_by=(Assignment.updated_at,),
    )
    mine = trends.scope(current_user)
    return render_template(
        "reports/dashboard_agency.html",
        today=today,
        own=own,
        to_review=to_review,
        progress=trends.progress(db.session, today, *mine),
        progress_title=_("Toàn bộ nhiệm vụ của %(agency)s", agency=current_user.agency.short_name),
        weeks=trends.weekly_on_time(db.session, today, *mine),
        ranking=None,
        **labels,
    )


#: An SVG chart is an image: no script runs in it, and its own styles need no nonce.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CHARTS = ("directives", "weekly", "ranking")


@blueprint.route("/charts/<name>.svg")
@login_required
def chart(name: str):
    """One chart of the dashboard, as of ?as_of=: province-wide for the office and
    leaders; an agency's own for an agency (the ranking is not an agency's to see)."""
    if name not in CHARTS:
        abort(404)
    as_of = as_of_arg()
    scope = trends.scope(current_user)
    if name == "directives":
        statuses = (DirectiveStatus.ACTIVE,)
        summaries = (
            directive_page(
                db.session, as_of, 1, statuses=statuses, per_page=charts.DIRECTIVE_BARS
            ).summaries
            if current_user.reads_everything
            else directive_summaries(db.session, as_of, *scope, statuses=statuses)
        )
        svg = charts.directive_bars(summaries)
    elif name == "weekly":
        weeks = (
            trends.province_weekly_on_time(db.session, as_of)
            if current_user.reads_everything
            else trends.weekly_on_time(db.session, as_of, *scope)
        )
        svg = charts.weekly_rate(weeks)
    else:
        if not current_user.reads_everything:
            abort(403)
        ranking = trends.indicator_ranking(db.session, as_of)
        if ranking is None:
            abort(404)
        svg = charts.ranking_bars(ranking)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _indicator_page(indicator_id: int) -> trends.IndicatorPage:
    """404 unless the user reads everything: the ranking is not an agency's to see."""
    if not current_user.reads_everything:
        abort(404)
    page = trends.indicator_page(db.session, indicator_id, as_of_arg())
    if page is None:
        abort(404)
    return page


@blueprint.route("/indicators/<int:indicator_id>")
@login_required
def indicator(indicator_id: int):
    """One indicator as of ?as_of=: the province-wide figure from summed numerators and
    denominators, each agency's value, rank, change in a week and gap to target, and
    the province-wide trend week by week."""
    page = _indicator_page(indicator_id)
    return render_template(
        "reports/indicator.html",
        page=page,
        as_of=as_of_arg(),
        kind_names=INDICATOR_KIND_NAMES,
    )


@blueprint.route("/indicators/<int:indicator_id>/chart.svg")
@login_required
def indicator_chart(indicator_id: int):
    response = Response(
        charts.ranking_bars(_indicator_page(indicator_id).ranking), mimetype="image/svg+xml"
    )
    response.headers["Content-Security-Policy"] = CHART_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/reports/accountability")
@login_required
def accountability():
    """The leaders' report as PDF (ND30), .docx, XLSX or CSV, as of a date, for one
    directive or all. A large one is made by the job queue while a page shows progress;
    an unchanged one already made is handed out at once."""
    if not current_user.reads_everything:
        abort(403)
    as_of = as_of_arg()
    try:
        directive_id = int(request.args["directive"]) if request.args.get("directive") else None
    except ValueError:
        abort(400)
    kind = request.args.get("format", report_files.FORMATS[0])
    if kind not in report_files.FORMATS:
        abort(400)
    if kind in report_files.DOCUMENTS:
        problem = date_problem(clock.today(), as_of)
        if problem is not None:
            abort(422, description=problem)
    made = jobs.made_or_making(db.session, as_of, directive_id, kind)
    if made is not None:
        return redirect(url_for("reports.job", job_id=made.id))
    try:
        report = build_accountability(db.session, as_of, directive_id)
    except LookupError:
        abort(404)
    rows = report_files.rows(report)
    if report_files.is_large(rows, kind):
        job, created = jobs.find_or_start(db.session, current_user, as_of, directive_id, kind, rows)
        db.session.commit()
        if created:
            jobs.enqueue(job)
        return redirect(url_for("reports.job", job_id=job.id))
    draft = report_files.draft_of(db.session, report, kind)
    db.end_reads(db.session)  # no transaction stays open while the file is made
    data = report_files.make(report, kind, draft)
    return _attachment(data, report_files.file_name(as_of, kind), report_files.MIME[kind])


def _attachment(data: bytes, name: str, mime: str) -> Response:
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/reports/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    """Progress of a large report; the page refreshes itself until the file is ready."""
    if not current_user.reads_everything:
        abort(403)
    report_job = db.session.get(ReportJob, job_id)
    if report_job is None:
        abort(404)
    if jobs.settle_if_dead(report_job):
        db.session.commit()
    return render_template(
        "reports/job.html",
        job=report_job,
        as_of=date.fromisoformat(report_job.params["as_of"]),
        kind=jobs.kind_of(report_job),
        JobStatus=JobStatus,
    )


@blueprint.route("/reports/jobs/<int:job_id>/file")
@login_required
def job_file(job_id: int):
    if not current_user.reads_everything:
        abort(403)
    report_job = db.session.get(ReportJob, job_id)
    if report_job is None or report_job.status != JobStatus.DONE or report_job.sha256 is None:
        abort(404)
    stored = document_store().open(report_job.sha256)
    if stored is None:
        abort(404)
    kind = jobs.kind_of(report_job)
    return send_stored(
        stored,
        mimetype=report_files.MIME[kind],
        download_name=report_files.file_name(date.fromisoformat(report_job.params["as_of"]), kind),
    )
