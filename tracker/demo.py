"""Demo accounts and demo activity (invented, marked as such) for `tracker init --demo`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import clock
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import Assignment, AssignmentStatus, Period
from tracker.assignments.periods import end_rule, generate_periods
from tracker.assignments.workflow import Action, apply, apply_period
from tracker.auth import passwords
from tracker.auth.models import Role, User
from tracker.auth.operations import create_user
from tracker.directives.models import Task
from tracker.directives.operations import find_directive
from tracker.directives.seed import DATA_DIR, SeedError, read_toml
from tracker.evidence.operations import add_evidence

DEMO_PASSWORD = "tracker-demo"  # noqa: S105 (the documented demo password)
DEMO_MARK = "[Minh họa] "
#: (username, role, agency code, full name) of the staff demo accounts.
STAFF_ACCOUNTS = (
    ("admin", Role.ADMIN, "VPUBND", "Quản trị hệ thống (tài khoản minh họa)"),
    ("vanphong", Role.SECRETARIAT, "VPUBND", "Chuyên viên Văn phòng UBND tỉnh (minh họa)"),
    ("lanhdao", Role.LEADER, "UBND", "Lãnh đạo UBND tỉnh (tài khoản minh họa)"),
)


@dataclass
class DemoReport:
    users_created: int = 0
    reports_applied: int = 0


def create_demo_users(session: Session) -> int:
    """admin, vanphong, lanhdao and one agency user per agency (its code in lower case)."""
    existing = set(session.scalars(sa.select(User.username)))
    shared_hash = passwords.hash_password(DEMO_PASSWORD)
    created = 0
    accounts = [
        (name, role, agency_by_code(session, code), full)
        for name, role, code, full in STAFF_ACCOUNTS
    ]
    for agency in session.scalars(sa.select(Agency).order_by(Agency.id)):
        accounts.append(
            (
                agency.code.lower(),
                Role.AGENCY,
                agency,
                f"Cán bộ {agency.short_name} (tài khoản minh họa)",
            )
        )
    for username, role, home_agency, full_name in accounts:
        if username in existing:
            continue
        create_user(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            agency=home_agency,
            full_name=full_name,
            password_hash=shared_hash,
        )
        created += 1
    return created


def load_demo_activity(session: Session, data_dir: Path = DATA_DIR) -> int:
    """Play the demo reports through the workflow, each on its own date. Reports whose
    assignment has moved already are skipped, so loading twice changes nothing."""
    applied = 0
    for path in sorted((data_dir / "demo").glob("*-activity.toml")):
        data = read_toml(path)
        directive = find_directive(session, data["directive"])
        if directive is None:
            raise SeedError(f"{path}: directive {data['directive']} is not loaded")
        for ending in data.get("recurrence_end", []):
            _end_recurrence(session, path, directive, ending)
        for report in data.get("report", []):
            assignment = session.scalar(
                sa.select(Assignment)
                .join(Task)
                .join(Agency, Assignment.agency_id == Agency.id)
                .where(
                    Task.directive_id == directive.id,
                    Task.number == str(report["task"]),
                    Agency.code == report["agency"],
                )
            )
            if assignment is None:
                raise SeedError(
                    f"{path}: no assignment of task {report['task']} to {report['agency']}"
                )
            if assignment.status != AssignmentStatus.ASSIGNED:
                continue
            _play(session, assignment, report)
            applied += 1
    return applied


def _end_recurrence(session: Session, path: Path, directive, ending: dict) -> None:
    task = next((t for t in directive.tasks if t.number == str(ending["task"])), None)
    if task is None or task.recurrence is None:
        raise SeedError(f"{path}: task {ending['task']} has no recurring report to end")
    rule = end_rule(task.recurrence, ending["until"])
    if rule != task.recurrence:
        task.recurrence = rule
        session.flush()


def load_demo_heads(session: Session, data_dir: Path = DATA_DIR) -> int:
    """Invented heads' names (demo/heads.toml) for agencies that have none, marked as
    illustrative so that pages and drafts say so. Returns how many were filled."""
    heads = read_toml(data_dir / "demo" / "heads.toml").get("heads", {})
    filled = 0
    for code, name in heads.items():
        agency = agency_by_code(session, code)
        if agency is None:
            raise SeedError(f"demo/heads.toml: no agency {code}")
        if not agency.head_name:
            agency.head_name, agency.head_name_is_demo = name, True
            filled += 1
    session.flush()
    return filled


#: The demo's story ends here: its reporting periods are created up to this date.
DEMO_PERIODS_UNTIL = date(2020, 9, 20)


def load_demo(session: Session) -> tuple[int, int]:
    """The demo on top of the seed directives (loaded with `backdate`): accounts, heads'
    names and the reports played through the workflow. Returns the accounts and reports
    created; `tracker init --demo` adds the weekly periods (`load_demo_periods`)."""
    users = create_demo_users(session)
    load_demo_heads(session)
    return users, load_demo_activity(session)


def load_demo_periods(session: Session) -> int:
    """The weekly periods of task 4 of 1661 up to the end of the demo story, the first two
    reported and accepted, so the page shows periods with their own statuses."""
    created = generate_periods(session, DEMO_PERIODS_UNTIL)
    if not created:
        return 0
    worker, office = _user(session, "stttt"), _user(session, "vanphong")
    periods = session.scalars(
        sa.select(Period)
        .join(Assignment)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Agency.code == "STTTT")
        .order_by(Period.due_date)
    ).all()
    for period in periods[:2]:
        with clock.frozen(period.due_date):
            apply_period(
                period,
                Action.SUBMIT,
                worker,
                text=DEMO_MARK + "Đã đăng 28 tin, bài tuyên truyền phòng, chống dịch"
                " Covid-19 và cài đặt Bluezone trong tuần.",
            )
            apply_period(period, Action.ACCEPT, office)
    return created


def _play(session: Session, assignment: Assignment, report: dict) -> None:
    worker = _user(session, assignment.agency.code.lower())
    outcome = report["outcome"]
    if outcome == "in_progress":
        with clock.frozen(_start_day(assignment)):
            apply(assignment, Action.REPORT_PROGRESS, worker, progress=report.get("progress", 50))
        return
    submitted: date = report["submitted"]
    with clock.frozen(submitted):
        if assignment.task.evidence_required:
            add_evidence(
                session,
                worker,
                assignment,
                io.BytesIO(_evidence_text(assignment, report)),
                f"bao-cao-{assignment.agency.code.lower()}.txt",
            )
        # A value without a denominator (a count, a fixed denominator) is [numerator].
        figures = {code: [*value, None][:2] for code, value in report.get("figures", {}).items()}
        apply(assignment, Action.SUBMIT, worker, text=DEMO_MARK + report["text"], figures=figures)
    if outcome == "submitted":
        return
    reviewer = _reviewer(session, assignment)
    with clock.frozen(report["reviewed"]):
        if outcome == "accepted":
            apply(assignment, Action.ACCEPT, reviewer)
        elif outcome == "returned":
            apply(assignment, Action.RETURN, reviewer, reason=DEMO_MARK + report["return_reason"])
        else:
            raise SeedError(f"unknown demo outcome {outcome!r}")


def _reviewer(session: Session, assignment: Assignment) -> User:
    report_to = assignment.task.report_to
    if report_to is not None:
        user = session.scalar(sa.select(User).where(User.username == report_to.code.lower()))
        if user is not None and assignment.is_reviewer(user):
            return user
    return _user(session, "vanphong")


def _user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise SeedError(f"demo account {username!r} is missing")
    return user


def _start_day(assignment: Assignment) -> date:
    return clock.local_date(assignment.assigned_at) + timedelta(days=2)


def _evidence_text(assignment: Assignment, report: dict) -> bytes:
    lines = [
        "TÀI LIỆU MINH HỌA (dữ liệu không có thật)",
        f"{assignment.agency.name}",
        f"Báo cáo nhiệm vụ {assignment.task.number}: {assignment.task.title}",
    ]
    for code, value in report.get("figures", {}).items():
        lines.append(f"{code}: {'/'.join(str(number) for number in value)}")
    return ("\n".join(lines) + "\n").encode("utf-8")
