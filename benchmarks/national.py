"""A national-size installation: about 1,000 agencies in a tree, 20,000 tasks, 100,000
assignments with their submissions, reporting periods, events and evidence, for
measuring every page at the size of a ministry or the Government Office.

    .venv/bin/python benchmarks/national.py --database-url sqlite:///PATH
        [--instance DIR] [--agencies 1000] [--tasks 20000] [--assignments 100000]
    .venv/bin/python benchmarks/national.py --database-url postgresql+psycopg://...

What it writes, and how:

- `tracker init --demo` first (the seed directives, the demo accounts with password
  `tracker-demo`, the demo activity), then more agencies through `upsert_agency` to
  make a national tree: the other provinces, each with its departments, districts and
  communes, and more communes where the total asks for them; one agency account each
  (its code in lower case), as the demo gives every agency.
- Directives and their tasks through the directive operations (created, numbered,
  confirmed, each step recorded), ten tasks each, issued over the last two years, a
  few of them recurring.
- Assignments, submissions, reviews and evidence rows by a bulk path that keeps every
  invariant the operations keep: the same rows, the same events (the same actions and
  snapshots, appended to the hash chain in order and anchored), each evidence row with
  its upload event and its stored file. Then the reporting periods through
  `generate_periods` and the search index through its rebuild. At the end `tracker
  audit verify`'s checks run on the result, and the counts are printed.

Deterministic for a given --seed. A PostgreSQL target must be an empty database; an
SQLite file must not exist yet. To reuse a build, copy it (`copy_installation`): the
SQLite file with its instance folder, or a PostgreSQL database by TEMPLATE.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker import clock, create_app, db
from tracker.agencies.models import Agency, AgencyKind
from tracker.agencies.operations import upsert_agency
from tracker.anchor import append as append_anchor
from tracker.assignments import tally
from tracker.assignments.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Submission,
    SubmissionOutcome,
)
from tracker.assignments.periods import generate_periods
from tracker.audit import GENESIS_HASH, Event, chain_hash
from tracker.auth.models import Role, User
from tracker.cli import main as cli_main
from tracker.demo import create_demo_users
from tracker.directives import operations
from tracker.directives.models import Directive, Task
from tracker.evidence.models import Evidence
from tracker.evidence.storage import EvidenceStore
from tracker.evidence.stores import evidence_store
from tracker.integrity import verify
from tracker.search.index import rebuild

PROVINCES = (
    "Hà Nội", "Thành phố Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "An Giang",
    "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng",
    "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa",
    "Kiên Giang", "Kon Tum", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La",
    "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang",
    "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)  # fmt: skip
#: (code suffix, name, short name) of the departments each province gets.
DEPARTMENTS = (
    ("SNV", "Sở Nội vụ", "Sở Nội vụ"),
    ("STC", "Sở Tài chính", "Sở Tài chính"),
    ("SYT", "Sở Y tế", "Sở Y tế"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
    ("STTTT", "Sở Thông tin và Truyền thông", "Sở TT&TT"),
)
DISTRICTS_PER_PROVINCE = 3
COMMUNES_PER_DISTRICT = 2
TASKS_PER_DIRECTIVE = 10
#: Share of tasks that ask for a monthly report as well.
RECURRING_SHARE = 0.01
#: Share of submissions that carry an evidence file.
EVIDENCE_SHARE = 0.3
#: Distinct evidence files the rows share (content-addressed store).
EVIDENCE_FILES = 20
BATCH = 5000


@dataclass
class Plan:
    agencies: int
    tasks: int
    assignments: int
    seed: int


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f} s] {message}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--instance",
        type=Path,
        help="instance folder (evidence, anchor); default: beside an SQLite file,"
        " benchmarks/.national/<database> for PostgreSQL",
    )
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = make_url(args.database_url)
    instance = args.instance or default_instance(args.database_url)
    if url.get_backend_name() == "sqlite" and url.database and Path(url.database).exists():
        print(f"{url.database} exists: give a new file.", file=sys.stderr)
        return 2
    plan = Plan(args.agencies, args.tasks, args.assignments, args.seed)
    return build(args.database_url, instance, plan)


def default_instance(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        database = Path(url.database)
        return database.with_name(database.stem + "-instance")
    return Path(__file__).with_name(".national") / str(url.database)


def build(database_url: str, instance: Path, plan: Plan) -> int:
    started = time.perf_counter()
    instance.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            # Cheap hashes for the thousand accounts; sign-in checks any parameters.
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8192,
            "ARGON2_PARALLELISM": 1,
            "MAIL_ENABLED": False,
        }
    )
    result = app.test_cli_runner().invoke(cli_main, ["init", "--demo"])
    if result.exit_code != 0:
        print(result.output, file=sys.stderr)
        return 1
    log("tracker init --demo", started)
    rng = random.Random(plan.seed)
    with app.app_context():
        session = db.session
        added = grow_agencies(session, plan.agencies)
        create_demo_users(session)
        session.commit()
        log(f"{added} agencies added, one account each", started)
        tasks = add_directives(session, rng, plan.tasks)
        session.commit()
        log(f"{plan.tasks // TASKS_PER_DIRECTIVE} directives, {len(tasks)} tasks", started)
        Writer(session, app.config, rng).write(tasks, plan.assignments)
        # The bulk rows bypass the flush that keeps the tallies: count them once.
        counted = tally.rebuild(session)
        session.commit()
        log(f"assignments, submissions, evidence and events ({counted} obligations)", started)
        periods = generate_periods(session)
        session.commit()
        log(f"{periods} reporting periods", started)
        entries = rebuild(session)
        session.commit()
        log(f"search index: {entries} entries", started)
        report = verify(session, Path(app.config["AUDIT_ANCHOR_FILE"]), evidence_store(app.config))
        problems = report.problems + tally.differences(session)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        log(f"audit verify: {report.event_count} events hold", started)
        db.refresh_statistics(session)  # as `tracker init` and the daily job do
        session.commit()
        print_counts(session)
    app.extensions["tracker.db"].engine.dispose()
    log(f"built in {instance} and {make_url(database_url).render_as_string()}", started)
    return 0


def grow_agencies(session, total: int) -> int:
    """Provinces with their departments, districts and communes until `total`."""
    existing = session.scalar(sa.select(sa.func.count(Agency.id))) or 0
    added = 0

    def add(**fields: Any) -> bool:
        nonlocal added
        if existing + added >= total:
            return False
        upsert_agency(session, **fields)
        added += 1
        return True

    round_ = 0
    while existing + added < total:
        for number, province in enumerate(PROVINCES, start=1):
            code = f"T{round_}{number:02d}" if round_ else f"T{number:02d}"
            label = province if not round_ else f"{province} ({round_ + 1})"
            if not add(
                code=code,
                name=f"Ủy ban nhân dân tỉnh {label}",
                short_name=f"UBND tỉnh {label}",
                kind=AgencyKind.PROVINCE.value,
            ):
                return added
            for suffix, name, short in DEPARTMENTS:
                add(
                    code=f"{code}{suffix}",
                    name=f"{name} tỉnh {label}",
                    short_name=f"{short} {label}",
                    kind=AgencyKind.DEPARTMENT.value,
                    parent=code,
                )
            for district in range(1, DISTRICTS_PER_PROVINCE + 1):
                district_code = f"{code}H{district}"
                add(
                    code=district_code,
                    name=f"Ủy ban nhân dân huyện Số {district}, tỉnh {label}",
                    short_name=f"UBND huyện Số {district} ({label})",
                    kind=AgencyKind.DISTRICT.value,
                    parent=code,
                )
                for commune in range(1, COMMUNES_PER_DISTRICT + 1):
                    add(
                        code=f"{district_code}X{commune}",
                        name=f"Ủy ban nhân dân xã Số {commune}, huyện Số {district}",
                        short_name=f"UBND xã Số {commune} (H{district}, {label})",
                        kind=AgencyKind.COMMUNE.value,
                        parent=district_code,
                    )
        round_ += 1
    return added


def add_directives(session, rng: random.Random, tasks: int) -> list[Task]:
    """Directives of ten tasks each, issued over the last two years, confirmed."""
    today = clock.today()
    created: list[Task] = []
    for n in range(-(-tasks // TASKS_PER_DIRECTIVE)):
        issued = today - timedelta(days=rng.randrange(2, 730))
        with clock.frozen(issued):
            directive = operations.create_directive(
                session,
                None,
                doc_type=rng.choice(("cong_van", "ke_hoach", "thong_bao")),
                number=str(10_000 + n),
                symbol="UBND-QG",
                issuer="Ủy ban nhân dân tỉnh Lai Châu",
                issued_date=issued,
                subject=f"về triển khai nhiệm vụ trọng tâm số {n + 1} năm {issued.year}",
                body="Nội dung văn bản.",
            )
            for t in range(min(TASKS_PER_DIRECTIVE, tasks - len(created))):
                recurring = rng.random() < RECURRING_SHARE
                created.append(
                    operations.add_task(
                        session,
                        None,
                        directive,
                        number=str(t + 1),
                        title=f"Nhiệm vụ {t + 1} của văn bản {10_000 + n}",
                        text="Tổ chức thực hiện và báo cáo kết quả về Văn phòng.",
                        due_date=(
                            None
                            if rng.random() < 0.05
                            else issued + timedelta(days=rng.randrange(10, 90))
                        ),
                        recurrence="FREQ=MONTHLY;BYMONTHDAY=20;COUNT=6" if recurring else None,
                    )
                )
            operations.confirm_directive(session, None, directive)
        if n % 200 == 199:
            session.commit()
    return created


class Writer:
    """Assignments and what happened to them, written in bulk with their events."""

    def __init__(self, session, config, rng: random.Random) -> None:
        self.session = session
        self.rng = rng
        self.today = clock.today()
        self.store = EvidenceStore(Path(config["EVIDENCE_DIR"]))
        self.anchor = Path(config["AUDIT_ANCHOR_FILE"]) if config["AUDIT_ANCHOR_FILE"] else None
        self.agencies = session.execute(sa.select(Agency.id, Agency.code)).all()
        self.workers = dict(
            session.execute(
                sa.select(User.agency_id, User.id)
                .where(User.role == Role.AGENCY)
                .order_by(User.id.desc())
            ).all()
        )
        self.reviewer = session.scalar(sa.select(User.id).where(User.username == "vanphong"))
        self.files = [self._store_file(n) for n in range(EVIDENCE_FILES)]
        self.next_id = {
            table: (session.scalar(sa.select(sa.func.max(column))) or 0) + 1
            for table, column in (
                ("assignment", Assignment.id),
                ("submission", Submission.id),
                ("evidence", Evidence.id),
            )
        }
        self.rows: dict[str, list[dict]] = {"assignment": [], "submission": [], "evidence": []}
        #: (occurred_at, order, event fields) of every event, sorted before the chain.
        self.events: list[tuple[datetime, int, dict]] = []

    def _store_file(self, n: int) -> tuple[str, int]:
        """One small PDF in the evidence store: (sha256, size)."""
        body = b"%PDF-1.4\n% national benchmark evidence " + str(n).encode() + b"\n%%EOF\n"
        blob, _ = self.store.save_stream(io.BytesIO(body), max_bytes=len(body))
        return blob.sha256, blob.size

    def take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def event(self, at: datetime, actor: int | None, action: str, subject: int, **fields) -> None:
        self.events.append(
            (
                at,
                len(self.events),
                {
                    "occurred_at": at,
                    "actor_id": actor,
                    "action": action,
                    "subject_type": "assignment",
                    "subject_id": subject,
                    "comment": fields.pop("comment", ""),
                    "before": fields.pop("before", {}),
                    "after": fields.pop("after", {}),
                },
            )
        )

    def write(self, tasks: list[Task], total: int) -> None:
        per_task = max(1, total // len(tasks))
        extra = total - per_task * len(tasks)
        for index, task in enumerate(tasks):
            count = per_task + (1 if index < extra else 0)
            directive: Directive = task.directive
            chosen = self.rng.sample(self.agencies, min(count, len(self.agencies)))
            for position, (agency_id, code) in enumerate(chosen):
                role = (
                    AssignmentRole.LEAD
                    if position == 0
                    else AssignmentRole.INFORM
                    if position == count - 1 and count > 2
                    else AssignmentRole.COOPERATE
                )
                self.assignment(task, directive, agency_id, code, role)
        self.flush()
        self.append_events()

    def assignment(self, task: Task, directive: Directive, agency_id: int, code: str, role):
        issued = directive.issued_date
        assigned_at = clock.local_noon(issued + timedelta(days=1)) + timedelta(
            seconds=self.rng.randrange(3600)
        )
        deadline = None if role == AssignmentRole.INFORM else task.due_date
        aid = self.take("assignment")
        row = {
            "id": aid,
            "task_id": task.id,
            "agency_id": agency_id,
            "role": role,
            "status": AssignmentStatus.ASSIGNED,
            "due_date": deadline,
            "original_due_date": deadline,
            "progress": 0,
            "completed_on": None,
            "cancelled_on": None,
            "assigned_at": assigned_at,
            "assigned_by_id": None,
            "updated_at": assigned_at,
            "version": 1,
            "parent_id": None,
            "instructions": "",
        }
        self.event(
            assigned_at,
            None,
            "assignment.create",
            aid,
            after={
                "task": task.number,
                "agency": code,
                "role": role.value,
                "due_date": deadline.isoformat() if deadline else None,
                "status": "assigned",
            },
        )
        self.rows["assignment"].append(row)
        if role == AssignmentRole.INFORM:
            return
        self.play(row, assigned_at, deadline)
        if len(self.rows["assignment"]) >= BATCH:
            self.flush()

    def play(self, row: dict, assigned_at: datetime, deadline: date | None) -> None:
        """Take the assignment some way through the workflow, as its agency would."""
        worker = self.workers.get(row["agency_id"])
        horizon = deadline or (clock.local_date(assigned_at) + timedelta(days=60))
        past = horizon < self.today
        chance = self.rng.random()
        # Past the deadline: most done (mostly on time), some waiting, some overdue.
        steps = (
            ("accept" if chance < 0.7 else "submit" if chance < 0.8 else "start")
            if past
            else ("accept" if chance < 0.2 else "submit" if chance < 0.3 else
                  "start" if chance < 0.6 else None)
        )  # fmt: skip
        if steps is None or worker is None:
            return
        day = clock.local_date(assigned_at)
        span = max(1, (horizon - day).days)
        late = past and self.rng.random() < 0.2
        work_day = day + timedelta(days=self.rng.randrange(1, span + 1))
        if late:
            work_day = horizon + timedelta(days=self.rng.randrange(1, 20))
        work_day = min(work_day, self.today)
        # Never before the assignment itself (work assigned at noon today, or a deadline
        # set before the assignment day).
        at = max(clock.local_noon(work_day), assigned_at + timedelta(minutes=10))
        work_day = clock.local_date(at)
        aid = row["id"]
        row["status"] = AssignmentStatus.IN_PROGRESS
        row["version"] += 1
        self.event(at, worker, "assignment.start", aid, before=self.snap(row, "assigned"),
                   after=self.snap(row))  # fmt: skip
        if steps == "start":
            row["updated_at"] = at
            return
        submitted_at = at + timedelta(hours=1)
        submission = {
            "id": self.take("submission"),
            "assignment_id": aid,
            "submitted_at": submitted_at,
            "submitted_by_id": worker,
            "period_id": None,
            "text": "Đã triển khai thực hiện; kết quả như báo cáo kèm theo.",
            "figures": {},
            "outcome": SubmissionOutcome.PENDING,
            "reviewed_at": None,
            "reviewed_by_id": None,
            "review_comment": "",
        }
        if self.rng.random() < EVIDENCE_SHARE:
            sha256, size = self.rng.choice(self.files)
            evidence_id = self.take("evidence")
            self.rows["evidence"].append(
                {
                    "id": evidence_id,
                    "assignment_id": aid,
                    "submission_id": submission["id"],
                    "sha256": sha256,
                    "size": size,
                    "mime": "application/pdf",
                    "original_name": "bao-cao-ket-qua.pdf",
                    "uploaded_by_id": worker,
                    "uploaded_at": at + timedelta(minutes=30),
                }
            )
            self.event(
                at + timedelta(minutes=30),
                worker,
                "evidence.upload",
                aid,
                comment="bao-cao-ket-qua.pdf",
                after={"evidence_id": evidence_id, "sha256": sha256, "size": size,
                       "mime": "application/pdf"},
            )  # fmt: skip
        before = self.snap(row)
        row["status"] = AssignmentStatus.SUBMITTED
        row["progress"] = 100
        row["version"] += 1
        self.event(submitted_at, worker, "assignment.submit", aid, before=before,
                   after=self.snap(row))  # fmt: skip
        self.rows["submission"].append(submission)
        row["updated_at"] = submitted_at
        if steps == "submit":
            return
        reviewed_at = submitted_at + timedelta(hours=2)
        submission["outcome"] = SubmissionOutcome.ACCEPTED
        submission["reviewed_at"] = reviewed_at
        submission["reviewed_by_id"] = self.reviewer
        before = self.snap(row)
        row["status"] = AssignmentStatus.DONE
        row["completed_on"] = work_day
        row["version"] += 1
        row["updated_at"] = reviewed_at
        self.event(reviewed_at, self.reviewer, "assignment.accept", aid, before=before,
                   after=self.snap(row))  # fmt: skip

    @staticmethod
    def snap(row: dict, status: str | None = None) -> dict[str, Any]:
        return {
            "status": status or row["status"].value,
            "progress": row["progress"],
            "due_date": row["due_date"].isoformat() if row["due_date"] else None,
            "completed_on": row["completed_on"].isoformat() if row["completed_on"] else None,
        }

    def flush(self) -> None:
        """Write the rows gathered so far; events wait for the end (one chain, in time
        order)."""
        connection = self.session.connection()
        for table, model in (
            ("assignment", Assignment),
            ("submission", Submission),
            ("evidence", Evidence),
        ):
            if self.rows[table]:
                connection.execute(sa.insert(model.__table__), self.rows[table])
                self.rows[table] = []

    def append_events(self) -> None:
        connection = self.session.connection()
        head = connection.execute(
            sa.select(Event.id, Event.row_hash).order_by(Event.id.desc()).limit(1)
        ).first()
        next_id, prev_hash = (head.id + 1, head.row_hash) if head else (1, GENESIS_HASH)
        self.events.sort(key=lambda item: (item[0], item[1]))
        anchored: list[tuple[int, str]] = []
        for start in range(0, len(self.events), BATCH):
            batch = []
            for _at, _order, fields in self.events[start : start + BATCH]:
                event = Event(id=next_id, **fields)
                event.row_hash = chain_hash(prev_hash, event.payload())
                batch.append({**fields, "id": next_id, "prev_hash": prev_hash,
                              "row_hash": event.row_hash})  # fmt: skip
                anchored.append((next_id, event.row_hash))
                prev_hash = event.row_hash
                next_id += 1
            connection.execute(sa.insert(Event.__table__), batch)
        if self.anchor is not None:
            append_anchor(self.anchor, anchored)
        advance_sequences(self.session)


#: The tables the bulk path writes with ids of its own.
BULK_TABLES = ("assignment", "submission", "evidence", "event")


def advance_sequences(session) -> None:
    """PostgreSQL: move each bulk table's id sequence past the ids written, so the
    operations that come after (a token issued, a report sent) take new ones. SQLite
    takes the next rowid by itself."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in BULK_TABLES:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 (fixed names)
            f" (SELECT max(id) FROM {table}))"
        )


def print_counts(session) -> None:
    for label, model in (
        ("agencies", Agency),
        ("users", User),
        ("directives", Directive),
        ("tasks", Task),
        ("assignments", Assignment),
        ("submissions", Submission),
        ("evidence", Evidence),
        ("events", Event),
    ):
        print(f"  {label:12} {session.scalar(sa.select(sa.func.count()).select_from(model)):>9,}")


def copy_installation(source_url: str, source_instance: Path, target_url: str,
                      target_instance: Path) -> None:  # fmt: skip
    """A fresh copy of a built installation: SQLite's file, or a PostgreSQL database
    made from the built one as its template; the instance folder beside it."""
    source, target = make_url(source_url), make_url(target_url)
    if source.get_backend_name() == "sqlite":
        assert source.database and target.database
        shutil.copyfile(source.database, target.database)
    else:
        engine = sa.create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(
                sa.text(f'CREATE DATABASE "{target.database}" TEMPLATE "{source.database}"')
            )
        engine.dispose()
    shutil.copytree(source_instance, target_instance, dirs_exist_ok=True)


if __name__ == "__main__":
    sys.exit(main())
