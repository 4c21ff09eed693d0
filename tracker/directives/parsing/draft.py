"""The draft a parse produces, and its JSON form (the contract of `tracker parse`).

Top-level keys are exactly those of DESIGN.md section 5. Nested objects carry what the
parser found beyond the example (a cited document's issuer, a deadline's period or
time, whether an agency was inherited). Spans are offsets into the parsed text and
appear in the JSON only on request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]

DEADLINE_KINDS = ("by_date", "recurring", "period", "relative", "scheduled")
ROLES = ("lead", "cooperate")


@dataclass
class AgencyRef:
    #: The name as written in the text (or in the addressees, when inherited).
    name: str
    role: str = "lead"
    #: Code of the agency or group it resolved to; None when unresolved.
    code: str | None = None
    #: "agency", "group", or None when unresolved.
    kind: str | None = None
    #: Not named in the item: taken from where `inherited_from` says.
    inherited: bool = False
    span: Span | None = None
    #: "heading" (the item's actor-named parent heading), "lead_in" (the sentence before
    #: the items) or "addressees" (Kính gửi); None when named in the item.
    inherited_from: str | None = None

    def to_json(self) -> dict[str, Any]:
        found = {
            "name": self.name,
            "role": self.role,
            "code": self.code,
            "kind": self.kind,
            "inherited": self.inherited,
        }
        if self.inherited_from:
            found["inherited_from"] = self.inherited_from
        return found


@dataclass
class Deadline:
    kind: str
    text: str
    date: dt.date | None = None
    #: RRULE of a recurring report, e.g. FREQ=WEEKLY or FREQ=MONTHLY;BYMONTHDAY=20.
    rule: str | None = None
    #: First day of a period ("từ ngày ... đến ngày ...", "trong tháng 11/2020").
    start: dt.date | None = None
    #: Time of day, "HH:MM", when the text gives one.
    time: str | None = None
    #: Relative deadlines: so many (working) days from a reference.
    days: int | None = None
    working_days: bool | None = None
    reference: str | None = None
    span: Span | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.kind in ("by_date", "period", "scheduled") or self.date is not None:
            data["date"] = self.date.isoformat() if self.date else None
        if self.kind == "recurring":
            data["rule"] = self.rule
        if self.start is not None:
            data["start"] = self.start.isoformat()
        if self.time is not None:
            data["time"] = self.time
        if self.kind == "relative":
            data.update(days=self.days, working_days=self.working_days, reference=self.reference)
        return data


@dataclass
class TaskDraft:
    number: str
    text: str
    report_to: str | None = None
    agencies: list[AgencyRef] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    span: Span | None = None
    report_to_span: Span | None = None
    #: The number path as written, e.g. ("II", "1", "a").
    path: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "report_to": self.report_to,
            "agencies": [agency.to_json() for agency in self.agencies],
            "deadlines": [deadline.to_json() for deadline in self.deadlines],
        }


@dataclass
class CitedDraft:
    doc_type: str | None
    number: str | None
    symbol: str
    date: dt.date | None = None
    issuer: str | None = None
    text: str = ""
    span: Span | None = None

    @property
    def reference(self) -> str:
        return f"{self.number}/{self.symbol}" if self.number else self.symbol

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_type": self.doc_type,
            "number": self.number,
            "symbol": self.symbol,
            "date": self.date.isoformat() if self.date else None,
            "issuer": self.issuer,
        }


@dataclass
class SignerDraft:
    name: str | None = None
    title: str | None = None
    authority: str | None = None
    span: Span | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "authority": self.authority}


@dataclass
class Draft:
    text: str
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    issuer: str | None = None
    issuer_parent: str | None = None
    place: str | None = None
    issued_date: dt.date | None = None
    subject: str | None = None
    recipients: list[str] = field(default_factory=list)
    cited: list[CitedDraft] = field(default_factory=list)
    tasks: list[TaskDraft] = field(default_factory=list)
    signer: SignerDraft = field(default_factory=SignerDraft)
    distribution: list[str] = field(default_factory=list)
    #: Field name -> span in `text`.
    spans: dict[str, Span] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self, *, with_spans: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "doc_type": self.doc_type,
            "number": self.number,
            "symbol": self.symbol,
            "issuer": self.issuer,
            "place": self.place,
            "issued_date": self.issued_date.isoformat() if self.issued_date else None,
            "subject": self.subject,
            "recipients": list(self.recipients),
            "cited": [cited.to_json() for cited in self.cited],
            "tasks": [task.to_json() for task in self.tasks],
            "signer": self.signer.to_json(),
            "distribution": list(self.distribution),
        }
        if with_spans:
            data["spans"] = {name: list(span) for name, span in self.spans.items()}
            data["spans"]["tasks"] = [list(task.span) if task.span else None for task in self.tasks]
        return data
