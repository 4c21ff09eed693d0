"""Adding sub-units (đơn vị trực thuộc) under an agency: one at a time (a page, the
CLI) or many from a CSV file, which is taken whole or not at all."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency, AgencyKind
from tracker.agencies.operations import AgencyError, agency_by_code
from tracker.audit import record_event
from tracker.auth.models import User

#: An agency code: letters, digits, "-" and "_", as users type it in upper case.
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
#: The columns of a sub-unit CSV file (kind and short_name may be empty).
CSV_COLUMNS = ("parent", "code", "name", "short_name", "kind")
#: At most this many rows in one CSV file.
CSV_ROWS = 2000


def default_kind(parent: Agency) -> AgencyKind:
    """A district's sub-units are communes; other agencies' are divisions, public units
    or schools (OTHER)."""
    return AgencyKind.COMMUNE if parent.kind == AgencyKind.DISTRICT else AgencyKind.OTHER


def add_subunit(
    session: Session,
    actor: User | None,
    *,
    parent: str,
    code: str,
    name: str,
    short_name: str = "",
    kind: str = "",
) -> Agency:
    """Create the agency `code` under the agency `parent` (flushed, not committed)."""
    above = agency_by_code(session, parent or "")
    if above is None:
        raise AgencyError(_("Không có cơ quan, đơn vị mã %(code)r.", code=parent))
    code = (code or "").strip().upper()
    if not CODE.match(code):
        raise AgencyError(
            _(
                "Mã đơn vị %(code)r không hợp lệ: 2–32 ký tự gồm chữ không dấu, số, “-” và “_”.",
                code=code,
            )
        )
    if agency_by_code(session, code) is not None:
        raise AgencyError(_("Đã có cơ quan, đơn vị mã %(code)s.", code=code))
    name = " ".join((name or "").split())
    short_name = " ".join((short_name or "").split()) or name
    if not name or len(name) > 255 or len(short_name) > 120:
        raise AgencyError(_("Tên đơn vị phải có, tối đa 255 ký tự (tên ngắn tối đa 120 ký tự)."))
    try:
        agency_kind = AgencyKind(kind) if kind else default_kind(above)
    except ValueError:
        raise AgencyError(_("Loại cơ quan không hợp lệ: %(kind)r.", kind=kind)) from None
    agency = Agency(
        code=code,
        name=name,
        short_name=short_name,
        kind=agency_kind,
        parent=above,
        aliases=[name],
    )
    session.add(agency)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="agency.create",
        subject_type="agency",
        subject_id=agency.id,
        after={"code": code, "name": name, "parent": above.code, "kind": agency_kind.value},
    )
    return agency


@dataclass(frozen=True)
class ImportResult:
    created: list[Agency]


def import_subunits(session: Session, actor: User | None, data: bytes) -> ImportResult:
    """Sub-units from a UTF-8 CSV with the header CSV_COLUMNS; a row may name as its
    parent a unit an earlier row adds. Every unit, or every error by line (a refused row
    writes nothing; the caller rolls back the rows before it on AgencyError)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AgencyError(_("Tệp CSV phải mã hóa UTF-8.")) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        column for column in ("parent", "code", "name") if column not in (reader.fieldnames or [])
    ]
    if missing:
        raise AgencyError(
            _(
                "Tệp CSV thiếu cột: %(columns)s (cần: %(expected)s).",
                columns=", ".join(missing),
                expected=", ".join(CSV_COLUMNS),
            )
        )
    created: list[Agency] = []
    errors: list[str] = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > CSV_ROWS:
            raise AgencyError(_("Tệp CSV có quá %(count)s dòng.", count=CSV_ROWS))
        try:
            created.append(
                add_subunit(
                    session,
                    actor,
                    parent=(row.get("parent") or "").strip(),
                    code=row.get("code") or "",
                    name=row.get("name") or "",
                    short_name=row.get("short_name") or "",
                    kind=(row.get("kind") or "").strip(),
                )
            )
        except AgencyError as error:
            errors.append(_("Dòng %(line)s: %(error)s", line=line, error=error))
    if errors:
        raise AgencyError(" ".join(errors[:20]))
    if not created:
        raise AgencyError(_("Tệp CSV không có dòng nào."))
    return ImportResult(created)


def sub_units(session: Session, agency: Agency) -> list[Agency]:
    """The agency's direct sub-units, by name."""
    return list(
        session.scalars(
            sa.select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.name)
        )
    )
