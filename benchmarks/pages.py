"""Page timings and SQL queries per page at two data sizes.

Builds a throwaway SQLite database (or uses BENCH_DATABASE_URL), loads the seed and demo,
then grows it to a province's scale: extra agencies and directives whose tasks are
assigned to every agency. Prints p50/p95 in milliseconds and the number of SQL
statements for each page, for the seed alone and for the grown database.

    .venv/bin/python benchmarks/pages.py [--agencies 200] [--directives 50] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date

import sqlalchemy as sa

from tracker import create_app, db
from tracker.agencies.operations import upsert_agency
from tracker.assignments.operations import assign_task
from tracker.demo import load_demo
from tracker.directives import operations
from tracker.directives.seed import load_all
from tracker.migrations.runner import upgrade

PAGES = {
    "office dashboard": ("vanphong", "/"),
    "agency dashboard": ("snv", "/"),
    "directive list": ("lanhdao", "/directives"),
    "directive 1661": ("vanphong", "/directives/{directive}"),
    "assignment": ("vanphong", "/assignments/{assignment}"),
}


def build(app, agencies: int, directives: int) -> None:
    with app.app_context():
        session = db.session
        created = [
            upsert_agency(
                session,
                code=f"BENCH{n}",
                name=f"Xã thử nghiệm {n}",
                short_name=f"Xã {n}",
                kind="commune",
                parent="TAMDUONG",
            )
            for n in range(agencies)
        ]
        for n in range(directives):
            directive = operations.create_directive(
                session,
                None,
                doc_type="cong_van",
                number=str(5000 + n),
                symbol="UBND-BENCH",
                issuer="Ủy ban nhân dân tỉnh Lai Châu",
                issued_date=date(2021, 1, 1),
                subject=f"văn bản đo {n}",
                body="Nội dung.",
            )
            for t in range(3):
                operations.add_task(
                    session,
                    None,
                    directive,
                    number=str(t + 1),
                    title=f"Nhiệm vụ {t + 1}",
                    text="Thực hiện.",
                    due_date=date(2021, 2, 1),
                )
            operations.confirm_directive(session, None, directive)
            for task in directive.tasks:
                assign_task(session, None, task, created)
        session.commit()


def measure(app, runs: int) -> dict[str, tuple[float, float, int]]:
    results = {}
    with app.app_context():
        directive = operations.find_directive(db.session, "1661/UBND-VX").id
        assignment = db.session.scalar(sa.text("SELECT min(id) FROM assignment"))
    engine = app.extensions["tracker.db"].engine
    for name, (username, path) in PAGES.items():
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "tracker-demo"})
        url = path.format(directive=directive, assignment=assignment)
        statements = []

        def count(*_args, _statements=statements):
            _statements.append(1)

        client.get(url)  # warm up
        sa.event.listen(engine, "before_cursor_execute", count)
        client.get(url)
        sa.event.remove(engine, "before_cursor_execute", count)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        results[name] = (
            statistics.median(times),
            times[int(0.95 * (len(times) - 1))],
            len(statements),
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--directives", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            with db.database().engine.begin() as connection:
                upgrade(connection)
            load_all(db.session, backdate=True)
            load_demo(db.session)
            db.session.commit()
        small = measure(app, args.runs)
        build(app, args.agencies, args.directives)
        large = measure(app, args.runs)
        grown = f"+{args.agencies} agencies, +{args.directives} directives x 3 tasks"
        print(
            f"{'page':<18} {'seed p50':>9} {'p95':>7} {'SQL':>4} | "
            f"{'grown p50':>9} {'p95':>7} {'SQL':>4}   ({grown})"
        )
        for name in PAGES:
            s, g = small[name], large[name]
            print(
                f"{name:<18} {s[0]:>7.1f}ms {s[1]:>5.1f}ms {s[2]:>4} | "
                f"{g[0]:>7.1f}ms {g[1]:>5.1f}ms {g[2]:>4}"
            )
        app.extensions["tracker.db"].engine.dispose()


if __name__ == "__main__":
    main()
