"""Directive, Citation, Task and Indicator."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.agencies.models import Agency
from tracker.db import Base, enum_type
from tracker.directives.doctypes import DocType
from tracker.i18n import N_


class DeadlineReference(StrEnum):
    ISSUED = "issued"  # kể từ ngày ban hành văn bản
    ASSIGNED = "assigned"  # kể từ ngày nhận được (ngày giao nhiệm vụ)


class DirectiveStatus(StrEnum):
    DRAFT = "draft"  # entered or imported, not yet confirmed by the office
    ACTIVE = "active"
    CLOSED = "closed"
    SUPERSEDED = "superseded"


STATUS_NAMES = {
    DirectiveStatus.DRAFT: N_("Dự thảo"),
    DirectiveStatus.ACTIVE: N_("Đang thực hiện"),
    DirectiveStatus.CLOSED: N_("Đã kết thúc"),
    DirectiveStatus.SUPERSEDED: N_("Đã được thay thế"),
}


class Directive(Base):
    __tablename__ = "directive"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[DocType] = mapped_column(enum_type(DocType))
    #: The register number as written, e.g. "1661"; empty while a draft has none.
    number: Mapped[str] = mapped_column(sa.String(20))
    #: e.g. "UBND-VX", "TB-UBND".
    symbol: Mapped[str] = mapped_column(sa.String(60))
    issuer: Mapped[str] = mapped_column(sa.String(255))
    #: The issuer's parent body (cơ quan chủ quản), if the header names one.
    issuer_parent: Mapped[str] = mapped_column(sa.String(255), default="")
    issuer_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    issued_date: Mapped[date | None]
    #: Trích yếu, without the "V/v".
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    recipients: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The full text as issued; None while the text is not on file.
    body: Mapped[str | None] = mapped_column(sa.Text)
    #: What other directives say of this one when its own text is not on file.
    known_from: Mapped[str] = mapped_column(sa.Text, default="")
    signer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_title: Mapped[str] = mapped_column(sa.String(120), default="")
    #: TM., KT., Q., TL. or TUQ.; empty when the head signs in person.
    signer_authority: Mapped[str] = mapped_column(sa.String(10), default="")
    #: Nơi nhận items, as written.
    distribution: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    source_file: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[DirectiveStatus] = mapped_column(
        enum_type(DirectiveStatus), default=DirectiveStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The day the directive was closed or superseded; its open obligations end then.
    closed_on: Mapped[date | None]
    #: Why it was closed (done, with a note) or which directive superseded it.
    closing_note: Mapped[str] = mapped_column(sa.Text, default="")
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id"), index=True)

    issuer_agency: Mapped[Agency | None] = relationship()
    superseded_by: Mapped[Directive | None] = relationship(remote_side=[id])
    tasks: Mapped[list[Task]] = relationship(
        back_populates="directive", order_by="Task.position", cascade="all, delete-orphan"
    )
    citations: Mapped[list[Citation]] = relationship(
        foreign_keys="Citation.citing_id",
        back_populates="citing",
        order_by="Citation.position",
        cascade="all, delete-orphan",
    )
    cited_by: Mapped[list[Citation]] = relationship(
        foreign_keys="Citation.cited_id", back_populates="cited", viewonly=True
    )

    __table_args__ = (
        sa.UniqueConstraint("number", "symbol", "issued_date"),
        sa.CheckConstraint(
            "status = 'draft' OR number <> ''", name="confirmed_directive_has_number"
        ),
        sa.CheckConstraint(
            "(status IN ('closed', 'superseded')) = (closed_on IS NOT NULL)",
            name="closed_exactly_when_ended",
        ),
        sa.CheckConstraint(
            "(status = 'superseded') = (superseded_by_id IS NOT NULL)",
            name="superseded_names_successor",
        ),
    )

    @property
    def reference(self) -> str:
        """Number and symbol as cited, e.g. '1661/UBND-VX'."""
        return reference_of(self.number, self.symbol)

    @property
    def is_draft(self) -> bool:
        return self.status == DirectiveStatus.DRAFT

    @property
    def is_active(self) -> bool:
        """Confirmed and not closed: work may be assigned and reported on it."""
        return self.status == DirectiveStatus.ACTIVE

    @property
    def is_closed(self) -> bool:
        return self.status in (DirectiveStatus.CLOSED, DirectiveStatus.SUPERSEDED)

    @property
    def has_text(self) -> bool:
        return self.body is not None

    @property
    def title(self) -> str:
        """e.g. 'Công văn 1661/UBND-VX'."""
        return title_of(self.doc_type, self.number, self.symbol)

    def __repr__(self) -> str:
        return f"<Directive {self.reference}>"


def reference_of(number: str, symbol: str) -> str:
    """A directive's reference from its columns (for queries that select columns)."""
    return f"{number}/{symbol}" if number else symbol


def title_of(doc_type: DocType, number: str, symbol: str) -> str:
    """A directive's title from its columns, e.g. 'Công văn 1661/UBND-VX'."""
    return f"{DocType(doc_type).label} {reference_of(number, symbol)}"


class Citation(Base):
    """One directive citing another (văn bản được viện dẫn)."""

    __tablename__ = "citation"

    id: Mapped[int] = mapped_column(primary_key=True)
    citing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True
    )
    cited_id: Mapped[int] = mapped_column(sa.ForeignKey("directive.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: The citation as written, e.g. "Công văn số 197/CV-BCĐ ngày 26/7/2020".
    text: Mapped[str] = mapped_column(sa.Text, default="")

    citing: Mapped[Directive] = relationship(foreign_keys=[citing_id], back_populates="citations")
    cited: Mapped[Directive] = relationship(foreign_keys=[cited_id], back_populates="cited_by")

    __table_args__ = (
        sa.UniqueConstraint("citing_id", "cited_id"),
        sa.CheckConstraint("citing_id <> cited_id", name="not_self"),
    )


class Task(Base):
    """A numbered task of a directive (nhiệm vụ)."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(
        sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: The number as written in the directive: "2", "2.a", "II.1".
    number: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(255))
    text: Mapped[str] = mapped_column(sa.Text)
    #: The agency results are reported to; it reviews the submissions too.
    report_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    #: One-off deadline (hạn báo cáo), and the words of the text that give it.
    due_date: Mapped[date | None]
    due_text: Mapped[str] = mapped_column(sa.String(255), default="")
    #: RRULE of a recurring report, e.g. FREQ=WEEKLY, and the words that give it.
    recurrence: Mapped[str | None] = mapped_column(sa.String(255))
    recurrence_text: Mapped[str] = mapped_column(sa.String(255), default="")
    #: A relative deadline: so many days (or working days) after the assignment date.
    due_in_days: Mapped[int | None]
    due_in_working_days: Mapped[bool] = mapped_column(default=False)
    #: What a relative deadline counts from: the directive's issue date, or the day the
    #: agency receives the work (its assignment).
    due_from: Mapped[DeadlineReference] = mapped_column(
        enum_type(DeadlineReference), default=DeadlineReference.ASSIGNED
    )
    evidence_required: Mapped[bool] = mapped_column(default=False)
    #: "Đề nghị": addressed to bodies the issuer does not direct (the Front, mass organisations).
    is_request: Mapped[bool] = mapped_column(default=False)
    #: Character offsets of the task in the directive's body, when known.
    source_start: Mapped[int | None]
    source_end: Mapped[int | None]

    directive: Mapped[Directive] = relationship(back_populates="tasks")
    report_to: Mapped[Agency | None] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="task", order_by="Indicator.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("directive_id", "number"),
        sa.CheckConstraint(
            "source_start IS NULL OR source_end >= source_start", name="span_ordered"
        ),
        sa.CheckConstraint("due_in_days IS NULL OR due_in_days > 0", name="relative_positive"),
    )

    @property
    def has_deadline(self) -> bool:
        return (
            self.due_date is not None or self.recurrence is not None or self.due_in_days is not None
        )

    def __repr__(self) -> str:
        return f"<Task {self.number} of directive {self.directive_id}>"


class IndicatorKind(StrEnum):
    COUNT = "count"  # one number: posts published, communes visited
    RATIO = "ratio"  # a numerator over a denominator: staff installed / staff


INDICATOR_KIND_NAMES = {
    IndicatorKind.COUNT: N_("Số lượng"),
    IndicatorKind.RATIO: N_("Tỷ lệ (tử số / mẫu số)"),
}


class Indicator(Base):
    """A measurable target of a task (chỉ tiêu).

    A count is one number per agency, summed over agencies. A ratio is a numerator over
    a denominator: either each agency reports both (staff installed / staff), or the
    denominator is one fixed figure for the whole province, stated with its source
    (installs / population), and agencies report the numerator only. The target is a
    percentage for a ratio and a number for a count.

    A figure stated by the directive itself (the letter's "about 33,000 installs") is
    the baseline: the province-wide value on its date, with its source."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[IndicatorKind] = mapped_column(
        enum_type(IndicatorKind), default=IndicatorKind.RATIO
    )
    #: What is counted (the numerator of a ratio): "người", "lượt cài đặt", "tin, bài".
    unit: Mapped[str] = mapped_column(sa.String(60), default="")
    numerator_label: Mapped[str] = mapped_column(sa.String(120))
    #: Empty for a count.
    denominator_label: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Percent for a ratio, a number for a count; None: no target.
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    #: A numerator may exceed its denominator (more installs than residents counted).
    allow_over: Mapped[bool] = mapped_column(default=False)
    #: The one denominator of the whole province, and where the figure comes from.
    denominator_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    denominator_source: Mapped[str] = mapped_column(sa.String(500), default="")
    baseline_numerator: Mapped[int | None] = mapped_column(sa.BigInteger)
    baseline_date: Mapped[date | None]
    baseline_source: Mapped[str] = mapped_column(sa.String(500), default="")

    task: Mapped[Task] = relationship(back_populates="indicators")

    __table_args__ = (
        sa.UniqueConstraint("task_id", "code"),
        sa.CheckConstraint("target IS NULL OR target >= 0", name="target_not_negative"),
        sa.CheckConstraint(
            "denominator_value IS NULL OR (denominator_value > 0 AND kind = 'ratio')",
            name="fixed_denominator_of_a_ratio",
        ),
        sa.CheckConstraint(
            "(baseline_numerator IS NULL) = (baseline_date IS NULL)"
            " AND (baseline_numerator IS NULL OR baseline_numerator >= 0)",
            name="baseline_dated",
        ),
    )

    @property
    def is_ratio(self) -> bool:
        return self.kind == IndicatorKind.RATIO

    @property
    def agencies_report_denominator(self) -> bool:
        """Each agency reports its own denominator (so each has its own rate)."""
        return self.is_ratio and self.denominator_value is None

    def check(self, numerator: object, denominator: object) -> str | None:
        """Why (numerator, denominator) is no value of this indicator, in the user's
        words; None if it is one. The denominator is None unless agencies report it."""
        numbers = [numerator, denominator] if self.agencies_report_denominator else [numerator]
        if any(number is None for number in numbers):
            return _("Chưa nhập đủ số liệu cho chỉ tiêu “%(name)s”.", name=self.name)
        if not all(type(number) is int and number >= 0 for number in numbers):
            return _("Số liệu của chỉ tiêu “%(name)s” phải là số nguyên không âm.", name=self.name)
        if not self.agencies_report_denominator and denominator is not None:
            return _("Chỉ tiêu “%(name)s” không nhận mẫu số.", name=self.name)
        if not self.agencies_report_denominator:
            return None
        assert isinstance(numerator, int) and isinstance(denominator, int)
        if denominator == 0:
            return _(
                "Chỉ tiêu “%(name)s”: %(denominator)s phải lớn hơn 0.",
                name=self.name,
                denominator=self.denominator_label.lower(),
            )
        if numerator > denominator and not self.allow_over:
            return _(
                "Chỉ tiêu “%(name)s”: %(numerator)s phải nhỏ hơn hoặc bằng %(denominator)s.",
                name=self.name,
                numerator=self.numerator_label.lower(),
                denominator=self.denominator_label.lower(),
            )
        return None

    def rate(self, numerator: int, denominator: int | None) -> float | None:
        """The value in percent of a ratio (None for a count, or without a denominator)."""
        if not self.is_ratio:
            return None
        denominator = self.denominator_value or denominator
        return 100.0 * numerator / denominator if denominator else None

    def score(self, numerator: int, denominator: int | None) -> float | None:
        """What agencies are ranked by: their own rate where they report a denominator,
        else their number."""
        if self.agencies_report_denominator:
            return self.rate(numerator, denominator)
        return float(numerator)

    @property
    def has_agency_target(self) -> bool:
        """Each agency has a target to fall short of: a count's, or a ratio's when the
        agency reports its own denominator (a fixed one belongs to the province)."""
        return self.target is not None and (self.agencies_report_denominator or not self.is_ratio)

    def gap(self, score: float | None) -> float | None:
        """How far an agency's score is short of its target (0 when met): percentage
        points of a rate, or a number; None without `has_agency_target` or a score."""
        if score is None or not self.has_agency_target:
            return None
        assert self.target is not None
        return max(0.0, float(self.target) - score)

    @property
    def baseline_rate(self) -> float | None:
        if self.baseline_numerator is None:
            return None
        return self.rate(self.baseline_numerator, None)


class ImportStatus(StrEnum):
    PARSING = "parsing"  # waiting for the job queue's parser
    FAILED = "failed"  # the parser refused the text or ran out of time; `error` says why
    OPEN = "open"  # parsed, waiting for review
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class ImportDraft(Base):
    """A parsed directive waiting for the office to check it (nhập văn bản)."""

    __tablename__ = "import_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The uploaded file's name, or empty for pasted text.
    source_name: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The text the parser read; the spans in `data` point into it.
    text: Mapped[str] = mapped_column(sa.Text)
    #: The parser's draft: its JSON contract with spans, plus the issuer's parent.
    data: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[ImportStatus] = mapped_column(enum_type(ImportStatus), default=ImportStatus.OPEN)
    #: Why parsing failed, in the user's words.
    error: Mapped[str] = mapped_column(sa.Text, default="")
    directive_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id"), index=True)
    #: A scan waiting for OCR: its file's name under IMPORTS_DIR; "" for a text.
    scan_file: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    #: The OCR's progress: pages read, of how many (None until it knows).
    pages_done: Mapped[int] = mapped_column(default=0, server_default="0")
    pages_total: Mapped[int | None]
    #: Per page read by OCR: {"number", "unsure": [[word, confidence], ...]}.
    ocr_pages: Mapped[list | None] = mapped_column(sa.JSON)

    directive: Mapped[Directive | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'confirmed') = (directive_id IS NOT NULL)", name="confirmed_has_directive"
        ),
    )
