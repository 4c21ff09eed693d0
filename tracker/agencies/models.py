"""Agency and AgencyGroup."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, enum_type


class AgencyKind(StrEnum):
    PROVINCE = "province"  # UBND tỉnh
    OFFICE = "office"  # Văn phòng UBND
    DEPARTMENT = "department"  # sở, ban, ngành
    DISTRICT = "district"  # UBND huyện, thành phố
    COMMUNE = "commune"  # UBND xã, phường, thị trấn
    MASS_ORG = "mass_org"  # đoàn thể chính trị - xã hội
    FRONT = "front"  # Ủy ban MTTQ
    OTHER = "other"


agency_group_member = sa.Table(
    "agency_group_member",
    Base.metadata,
    sa.Column("group_id", sa.ForeignKey("agency_group.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short ASCII code, e.g. STTTT; agency users' demo logins are this in lower case.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    short_name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[AgencyKind] = mapped_column(enum_type(AgencyKind))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    #: Names a document may use for this agency (for the directive parser).
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Title of the head as written in a signature block, e.g. GIÁM ĐỐC.
    head_title: Mapped[str] = mapped_column(sa.String(120), default="")
    head_name: Mapped[str] = mapped_column(sa.String(120), default="")
    #: The head's name is an invented demonstration name, not the office holder's.
    head_name_is_demo: Mapped[bool] = mapped_column(default=False)
    # How the agency prints itself in the ND30 header of the documents it issues. Each
    # text may hold author-chosen line breaks ("SỞ THÔNG TIN\nVÀ TRUYỀN THÔNG").
    #: The parent body (cơ quan chủ quản) above the name; empty when there is none.
    header_parent: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The issuing body as printed; empty: the name in capitals.
    header_name: Mapped[str] = mapped_column(sa.String(255), default="")
    #: What stands instead of the national title and motto, for bodies whose own rules
    #: say so (e.g. "ĐOÀN TNCS HỒ CHÍ MINH"); empty: the national title and motto.
    state_heading: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The body's abbreviation in document symbols, e.g. STTTT in "BC-STTTT"; empty: the code.
    symbol_code: Mapped[str] = mapped_column(sa.String(40), default="")
    #: The place of the date line, e.g. "Tam Đường"; empty: the province's.
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    #: The drafting unit of "Lưu: VT, <unit>." and of a công văn's symbol, e.g. "VP".
    drafting_unit: Mapped[str] = mapped_column(sa.String(40), default="")
    #: Number of staff, the denominator of per-agency rates.
    headcount: Mapped[int | None]
    #: The headcount is an invented demonstration figure, not an official one.
    headcount_is_demo: Mapped[bool] = mapped_column(default=False)
    #: Secret of the agency's private calendar feed URL; None when no feed is issued.
    feed_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")

    __table_args__ = (
        sa.CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount_not_negative"),
    )

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class AgencyGroup(Base):
    """A named set of agencies used in addressing, e.g. 'UBND các huyện, thành phố'."""

    __tablename__ = "agency_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    members: Mapped[list[Agency]] = relationship(
        secondary=agency_group_member, order_by="Agency.id"
    )

    def __repr__(self) -> str:
        return f"<AgencyGroup {self.code}>"
