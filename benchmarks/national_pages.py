"""Every page and API list at national size, served by gunicorn: p50/p95 server-side
(the access log's duration), SQL statements per page at two sizes, and the query plan
of each page's slowest statement.

    .venv/bin/python benchmarks/national_pages.py [--database sqlite|postgresql|both]
        [--runs 40] [--workers 4]

The national database is built once by `benchmarks/national.py` and kept in
benchmarks/.national/ (SQLite) or as the PostgreSQL database `tracker_national_template`
(BENCH_POSTGRESQL_URL names the server, default postgres@127.0.0.1:5432); each run
works on a fresh copy. Requests are sequential, from one client on loopback, so the
figure is the page's own time, not a queue's. Statement counts come from the app in
process, on the national copy and on a demo-only database: a page whose count grows
with the data says so.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))
import national  # noqa: E402 (the generator beside this script)

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).with_name(".national")
TEMPLATE_DATABASE = "tracker_national_template"
PASSWORD = "tracker-demo"  # noqa: S105 (the demo accounts' documented password)
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
ACCESS = re.compile(r"duration_ms=(\d+(?:\.\d+)?).*?request_id=(\w+)")

#: (name, user, path); {placeholders} are filled from the database.
PAGES = (
    ("office dashboard", "vanphong", "/"),
    ("leader dashboard", "lanhdao", "/"),
    ("agency dashboard", "stttt", "/"),
    ("directive list", "lanhdao", "/directives"),
    ("directive page (national)", "vanphong", "/directives/{directive}"),
    ("directive 1661", "vanphong", "/directives/{seed_directive}"),
    ("assignment list", "vanphong", "/assignments"),
    ("assignments overdue by deadline", "vanphong", "/assignments?overdue=1&sort=deadline"),
    ("assignments of one agency", "vanphong", "/assignments?agency={agency}&sort=-deadline"),
    ("agency's own list", "stttt", "/assignments?overdue=1"),
    ("assignment page", "vanphong", "/assignments/{assignment}"),
    ("inbox (office)", "vanphong", "/inbox"),
    ("inbox (agency)", "stttt", "/inbox"),
    ("search", "vanphong", "/search?q=triển+khai"),
    ("indicator page", "vanphong", "/indicators/{indicator}"),
    ("API directives", "vanphong", "/api/v1/directives"),
    ("API obligations", "vanphong", "/api/v1/obligations"),
    ("API agencies", "vanphong", "/api/v1/agencies"),
    ("API obligations overdue", "vanphong", "/api/v1/obligations?outcome=open_overdue"),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cached_build(kind: str, server: str) -> tuple[str, Path]:
    """(database url, instance folder) of the national build, built if missing."""
    if kind == "sqlite":
        folder = CACHE / "sqlite"
        database = folder / "national.db"
        instance = folder / "national-instance"
        if not database.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            plan = national.Plan(1000, 20_000, 100_000, 1)
            _built_or_forgotten(
                folder, lambda: national.build(f"sqlite:///{database}", instance, plan)
            )
        return f"sqlite:///{database}", instance
    url = make_url(server).set(database=TEMPLATE_DATABASE)
    instance = CACHE / "postgresql-instance"
    admin = sa.create_engine(make_url(server).set(database="postgres"))
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
            {"name": TEMPLATE_DATABASE},
        )
    if not exists or not instance.exists():
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DATABASE}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{TEMPLATE_DATABASE}"'))
        shutil.rmtree(instance, ignore_errors=True)
        plan = national.Plan(1000, 20_000, 100_000, 1)
        address = url.render_as_string(hide_password=False)
        _built_or_forgotten(instance, lambda: national.build(address, instance, plan))
    admin.dispose()
    return url.render_as_string(hide_password=False), instance


def _built_or_forgotten(marker: Path, build: Callable[[], int]) -> None:
    """Run the build; if it fails or raises, remove `marker` (whose presence says the
    build is complete), so that the next run builds again instead of using a half."""
    try:
        failed = build() != 0
    except BaseException:
        shutil.rmtree(marker, ignore_errors=True)
        raise
    if failed:
        shutil.rmtree(marker, ignore_errors=True)
        raise SystemExit("the national build failed")


class Client:
    """One signed-in user over HTTP/1.1 keep-alive."""

    def __init__(self, port: int, username: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""
        self.token = ""
        page = self.get("/login")[1]
        found = CSRF.search(page)
        assert found, "no CSRF token on the login page"
        body = urlencode({"csrf_token": found.group(1), "username": username,
                          "password": PASSWORD})  # fmt: skip
        status, _, _ = self.request("POST", "/login", body)
        assert status in (302, 303), f"sign-in of {username} answered {status}"

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"}
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]
        return response.status, text, response.getheader("X-Request-ID") or ""

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)


def placeholders(url: str) -> dict[str, object]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:

        def one(sql: str) -> object:
            return connection.scalar(sa.text(sql))

        found = {
            "seed_directive": one("SELECT id FROM directive WHERE number = '1661'"),
            "directive": one("SELECT max(id) FROM directive"),
            "assignment": one(
                "SELECT max(assignment_id) FROM submission WHERE outcome = 'accepted'"
            ),
            "agency": one("SELECT code FROM agency WHERE code = 'SYT'"),
            "indicator": one("SELECT min(id) FROM indicator"),
        }
    engine.dispose()
    return found


def tokens(url: str, instance: Path, usernames: set[str]) -> dict[str, str]:
    from tracker import create_app, db
    from tracker.api.tokens import issue
    from tracker.auth.models import User

    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url})
    found = {}
    with app.app_context():
        for username in usernames:
            user = db.session.scalar(sa.select(User).where(User.username == username))
            found[username] = issue(
                db.session, user, name="benchmark", scope="read", lifetime=timedelta(days=1)
            ).secret
        db.session.commit()
    app.extensions["tracker.db"].engine.dispose()
    return found


def serve(url: str, instance: Path, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_SECRET_KEY": secrets.token_hex(16),
        "TRACKER_API_RATE_LIMIT": "1000000",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "python:tracker.gunicorn_config",
         "-w", str(workers), "-b", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "tracker:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def time_pages(url: str, instance: Path, runs: int, workers: int) -> dict[str, list[float]]:
    values = placeholders(url)
    issued = tokens(url, instance, {user for _, user, _ in PAGES})
    log = instance / "access.log"
    server, port = serve(url, instance, workers, log)
    asked: dict[str, str] = {}
    try:
        clients: dict[str, Client] = {}
        for name, username, path in PAGES:
            client = clients.get(username) or Client(port, username)
            client.token = issued[username]
            clients[username] = client
            target = quote(path.format(**values), safe="/?&=+%:")
            started = time.perf_counter()
            warm = 2 * workers  # the first ones warm every worker's caches, whichever serves
            for run in range(warm + runs):
                status, _, request_id = client.get(target)
                assert status == 200, f"{name}: GET {target} answered {status}"
                if run >= warm:
                    asked[request_id] = name
            print(f"  {name}: {warm + runs} requests in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr, flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)
    durations: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text().splitlines():
        found = ACCESS.search(line)
        if found and found.group(2) in asked:
            durations[asked[found.group(2)]].append(float(found.group(1)))
    return durations


def statements(url: str, instance: Path) -> dict[str, tuple[int, float, str, str]]:
    """Per page: (statements, slowest statement's ms, its SQL, its plan)."""
    from tracker import create_app

    app = create_app(
        {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "WTF_CSRF_ENABLED": False}
    )
    engine = app.extensions["tracker.db"].engine
    values = placeholders(url)
    issued = tokens(url, instance, {user for _, user, _ in PAGES})
    found = {}
    for name, username, path in PAGES:
        client = app.test_client()
        client.post("/login", data={"username": username, "password": PASSWORD})
        target = quote(path.format(**values), safe="/?&=+%:")
        headers = {"Authorization": f"Bearer {issued[username]}"} if "/api/" in target else {}
        client.get(target, headers=headers)
        seen: list[tuple[float, str, object]] = []
        started: list[float] = []

        def before(*_args, started=started) -> None:
            started.append(time.perf_counter())

        def after(_conn, _cursor, statement, parameters, _context, _many, seen=seen,
                  started=started) -> None:  # fmt: skip
            seen.append(((time.perf_counter() - started.pop()) * 1000, statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)
        try:
            client.get(target, headers=headers)
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
            sa.event.remove(engine, "after_cursor_execute", after)
        slowest = max(seen, default=(0.0, "", None))
        found[name] = (len(seen), slowest[0], slowest[1], plan(engine, slowest[1], slowest[2]))
    engine.dispose()
    return found


def plan(engine: sa.Engine, statement: str, parameters: object) -> str:
    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
        return ""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()  # type: ignore[arg-type]
    if engine.dialect.name == "sqlite":
        return "\n".join(f"    {row[-1]}" for row in rows)
    return "\n".join(f"    {row[0]}" for row in rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(kind: str, server: str, runs: int, workers: int, explain: bool) -> bool:
    print(f"\n== {kind}: national database (1,000 agencies, 100,000 assignments)")
    source, source_instance = cached_build(kind, server)
    with tempfile.TemporaryDirectory(prefix="national-") as folder:
        instance = Path(folder) / "instance"
        small_instance = Path(folder) / "small"
        if kind == "sqlite":
            url = f"sqlite:///{folder}/national.db"
            small = f"sqlite:///{folder}/small.db"
        else:
            suffix = secrets.token_hex(4)
            url = make_url(server).set(database=f"tracker_national_{suffix}")
            small = make_url(server).set(database=f"tracker_small_{suffix}")
            url, small = (u.render_as_string(hide_password=False) for u in (url, small))
        national.copy_installation(source, source_instance, url, instance)
        try:
            demo_only(small, small_instance)
            durations = time_pages(url, instance, runs, workers)
            counts = statements(url, instance)
            small_counts = statements(small, small_instance)
        finally:
            if kind == "postgresql":
                drop(server, url)
                drop(server, small)
    slow = False
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5} {'SQL demo':>8}  slowest SQL ms")
    for name, _, _ in PAGES:
        times = durations[name]
        p95 = percentile(times, 0.95)
        slow |= p95 >= 100
        count, slowest, _, _ = counts[name]
        print(
            f"{name:34} {statistics.median(times):8.1f} {p95:8.1f} {count:5} "
            f"{small_counts[name][0]:8}  {slowest:8.1f}{'  (over 100 ms)' if p95 >= 100 else ''}"
        )
    if explain:
        print("\nThe slowest statement of each page, and its plan:")
        for name, (_, slowest, statement, query_plan) in counts.items():
            print(f"-- {name} ({slowest:.1f} ms)\n  {' '.join(statement.split())[:300]}")
            print(query_plan)
    return not slow


def demo_only(url: str, instance: Path) -> None:
    from tracker import create_app
    from tracker.cli import main as cli_main

    if url.startswith("postgresql"):
        create(url)
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url})
    result = app.test_cli_runner().invoke(cli_main, ["init", "--demo"])
    assert result.exit_code == 0, result.output
    app.extensions["tracker.db"].engine.dispose()


def create(url: str) -> None:
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def drop(server: str, url: str) -> None:
    admin = sa.create_engine(
        make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(
            sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        )
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    server = os.environ.get(
        "BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    fast = True
    for kind in kinds:
        fast &= run(kind, server, args.runs, args.workers, not args.no_explain)
    print("\nEvery page under 100 ms at p95." if fast else "\nSome pages over 100 ms at p95.")
    return 0 if fast else 1


if __name__ == "__main__":
    sys.exit(main())
