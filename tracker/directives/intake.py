"""Taking in a directive to import, the same for the page and the API: a file is read
(a scan is checked, then waits for OCR in the job queue) or the text is taken as
pasted; the parser runs in the job queue, and a text it refuses at once is refused
here, leaving nothing behind."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import i18n
from tracker.auth.models import User
from tracker.directives import importing, scans
from tracker.directives.models import ImportDraft, ImportStatus
from tracker.directives.parsing.reading import MAX_BYTES, ScanNeedsOcr, read_bytes
from tracker.directives.parsing.source import NotADirective
from tracker.jobs.queue import enqueue

__all__ = ["MAX_BYTES", "NotADirective", "take_in"]


def take_in(
    session: Session, actor: User, *, data: bytes | None, name: str, text: str
) -> ImportDraft:
    """Begin an import from a file's bytes (`data`, named `name`) or from `text`, and
    commit it. The answer is parsed and open for review, failed for a reason the
    parser took longer to find, or still parsing (a scan, or a slow queue): its
    progress page follows it. NotADirective, with nothing kept, for input refused at
    once (unreadable, too large, empty, not a directive)."""
    scan: bytes | None = None
    if data is not None:
        try:
            text = read_bytes(data, name)
        except ScanNeedsOcr:  # checked here, read by OCR in the job queue
            scans.check(data)
            scan, text = data, ""
    elif text.strip():
        name = ""
    else:
        raise NotADirective(_("Hãy chọn một tệp hoặc dán toàn văn của văn bản."))
    language = i18n.current_language()
    if scan is not None:
        imported = scans.begin_scan(session, actor, scan, name)
        session.commit()
        enqueue("ocr_import", imported.id, language)
        return imported
    imported = importing.begin_import(session, actor, text, name)
    session.commit()
    enqueue("parse_import", imported.id, language)
    imported = importing.wait_for_parse(
        session, imported.id, float(current_app.config["IMPORT_WAIT_SECONDS"])
    )
    if imported.status == ImportStatus.FAILED:
        reason = imported.error
        session.delete(imported)
        session.commit()
        raise NotADirective(reason)
    return imported
