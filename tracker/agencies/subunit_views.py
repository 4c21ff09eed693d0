"""An agency's page: its own work, what it handed down to its sub-units rolled up, and
(for admins) adding sub-units one by one or from a CSV file."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import aliased, joinedload

from tracker import clock, db
from tracker.agencies.forms import SubUnitForm, SubUnitImportForm
from tracker.agencies.models import Agency
from tracker.agencies.operations import AgencyError
from tracker.agencies.subunits import CSV_COLUMNS, add_subunit, import_subunits
from tracker.agencies.tree import ancestors, sees
from tracker.agencies.views import KIND_LABELS
from tracker.assignments import obligations
from tracker.assignments.models import Assignment
from tracker.assignments.rollup import level, roll_ups
from tracker.assignments.workflow import STATUS_LABELS
from tracker.auth.guards import found_or_404
from tracker.auth.models import Role
from tracker.directives.models import Task

blueprint = Blueprint("subunits", __name__)

#: A sub-unit's assignment, to find the assignments work was handed down from.
HANDED = aliased(Assignment, name="handed")
#: Assignments with work handed down that an agency's page lists, the newest first.
HANDED_DOWN_ROWS = 50
#: The largest CSV file of sub-units accepted.
CSV_BYTES = 512 * 1024


def _page(agency: Agency, form=None, import_form=None, error: str | None = None, status=200):
    today = clock.today()
    parents = list(
        db.session.scalars(
            sa.select(Assignment)
            .where(
                Assignment.agency_id == agency.id,
                Assignment.id.in_(sa.select(HANDED.parent_id).where(HANDED.parent_id.is_not(None))),
            )
            .options(joinedload(Assignment.task).joinedload(Task.directive))
            .order_by(Assignment.id.desc())
            .limit(HANDED_DOWN_ROWS)
        )
    )
    admin = current_user.role == Role.ADMIN
    return render_template(
        "agencies/show.html",
        agency=agency,
        above=[a for a in reversed(ancestors(agency)) if sees(current_user, a)],
        level=level(db.session, today, agency),
        parents=parents,
        roll_ups=roll_ups(db.session, today, [a.id for a in parents]),
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        total_label=obligations.TOTAL_LABEL,
        form=form if form is not None else (SubUnitForm(formdata=None) if admin else None),
        import_form=import_form
        if import_form is not None
        else (SubUnitImportForm(formdata=None) if admin else None),
        csv_columns=CSV_COLUMNS,
        error=error,
        today=today,
    ), status


def _agency(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    return found_or_404(agency, agency is not None and sees(current_user, agency))


@blueprint.route("/agencies/<int:agency_id>")
@login_required
def show(agency_id: int):
    return _page(_agency(agency_id))


def _administered(agency_id: int) -> Agency:
    """The agency whose sub-units an admin adds (404 unseen, 403 for others)."""
    agency = _agency(agency_id)
    if current_user.role != Role.ADMIN:
        abort(403)
    return agency


def _valid(form: FlaskForm) -> bool:
    """The form's fields check; a missing or stale CSRF token is refused outright."""
    if form.validate_on_submit():
        return True
    if "csrf_token" in form.errors:
        abort(400)
    return False


@blueprint.route("/agencies/<int:agency_id>/subunits", methods=["POST"])
@login_required
def add(agency_id: int):
    agency = _administered(agency_id)
    form = SubUnitForm()
    if not _valid(form):
        return _page(agency, form=form, status=422)
    try:
        added = add_subunit(
            db.session,
            current_user,
            parent=agency.code,
            code=form.code.data,
            name=form.name.data,
            short_name=form.short_name.data or "",
        )
    except AgencyError as error:
        db.session.rollback()
        return _page(_agency(agency_id), form=form, error=str(error), status=422)
    db.session.commit()
    flash(_("Đã thêm đơn vị trực thuộc %(name)s (%(code)s).", name=added.name, code=added.code))
    return redirect(url_for("subunits.show", agency_id=agency_id) + "#sub-units")


@blueprint.route("/agencies/<int:agency_id>/subunits/import", methods=["POST"])
@login_required
def import_csv(agency_id: int):
    agency = _administered(agency_id)
    form = SubUnitImportForm()
    if not _valid(form):
        return _page(agency, import_form=form, status=422)
    data = request.files["file"].stream.read(CSV_BYTES + 1)
    if len(data) > CSV_BYTES:
        return _page(
            agency,
            import_form=form,
            error=_("Tệp CSV quá lớn (tối đa %(size)s KB).", size=CSV_BYTES // 1024),
            status=413,
        )
    try:
        result = import_subunits(db.session, current_user, data)
    except AgencyError as error:
        db.session.rollback()
        return _page(_agency(agency_id), import_form=form, error=str(error), status=422)
    db.session.commit()
    flash(_("Đã thêm %(count)s đơn vị trực thuộc.", count=len(result.created)))
    return redirect(url_for("subunits.show", agency_id=agency_id) + "#sub-units")
