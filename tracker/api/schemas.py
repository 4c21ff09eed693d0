"""The API's request and response shapes. Dates are ISO 8601 (yyyy-mm-dd); times carry
their offset (Vietnam's, +07:00)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_serializer
from pydantic_core import PydanticCustomError

from tracker import clock
from tracker.agencies.models import AgencyKind
from tracker.assignments.deadlines import Outcome
from tracker.assignments.models import (
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    PeriodStatus,
    SubmissionOutcome,
)
from tracker.assignments.workflow import Action
from tracker.directives.models import DirectiveStatus, DocType, ImportStatus, IndicatorKind
from tracker.search.models import EntryKind

Id = Annotated[int, Field(ge=0, le=2**31 - 1)]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """A date is written yyyy-mm-dd, nothing else (not a number of seconds)."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_parsing", "a date is written yyyy-mm-dd")


Day = Annotated[date, BeforeValidator(_iso_date)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response: times are written on Vietnam's clock, with the offset."""

    @field_serializer("*", when_used="json")
    def _local_times(self, value: object) -> object:
        if isinstance(value, datetime):
            return clock.to_local(value).isoformat()
        return value


# Queries ----------------------------------------------------------------------------------


class PageQuery(BaseModel):
    """A page of a list: ?limit= items after ?cursor= (the `next` link carries it)."""

    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=200)] | None = Field(
        None, description="Items per page (default 50, at most 200)."
    )
    cursor: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="Where the page starts: from the previous page's `next` link."
    )


class ObligationQuery(PageQuery):
    """The filters and sorting of the obligations page (/assignments), by the same names."""

    directive: Id | None = Field(None, description="A directive's id.")
    agency: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="An agency's code, e.g. STTTT."
    )
    role: AssignmentRole | None = None
    status: AssignmentStatus | None = None
    outcome: Outcome | None = None
    due_from: Day | None = None
    due_to: Day | None = None
    overdue: bool | None = Field(None, description="Only those past their deadline, open.")
    due_soon: bool | None = Field(None, description="Only those due within a few working days.")
    sort: Annotated[str, Field(max_length=20)] | None = Field(
        None,
        description="deadline (default), agency, directive, status or outcome; a leading"
        " '-' sorts descending.",
    )


class CountsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: Day | None = Field(None, description="The day counted; today by default.")
    directive: Id | None = Field(None, description="Only this directive's obligations.")


# Bodies -----------------------------------------------------------------------------------

Figures = dict[
    Annotated[str, Field(max_length=40)],
    Annotated[
        list[Annotated[int, Field(ge=0, le=10**15)] | None], Field(min_length=2, max_length=2)
    ],
]


class StepBody(Model):
    """What a workflow step may carry: a reason (required to return or cancel), a
    report's text and figures (to submit), a progress (to report progress)."""

    reason: Annotated[str, Field(max_length=5000)] | None = None
    text: Annotated[str, Field(max_length=20000)] | None = None
    progress: Annotated[int, Field(ge=0, le=100)] | None = None
    figures: Figures | None = Field(
        None, description="{indicator code: [numerator, denominator or null]}."
    )


class SubmissionForm(Model):
    """A report with its evidence: the text fields of the multipart form."""

    text: Annotated[str, Field(min_length=1, max_length=20000)]
    figures: Annotated[str, Field(max_length=20000)] | None = Field(
        None, description='JSON: {"indicator code": [numerator, denominator or null]}.'
    )


# Responses --------------------------------------------------------------------------------


class Link(Out):
    next: str | None = Field(None, description="The next page, or null on the last.")


class AgencyRef(Out):
    id: int
    code: str
    name: str


class AgencyOut(Out):
    id: int
    code: str
    name: str
    short_name: str
    kind: AgencyKind
    parent_id: int | None


class AgencyPage(Out):
    items: list[AgencyOut]
    links: Link


class IndicatorOut(Out):
    id: int
    code: str
    name: str
    unit: str
    numerator_label: str
    denominator_label: str


class TaskOut(Out):
    id: int
    directive_id: int
    number: str
    title: str
    text: str
    due_date: date | None
    due_text: str
    recurrence_text: str
    report_to: AgencyRef | None
    evidence_required: bool
    indicators: list[IndicatorOut]


class CitationOut(Out):
    reference: str
    directive_id: int | None
    text: str


class DirectiveOut(Out):
    id: int
    reference: str = Field(description="Number/symbol, e.g. 1661/UBND-VX.")
    doc_type: DocType
    number: str
    symbol: str
    issuer: str
    issued_date: date | None
    subject: str
    status: DirectiveStatus
    closed_on: date | None


class DirectiveDetail(DirectiveOut):
    place: str
    recipients: list[str]
    signer_name: str
    signer_title: str
    tasks: list[TaskOut]
    citations: list[CitationOut]


class DirectivePage(Out):
    items: list[DirectiveOut]
    links: Link


class AssignmentOut(Out):
    id: int
    task_id: int
    directive_id: int
    agency: AgencyRef
    role: AssignmentRole
    status: AssignmentStatus
    due_date: date | None
    original_due_date: date | None
    progress: int
    completed_on: date | None
    cancelled_on: date | None
    instructions: str
    parent_id: int | None
    version: int = Field(description="Also the ETag; send it back as If-Match.")
    allowed_actions: list[Action] = Field(description="What the token's user may do now.")
    updated_at: datetime


class ObligationOut(Out):
    """One obligation: an assignment's own report, or one reporting period of it."""

    assignment_id: int
    period_id: int | None
    directive_id: int
    directive_title: str
    task_number: str
    task_title: str
    agency_code: str
    agency_name: str
    role: AssignmentRole
    status: AssignmentStatus
    period_status: PeriodStatus | None
    due_date: date | None
    outcome: Outcome
    progress: int


class ObligationPage(Out):
    items: list[ObligationOut]
    total: int = Field(description="How many match, counted up to a limit.")
    more_than_total: bool
    links: Link


class EvidenceOut(Out):
    id: int
    name: str
    size: int
    mime: str
    sha256: str
    uploaded_at: datetime


class SubmissionOut(Out):
    id: int
    assignment_id: int
    period_id: int | None
    submitted_at: datetime
    text: str
    figures: dict[str, list[int | None]]
    outcome: SubmissionOutcome
    evidence: list[EvidenceOut]


class SubmissionList(Out):
    items: list[SubmissionOut]


class CountsOut(Out):
    """The four-way count of obligations, as the dashboards and reports count them."""

    as_of: date
    done_on_time: int
    done_late: int
    open_within: int
    open_overdue: int
    total: int
    on_time_rate: float | None = Field(description="Done on time / judged, in percent.")
    reports: int
    periods: int
    extended: int


# Extension requests -----------------------------------------------------------------------


class ExtensionBody(Model):
    """An agency asks for a later deadline, saying why."""

    proposed_date: Day = Field(description="The deadline asked for, after the current one.")
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class GrantBody(Model):
    """The office grants the date asked for, or another (later than the current one)."""

    granted_date: Day | None = Field(
        None, description="Another date; the one asked for by default."
    )
    reason: Annotated[str, Field(max_length=5000)] = ""


class DenyBody(Model):
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class ExtensionOut(Out):
    id: int
    assignment_id: int
    requested_at: datetime
    proposed_date: date
    reason: str
    status: ExtensionStatus
    decided_at: datetime | None
    granted_date: date | None
    decision_reason: str


class ExtensionList(Out):
    items: list[ExtensionOut]


# Indicators -------------------------------------------------------------------------------


class AsOfQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: Day | None = Field(None, description="The day read; today by default.")


class IndicatorValueOut(Out):
    """One agency's latest reported value, as of the day, with its rank."""

    agency_code: str
    agency_name: str
    numerator: int
    denominator: int | None = Field(description="Null where agencies report no denominator.")
    rate: float | None = Field(description="The agency's own rate in percent, if it has one.")
    score: float = Field(description="What agencies are ranked by: the rate, else the number.")
    rank: int
    gap: float | None = Field(description="Short of the target; 0 when met, null: no target.")
    change_in_week: float | None = Field(description="Gained since seven days before.")


class ProvinceValueOut(Out):
    """The province-wide value: the complete sum of reports, else the directive's stated
    figure, else the partial sum (reporting < owing)."""

    numerator: int | None
    denominator: int | None
    rate: float | None
    day: date | None
    stated: bool
    reporting: int
    owing: int


class IndicatorDetail(IndicatorOut):
    task_id: int
    directive_id: int
    kind: IndicatorKind
    target: float | None
    as_of: date
    province: ProvinceValueOut
    values: list[IndicatorValueOut]


# Agencies and sub-units -------------------------------------------------------------------


class AgencyDetail(AgencyOut):
    parent: AgencyRef | None
    subunits: list[AgencyRef]


class SubunitBody(Model):
    """A sub-unit under the agency: a code (2–32 letters without diacritics, digits, - and
    _), a name, and optionally a short name and a kind (by default a district's
    sub-units are communes, others' are OTHER)."""

    code: Annotated[str, Field(min_length=2, max_length=32)]
    name: Annotated[str, Field(min_length=1, max_length=255)]
    short_name: Annotated[str, Field(max_length=120)] = ""
    kind: AgencyKind | None = None


# Search -----------------------------------------------------------------------------------


class SearchQuery(BaseModel):
    """Every word must match (as a prefix, with or without diacritics)."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, Field(min_length=1, max_length=200)]
    kind: EntryKind | None = None
    agency: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="An agency's code."
    )
    status: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="A directive's status, or a report's decision."
    )
    day_from: Day | None = None
    day_to: Day | None = None


class SearchHitOut(Out):
    kind: EntryKind
    object_id: int
    directive_id: int | None
    assignment_id: int | None
    agency_code: str | None
    status: str
    day: date | None
    title: str
    excerpt: str
    directive_title: str | None


class SearchResults(Out):
    items: list[SearchHitOut] = Field(description="The best matches first, at most 50.")
    total: int = Field(description="How many match, counted up to 1,000.")
    more: bool = Field(description="More than `total` match: add words or a filter.")


# Directive import -------------------------------------------------------------------------


class ImportForm(Model):
    """Multipart form: a `file` part (.txt, .docx, .pdf, a scan as PDF, PNG, JPEG or
    TIFF), or the directive's full `text`."""

    text: Annotated[str, Field(max_length=200_000)] | None = None


class ConfirmBody(Model):
    """Confirm the draft as parsed; leave out some tasks by number, or add the new tasks
    to the directive with the same number and symbol already on file."""

    leave_out: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=200, description="Numbers of tasks not to create."
    )
    update_existing: bool = False


class ImportOut(Out):
    id: int
    status: ImportStatus = Field(
        description="parsing (OCR or the parser still at work: read it again), failed"
        " (`error` says why), open (the draft awaits confirmation), confirmed, discarded."
    )
    source_name: str
    created_at: datetime
    error: str | None
    pages_done: int | None = Field(description="Scans: pages read so far.")
    pages_total: int | None
    directive_id: int | None = Field(description="The directive made on confirmation.")
    draft: dict[str, Any] | None = Field(
        description="The parser's draft (header fields, tasks with their agencies and"
        " deadlines, citations), as `tracker parse` prints it; null until parsed."
    )
