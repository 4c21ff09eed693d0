"""Downloading evidence: only through this authorised route, always as an attachment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker import db
from tracker.auth.guards import found_or_404
from tracker.evidence.models import Evidence
from tracker.evidence.operations import EvidenceError, store, withdraw_evidence
from tracker.evidence.sending import send_stored
from tracker.evidence.storage import safe_download_name

blueprint = Blueprint("evidence", __name__)


@blueprint.route("/evidence/<int:evidence_id>")
@login_required
def download(evidence_id: int):
    evidence = db.session.get(Evidence, evidence_id)
    evidence = found_or_404(
        evidence, evidence is not None and evidence.assignment.can_view(current_user)
    )
    stored = found_or_404(store().open(evidence.sha256))
    response = send_stored(
        stored, mimetype=evidence.mime, download_name=safe_download_name(evidence.original_name)
    )
    response.headers["Content-Type"] = evidence.mime  # as stored: its charset named once
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/evidence/<int:evidence_id>/withdraw", methods=["POST"])
@login_required
def withdraw(evidence_id: int):
    """The uploader takes a file back before it is under review or accepted."""
    evidence = db.session.get(Evidence, evidence_id)
    evidence = found_or_404(
        evidence, evidence is not None and evidence.assignment.can_view(current_user)
    )
    if not FlaskForm().validate_on_submit():
        abort(400)
    assignment_id, name = evidence.assignment_id, evidence.original_name
    try:
        withdraw_evidence(db.session, current_user, evidence)
    except EvidenceError as error:
        db.session.rollback()
        abort(error.http_status, str(error))
    db.session.commit()
    flash(_("Đã rút minh chứng “%(name)s”.", name=name), "success")
    return redirect(url_for("assignments.show", assignment_id=assignment_id) + "#evidence")
