"""A document before it is issued: plain values that staff may edit, and the ND30 identity
of the issuing agency (header lines, symbol, place, signer, drafting unit) read from the
agency itself, so every document prints an agency the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.agencies.models import Agency, AgencyKind
from tracker.documents import nd30

#: Where an agency that names no place of its own dates its documents.
DEFAULT_PLACE = "Lai Châu"
#: A body line that stands for one of the draft's tables: "[Bảng 1]".
TABLE_MARKER = "[Bảng {}]"


@dataclass
class Column:
    label: str
    numeric: bool = False
    #: Relative width; the columns share the line in proportion.
    width: float = 1.0


@dataclass
class Table:
    """A table of a document, with its values already worded (numbers in the
    Vietnamese form): the body shows it where "[Bảng N]" stands."""

    columns: list[Column]
    rows: list[list[str]]
    #: The "Tổng cộng" row, or None.
    total: list[str] | None = None
    caption: str = ""


def numbered(
    columns: list[Column], rows: list[list[str]], total: list[str] | None = None, **fields
) -> Table:
    """A table whose first column, "TT", numbers its rows."""
    return Table(
        columns=[Column("TT", numeric=True, width=0.75), *columns],
        rows=[[str(number), *row] for number, row in enumerate(rows, start=1)],
        total=["", *total] if total is not None else None,
        **fields,
    )


@dataclass
class Appendix:
    """A Phụ lục: starts on a new page under "(Kèm theo <document> số ... ngày ...)"."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    #: Set when a document has several: "Phụ lục I", "Phụ lục II" ...
    label: str = "Phụ lục"
    #: Small print, e.g. the event log's head hash.
    notes: list[str] = field(default_factory=list)


@dataclass
class DocumentDraft:
    """Everything a document shows, as plain values: what staff may edit before it is
    made final, and what the templates (PDF, HTML, .docx) receive."""

    kind: str
    title: str
    #: The ND30 header: parent body and issuing body, each with author-chosen line
    #: breaks; what stands instead of the national title and motto ("" for those).
    header_parent: str
    header_name: str
    symbol: str
    place: str
    #: The document's own date (ngày ký): today unless set; see tracker/documents/dating.py.
    issued_on: date
    #: "Báo cáo" ...; None for a công văn, whose subject stands under its number.
    doc_type: str | None
    subject: str
    recipients: list[str]
    body: str
    signer_authority: str
    signer_title: str
    signer_name: str
    distribution: list[str]
    author: str
    state_heading: str = ""
    directive_id: int | None = None
    agency_id: int | None = None
    tables: list[Table] = field(default_factory=list)
    appendices: list[Appendix] = field(default_factory=list)
    #: The signer's name is an invented demonstration name.
    signer_is_demo: bool = False
    #: Lines the drafter must see before issuing (e.g. a task without a report); never
    #: printed.
    warnings: list[str] = field(default_factory=list)
    #: The day the figures are as of (the data cut-off); never after `issued_on`.
    as_of: date | None = None

    @property
    def is_cong_van(self) -> bool:
        return self.doc_type is None


# The issuing agency's identity ------------------------------------------------------------


def header_parent(agency: Agency) -> str:
    """The parent body as the agency prints it; by default a department of the province
    prints the provincial People's Committee, a district none."""
    if agency.header_parent:
        return agency.header_parent
    if agency.kind == AgencyKind.DEPARTMENT and agency.parent is not None:
        return nd30.upper(nd30.body_name(agency.parent.name))
    return ""


def header_name(agency: Agency) -> str:
    return agency.header_name or nd30.upper(agency.name)


def symbol_code(agency: Agency) -> str:
    """The agency's abbreviation in symbols: BC-STTTT, BC-UBND."""
    return agency.symbol_code or agency.code


def place(agency: Agency) -> str:
    return agency.place or DEFAULT_PLACE


def filing_line(agency: Agency) -> str:
    """The last line of Nơi nhận: "Lưu: VT, VP"."""
    return f"Lưu: VT, {agency.drafting_unit}" if agency.drafting_unit else "Lưu: VT"


def agency_identity(agency: Agency) -> dict:
    """The DocumentDraft fields that come from the issuing agency."""
    return {
        "header_parent": header_parent(agency),
        "header_name": header_name(agency),
        "state_heading": agency.state_heading or "",
        "place": place(agency),
        "signer_title": agency.head_title or "THỦ TRƯỞNG ĐƠN VỊ",
        "signer_name": agency.head_name or "",
        "signer_is_demo": bool(agency.head_name_is_demo),
        "author": agency.name,
        "agency_id": agency.id,
    }
