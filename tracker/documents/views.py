"""Document pages: draft, preview and issue a reply report or an urging letter; download
issued documents. Downloads are attachments."""

from __future__ import annotations

import dataclasses
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required

from tracker import clock, db
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code
from tracker.auth.guards import found_or_404
from tracker.auth.models import Role
from tracker.directives.forms import lines
from tracker.directives.models import Directive
from tracker.documents import operations
from tracker.documents.fetcher import ASSETS_DIR
from tracker.documents.forms import DocumentForm
from tracker.documents.models import OutgoingDocument
from tracker.documents.reply import DocumentDraft, draft_reply
from tracker.documents.urge import draft_urge
from tracker.evidence.storage import safe_download_name

blueprint = Blueprint("documents", __name__)

#: The body that issues urging letters, by agency code.
URGE_ISSUER = "UBND"


def _as_of() -> date:
    raw = request.args.get("as_of", "")
    try:
        return date.fromisoformat(raw) if raw else clock.today()
    except ValueError:
        abort(400)


def _pdf_response(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{safe_download_name(name).replace(' ', '_')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _apply(draft: DocumentDraft, form: DocumentForm) -> DocumentDraft:
    subject = " ".join(form.subject.data.split())
    return dataclasses.replace(
        draft,
        issued_on=form.issued_on.data,
        subject=subject,
        subject_under_number=subject if draft.doc_type is None else None,
        recipients=lines(form.recipients.data),
        body=form.body.data.replace("\r\n", "\n"),
        signer_authority=(form.signer_authority.data or "").strip(),
        signer_title=form.signer_title.data.strip(),
        signer_name=(form.signer_name.data or "").strip(),
        distribution=lines(form.distribution.data),
    )


def _fill(form: DocumentForm, draft: DocumentDraft) -> None:
    form.issued_on.data = draft.issued_on
    form.subject.data = draft.subject
    form.recipients.data = "\n".join(draft.recipients)
    form.body.data = draft.body
    form.signer_authority.data = draft.signer_authority
    form.signer_title.data = draft.signer_title
    form.signer_name.data = draft.signer_name
    form.distribution.data = "\n".join(draft.distribution)


def _handle(draft: DocumentDraft, directive: Directive, heading: str):
    """The draft form: GET shows it, 'preview' answers the watermarked PDF, 'issue'
    numbers, stores and registers the final PDF."""
    form = DocumentForm()
    if request.method == "GET":
        _fill(form, draft)
    elif form.validate_on_submit():
        edited = _apply(draft, form)
        if form.preview_html.data:
            return operations.preview_html(edited)
        if form.issue.data:
            if not _may_issue(edited):
                abort(403)
            try:
                document = operations.issue_document(db.session, current_user, edited)
            except operations.DocumentError as error:
                db.session.rollback()
                flash(str(error), "danger")
            else:
                db.session.commit()
                flash(f"Đã phát hành văn bản số {document.reference}.", "success")
                return redirect(
                    url_for("directives.show", directive_id=directive.id) + "#documents"
                )
        else:
            return _pdf_response(operations.preview_pdf(edited), f"du-thao-{edited.symbol}.pdf")
    return render_template(
        "documents/draft.html", form=form, draft=draft, directive=directive, heading=heading
    ), 422 if form.errors else 200


def _may_issue(draft: DocumentDraft) -> bool:
    if current_user.is_staff:
        return True
    return current_user.role == Role.AGENCY and current_user.agency_id == draft.agency_id


@blueprint.route("/directives/<int:directive_id>/reply", methods=["GET", "POST"])
@login_required
def reply(directive_id: int):
    directive = found_or_404(db.session.get(Directive, directive_id))
    if current_user.is_staff:
        agency = found_or_404(agency_by_code(db.session, request.args.get("agency", "")))
    elif current_user.role == Role.AGENCY:
        agency = db.session.get(Agency, current_user.agency_id)
    else:
        abort(403)
    try:
        draft = draft_reply(db.session, directive, agency, _as_of())
    except LookupError:
        abort(404)  # no work of this agency on this directive
    return _handle(draft, directive, f"Báo cáo kết quả thực hiện của {agency.short_name}")


@blueprint.route("/directives/<int:directive_id>/urge", methods=["GET", "POST"])
@login_required
def urge(directive_id: int):
    if not (current_user.is_staff or current_user.role == Role.LEADER):
        abort(403)
    directive = found_or_404(db.session.get(Directive, directive_id))
    issuer = found_or_404(
        agency_by_code(db.session, current_app.config.get("URGE_ISSUER", URGE_ISSUER))
    )
    try:
        draft = draft_urge(db.session, directive, issuer, _as_of())
    except LookupError:
        flash("Không có cơ quan, đơn vị nào chậm thực hiện văn bản này.", "info")
        return redirect(url_for("directives.show", directive_id=directive.id))
    return _handle(draft, directive, "Công văn đôn đốc các cơ quan, đơn vị chậm thực hiện")


@blueprint.route("/documents/<int:document_id>")
@login_required
def download(document_id: int):
    document = db.session.get(OutgoingDocument, document_id)
    visible = document is not None and (
        current_user.reads_everything or document.agency_id == current_user.agency_id
    )
    found_or_404(document, visible)
    path = operations.store().path_for(document.sha256)
    found_or_404(path if path.is_file() else None)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=safe_download_name(document.file_name),
        max_age=0,
    )


@blueprint.route("/documents/assets/<path:name>")
def asset(name: str):
    """The document stylesheet and its fonts, for the HTML preview in the browser."""
    return send_from_directory(ASSETS_DIR, name, max_age=3600)
