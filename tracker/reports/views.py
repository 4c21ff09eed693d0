"""Dashboards: the office and leaders see directives and who is late; an agency sees its work."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from tracker import clock, db
from tracker.assignments import queries
from tracker.assignments.deadlines import DEADLINE_LABELS, OUTCOME_LABELS
from tracker.assignments.models import OPEN_STATUSES, Assignment, AssignmentStatus
from tracker.assignments.workflow import STATUS_LABELS
from tracker.directives.models import DirectiveStatus, Task
from tracker.reports.counts import directive_summaries, late_agencies

blueprint = Blueprint("reports", __name__)


@blueprint.route("/")
@login_required
def dashboard():
    today = clock.today()
    labels = {
        "status_labels": STATUS_LABELS,
        "deadline_labels": DEADLINE_LABELS,
        "outcome_labels": OUTCOME_LABELS,
    }
    if current_user.reads_everything:
        return render_template(
            "reports/dashboard_office.html",
            today=today,
            summaries=directive_summaries(
                db.session, today, statuses=(DirectiveStatus.ACTIVE, DirectiveStatus.DRAFT)
            ),
            late=late_agencies(db.session, today),
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
    return render_template(
        "reports/dashboard_agency.html", today=today, own=own, to_review=to_review, **labels
    )
