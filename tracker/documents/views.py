"""Document pages: draft, preview and issue a reply report or an urging letter; download
issued documents. Downloads are attachments."""

from __future__ import annotations

import dataclasses

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import db
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code
from tracker.auth.guards import found_or_404
from tracker.auth.models import Role
from tracker.directives.forms import lines
from tracker.directives.models import Directive
from tracker.documents import operations
from tracker.documents.accountability import draft_accountability
from tracker.documents.dating import date_problem, date_window
from tracker.documents.drafts import DocumentDraft
from tracker.documents.fetcher import ASSETS_DIR
from tracker.documents.forms import DocumentForm
from tracker.documents.models import OutgoingDocument
from tracker.documents.operations import may_issue
from tracker.documents.reply import draft_reply
from tracker.documents.report_files import DOCX_MIME, PDF_MIME
from tracker.documents.urge import draft_urge
from tracker.evidence.sending import send_stored
from tracker.evidence.storage import safe_download_name
from tracker.params import as_of_arg
from tracker.reports.accountability import build_accountability

blueprint = Blueprint("documents", __name__)

#: The body that issues urging letters, and the office that reports to the leaders.
URGE_ISSUER = "UBND"
OFFICE_CODE = "VPUBND"


def _file_response(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{safe_download_name(name).replace(' ', '_')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _apply(draft: DocumentDraft, form: DocumentForm) -> DocumentDraft:
    issued_on = form.issued_on.data
    assert issued_on is not None  # the form was validated: InputRequired
    return dataclasses.replace(
        draft,
        header_parent="\n".join(lines(form.header_parent.data or "")),
        header_name="\n".join(lines(form.header_name.data)),
        symbol=form.symbol.data.strip(),
        place=form.place.data.strip(),
        issued_on=issued_on,
        subject=" ".join(form.subject.data.split()),
        recipients=lines(form.recipients.data),
        body=form.body.data.replace("\r\n", "\n"),
        signer_authority=(form.signer_authority.data or "").strip(),
        signer_title=form.signer_title.data.strip(),
        signer_name=(form.signer_name.data or "").strip(),
        distribution=lines(form.distribution.data),
    )


def _fill(form: DocumentForm, draft: DocumentDraft) -> None:
    form.header_parent.data = draft.header_parent
    form.header_name.data = draft.header_name
    form.symbol.data = draft.symbol
    form.place.data = draft.place
    form.issued_on.data = draft.issued_on
    form.subject.data = draft.subject
    form.recipients.data = "\n".join(draft.recipients)
    form.body.data = draft.body
    form.signer_authority.data = draft.signer_authority
    form.signer_title.data = draft.signer_title
    form.signer_name.data = draft.signer_name
    form.distribution.data = "\n".join(draft.distribution)


def _handle(draft: DocumentDraft, heading: str, back: tuple[str, str]):
    """The draft form: GET shows it; 'preview' answers the marked PDF, 'word' the .docx,
    'issue' numbers, stores and registers the final PDF. `back` is (label, url)."""
    form = DocumentForm(as_of=draft.as_of)
    if request.method == "GET":
        _fill(form, draft)
        problem = date_problem(draft.issued_on, draft.as_of)  # figures as of a later day
        if problem is not None:
            form.issued_on.errors = [problem]
    elif form.validate_on_submit():
        edited = _apply(draft, form)
        name = f"du-thao-{edited.symbol}"
        if not form.issue.data:
            db.end_reads(db.session)  # no transaction stays open while it renders
        if form.preview_html.data:
            return operations.preview_html(edited)
        if form.word.data:
            return _file_response(operations.draft_docx(edited), f"{name}.docx", DOCX_MIME)
        if form.issue.data:
            if not may_issue(current_user, edited):
                abort(403)
            try:
                document = operations.issue_document(
                    db.session, current_user, edited, form.number.data
                )
            except operations.DocumentError as error:
                db.session.rollback()
                flash(str(error), "danger")
            else:
                db.session.commit()
                flash(
                    _("Đã phát hành văn bản số %(reference)s.", reference=document.reference),
                    "success",
                )
                return redirect(back[1] + "#documents")
        else:
            return _file_response(operations.preview_pdf(edited), f"{name}.pdf", PDF_MIME)
    return render_template(
        "documents/draft.html",
        form=form,
        draft=draft,
        heading=heading,
        back=back,
        may_issue=may_issue(current_user, draft),
        date_window=date_window(),
    ), 422 if form.errors else 200


def _directive_back(directive: Directive) -> tuple[str, str]:
    return directive.reference, url_for("directives.show", directive_id=directive.id)


@blueprint.route("/directives/<int:directive_id>/reply", methods=["GET", "POST"])
@login_required
def reply(directive_id: int):
    directive = found_or_404(db.session.get(Directive, directive_id))
    if current_user.is_staff:
        agency = found_or_404(agency_by_code(db.session, request.args.get("agency", "")))
    elif current_user.role == Role.AGENCY:
        agency = db.session.get_one(Agency, current_user.agency_id)
    else:
        abort(403)
    try:
        draft = draft_reply(db.session, directive, agency, as_of_arg())
    except LookupError:
        abort(404)  # no work of this agency on this directive
    return _handle(
        draft,
        _("Báo cáo kết quả thực hiện của %(agency)s", agency=agency.short_name),
        _directive_back(directive),
    )


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
        draft = draft_urge(db.session, directive, issuer, as_of_arg())
    except LookupError:
        flash(_("Không có cơ quan, đơn vị nào chậm thực hiện văn bản này."), "info")
        return redirect(url_for("directives.show", directive_id=directive.id))
    return _handle(
        draft, _("Công văn đôn đốc các cơ quan, đơn vị chậm thực hiện"), _directive_back(directive)
    )


@blueprint.route("/reports/accountability/draft", methods=["GET", "POST"])
@login_required
def accountability():
    """The accountability report as a document: edit, preview (DỰ THẢO) and issue it."""
    if not current_user.reads_everything:
        abort(403)
    as_of = as_of_arg()
    directive_id = request.args.get("directive", type=int)
    if directive_id is not None:
        found_or_404(db.session.get(Directive, directive_id))
    office = found_or_404(
        agency_by_code(db.session, current_app.config.get("OFFICE_CODE", OFFICE_CODE))
    )
    report = build_accountability(db.session, as_of, directive_id, check_chain=False)
    draft = draft_accountability(report, office)
    return _handle(
        draft,
        _("Báo cáo tổng hợp tình hình thực hiện"),
        (_("Tổng quan"), url_for("reports.dashboard")),
    )


@blueprint.route("/documents/<int:document_id>")
@login_required
def download(document_id: int):
    document = db.session.get(OutgoingDocument, document_id)
    visible = document is not None and (
        current_user.reads_everything or document.agency_id == current_user.agency_id
    )
    document = found_or_404(document, visible)
    stored = found_or_404(operations.store().open(document.sha256))
    if request.args.get("format") == "docx":
        stored.close()
        data = found_or_404(operations.issued_docx(document))
        return _file_response(data, document.file_name.removesuffix(".pdf") + ".docx", DOCX_MIME)
    return send_stored(
        stored, mimetype=PDF_MIME, download_name=safe_download_name(document.file_name)
    )


@blueprint.route("/documents/assets/<path:name>")
def asset(name: str):
    """The document stylesheet and its fonts, for the HTML preview in the browser."""
    return send_from_directory(ASSETS_DIR, name, max_age=3600)
