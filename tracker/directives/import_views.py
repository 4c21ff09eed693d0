"""Importing a directive: upload or paste, review beside the source, confirm."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker import db
from tracker.agencies.models import Agency, AgencyGroup
from tracker.agencies.operations import all_agencies, all_groups
from tracker.auth.guards import found_or_404, staff_required
from tracker.calendar import RECURRENCE_LABELS
from tracker.directives import importing, intake, scans
from tracker.directives.forms import lines
from tracker.directives.import_forms import ImportForm, ReviewForm
from tracker.directives.importing import Reviewed, ReviewedCitation, ReviewedTask
from tracker.directives.models import ImportDraft, ImportStatus
from tracker.i18n import N_

blueprint = Blueprint("imports", __name__)

#: Names of the highlighted header fields, in Vietnamese.
FIELD_LABELS = {
    "issuer_parent": N_("Cơ quan chủ quản"),
    "issuer": N_("Cơ quan ban hành"),
    "number": N_("Số, ký hiệu"),
    "place": N_("Địa danh"),
    "issued_date": N_("Ngày ban hành"),
    "doc_type": N_("Loại văn bản"),
    "subject": N_("Trích yếu"),
    "recipients": N_("Kính gửi"),
    "signer_title": N_("Chức vụ người ký"),
    "signer_name": N_("Người ký"),
    "distribution": N_("Nơi nhận"),
}


@blueprint.route("/directives/import", methods=["GET", "POST"])
@staff_required
def start():
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        db.end_reads(db.session)  # no transaction stays open while the file is read
        upload = request.files.get("file")
        try:
            if upload is not None and upload.filename:
                data, name = upload.stream.read(intake.MAX_BYTES + 1), upload.filename
            else:
                data, name = None, ""
            imported = intake.take_in(
                db.session, current_user, data=data, name=name, text=form.text.data or ""
            )
        except intake.NotADirective as error:
            # Refused at once: said on the form, which still holds the pasted text.
            db.session.rollback()
            form.text.errors.append(str(error))
            status = 422
        else:
            return redirect(url_for("imports.review", import_id=imported.id))
    elif form.is_submitted():
        status = 422
    return render_template("directives/import.html", form=form), status


@blueprint.route("/imports/<int:import_id>", methods=["GET", "POST"])
@staff_required
def review(import_id: int):
    imported = found_or_404(db.session.get(ImportDraft, import_id))
    if imported.status in (ImportStatus.PARSING, ImportStatus.FAILED):
        if importing.settle_if_stuck(imported):
            db.session.commit()
        return render_template(
            "directives/import_progress.html", imported=imported, ImportStatus=ImportStatus
        )
    if imported.status != ImportStatus.OPEN:
        if imported.directive_id:
            return redirect(url_for("directives.show", directive_id=imported.directive_id))
        abort(404)
    groups, agencies = all_groups(db.session), all_agencies(db.session)
    parsed = importing.reviewed_as_parsed(db.session, imported)
    if request.method == "POST":
        form = ReviewForm()
    else:
        form = ReviewForm(data=_form_data(parsed, imported))
    form.set_choices(groups, agencies)
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            directive = importing.confirm_import(
                db.session, current_user, imported, _reviewed(form, groups, agencies)
            )
        except importing.operations.DirectiveError as refused:
            db.session.rollback()
            error, status = str(refused), 422
        else:
            db.session.commit()
            flash(
                _("Đã nhập %(title)s với các nhiệm vụ đã xác nhận.", title=directive.title),
                "success",
            )
            return redirect(url_for("directives.show", directive_id=directive.id))
    elif form.is_submitted():
        status = 422
        error = _("Một số ô chưa hợp lệ; xem các thông báo bên dưới.")
    existing = importing.existing_directive(
        db.session, form.number.data, form.symbol.data, form.issued_date.data
    )
    return render_template(
        "directives/review.html",
        form=form,
        imported=imported,
        error=error,
        existing=existing,
        source=_highlighted(imported),
        field_labels=FIELD_LABELS,
        warnings=imported.data.get("warnings", []),
    ), status


@blueprint.route("/imports/<int:import_id>/pages/<int:number>.png")
@staff_required
def page_image(import_id: int, number: int):
    """A scanned page as the OCR read it, for the review."""
    imported = found_or_404(db.session.get(ImportDraft, import_id))
    stored = scans.page_image(imported, number)
    if stored is None:
        abort(404)
    response = Response(b"".join(stored.chunks()), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/imports/<int:import_id>/discard", methods=["POST"])
@staff_required
def discard(import_id: int):
    imported = found_or_404(db.session.get(ImportDraft, import_id))
    form = ImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        importing.discard_import(db.session, current_user, imported)
    except importing.operations.DirectiveError as refused:
        flash(str(refused), "danger")
        return redirect(url_for("directives.index"))
    db.session.commit()
    scans.forget(import_id)
    flash(_("Đã bỏ bản nhập."), "info")
    return redirect(url_for("imports.start"))


def _form_data(parsed: Reviewed, imported: ImportDraft) -> dict:
    unresolved = _unresolved_names(imported.data)
    return {
        "doc_type": parsed.doc_type,
        "number": parsed.number,
        "symbol": parsed.symbol,
        "issuer": parsed.issuer,
        "issuer_parent": parsed.issuer_parent,
        "place": parsed.place,
        "issued_date": parsed.issued_date,
        "subject": parsed.subject,
        "recipients": "\n".join(parsed.recipients),
        "signer_authority": parsed.signer_authority,
        "signer_title": parsed.signer_title,
        "signer_name": parsed.signer_name,
        "distribution": "\n".join(parsed.distribution),
        "tasks": [
            {
                "include": True,
                "number": task.number,
                "title": "",
                "text": task.text,
                "report_to": str(task.report_to.id) if task.report_to else "",
                "due_date": task.due_date,
                "due_text": task.due_text,
                "recurrence": task.recurrence or "",
                "due_in_days": task.due_in_days,
                "due_in_working_days": task.due_in_working_days,
                "due_from": task.due_from,
                "leads": [_key(target) for target in task.leads],
                "cooperating": [_key(target) for target in task.cooperating],
                "unresolved": ", ".join(unresolved[index]) if index < len(unresolved) else "",
                "span": ",".join(str(n) for n in task.source_span) if task.source_span else "",
            }
            for index, task in enumerate(parsed.tasks)
        ],
        "citations": [
            {
                "include": True,
                "doc_type": cited.doc_type,
                "number": cited.number,
                "symbol": cited.symbol,
                "date": cited.date,
                "issuer": cited.issuer,
            }
            for cited in parsed.citations
        ],
    }


def _unresolved_names(data: dict) -> list[list[str]]:
    return [
        [agency["name"] for agency in task.get("agencies", []) if not agency.get("code")]
        for task in data.get("tasks", [])
    ]


def _key(target: Agency | AgencyGroup) -> str:
    return f"g{target.id}" if isinstance(target, AgencyGroup) else f"a{target.id}"


def _reviewed(form: ReviewForm, groups: list[AgencyGroup], agencies: list[Agency]) -> Reviewed:
    by_key = {f"g{g.id}": g for g in groups} | {f"a{a.id}": a for a in agencies}
    agency_by_id = {str(a.id): a for a in agencies}
    tasks = []
    for entry in form.tasks:
        task = entry.form
        span = tuple(int(n) for n in task.span.data.split(",")) if task.span.data else None
        tasks.append(
            ReviewedTask(
                number=task.number.data.strip(),
                text=task.text.data.strip(),
                title=(task.title.data or "").strip(),
                include=task.include.data,
                report_to=agency_by_id.get(task.report_to.data or ""),
                due_date=task.due_date.data,
                due_text=task.due_text.data or "",
                recurrence=task.recurrence.data or None,
                recurrence_text=RECURRENCE_LABELS.get(task.recurrence.data or "", ""),
                leads=[by_key[key] for key in task.leads.data or [] if key in by_key],
                cooperating=[by_key[key] for key in task.cooperating.data or [] if key in by_key],
                source_span=span if span and len(span) == 2 else None,
                due_in_days=task.due_in_days.data,
                due_in_working_days=task.due_in_working_days.data,
                due_from=task.due_from.data or "assigned",
            )
        )
    return Reviewed(
        doc_type=form.doc_type.data,
        number=form.number.data.strip(),
        symbol=form.symbol.data.replace(" ", ""),
        issuer=form.issuer.data.strip(),
        issuer_parent=(form.issuer_parent.data or "").strip(),
        place=(form.place.data or "").strip(),
        issued_date=form.issued_date.data,
        subject=(form.subject.data or "").strip(),
        recipients=lines(form.recipients.data),
        signer_name=(form.signer_name.data or "").strip(),
        signer_title=(form.signer_title.data or "").strip(),
        signer_authority=form.signer_authority.data or "",
        distribution=lines(form.distribution.data),
        tasks=tasks,
        citations=[
            ReviewedCitation(
                doc_type=(entry.form.doc_type.data or "Công văn").strip(),
                number=(entry.form.number.data or "").strip(),
                symbol=(entry.form.symbol.data or "").replace(" ", ""),
                date=entry.form.date.data,
                issuer=(entry.form.issuer.data or "").strip(),
                include=entry.form.include.data,
            )
            for entry in form.citations
        ],
        update_existing=form.update_existing.data,
    )


def _highlighted(imported: ImportDraft) -> list[dict]:
    """The source text cut into plain and highlighted pieces (header fields, tasks), each
    in parts: the words a scan's OCR was unsure of apart, to be marked."""
    text = imported.text
    marks: list[tuple[int, int, str, str]] = []
    for name, span in (imported.data.get("spans") or {}).items():
        if name in FIELD_LABELS and isinstance(span, list) and len(span) == 2:
            marks.append((span[0], span[1], "field", FIELD_LABELS[name]))
    for index, span in enumerate(imported.data.get("task_spans") or []):
        if span:
            number = imported.data["tasks"][index]["number"]
            marks.append((span[0], span[1], "task", _("Nhiệm vụ %(number)s", number=number)))
    marks.sort()
    pieces: list[dict] = []
    cursor = 0
    for start, end, kind, label in marks:
        if start < cursor or end <= start or end > len(text):
            continue
        if start > cursor:
            pieces.append({"text": text[cursor:start], "kind": None, "label": None})
        pieces.append({"text": text[start:end], "kind": kind, "label": label})
        cursor = end
    pieces.append({"text": text[cursor:], "kind": None, "label": None})
    unsure = scans.unsure_words(imported)
    for piece in pieces:
        piece["parts"] = scans.marked(piece["text"], unsure)
    return pieces
