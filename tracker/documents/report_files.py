"""The accountability report's four files: their names and types, which of them is a
dated document, when one is large enough for the job queue, and how each is made. The
page that hands out a small report at once and the job that makes a large one both read
them from here."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy.orm import Session

from tracker.agencies.operations import office_agency
from tracker.documents.accountability import draft_accountability
from tracker.documents.drafts import DocumentDraft
from tracker.documents.operations import draft_docx, preview_pdf
from tracker.reports.accountability import AccountabilityReport
from tracker.reports.export import to_csv, to_xlsx

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"  # Flask adds "; charset=utf-8"

#: Each format's type; the first is the default.
MIME = {"pdf": PDF_MIME, "docx": DOCX_MIME, "xlsx": XLSX_MIME, "csv": CSV_MIME}
FORMATS = tuple(MIME)
#: The largest file a report job keeps: a national report of every directive (97,084
#: lines, 6,228 pages) is a PDF of 48 MB.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: The documents: dated today, so their figures cannot be of a later day.
DOCUMENTS = frozenset({"pdf", "docx"})


def file_name(as_of: date, kind: str) -> str:
    return f"bao-cao-tong-hop-{as_of.isoformat()}.{kind}"


def rows(report: AccountabilityReport) -> int:
    """The report's size: its lines (one per directive and agency) and evidence files."""
    return sum(len(section.lines) for section in report.sections) + len(report.evidence)


def is_large(rows: int, kind: str) -> bool:
    """Whether a report of `rows` in `kind` is made by the job queue. A spreadsheet is
    written in a fraction of the time a page is laid out, so its bound is higher."""
    setting = "LARGE_REPORT_ROWS" if kind in DOCUMENTS else "LARGE_SHEET_ROWS"
    return rows > int(current_app.config[setting])


def draft_of(session: Session, report: AccountabilityReport, kind: str) -> DocumentDraft | None:
    """The office's draft of the report for a document, None for a spreadsheet. Read it
    before the transaction ends: the office's row is not read again while the file is
    made, which would hold a transaction open all that time."""
    return draft_accountability(report, office_agency(session)) if kind in DOCUMENTS else None


def make(report: AccountabilityReport, kind: str, draft: DocumentDraft | None) -> bytes:
    """The file, in one process: a document from its draft (`draft_of`)."""
    if kind == "xlsx":
        return to_xlsx(report)
    if kind == "csv":
        return to_csv(report)
    if draft is None:
        raise ValueError(f"a {kind} is made from its draft")
    return draft_docx(draft) if kind == "docx" else preview_pdf(draft)
