"""Importing a scanned directive: the upload is kept under IMPORTS_DIR, read by OCR in
the job queue with its progress kept page by page, then parsed like a text; its page
images stay beside it for the review, with the words the OCR was unsure of.

Folder of an import: IMPORTS_DIR/<id>/ holds `scan` (the upload) and `page-N.png`. It is
removed when the import is discarded or fails."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.directives import importing
from tracker.directives.models import ImportDraft, ImportStatus
from tracker.directives.parsing import ocr
from tracker.directives.parsing.reading import PDF_MAGIC
from tracker.directives.parsing.source import NotADirective
from tracker.i18n import spoken

log = logging.getLogger(__name__)

SCAN_NAME = "scan"


def folder_of(import_id: int) -> Path:
    return Path(current_app.config["IMPORTS_DIR"]) / str(import_id)


def is_pdf(data: bytes) -> bool:
    return data.startswith(PDF_MAGIC)


def check(data: bytes) -> int:
    """A scan's pages, counted at once: NotADirective when it cannot be read or has too
    many, before it waits in the queue."""
    return ocr.check_scan(data, pdf=is_pdf(data))


def begin_scan(session: Session, actor: User | None, data: bytes, source_name: str) -> ImportDraft:
    """The scan kept for the OCR job: an import waiting (PARSING) with no text yet."""
    imported = importing.begin_import(session, actor, "", source_name)
    folder = folder_of(imported.id)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / SCAN_NAME).write_bytes(data)
    imported.scan_file = f"{imported.id}/{SCAN_NAME}"
    session.flush()
    return imported


def page_image(import_id: int, number: int) -> Path | None:
    path = folder_of(import_id) / f"page-{number}.png"
    return path if path.is_file() else None


def forget(import_id: int) -> None:
    """The scan and its page images, removed (a discarded or failed import)."""
    shutil.rmtree(folder_of(import_id), ignore_errors=True)


def ocr_in_queue(import_id: int, language: str | None = None) -> None:
    """The job queue's step: read the scan by OCR, keeping the progress page by page (a
    short transaction each), then parse its text as `importing.parse_in_queue` does. No
    transaction stays open while a page is read."""
    from tracker import db

    session = db.session
    imported = session.get(ImportDraft, import_id)
    if imported is None or imported.status != ImportStatus.PARSING or not imported.scan_file:
        return
    folder = folder_of(import_id)
    session.commit()

    def progress(done: int, total: int) -> None:
        found = session.get(ImportDraft, import_id, populate_existing=True)
        if found is not None:
            found.pages_done, found.pages_total = done, total
            session.commit()

    with force_locale(spoken(language)):
        try:
            data = (folder / SCAN_NAME).read_bytes()
            result = ocr.read_scan(data, pdf=is_pdf(data), progress=progress)
            reason = "" if result.text.strip() else _("Không nhận dạng được chữ nào trên bản quét.")
        except OSError:
            reason = _("Không còn tệp bản quét để nhận dạng.")
        except NotADirective as error:
            reason = str(error)
        except Exception as error:  # noqa: BLE001 (an OCR failure: the user is told, the log has it)
            log.exception("OCR of import %s failed", import_id)
            reason = _("Không nhận dạng được bản quét (lỗi %(error)s).", error=type(error).__name__)
    imported = session.get(ImportDraft, import_id, populate_existing=True)
    if imported is None or imported.status != ImportStatus.PARSING:
        session.rollback()
        return
    if reason:
        importing.fail_import(session, imported, reason)
        session.commit()
        forget(import_id)
        return
    for page in result.pages:
        (folder / f"page-{page.number}.png").write_bytes(page.image)
    imported.text = result.text
    imported.ocr_pages = [
        {"number": page.number, "unsure": [[word.text, word.confidence] for word in page.unsure]}
        for page in result.pages
    ]
    session.commit()
    importing.parse_in_queue(import_id, language)


def unsure_words(imported: ImportDraft) -> re.Pattern[str] | None:
    """The words a scan's OCR was unsure of, as one pattern; None for a text."""
    words = {
        str(word).translate(ocr.LOOKALIKES)
        for page in imported.ocr_pages or []
        for word, _confidence in page.get("unsure", [])
        if str(word).strip()
    }
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\wÀ-ỹ])(?:{alternatives})(?![\wÀ-ỹ])")


def marked(text: str, unsure: re.Pattern[str] | None) -> list[tuple[str, bool]]:
    """`text` in parts, each saying whether it is one of the `unsure` words."""
    if unsure is None:
        return [(text, False)]
    parts: list[tuple[str, bool]] = []
    cursor = 0
    for match in unsure.finditer(text):
        if match.start() > cursor:
            parts.append((text[cursor : match.start()], False))
        parts.append((match.group(), True))
        cursor = match.end()
    parts.append((text[cursor:], False))
    return parts
