"""Agencies and groups: creating, updating and resolving addressees."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency, AgencyGroup, AgencyKind
from tracker.audit import record_event


class AgencyError(ValueError):
    """A refused agency operation; the message is in the language in force when it is
    raised (a request's reader's, else Vietnamese)."""


def agency_by_code(session: Session, code: str) -> Agency | None:
    return session.scalar(sa.select(Agency).where(Agency.code == code.strip().upper()))


def office_agency(session: Session) -> Agency:
    """The provincial office (OFFICE_CODE), which compiles the leaders' reports."""
    from flask import current_app

    code = str(current_app.config["OFFICE_CODE"])
    office = agency_by_code(session, code)
    if office is None:
        raise LookupError(f"no agency {code} (OFFICE_CODE)")
    return office


def group_by_code(session: Session, code: str) -> AgencyGroup | None:
    return session.scalar(sa.select(AgencyGroup).where(AgencyGroup.code == code.strip().upper()))


def upsert_agency(
    session: Session,
    *,
    code: str,
    name: str,
    short_name: str,
    kind: str,
    parent: str = "",
    aliases: Iterable[str] = (),
    head_title: str = "",
    head_name: str = "",
    headcount: int | None = None,
    headcount_is_demo: bool = False,
    **identity: str,
) -> Agency:
    """Create the agency or bring it up to date with these fields (idempotent).

    `identity` holds how the agency prints itself in documents (IDENTITY_FIELDS): given
    to a new agency, and to an existing one only where it has none yet, so what an
    admin edited on the agency page survives reloading the seed data."""
    unknown = set(identity) - set(IDENTITY_FIELDS)
    if unknown:
        raise AgencyError(_("Trường không hợp lệ: %(fields)s.", fields=", ".join(sorted(unknown))))
    try:
        agency_kind = AgencyKind(kind)
    except ValueError:
        raise AgencyError(_("Loại cơ quan không hợp lệ: %(kind)r.", kind=kind)) from None
    parent_agency = None
    if parent:
        parent_agency = agency_by_code(session, parent)
        if parent_agency is None:
            raise AgencyError(
                _(
                    "Không có cơ quan cấp trên mã %(parent)r (khai báo trước %(code)s).",
                    parent=parent,
                    code=code,
                )
            )
    agency = agency_by_code(session, code)
    if agency is None:
        agency = Agency(code=code.strip().upper())
        session.add(agency)
    agency.name = name
    agency.short_name = short_name
    agency.kind = agency_kind
    agency.parent = parent_agency
    agency.aliases = list(aliases)
    agency.head_title = head_title
    agency.head_name = head_name
    agency.headcount = headcount
    agency.headcount_is_demo = headcount_is_demo
    for key, value in identity.items():
        if not getattr(agency, key, ""):
            setattr(agency, key, value)
    session.flush()
    return agency


#: How an agency prints itself in an ND30 header and signature (see Agency).
IDENTITY_FIELDS = (
    "header_parent",
    "header_name",
    "state_heading",
    "symbol_code",
    "place",
    "drafting_unit",
)


def upsert_group(
    session: Session,
    *,
    code: str,
    name: str,
    aliases: Iterable[str] = (),
    members: Iterable[str] = (),
) -> AgencyGroup:
    group = group_by_code(session, code)
    if group is None:
        group = AgencyGroup(code=code.strip().upper())
        session.add(group)
    group.name = name
    group.aliases = list(aliases)
    resolved = []
    for member in members:
        agency = agency_by_code(session, member)
        if agency is None:
            raise AgencyError(
                _("Nhóm %(code)s: không có cơ quan mã %(member)r.", code=code, member=member)
            )
        resolved.append(agency)
    group.members = resolved
    session.flush()
    return group


def expand_targets(targets: Iterable[Agency | AgencyGroup]) -> list[Agency]:
    """Agencies named directly or through groups, each once, in order."""
    seen: dict[int, Agency] = {}
    for target in targets:
        for agency in target.members if isinstance(target, AgencyGroup) else [target]:
            seen.setdefault(agency.id, agency)
    return list(seen.values())


def all_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(sa.select(Agency).order_by(Agency.id)))


def agency_names(session: Session) -> list[tuple[str, str]]:
    """(code, short name) of every agency, for a filter's choices: two columns, not
    the agencies themselves (a page with a thousand of them loaded them all)."""
    return [
        (code, name)
        for code, name in session.execute(
            sa.select(Agency.code, Agency.short_name).order_by(Agency.id)
        )
    ]


def all_groups(session: Session) -> list[AgencyGroup]:
    return list(session.scalars(sa.select(AgencyGroup).order_by(AgencyGroup.id)))


#: What an admin edits on the agency page: its ND30 identity and its head.
EDITABLE_FIELDS = (*IDENTITY_FIELDS, "head_title", "head_name")


def update_identity(session: Session, actor, agency: Agency, **fields: str) -> bool:
    """Set how the agency prints itself in documents and who heads it; one event with
    what changed. Returns whether anything changed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise AgencyError(_("Trường không hợp lệ: %(fields)s.", fields=", ".join(sorted(unknown))))
    before, after = {}, {}
    for key, value in fields.items():
        value = "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())
        if getattr(agency, key) != value:
            before[key], after[key] = getattr(agency, key), value
            setattr(agency, key, value)
    if not after:
        return False
    if "head_name" in after:
        agency.head_name_is_demo = False  # a name an admin entered is a real one
    session.flush()
    record_event(
        session,
        actor=actor,
        action="agency.identity",
        subject_type="agency",
        subject_id=agency.id,
        before=before,
        after=after,
    )
    return True
