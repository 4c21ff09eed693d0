"""Downloading evidence: only through this authorised route, always as an attachment."""

from __future__ import annotations

from flask import Blueprint, send_file
from flask_login import current_user, login_required

from tracker import db
from tracker.auth.guards import found_or_404
from tracker.evidence.models import Evidence
from tracker.evidence.operations import store
from tracker.evidence.storage import safe_download_name

blueprint = Blueprint("evidence", __name__)


@blueprint.route("/evidence/<int:evidence_id>")
@login_required
def download(evidence_id: int):
    evidence = db.session.get(Evidence, evidence_id)
    found_or_404(evidence, evidence is not None and evidence.assignment.can_view(current_user))
    path = store().path_for(evidence.sha256)
    found_or_404(path if path.is_file() else None)
    response = send_file(
        path,
        mimetype=evidence.mime,
        as_attachment=True,
        download_name=safe_download_name(evidence.original_name),
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
