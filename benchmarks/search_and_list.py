"""Search, the list of obligations and the inbox at national scale, on SQLite and
PostgreSQL.

For each database it builds a throwaway installation (SQLite in a temporary folder; on
PostgreSQL a new database `bench_search_<pid>` on the server of --postgresql-url,
dropped at the end), initialised as `tracker init --demo` does (seed, demo accounts and
activity, weekly periods), then grows it: --agencies more agencies (communes, through
`upsert_agency`, indexed by the ORM), then directives, tasks, --assignments assignments
and the reports (submissions, with Vietnamese text) of the submitted, returned and done
ones, all bulk-inserted with SQLAlchemy Core within the models' check constraints, and
finally `tracker.search.index.rebuild` so that search_entry and search_fts hold
everything. The bulk rows have no audit events (`tracker audit verify` would flag them):
the database is only measured, then thrown away.

Each page is requested in-process through the Flask test client, signed in as the user
named, once to warm up (caches, the planner's statistics), once to count the SQL
statements (a before_cursor_execute listener), then --runs times; the time is that of
the whole WSGI call (routing, queries, template), server-side, without a network, with
the app's start-up objects frozen out of the garbage collector as the gunicorn workers
have them. It prints p50 and p95 in milliseconds and the statements per request, and the plan
(SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN) of the slowest statement of the main
search and list pages. The issue's target: p95 under 100 ms at 100,000 assignments.

    .venv/bin/python benchmarks/search_and_list.py [--assignments 100000]
        [--agencies 1000] [--runs 20] [--database sqlite|postgresql|both]
        [--postgresql-url URL] [--explain main|all|none] [--sqlite-file PATH]
        [--postgresql-database NAME]

PostgreSQL: --postgresql-url, BENCH_POSTGRESQL_URL or BENCH_DATABASE_URL (a server
where the user may create databases; default postgres@127.0.0.1:5432); with `both` it is
skipped with a message when it cannot be reached. About 2 minutes per database at the
default size; --assignments 20000 is a quick try.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker import clock, create_app, db
from tracker.agencies.models import Agency
from tracker.agencies.operations import upsert_agency
from tracker.assignments import listing
from tracker.assignments.models import Assignment, Submission
from tracker.auth.models import User
from tracker.demo import load_demo, load_demo_periods
from tracker.directives.models import Directive, Task
from tracker.directives.seed import load_all
from tracker.migrations.runner import upgrade
from tracker.search import index as search_index
from tracker.search.models import SearchEntry

#: The queries searched: a phrase, the most common words, a directive's number, a rare
#: word (in a few dozen reports only), a word found nowhere.
QUERIES = {
    "cai dat bluezone": "cai dat bluezone",
    "bao cao": "bao cao",
    "1661": "1661",
    "rare (thao qua)": "thảo quả",
    "nothing": "khongcogi",
}
#: The agency user of the agency pages: Sở TT&TT, which also reviews some tasks.
AGENCY_USER = "stttt"
OFFICE_USER = "vanphong"
#: How many pages deep the deep page is (following `after`).
DEEP_PAGES = 20
#: Assignments per task (one lead, the rest co-operating, a few for information).
AGENCIES_PER_TASK = 20

SUBJECTS = (
    "V/v triển khai cài đặt ứng dụng Bluezone phòng, chống dịch COVID-19",
    "V/v tăng cường công tác phòng, chống dịch bệnh trên địa bàn tỉnh",
    "V/v báo cáo kết quả thực hiện chuyển đổi số năm {year}",
    "V/v đẩy nhanh tiến độ giải ngân vốn đầu tư công",
    "V/v chủ động phòng, chống thiên tai, tìm kiếm cứu nạn mùa mưa lũ",
    "V/v cung cấp dịch vụ công trực tuyến toàn trình",
    "V/v tổng kết công tác năm và xây dựng kế hoạch năm {year}",
    "V/v bảo đảm an toàn thông tin mạng trong cơ quan nhà nước",
    "V/v thực hiện chương trình mục tiêu quốc gia giảm nghèo bền vững",
    "V/v tăng cường quản lý, bảo vệ rừng và phòng cháy, chữa cháy rừng",
    "V/v rà soát, cập nhật cơ sở dữ liệu dân cư phục vụ cấp căn cước",
    "V/v tổ chức các hoạt động kỷ niệm ngày thành lập tỉnh",
)
SYMBOLS = ("UBND-VX", "UBND-KT", "UBND-TH", "UBND-NC", "UBND-KTN", "VPUBND-TH")
DOC_TYPES = ("cong_van", "cong_van", "cong_van", "ke_hoach", "chi_thi", "thong_bao")
TASK_TITLES = (
    "Tổ chức triển khai thực hiện",
    "Tuyên truyền, phổ biến đến cán bộ, công chức, viên chức và Nhân dân",
    "Báo cáo kết quả thực hiện về UBND tỉnh",
    "Rà soát, tổng hợp số liệu và đề xuất giải pháp",
    "Hướng dẫn, đôn đốc, kiểm tra các đơn vị trực thuộc",
    "Bố trí kinh phí và nhân lực thực hiện",
)
REPORT_OPENINGS = (
    "Thực hiện {ref} của UBND tỉnh, đơn vị đã quán triệt đến toàn thể cán bộ, công chức.",
    "Triển khai {ref}, đơn vị đã xây dựng kế hoạch và phân công nhiệm vụ cụ thể.",
    "Căn cứ {ref}, đơn vị báo cáo kết quả thực hiện như sau.",
)
REPORT_SENTENCES = (
    "Đã cài đặt ứng dụng Bluezone cho {n} cán bộ, công chức, người lao động, đạt {r}%.",
    "Đã tổ chức {k} hội nghị tuyên truyền với {n} lượt người tham dự.",
    "Đăng tải {k} tin, bài trên cổng thông tin điện tử của đơn vị.",
    "Tỷ lệ hồ sơ giải quyết đúng hạn đạt {r}%, không có hồ sơ tồn đọng.",
    "Kinh phí thực hiện {n} triệu đồng từ nguồn ngân sách được giao.",
    "Còn khó khăn về hạ tầng mạng tại các bản vùng sâu, vùng xa.",
    "Đề nghị UBND tỉnh quan tâm hỗ trợ thiết bị và đào tạo nhân lực.",
    "Đã kiểm tra {k} đơn vị trực thuộc, chấn chỉnh kịp thời các tồn tại.",
    "Phối hợp với Sở Thông tin và Truyền thông hướng dẫn người dân sử dụng dịch vụ công.",
    "Giải ngân đạt {r}% kế hoạch vốn được giao, cao hơn cùng kỳ năm trước.",
)
#: The rare word: in about one report in 2,000.
RARE_SENTENCE = "Hỗ trợ {n} hộ trồng thảo quả dưới tán rừng tự nhiên."
RETURN_REASONS = (
    "Đề nghị bổ sung số liệu cụ thể và tài liệu minh chứng.",
    "Báo cáo chưa đúng mẫu, đề nghị hoàn thiện và gửi lại.",
)
COMMUNE_PARTS = (
    "Bản",
    "Nà",
    "Pa",
    "Mường",
    "Sơn",
    "Tà",
    "Phúc",
    "Khun",
    "Nậm",
    "Pắc",
    "Hua",
    "Thèn",
    "Tông",
    "Lả",
    "Giang",
    "Hồ",
    "Bum",
    "Ka",
)


def pages(deep_cursor: str) -> list[tuple[str, str, str]]:
    """(name, user, URL) of every page measured."""
    found = []
    for label, query in QUERIES.items():
        found.append((f"search {label}", OFFICE_USER, f"/search?q={query}"))
        found.append((f"search {label}", AGENCY_USER, f"/search?q={query}"))
    found += [
        ("list default", OFFICE_USER, "/assignments"),
        ("list STTTT overdue", OFFICE_USER, "/assignments?agency=STTTT&overdue=1&sort=deadline"),
        ("list sort=-agency", OFFICE_USER, "/assignments?sort=-agency"),
        (f"list page {DEEP_PAGES + 1}", OFFICE_USER, f"/assignments?after={deep_cursor}"),
        ("list default", AGENCY_USER, "/assignments"),
        ("list overdue", AGENCY_USER, "/assignments?overdue=1"),
        ("inbox", OFFICE_USER, "/inbox"),
        ("inbox", AGENCY_USER, "/inbox"),
    ]
    return found


#: The pages whose slowest statement's plan is printed with --explain main.
MAIN_PAGES = {
    ("search bao cao", OFFICE_USER),
    ("search bao cao", AGENCY_USER),
    ("list default", OFFICE_USER),
    ("list default", AGENCY_USER),
}


# Building ---------------------------------------------------------------------------------


def initialise(app) -> None:
    """What `tracker init --demo` does."""
    with app.app_context():
        with db.database().engine.begin() as connection:
            upgrade(connection)
        load_all(db.session, backdate=True)
        load_demo(db.session)
        load_demo_periods(db.session)
        db.session.commit()


def migrate(app) -> None:
    """A kept database brought to the head migration (new indexes) and analysed."""
    with app.app_context():
        engine = db.database().engine
        with engine.begin() as connection:
            upgrade(connection)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def add_agencies(app, count: int, rng: random.Random) -> None:
    """Communes under the districts, through the ordinary operation (indexed)."""
    with app.app_context():
        session = db.session
        districts = list(session.scalars(sa.select(Agency.code).where(Agency.kind == "district")))
        for n in range(count):
            name = f"{rng.choice(COMMUNE_PARTS)} {rng.choice(COMMUNE_PARTS)} {n + 1}"
            upsert_agency(
                session,
                code=f"XA{n + 1:04d}",
                name=f"Ủy ban nhân dân xã {name}",
                short_name=f"UBND xã {name}",
                kind="commune",
                parent=rng.choice(districts) if districts else "",
            )
        session.commit()


def _report_text(rng: random.Random, reference: str) -> str:
    sentences = [rng.choice(REPORT_OPENINGS).format(ref=reference)]
    for template in rng.sample(REPORT_SENTENCES, rng.randint(2, 4)):
        sentences.append(
            template.format(n=rng.randint(5, 900), r=rng.randint(60, 100), k=rng.randint(2, 40))
        )
    if rng.random() < 0.0005:
        sentences.append(RARE_SENTENCE.format(n=rng.randint(10, 300)))
    return " ".join(sentences)


def _insert(connection: sa.Connection, model: type, rows: list[dict]) -> None:
    table = cast(sa.Table, model.__table__)  # type: ignore[attr-defined]
    for start in range(0, len(rows), 5000):
        connection.execute(sa.insert(table), rows[start : start + 5000])


def add_work(app, assignments: int, rng: random.Random) -> dict[str, int]:
    """Directives, tasks, `assignments` assignments and their reports, with Core."""
    today = clock.today()
    tasks_needed = max(1, assignments // AGENCIES_PER_TASK)
    directives_needed = max(1, tasks_needed * 2 // 5)
    with app.app_context():
        session = db.session
        connection = session.connection()
        agencies = list(session.scalars(sa.select(Agency.id).order_by(Agency.id)))
        codes = {code: id_ for code, id_ in session.execute(sa.select(Agency.code, Agency.id))}
        users = {
            agency: user
            for agency, user in session.execute(
                sa.select(User.agency_id, User.id).where(User.role == "agency")
            )
        }
        office = session.scalar(sa.select(User.id).where(User.username == OFFICE_USER))
        first_day = today - timedelta(days=3 * 365)
        directive_rows, seen = [], set()
        for n in range(directives_needed):
            issued = first_day + timedelta(days=rng.randrange((today - first_day).days))
            while True:
                number, symbol = str(rng.randint(100, 4999)), rng.choice(SYMBOLS)
                if (number, symbol, issued) not in seen:
                    seen.add((number, symbol, issued))
                    break
            closed = rng.random() < 0.08 and issued < today - timedelta(days=200)
            directive_rows.append(
                {
                    "doc_type": rng.choice(DOC_TYPES),
                    "number": number,
                    "symbol": symbol,
                    "issuer": "Ủy ban nhân dân tỉnh Lai Châu",
                    "issued_date": issued,
                    "subject": rng.choice(SUBJECTS).format(year=issued.year),
                    "body": "Để triển khai có hiệu quả, Chủ tịch UBND tỉnh yêu cầu các cơ quan,"
                    " đơn vị thực hiện nghiêm các nội dung sau. (văn bản đo hiệu năng "
                    f"{n + 1})",
                    "status": "closed" if closed else "active",
                    "closed_on": issued + timedelta(days=180) if closed else None,
                    "closing_note": "Đã hoàn thành." if closed else "",
                    "created_at": clock.local_noon(issued),
                }
            )
        _insert(connection, Directive, directive_rows)
        directives = list(
            session.execute(
                sa.select(
                    Directive.id,
                    Directive.issued_date,
                    Directive.status,
                    Directive.closed_on,
                    Directive.doc_type,
                    Directive.number,
                    Directive.symbol,
                ).where(Directive.symbol.in_(SYMBOLS), Directive.body.like("%văn bản đo%"))
            )
        )
        task_rows = []
        per_directive = [1] * len(directives)
        for _ in range(tasks_needed - len(directives)):
            per_directive[rng.randrange(len(directives))] += 1
        for directive, count in zip(directives, per_directive, strict=True):
            for position in range(count):
                roll = rng.random()
                report_to = (
                    codes["STTTT"] if roll < 0.03 else codes["VPUBND"] if roll < 0.6 else None
                )
                task_rows.append(
                    {
                        "directive_id": directive.id,
                        "position": position,
                        "number": str(position + 1),
                        "title": rng.choice(TASK_TITLES),
                        "text": "Các sở, ban, ngành, UBND các huyện, thành phố theo chức năng,"
                        " nhiệm vụ được giao tổ chức thực hiện và báo cáo kết quả.",
                        "report_to_id": report_to,
                        "due_date": directive.issued_date + timedelta(days=rng.randint(10, 120)),
                    }
                )
        _insert(connection, Task, task_rows)
        by_directive = {d.id: d for d in directives}
        tasks = list(
            session.execute(
                sa.select(Task.id, Task.directive_id, Task.due_date).where(
                    Task.directive_id.in_(by_directive)
                )
            )
        )
        assignment_rows: list[dict[str, Any]] = []
        per_task = [assignments // len(tasks)] * len(tasks)
        for index in range(assignments - sum(per_task)):
            per_task[index] += 1
        weights = {
            "assigned": 0.2,
            "in_progress": 0.3,
            "submitted": 0.1,
            "returned": 0.05,
            "done": 0.3,
            "cancelled": 0.05,
        }
        statuses, status_weights = list(weights), list(weights.values())
        for task, count in zip(tasks, per_task, strict=True):
            directive = by_directive[task.directive_id]
            chosen = rng.sample(agencies, min(count, len(agencies)))
            # The provincial agencies have more work than communes: STTTT in 1 of 8 tasks.
            if rng.random() < 0.125 and codes["STTTT"] not in chosen:
                chosen[-1] = codes["STTTT"]
            for position, agency in enumerate(chosen):
                status = rng.choices(statuses, status_weights)[0]
                if directive.status == "closed" and status not in ("done", "cancelled"):
                    status = "cancelled"
                due = task.due_date
                original = None
                if rng.random() < 0.04:
                    original, due = due, due + timedelta(days=rng.randint(5, 30))
                if status in ("done", "cancelled") and due > today:
                    due = today - timedelta(days=rng.randint(1, 30))
                    original = None
                completed = cancelled = None
                if status == "done":
                    completed = min(due + timedelta(days=rng.randint(-10, 6)), today)
                if status == "cancelled":
                    cancelled = directive.closed_on or min(due, today)
                role = "lead" if position == 0 else "inform" if rng.random() < 0.05 else "cooperate"
                progress = {
                    "assigned": 0,
                    "in_progress": rng.randint(10, 90),
                    "submitted": 100,
                    "returned": rng.randint(50, 100),
                    "done": 100,
                    "cancelled": 0,
                }[status]
                assigned = clock.local_noon(directive.issued_date)
                assignment_rows.append(
                    {
                        "task_id": task.id,
                        "agency_id": agency,
                        "role": role,
                        "status": status,
                        "due_date": due,
                        "original_due_date": original,
                        "progress": progress,
                        "completed_on": completed,
                        "cancelled_on": cancelled,
                        "assigned_at": assigned,
                        "assigned_by_id": office,
                        "updated_at": assigned,
                    }
                )
        _insert(connection, Assignment, assignment_rows)
        titles = {
            d.id: f"{d.number}/{d.symbol}" for d in directives
        }  # the reference a report quotes
        reported = session.execute(
            sa.select(
                Assignment.id,
                Assignment.agency_id,
                Assignment.status,
                Assignment.due_date,
                Assignment.completed_on,
                Task.directive_id,
            )
            .join(Task, Assignment.task_id == Task.id)
            .where(
                Assignment.status.in_(("submitted", "returned", "done")),
                Task.directive_id.in_(by_directive),
            )
        )
        submission_rows = []
        for row in reported:
            reference = f"Công văn số {titles[row.directive_id]}"
            sent_on = row.completed_on or min(row.due_date, today)
            outcome = {"submitted": "pending", "returned": "returned", "done": "accepted"}[
                row.status
            ]
            submission_rows.append(
                {
                    "assignment_id": row.id,
                    "submitted_at": clock.local_noon(sent_on) - timedelta(hours=3),
                    "submitted_by_id": users.get(row.agency_id),
                    "text": _report_text(rng, reference),
                    "figures": {},
                    "outcome": outcome,
                    "reviewed_at": None if outcome == "pending" else clock.local_noon(sent_on),
                    "reviewed_by_id": None if outcome == "pending" else office,
                    "review_comment": rng.choice(RETURN_REASONS) if outcome == "returned" else "",
                }
            )
        _insert(connection, Submission, submission_rows)
        session.commit()
        return {
            "directives": len(directive_rows),
            "tasks": len(task_rows),
            "assignments": len(assignment_rows),
            "submissions": len(submission_rows),
        }


def reindex(app) -> int:
    """`tracker reindex`, with what the entries name loaded first (so the rebuild reads
    each assignment, task, directive and agency once, not once per report)."""
    with app.app_context():
        session = db.session
        loaded = [
            *session.scalars(sa.select(Agency)),
            *session.scalars(sa.select(Directive)),
            *session.scalars(sa.select(Task)),
            *session.scalars(
                sa.select(Assignment).where(Assignment.id.in_(sa.select(Submission.assignment_id)))
            ),
        ]
        count = search_index.rebuild(session)
        session.commit()
        entries = session.scalar(sa.select(sa.func.count(SearchEntry.id)))
        words = session.scalar(sa.text("SELECT count(*) FROM search_fts"))
        assert count == entries == words, (count, entries, words)
        del loaded
        if db.database().engine.dialect.name == "postgresql":
            with db.database().engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        else:
            session.execute(sa.text("ANALYZE"))
            session.commit()
        return count


# Measuring --------------------------------------------------------------------------------


@contextmanager
def statements(engine: sa.Engine):
    """The statements (SQL, parameters, milliseconds) run inside the block."""
    found: list[list] = []

    def before(_conn, _cursor, statement, parameters, _context, _many):
        found.append([statement, parameters, time.perf_counter()])

    def after(_conn, _cursor, _statement, _parameters, _context, _many):
        found[-1][2] = (time.perf_counter() - found[-1][2]) * 1000

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def deep_cursor(app) -> str:
    """The `after` cursor of the office's default list, DEEP_PAGES pages in."""
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.username == OFFICE_USER)).one()
        cursor: str | None = None
        for _ in range(DEEP_PAGES):
            found = listing.page(
                db.session,
                user,
                listing.Filter(),
                clock.today(),
                int(app.config["DUE_SOON_WORKING_DAYS"]),
                after=cursor,
            )
            cursor = found.after
            assert cursor is not None, "fewer rows than the deep page"
        db.session.remove()
        assert cursor is not None
        return cursor


def explain(engine: sa.Engine, statement: str, parameters) -> str:
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if engine.dialect.name == "sqlite":
        depth: dict[int, int] = {}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return "\n".join(lines)
    return "\n".join(row[0] for row in rows)


def measure(app, runs: int, explain_mode: str) -> list[tuple[str, str, float, float, int, float]]:
    engine = app.extensions["tracker.db"].engine
    clients: dict[str, Any] = {}
    results = []
    plans = []
    for name, username, url in pages(deep_cursor(app)):
        if username not in clients:
            client = app.test_client()
            response = client.post(
                "/login", data={"username": username, "password": "tracker-demo"}
            )
            assert response.status_code == 302, (username, response.status_code)
            clients[username] = client
        client = clients[username]
        response = client.get(url)  # warm up
        assert response.status_code == 200, (url, response.status_code)
        with statements(engine) as found:
            client.get(url)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        results.append(
            (
                name,
                username,
                statistics.median(times),
                times[int(0.95 * (len(times) - 1))],
                len(found),
                sum(item[2] for item in found),
            )
        )
        if explain_mode == "all" or (explain_mode == "main" and (name, username) in MAIN_PAGES):
            slowest = max(found, key=lambda item: item[2])
            plans.append((name, username, slowest, explain(engine, slowest[0], slowest[1])))
    for name, username, (statement, _parameters, took), plan in plans:
        print(f"\n-- {name} as {username}: its slowest statement ({took:.1f} ms)")
        print(" ".join(statement.split())[:600] + (" …" if len(statement) > 600 else ""))
        print(plan)
    return results


# Databases --------------------------------------------------------------------------------


def postgresql_reachable(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextmanager
def database(kind: str, folder: str, server_url: str, kept: str | None = None):
    """The URL of the database to measure and whether it is already built: a new, empty
    one (a PostgreSQL one is dropped afterwards), or with `kept` the PostgreSQL
    database of that name, built on the first run and kept for the next."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/bench.db", False
        return
    name = kept or f"bench_search_{os.getpid()}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
            ).first()
            if not (kept and exists):
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
            yield url, bool(kept and exists)
        finally:
            if not kept:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def timed(label: str, step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = step()
    print(f"  {label}: {time.perf_counter() - start:.1f} s", flush=True)
    return result


def run(kind: str, args: argparse.Namespace) -> None:
    print(f"\n== {kind}: {args.assignments:,} assignments, +{args.agencies:,} agencies", flush=True)
    rng = random.Random(args.seed)
    with (
        tempfile.TemporaryDirectory() as folder,
        database(kind, folder, args.postgresql_url, args.postgresql_database) as (url, built),
    ):
        kept = kind == "sqlite" and args.sqlite_file
        if kept:
            url = f"sqlite:///{os.path.abspath(args.sqlite_file)}"
            built = os.path.exists(args.sqlite_file)
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "AUDIT_ANCHOR_FILE": os.path.join(folder, "audit-anchor.log"),
                "LOG_LEVEL": "WARNING",
            }
        )
        # As gunicorn's workers do (tracker.gunicorn_config.post_worker_init).
        gc.freeze()
        try:
            if built:
                print(f"  reusing {make_url(url).database}")
                migrate(app)
            else:
                build(app, args, rng)
            results = measure(app, args.runs, args.explain)
        finally:
            app.extensions["tracker.db"].engine.dispose()
    print(
        f"\n{'page':<28} {'user':<9} {'p50':>8} {'p95':>8} {'SQL':>4} {'SQL ms':>7}"
        f"   ({kind}, {args.runs} runs; SQL ms: the statements' time in one request)"
    )
    for name, username, p50, p95, count, sql_ms in results:
        flag = "" if p95 < 100 else "  > 100 ms"
        print(
            f"{name:<28} {username:<9} {p50:>6.1f}ms {p95:>6.1f}ms {count:>4} {sql_ms:>5.1f}ms"
            f"{flag}"
        )


def build(app, args: argparse.Namespace, rng: random.Random) -> None:
    start = time.perf_counter()
    timed("init --demo", lambda: initialise(app))
    timed("agencies", lambda: add_agencies(app, args.agencies, rng))
    made = timed(
        "directives, tasks, assignments, reports",
        lambda: add_work(app, args.assignments, rng),
    )
    entries = timed("search index rebuild", lambda: reindex(app))
    print(
        f"  built in {time.perf_counter() - start:.0f} s: "
        + ", ".join(f"{value:,} {key}" for key, value in made.items())
        + f", {entries:,} search entries",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1661)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--postgresql-url",
        default=os.environ.get("BENCH_POSTGRESQL_URL")
        or os.environ.get("BENCH_DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--explain", choices=("main", "all", "none"), default="main")
    parser.add_argument(
        "--sqlite-file",
        help="keep the SQLite database in this file, and measure it again without building"
        " when it exists (to try a change quickly)",
    )
    parser.add_argument(
        "--postgresql-database",
        help="keep the PostgreSQL database under this name, and measure it again without"
        " building when it exists",
    )
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds and not postgresql_reachable(args.postgresql_url):
        if args.database == "postgresql":
            sys.exit(f"PostgreSQL is not reachable at {args.postgresql_url}")
        print(f"PostgreSQL is not reachable at {args.postgresql_url}: SQLite only")
        kinds.remove("postgresql")
    for kind in kinds:
        run(kind, args)


if __name__ == "__main__":
    main()
