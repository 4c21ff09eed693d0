"""Loading the data folder `directives/`: agencies, groups and directives as issued.

Everything goes through the same operations the interface uses, and loading twice
changes nothing: existing agencies are brought up to date, existing directives, tasks,
citations and assignments are left as they are."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tracker import clock
from tracker.agencies.models import Agency, AgencyGroup
from tracker.agencies.operations import agency_by_code, group_by_code, upsert_agency, upsert_group
from tracker.assignments.operations import assign_task
from tracker.directives import DATA_DIR, operations
from tracker.directives.indicators import IndicatorError, add_indicator
from tracker.directives.models import Directive, DirectiveStatus, Task
from tracker.directives.parsing.source import prepare

AGENCIES_FILE = "agencies.toml"
#: Folders of the data directory that hold no province's documents.
NOT_PROVINCES = {"demo"}


class SeedError(ValueError):
    """The data folder holds something wrong; the message names the file."""


@dataclass
class SeedReport:
    agencies: int = 0
    groups: int = 0
    directives_created: list[str] = field(default_factory=list)
    tasks_created: int = 0
    assignments_created: int = 0


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SeedError(f"{path}: {error}") from None


def province_dirs(data_dir: Path = DATA_DIR) -> list[Path]:
    return sorted(
        path
        for path in data_dir.iterdir()
        if path.is_dir() and path.name not in NOT_PROVINCES and (path / AGENCIES_FILE).exists()
    )


def load_all(session: Session, data_dir: Path = DATA_DIR, *, backdate: bool = False) -> SeedReport:
    """Load every province folder. With `backdate`, each directive's records are dated on
    its issue date (for the demo, so its story reads in order)."""
    report = SeedReport()
    for folder in province_dirs(data_dir):
        load_agencies(session, folder / AGENCIES_FILE, report)
        documents = [
            (path, read_toml(path))
            for path in sorted(folder.glob("*.toml"))
            if path.name != AGENCIES_FILE
        ]
        for path, document in documents:
            _ensure_directive(session, folder, path, document, report, backdate)
        for path, document in documents:
            _link_citations(session, path, document)
    return report


def load_agencies(session: Session, path: Path, report: SeedReport | None = None) -> None:
    data = read_toml(path)
    try:
        for entry in data.get("agency", []):
            upsert_agency(session, **{key: entry[key] for key in entry})
            if report:
                report.agencies += 1
        for entry in data.get("group", []):
            upsert_group(session, **entry)
            if report:
                report.groups += 1
    except (TypeError, KeyError, ValueError) as error:
        raise SeedError(f"{path}: {error}") from None


def _ensure_directive(
    session: Session,
    folder: Path,
    path: Path,
    document: dict[str, Any],
    report: SeedReport,
    backdate: bool,
) -> Directive:
    header = dict(document.get("directive") or {})
    if not header:
        raise SeedError(f"{path}: missing [directive] table")
    reference = f"{header.get('number')}/{header.get('symbol')}"
    directive = operations.find_directive(session, reference, header.get("issued_date"))
    with clock.frozen(header["issued_date"]) if backdate else nullcontext():
        if directive is None:
            directive = _create(session, folder, path, header, document)
            report.directives_created.append(reference)
        for position, spec in enumerate(document.get("task", []), start=1):
            report.tasks_created += _ensure_task(session, path, directive, spec, position)
        if directive.status == DirectiveStatus.DRAFT:
            operations.confirm_directive(session, None, directive)
        for spec in document.get("task", []):
            task = next(t for t in directive.tasks if t.number == str(spec["number"]))
            for target in spec.get("assign", []):
                result = assign_task(
                    session,
                    None,
                    task,
                    [_target(session, path, target["to"])],
                    role=target.get("role", "lead"),
                )
                report.assignments_created += len(result.created)
    return directive


def _create(
    session: Session, folder: Path, path: Path, header: dict[str, Any], document: dict[str, Any]
) -> Directive:
    body = None
    if document.get("text_file"):
        try:
            # As the parser reads a text: markdown emphasis blanked, length kept.
            body = prepare((folder / document["text_file"]).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise SeedError(f"{path}: text_file: {error}") from None
    issuer_code = header.pop("issuer_code", "")
    issuer_agency = agency_by_code(session, issuer_code) if issuer_code else None
    try:
        return operations.create_directive(
            session,
            None,
            body=body,
            issuer_agency=issuer_agency,
            source_file=f"{folder.name}/{document['text_file']}" if body is not None else None,
            **header,
        )
    except (TypeError, operations.DirectiveError) as error:
        raise SeedError(f"{path}: {error}") from None


def _ensure_task(
    session: Session, path: Path, directive: Directive, spec: dict[str, Any], position: int
) -> int:
    number = str(spec["number"])
    existing = next((task for task in directive.tasks if task.number == number), None)
    if existing is not None:
        _ensure_indicators(session, path, existing, spec.get("indicator", []))
        return 0
    report_to = None
    if spec.get("report_to"):
        report_to = agency_by_code(session, spec["report_to"])
        if report_to is None:
            raise SeedError(f"{path}: task {number}: unknown report_to {spec['report_to']!r}")
    span = find_span(directive.body, spec["text"]) if directive.body else None
    if directive.body and span is None:
        raise SeedError(f"{path}: task {number}: its text is not found in the directive's text")
    try:
        operations.add_task(
            session,
            None,
            directive,
            number=number,
            title=spec.get("title", ""),
            text=spec["text"],
            report_to=report_to,
            due_date=spec.get("due_date"),
            due_text=spec.get("due_text", ""),
            recurrence=spec.get("recurrence"),
            recurrence_text=spec.get("recurrence_text", ""),
            evidence_required=spec.get("evidence_required", False),
            is_request=spec.get("is_request", False),
            indicators=spec.get("indicator", []),
            source_span=span,
        )
    except (KeyError, operations.DirectiveError) as error:
        raise SeedError(f"{path}: task {number}: {error}") from None
    return 1


def _ensure_indicators(
    session: Session, path: Path, task: Task, specs: list[dict[str, Any]]
) -> None:
    """Indicators the data file defines that an earlier seed did not: added. One already
    there is left as it is (the office may have used it)."""
    known = {indicator.code for indicator in task.indicators}
    for spec in specs:
        if spec.get("code") in known:
            continue
        try:
            add_indicator(session, None, task, spec)
        except IndicatorError as error:
            raise SeedError(f"{path}: task {task.number}: {error}") from None


def _link_citations(session: Session, path: Path, document: dict[str, Any]) -> None:
    header = document["directive"]
    citing = operations.find_directive(
        session, f"{header['number']}/{header['symbol']}", header["issued_date"]
    )
    assert citing is not None  # every directive of the folder is loaded first
    for entry in document.get("citation", []):
        cited = operations.find_directive(session, entry["ref"])
        if cited is None:
            raise SeedError(f"{path}: cited directive {entry['ref']!r} is not in the folder")
        operations.cite(session, None, citing, cited, entry.get("text", ""))


def _target(session: Session, path: Path, code: str) -> Agency | AgencyGroup:
    target = group_by_code(session, code) or agency_by_code(session, code)
    if target is None:
        raise SeedError(f"{path}: unknown agency or group {code!r}")
    return target


def find_span(body: str, text: str) -> tuple[int, int] | None:
    """Where `text` stands in `body`, whatever the line breaks between its words."""
    words = unicodedata.normalize("NFC", text).split()
    if not words:
        return None
    match = re.search(
        r"\s+".join(re.escape(word) for word in words), unicodedata.normalize("NFC", body)
    )
    return (match.start(), match.end()) if match else None
