"""Importing a directive: POST a file or its text, read the parsed draft, then confirm
it (or discard it). The same intake, parser and confirmation as the import page; for
office staff."""

from __future__ import annotations

from flask import Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import db
from tracker.api import blueprint, schemas
from tracker.api.idempotency import replay_or_run
from tracker.api.problems import Problem, field_error
from tracker.api.resources import directive_detail
from tracker.api.spec import Reply, operation
from tracker.directives import importing, intake, scans
from tracker.directives import queries as directive_queries
from tracker.directives.models import ImportDraft, ImportStatus

#: Draft fields kept for the review page only (offsets into the text).
INTERNAL = ("task_spans",)


def _staff() -> None:
    if not current_user.is_staff:
        raise Problem(403)


def _import_of(import_id: int) -> ImportDraft:
    _staff()
    imported = db.session.get(ImportDraft, import_id)
    if imported is None:
        raise Problem(404)
    return imported


def _import_out(imported: ImportDraft) -> schemas.ImportOut:
    parsed = imported.status not in (ImportStatus.PARSING, ImportStatus.FAILED)
    return schemas.ImportOut(
        id=imported.id,
        status=imported.status,
        source_name=imported.source_name or "",
        created_at=imported.created_at,
        error=imported.error or None,
        pages_done=imported.pages_done if imported.scan_file else None,
        pages_total=imported.pages_total if imported.scan_file else None,
        directive_id=imported.directive_id,
        draft={key: value for key, value in imported.data.items() if key not in INTERNAL}
        if parsed
        else None,
    )


def _location(imported: ImportDraft) -> dict[str, str]:
    return {"Location": url_for("api.show_import", import_id=imported.id)}


@operation(
    blueprint,
    "/imports",
    "POST",
    summary="Import a directive from a file or its text: the parser's draft (office staff)",
    tag="imports",
    form=schemas.ImportForm,
    files=("file",),
    response=schemas.ImportOut,
    status=201,
    also=(202,),
    problems=(403, 413, 422),
    idempotent=True,
)
def create_import(form: schemas.ImportForm) -> Response:
    """A text, a Word file or a PDF with a text layer is parsed at once: 201 with the
    draft (status `open`). A scan is read by OCR in the background: 202 with status
    `parsing`; read `Location` until it is `open` or `failed`. Input that is not a
    directive is refused with 422, and nothing is kept."""
    _staff()
    return replay_or_run(lambda: _create(form))


def _create(form: schemas.ImportForm) -> Reply:
    upload = request.files.get("file")
    db.end_reads(db.session)  # no transaction stays open while the file is read
    try:
        if upload is not None and upload.filename:
            data, name = upload.stream.read(intake.MAX_BYTES + 1), upload.filename
        else:
            data, name = None, ""
        imported = intake.take_in(
            db.session, current_user, data=data, name=name, text=form.text or ""
        )
    except intake.NotADirective as error:
        db.session.rollback()
        raise Problem(422, errors=[field_error("file" if upload else "text", str(error))]) from None
    done = imported.status == ImportStatus.OPEN
    return Reply(_import_out(imported), status=201 if done else 202, headers=_location(imported))


@operation(
    blueprint,
    "/imports/<int:import_id>",
    summary="An import: its progress, or its parsed draft (office staff)",
    tag="imports",
    response=schemas.ImportOut,
    problems=(403, 404),
)
def show_import(import_id: int) -> schemas.ImportOut:
    imported = _import_of(import_id)
    if importing.settle_if_stuck(imported):
        db.session.commit()
    return _import_out(imported)


@operation(
    blueprint,
    "/imports/<int:import_id>/confirm",
    "POST",
    summary="Confirm the draft: the directive with its tasks, assignments and citations",
    tag="imports",
    body=schemas.ConfirmBody,
    response=schemas.DirectiveDetail,
    status=201,
    problems=(403, 404, 409, 422),
)
def confirm_import(import_id: int, body: schemas.ConfirmBody) -> Reply:
    """The draft as parsed, less the tasks left out: each task's lead and co-operating
    agencies are assigned, and a cited directive not on file is kept as a placeholder.
    A directive with the same number and symbol is refused unless `update_existing`."""
    imported = _import_of(import_id)
    if imported.status != ImportStatus.OPEN:
        raise Problem(409, _("Bản nhập này chưa sẵn sàng hoặc đã được xử lý."))
    reviewed = importing.reviewed_as_parsed(db.session, imported)
    unknown = set(body.leave_out) - {task.number for task in reviewed.tasks}
    if unknown:
        raise Problem(
            422,
            errors=[
                field_error(
                    "leave_out",
                    _("Không có nhiệm vụ số %(numbers)s.", numbers=", ".join(sorted(unknown))),
                )
            ],
        )
    for task in reviewed.tasks:
        task.include = task.number not in body.leave_out
    reviewed.update_existing = body.update_existing
    try:
        directive = importing.confirm_import(db.session, current_user, imported, reviewed)
    except importing.operations.DirectiveError as refused:
        db.session.rollback()
        raise Problem(422, str(refused)) from None
    db.session.commit()
    loaded = directive_queries.load_directive(db.session, directive.id, current_user)
    assert loaded is not None  # staff see every directive
    return Reply(
        directive_detail(loaded),
        status=201,
        headers={"Location": url_for("api.show_directive", directive_id=directive.id)},
    )


@operation(
    blueprint,
    "/imports/<int:import_id>/discard",
    "POST",
    summary="Discard the draft (office staff)",
    tag="imports",
    response=schemas.ImportOut,
    problems=(403, 404, 409),
)
def discard_import(import_id: int) -> schemas.ImportOut:
    imported = _import_of(import_id)
    try:
        importing.discard_import(db.session, current_user, imported)
    except importing.operations.DirectiveError as refused:
        db.session.rollback()
        raise Problem(409, str(refused)) from None
    db.session.commit()
    scans.forget(import_id)
    return _import_out(imported)
