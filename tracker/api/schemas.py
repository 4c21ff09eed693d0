"""The API's request and response shapes. Dates are ISO 8601 (yyyy-mm-dd); times carry
their offset (Vietnam's, +07:00)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from tracker import clock
from tracker.agencies.models import AgencyKind
from tracker.assignments.deadlines import Outcome
from tracker.assignments.models import (
    AssignmentRole,
    AssignmentStatus,
    PeriodStatus,
    SubmissionOutcome,
)
from tracker.assignments.workflow import Action
from tracker.directives.models import DirectiveStatus, DocType

Id = Annotated[int, Field(ge=0, le=2**31 - 1)]


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

    model_config = ConfigDict(extra="ignore")

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
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool | None = Field(None, description="Only those past their deadline, open.")
    due_soon: bool | None = Field(None, description="Only those due within a few working days.")
    sort: Annotated[str, Field(max_length=20)] | None = Field(
        None,
        description="deadline (default), agency, directive, status or outcome; a leading"
        " '-' sorts descending.",
    )


class CountsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    as_of: date | None = Field(None, description="The day counted; today by default.")
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
