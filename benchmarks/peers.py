"""Tracker beside Redmine (Debian's package) at national size, on the same machine:
p50/p95 server-side of six pairs of pages, the requests alternating one by one.

    .venv/bin/python benchmarks/peers.py [--runs 30] [--issues N] [--workers 4]

Tracker serves the national SQLite database of `benchmarks/national_pages.py` (built
once into benchmarks/.national/sqlite/) under gunicorn; Redmine 5 from
/usr/share/redmine serves its own SQLite database under WEBrick in production mode,
holding as many issues as tracker has assignments (`--issues` to change it): one issue
per assignment with its id, its task's title and text, its deadline and a status of the
same kind, assigned to one Redmine user per agency, in ten projects. That database is
built once (migrations, Redmine's default data, then bulk SQL: about 15 s) into
benchmarks/.national/redmine/; each run works on fresh copies of both. Server-side time
is the access log's duration for tracker and the X-Runtime header (Rack::Runtime, the
whole Rails stack) for Redmine; the client's time on loopback is printed too.
benchmarks/peers.md says how Redmine is set up and how each pair is matched.

Without Redmine installed it says so and exits 0. Targets: tracker's p95 at most half
of Redmine's, and the PDF export faster than Redmine's; a missed target is printed,
not an error. It exits 1 when a response is not the expected one.
"""

from __future__ import annotations

import argparse
import csv
import html
import http.client
import io
import math
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
import national  # noqa: E402 (the generator beside this script)
import national_pages  # noqa: E402
from national_pages import ACCESS, Client, free_port, percentile  # noqa: E402

REDMINE = Path("/usr/share/redmine")
REDMINE_CACHE = national_pages.CACHE / "redmine"
MISSING = (
    "Redmine is not installed (apt-get install redmine redmine-sqlite): "
    "the side-by-side part is skipped."
)
#: Redmine's admin account as its default data makes it.
ADMIN = ("admin", "admin")
AUTHENTICITY = re.compile(r'name="authenticity_token" value="([^"]+)"')
NEXT_PAGE = re.compile(r'data-testid="page-next" href="([^"]+)"')
#: Rows per list page on both sides: tracker's PAGE_ROWS, Redmine's first per-page option.
PAGE_ROWS = 50
#: Next-page links followed for the deep page: it starts at row 1,001.
DEEP_PAGES = 20
EXPORT_ROWS = 500
PROJECTS = 10
#: Requests each side answers before the timed ones, per gunicorn worker: sync workers
#: take one request per connection, so each worker has to meet the page once.
WARM_UP_PER_WORKER = 2
#: Tracker's roles as Redmine trackers, its statuses as Redmine's default statuses.
TRACKERS = {"lead": 1, "cooperate": 2, "inform": 3}
STATUSES = {
    "assigned": 1,
    "in_progress": 2,
    "submitted": 3,
    "returned": 4,
    "done": 5,
    "cancelled": 6,
}


@dataclass(frozen=True)
class Pair:
    name: str
    tracker: str
    redmine: str
    kind: str  # "html", "csv" or "pdf"


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    request_id: str
    runtime_ms: float | None  # Redmine's X-Runtime
    client_ms: float


@dataclass
class Timings:
    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    pages: int | None = None


CONTENT_TYPES = {"html": "text/html", "csv": "text/csv", "pdf": "application/pdf"}


def redmine_installed() -> bool:
    return (REDMINE / "config.ru").exists() and shutil.which("rackup") is not None


def redmine_env(database: Path) -> dict[str, str]:
    """Redmine's default Debian instance (its secret key, its tmp folder) on another
    database; DATABASE_URL wins over database.yml, the log goes to stdout."""
    return {
        **os.environ,
        "RAILS_ENV": "production",
        "REDMINE_INSTANCE": "default",
        "DATABASE_URL": f"sqlite3:{database}",
        "RAILS_LOG_TO_STDOUT": "1",
        "REDMINE_LANG": "en",
    }


def rake(database: Path, log: Path, *tasks: str) -> None:
    with log.open("a") as out:
        done = subprocess.run(
            ["rake", *tasks],
            cwd=REDMINE,
            env=redmine_env(database),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"rake {' '.join(tasks)} failed, see {log}")


def build_redmine(tracker_db: Path, issues: int) -> Path:
    """Redmine's SQLite database with `issues` issues, built once and kept."""
    target = REDMINE_CACHE / f"redmine-{issues}.db"
    if target.exists():
        return target
    REDMINE_CACHE.mkdir(parents=True, exist_ok=True)
    work = target.with_suffix(".building")
    work.unlink(missing_ok=True)
    log = REDMINE_CACHE / "build.log"
    started = time.perf_counter()

    def step(text: str) -> None:
        print(f"  [{time.perf_counter() - started:7.1f} s] {text}", file=sys.stderr, flush=True)

    step(f"building Redmine's database with {issues:,} issues (log: {log})")
    rake(work, log, "db:migrate")
    rake(work, log, "redmine:load_default_data")
    step("schema and default data")
    load(work, tracker_db, issues)
    step("projects, users and issues loaded")
    work.rename(target)
    return target


def load(database: Path, tracker_db: Path, issues: int) -> None:
    """Bulk SQL: ten projects with every tracker, one user per tracker agency (a member
    of each project), and `issues` issues copied from tracker's assignments in id order
    (again with ids shifted when more are asked for than there are). Each issue is its
    own tree (root_id = id, lft 1, rgt 2) and has no journal, as a new issue has."""
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    connection = sqlite3.connect(f"file:{database}", uri=True)
    connection.execute("ATTACH DATABASE ? AS t", (f"file:{tracker_db}?mode=ro",))
    with connection:
        offset = connection.execute("SELECT max(id) FROM users").fetchone()[0]
        agencies = connection.execute("SELECT max(id) FROM t.agency").fetchone()[0]
        connection.executescript(
            "UPDATE users SET must_change_passwd = 0 WHERE login = 'admin';"
            "UPDATE trackers SET name = 'Lead' WHERE id = 1;"
            "UPDATE trackers SET name = 'Cooperate' WHERE id = 2;"
            "UPDATE trackers SET name = 'Inform' WHERE id = 3;"
        )
        connection.executemany(
            "INSERT INTO settings (name, value, updated_on) VALUES (?, ?, ?)",
            [
                ("per_page_options", f"{PAGE_ROWS},100", now),
                ("issues_export_limit", str(EXPORT_ROWS), now),
            ],
        )
        for number in range(1, PROJECTS + 1):
            connection.execute(
                "INSERT INTO projects (id, name, description, identifier, is_public, status,"
                " lft, rgt, created_on, updated_on) VALUES (?, ?, '', ?, 1, 1, ?, ?, ?, ?)",
                (
                    number,
                    f"Directives {number}",
                    f"directives-{number}",
                    2 * number - 1,
                    2 * number,
                    now,
                    now,
                ),
            )
            connection.execute(
                "INSERT INTO enabled_modules (project_id, name) VALUES (?, 'issue_tracking')",
                (number,),
            )
            connection.executemany(
                "INSERT INTO projects_trackers (project_id, tracker_id) VALUES (?, ?)",
                [(number, tracker) for tracker in TRACKERS.values()],
            )
            connection.execute(
                "INSERT INTO members (id, user_id, project_id, created_on, mail_notification)"
                " SELECT :base + a.id, :offset + a.id, :project, :now, 0 FROM t.agency a",
                {"base": (number - 1) * agencies, "offset": offset, "project": number, "now": now},
            )
        connection.execute(
            "INSERT INTO member_roles (member_id, role_id) SELECT id, 4 FROM members"
        )
        connection.execute(
            "INSERT INTO users (id, login, hashed_password, firstname, lastname, admin, status,"
            " language, created_on, updated_on, type, mail_notification, must_change_passwd,"
            " twofa_required) SELECT :offset + id, lower(code), '', substr(short_name, 1, 30),"
            " code, 0, 1, 'en', :now, :now, 'User', 'only_my_events', 0, 0 FROM t.agency",
            {"offset": offset, "now": now},
        )
        connection.execute(
            "INSERT INTO email_addresses (user_id, address, is_default, notify, created_on,"
            " updated_on) SELECT :offset + id, lower(code) || '@example.invalid', 1, 1, :now,"
            " :now FROM t.agency",
            {"offset": offset, "now": now},
        )
        tracker_case = " ".join(f"WHEN '{k}' THEN {v}" for k, v in TRACKERS.items())
        status_case = " ".join(f"WHEN '{k}' THEN {v}" for k, v in STATUSES.items())
        highest = connection.execute("SELECT max(id) FROM t.assignment").fetchone()[0]
        total = connection.execute("SELECT count(*) FROM t.assignment").fetchone()[0]
        for cycle in range(math.ceil(issues / total)):
            connection.execute(
                "INSERT INTO issues (id, tracker_id, project_id, subject, description, due_date,"
                " status_id, assigned_to_id, priority_id, author_id, lock_version, created_on,"
                " updated_on, start_date, done_ratio, root_id, lft, rgt, is_private, closed_on)"
                f" SELECT :shift + a.id, CASE a.role {tracker_case} END,"
                " 1 + k.directive_id % :projects, substr(k.title, 1, 255), k.text, a.due_date,"
                f" CASE a.status {status_case} END, :offset + a.agency_id, 2, 1, 0,"
                " a.assigned_at, a.updated_at, date(a.assigned_at), a.progress, :shift + a.id,"
                " 1, 2, 0, coalesce(a.completed_on, a.cancelled_on) || ' 00:00:00'"
                " FROM t.assignment a JOIN t.task k ON k.id = a.task_id ORDER BY a.id"
                " LIMIT :rows",
                {
                    "shift": cycle * highest,
                    "projects": PROJECTS,
                    "offset": offset,
                    "rows": min(total, issues - cycle * total),
                },
            )
    connection.execute("DETACH DATABASE t")
    connection.execute("ANALYZE")
    connection.close()


class RedmineClient(Client):
    """Redmine's admin signed in through the login form, over keep-alive."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookie = ""
        self.token = ""
        found = AUTHENTICITY.search(self.get("/login")[1])
        assert found, "no authenticity token on Redmine's login page"
        body = urlencode(
            {
                "authenticity_token": html.unescape(found.group(1)),
                "username": ADMIN[0],
                "password": ADMIN[1],
            }
        )
        status, _, _ = self.request("POST", "/login", body)
        assert status == 302, f"Redmine's sign-in answered {status}"


def fetch(client: Client, path: str) -> Answer:
    """GET with the client's session, the body as bytes; once more on a fresh connection
    when the server had closed the kept-alive one (WEBrick does after a few seconds)."""
    for attempt in (1, 2):
        started = time.perf_counter()
        try:
            client.connection.request("GET", path, headers={"Cookie": client.cookie})
            response = client.connection.getresponse()
            body = response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            client.connection.close()
            if attempt == 2:
                raise
            continue
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                client.cookie = value.split(";", 1)[0]
        runtime = response.getheader("X-Runtime")
        return Answer(
            response.status,
            response.getheader("Content-Type") or "",
            body,
            response.getheader("X-Request-ID") or "",
            float(runtime) * 1000 if runtime else None,
            elapsed,
        )
    raise AssertionError("unreachable")


def problem(answer: Answer, kind: str, full: bool) -> str | None:
    """What is wrong with a response of that kind, or None; `full` counts the CSV's rows
    and reads the PDF."""
    if answer.status != 200:
        return f"answered {answer.status}"
    if not answer.content_type.startswith(CONTENT_TYPES[kind]):
        return f"answered {answer.content_type or 'no Content-Type'}, not {CONTENT_TYPES[kind]}"
    if full and kind == "csv":
        rows = [row for row in csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))) if row]
        if len(rows) - 1 != EXPORT_ROWS:
            return f"exported {len(rows) - 1:,} rows, not {EXPORT_ROWS}"
    if full and kind == "pdf":
        try:
            PdfReader(io.BytesIO(answer.body))
        except Exception as error:  # whatever pypdf cannot read is no PDF
            return f"sent an unreadable PDF ({error})"
    return None


def pdf_pages(answer: Answer) -> int:
    return len(PdfReader(io.BytesIO(answer.body)).pages)


def start(
    command: list[str], env: dict[str, str], cwd: Path, log: Path, port: int
) -> subprocess.Popen:
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(1200):
        if server.poll() is not None:
            raise SystemExit(f"{command[0]} stopped at start, see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"{command[0]} did not start in two minutes, see {log}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def deep_path(client: Client) -> str:
    """Tracker's list by deadline, DEEP_PAGES "next" links on: its keyset cursor."""
    path = "/assignments?sort=deadline"
    for _ in range(DEEP_PAGES):
        status, page, _ = client.get(path)
        found = NEXT_PAGE.search(page)
        assert status == 200 and found, f"no next page after {path} ({status})"
        path = html.unescape(found.group(1))
    return path


def pairs(tracker_url: str, redmine_db: Path, client: Client) -> list[Pair]:
    """The six pairs, with the busiest agency by overdue work, its Redmine user, and the
    assignment page national_pages times (the same id in Redmine)."""
    engine = sa.create_engine(tracker_url)
    with engine.connect() as connection:
        code, agency_id = connection.execute(
            sa.text(
                "SELECT g.code, g.id FROM assignment a JOIN agency g ON g.id = a.agency_id"
                " WHERE a.due_date < :today AND a.status NOT IN ('done', 'cancelled')"
                " GROUP BY g.id ORDER BY count(*) DESC, g.id LIMIT 1"
            ),
            {"today": date.today().isoformat()},
        ).one()
    engine.dispose()
    item = national_pages.placeholders(tracker_url)["assignment"]
    with closing(sqlite3.connect(redmine_db)) as redmine:
        user = redmine.execute(
            "SELECT id FROM users WHERE login = ?", (str(code).lower(),)
        ).fetchone()[0]
        issue = redmine.execute(
            "SELECT coalesce(max(id), 0) FROM issues WHERE id <= ?", (item,)
        ).fetchone()[0]
    print(
        f"  overdue list of {code} (agency {agency_id}, Redmine user {user}); item {item}",
        file=sys.stderr,
    )
    limit = f"sort=deadline&limit={EXPORT_ROWS}"
    by_due_date = [("sort", "due_date")]
    return [
        Pair("list, first page", "/assignments", issues(), "html"),
        Pair(
            f"list by deadline, row {DEEP_PAGES * PAGE_ROWS + 1:,}",
            deep_path(client),
            issues(*by_due_date, ("page", str(DEEP_PAGES + 1))),
            "html",
        ),
        Pair(
            "one agency's overdue",
            f"/assignments?overdue=1&agency={code}",
            issues(
                ("f[]", "assigned_to_id"),
                ("op[assigned_to_id]", "="),
                ("v[assigned_to_id][]", str(user)),
                ("f[]", "due_date"),
                ("op[due_date]", "<t-"),  # "more than 1 day ago": before today
                ("v[due_date][]", "1"),
                *by_due_date,
            ),
            "html",
        ),
        Pair("one item", f"/assignments/{item}", f"/issues/{issue}", "html"),
        Pair(
            f"CSV, {EXPORT_ROWS} rows",
            f"/assignments?format=csv&{limit}",
            issues(*by_due_date, ("encoding", "UTF-8"), export="csv"),
            "csv",
        ),
        Pair(
            f"PDF, {EXPORT_ROWS} rows",
            f"/assignments?format=pdf&{limit}",
            issues(*by_due_date, export="pdf"),
            "pdf",
        ),
    ]


def issues(*args: tuple[str, str], export: str = "") -> str:
    """Redmine's issue list: its default query (open issues, default columns) and `args`.
    Spelled out with set_filter=1, since without it Redmine reuses the session's last
    query (the overdue filter would follow into the exports)."""
    query = [("set_filter", "1"), ("f[]", "status_id"), ("op[status_id]", "o"), *args]
    return f"/issues{'.' + export if export else ''}?{urlencode(query)}"


def measure(
    pair: Pair, tracker: Client, redmine: Client, runs: int, warm_up: int, asked: dict[str, str]
) -> tuple[Timings, Timings, list[str]]:
    """`warm_up` then `runs` requests each, tracker and Redmine in turn; tracker's server
    times come later from the access log (`asked` maps its request ids to the pair)."""
    sides: dict[str, tuple[Client, str, Timings]] = {
        "tracker": (tracker, pair.tracker, Timings()),
        "Redmine": (redmine, pair.redmine, Timings()),
    }
    wrong: list[str] = []
    started = time.perf_counter()
    for run in range(warm_up + runs):
        for side, (client, path, timings) in sides.items():
            try:
                answer = fetch(client, path)
            except (OSError, http.client.HTTPException) as error:
                wrong.append(f"{pair.name}: {side} GET {path} failed ({error!r})")
                break
            found = problem(answer, pair.kind, full=run == 0)
            if found:
                wrong.append(f"{pair.name}: {side} GET {path} {found}")
                continue
            if run == 0 and pair.kind == "pdf":
                timings.pages = pdf_pages(answer)
            if run < warm_up:
                continue
            timings.client.append(answer.client_ms)
            if side == "tracker":
                asked[answer.request_id] = pair.name
            elif answer.runtime_ms is not None:
                timings.server.append(answer.runtime_ms)
        if wrong:
            break
    print(
        f"  {pair.name}: {2 * (warm_up + runs)} requests in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return sides["tracker"][2], sides["Redmine"][2], wrong


def run(runs: int, issues: int | None, workers: int) -> int:
    source, source_instance = national_pages.cached_build("sqlite", "")
    engine = sa.create_engine(source)
    with engine.connect() as connection:
        assignments = connection.scalar(sa.text("SELECT count(*) FROM assignment")) or 0
    engine.dispose()
    issues = issues or assignments
    print(f"== tracker ({assignments:,} assignments) beside Redmine ({issues:,} issues)")
    started = time.perf_counter()
    redmine_source = build_redmine(Path(sa.make_url(source).database or ""), issues)
    if (built := time.perf_counter() - started) > 1:
        print(f"Redmine's database built in {built:.0f} s")
    servers: dict[str, tuple[subprocess.Popen, Path | None]] = {}
    results: dict[str, tuple[Timings, Timings]] = {}
    wrong: list[str] = []
    asked: dict[str, str] = {}
    chosen: list[Pair] = []
    with tempfile.TemporaryDirectory(prefix="peers-") as folder:
        url = f"sqlite:///{folder}/national.db"
        instance = Path(folder) / "instance"
        redmine_db = Path(folder) / "redmine.db"
        access_log, redmine_log = Path(folder) / "access.log", Path(folder) / "redmine.log"
        national.copy_installation(source, source_instance, url, instance)
        shutil.copyfile(redmine_source, redmine_db)
        try:
            tracker_server, tracker_port = national_pages.serve(url, instance, workers, access_log)
            servers["tracker's gunicorn"] = (tracker_server, None)
            redmine_server, redmine_port = start_redmine(redmine_db, redmine_log)
            servers["Redmine's WEBrick"] = (redmine_server, redmine_log)
            tracker = Client(tracker_port, "vanphong")
            redmine = RedmineClient(redmine_port)
            chosen = pairs(url, redmine_db, tracker)
            for pair in chosen:
                tracker_times, redmine_times, found = measure(
                    pair, tracker, redmine, runs, WARM_UP_PER_WORKER * workers, asked
                )
                wrong += found
                if not found:
                    results[pair.name] = (tracker_times, redmine_times)
                if stopped := stopped_servers(servers):
                    wrong += stopped
                    break
        finally:
            for server, _ in servers.values():
                stop(server)
        for line in access_log.read_text().splitlines():
            found_line = ACCESS.search(line)
            name = asked.get(found_line.group(2)) if found_line else None
            if found_line and name in results:
                results[name][0].server.append(float(found_line.group(1)))
    report(chosen, results)
    for line in wrong:
        print(f"ERROR {line}")
    return 1 if wrong else 0


def start_redmine(database: Path, log: Path) -> tuple[subprocess.Popen, int]:
    """WEBrick in production mode. Debian's Redmine bundle holds no web server, and
    Ruby 3 no longer ships WEBrick as part of the standard library: loading ruby-webrick
    before Bundler's setup is what lets `rackup` find it."""
    port = free_port()
    rackup = shutil.which("rackup") or "rackup"
    command = ["ruby", "-rwebrick", rackup, "-E", "production", "-o", "127.0.0.1",
               "-p", str(port)]  # fmt: skip
    return start(command, redmine_env(database), REDMINE, log, port), port


def stopped_servers(servers: dict[str, tuple[subprocess.Popen, Path | None]]) -> list[str]:
    """A line for each server that has exited, with the end of its log."""
    lines = []
    for name, (server, log) in servers.items():
        if server.poll() is not None:
            tail = " | ".join(log.read_text().splitlines()[-5:]) if log else ""
            lines.append(f"{name} exited with {server.returncode} {tail}".rstrip())
    return lines


def report(chosen: list[Pair], results: dict[str, tuple[Timings, Timings]]) -> None:
    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):8.1f} {percentile(values, 0.95):8.1f}"

    def table(title: str, pick: Callable[[Timings], list[float]]) -> None:
        print(f"\n{title}")
        print(f"{'pair':30} {'tracker':>17} {'Redmine':>17} {'p95':>6}")
        print(
            f"{'':30} {'p50 ms':>8} {'p95 ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}  target"
        )
        for pair in chosen:
            if pair.name not in results:
                print(f"{pair.name:30} {'not compared, see the errors below':>48}")
                continue
            ours, theirs = (pick(side) for side in results[pair.name])
            ratio = percentile(ours, 0.95) / percentile(theirs, 0.95)
            if pair.kind == "pdf":
                met, goal = ratio < 1, "faster"
            else:
                met, goal = ratio <= 0.5, "<= 0.5"
            print(
                f"{pair.name:30} {cell(ours)} {cell(theirs)} {ratio:6.2f}  "
                f"{'met' if met else 'MISSED'} ({goal})"
            )

    table("Server-side (tracker: gunicorn's duration; Redmine: X-Runtime)", lambda t: t.server)
    table("Client-side (whole response on loopback)", lambda t: t.client)
    for pair in chosen:
        if pair.kind == "pdf" and pair.name in results:
            ours, theirs = results[pair.name]
            print(
                f"\nPDF pages for {EXPORT_ROWS} rows: tracker {ours.pages}, Redmine {theirs.pages}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--issues", type=int, help="Redmine's issues (default: as tracker)")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not redmine_installed():
        print(MISSING)
        return 0
    return run(args.runs, args.issues, args.workers)


if __name__ == "__main__":
    sys.exit(main())
