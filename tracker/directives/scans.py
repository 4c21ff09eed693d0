"""Importing a scanned directive: the upload is kept in the file store, read by OCR in
the job queue with its progress kept page by page, then parsed like a text; its page
images are kept beside it for the review, with the words the OCR was unsure of.

The scan and its page images are stored under their SHA-256 in the imports' store
(`stores.import_store`: IMPORTS_DIR, or ``imports/`` in the bucket), so any web or
worker machine reads what another wrote. `ImportDraft.scan_file` names the scan, each
of `ocr_pages` its image. When an import is discarded or fails its files are no longer
known, and the housekeeping's sweep removes them (`known_hashes`). Imports begun before
the store kept them (`scan_file` "<id>/scan", images IMPORTS_DIR/<id>/page-N.png) are
read from their folder, removed at once by `forget`."""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
from pathlib import Path

import sqlalchemy as sa
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
from tracker.evidence.storage import StoredFile, StoreUnavailable
from tracker.evidence.stores import BlobStore, import_store
from tracker.i18n import spoken

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")


def store() -> BlobStore:
    return import_store(current_app.config)


def folder_of(import_id: int) -> Path:
    """The folder of an import begun before the store kept its files."""
    return Path(current_app.config["IMPORTS_DIR"]) / str(import_id)


def is_pdf(data: bytes) -> bool:
    return data.startswith(PDF_MAGIC)


def check(data: bytes) -> int:
    """A scan's pages, counted at once: NotADirective when it cannot be read or has too
    many, before it waits in the queue."""
    return ocr.check_scan(data, pdf=is_pdf(data))


def begin_scan(session: Session, actor: User | None, data: bytes, source_name: str) -> ImportDraft:
    """The scan kept for the OCR job: an import waiting (PARSING) with no text yet."""
    blob = store().save_stream(io.BytesIO(data), max_bytes=max(len(data), 1))[0]
    imported = importing.begin_import(session, actor, "", source_name)
    imported.scan_file = blob.sha256
    session.flush()
    return imported


def page_image(imported: ImportDraft, number: int) -> StoredFile | None:
    """Page `number` of a scan as the OCR read it (PNG); None if there is none."""
    for page in imported.ocr_pages or []:
        if page.get("number") == number and page.get("image"):
            return store().open(str(page["image"]))
    path = folder_of(imported.id) / f"page-{number}.png"  # an import from before the store
    try:
        handle = path.open("rb")
    except OSError:
        return None
    return StoredFile(size=os.fstat(handle.fileno()).st_size, path=path, stream=handle)


def forget(import_id: int) -> None:
    """A discarded or failed import's folder from before the store, removed; its stored
    files are no longer known, and the housekeeping's sweep removes them."""
    shutil.rmtree(folder_of(import_id), ignore_errors=True)


def known_hashes(session: Session) -> set[str]:
    """The stored files of the imports not discarded or failed: scans and page images."""
    rows = session.execute(
        sa.select(ImportDraft.scan_file, ImportDraft.ocr_pages).where(
            ImportDraft.status.not_in([ImportStatus.DISCARDED, ImportStatus.FAILED])
        )
    )
    known = set()
    for scan_file, pages in rows:
        known.add(scan_file)
        known.update(str(page.get("image", "")) for page in pages or [])
    return {name for name in known if _SHA256.fullmatch(name)}


def _scan_bytes(imported: ImportDraft) -> bytes:
    """The scan's bytes; OSError if it is gone (StoreUnavailable if the store is)."""
    if not _SHA256.fullmatch(imported.scan_file):  # an import from before the store
        if imported.scan_file != f"{imported.id}/scan":
            raise FileNotFoundError(imported.scan_file)
        return (folder_of(imported.id) / "scan").read_bytes()
    stored = store().open(imported.scan_file)
    if stored is None:
        raise FileNotFoundError(imported.scan_file)
    return b"".join(stored.chunks())


def ocr_in_queue(import_id: int, language: str | None = None) -> None:
    """The job queue's step: read the scan by OCR, keeping the progress page by page (a
    short transaction each), then parse its text as `importing.parse_in_queue` does. No
    transaction stays open while a page is read."""
    from tracker import db

    session = db.session
    imported = session.get(ImportDraft, import_id)
    if imported is None or imported.status != ImportStatus.PARSING or not imported.scan_file:
        return
    session.commit()

    def progress(done: int, total: int) -> None:
        found = session.get(ImportDraft, import_id, populate_existing=True)
        if found is not None:
            found.pages_done, found.pages_total = done, total
            session.commit()

    with force_locale(spoken(language)):
        try:
            data = _scan_bytes(imported)
            result = ocr.read_scan(data, pdf=is_pdf(data), progress=progress)
            reason = "" if result.text.strip() else _("Không nhận dạng được chữ nào trên bản quét.")
        except StoreUnavailable as error:
            reason = str(error)
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
    images = {}
    try:
        for page in result.pages:
            blob = store().save_stream(io.BytesIO(page.image), max_bytes=len(page.image))[0]
            images[page.number] = blob.sha256
    except StoreUnavailable as error:
        importing.fail_import(session, imported, str(error))
        session.commit()
        return
    imported.text = result.text
    imported.ocr_pages = [
        {
            "number": page.number,
            "image": images[page.number],
            "unsure": [[word.text, word.confidence] for word in page.unsure],
        }
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
