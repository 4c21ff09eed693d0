"""Peak memory and seconds of the accountability PDF rendered whole and in parts (as the
job queue renders it, REPORT_PART_ROWS rows a part), for 1,000 and 3,000 agencies.

    .venv/bin/python benchmarks/report_memory.py [--agencies 1000 3000] [--rows 400]

Each render runs in a fresh child process so its peak resident memory is its own. The
report data is synthetic (benchmarks/documents.py), one directive, one line per agency."""

from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents import office, report  # noqa: E402 (the sibling benchmark's synthetic data)
from pypdf import PdfReader  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.documents.accountability import draft_accountability  # noqa: E402
from tracker.documents.context import document_context  # noqa: E402
from tracker.documents.pieces import render_pdf_in_parts  # noqa: E402
from tracker.documents.rendering import render_pdf  # noqa: E402


def _render(agencies: int, rows: int | None, folder: str, results) -> None:
    app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench"})
    with app.test_request_context():
        context = document_context(
            draft_accountability(report(agencies), office()), None, draft_mark=True
        )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        if rows is None:
            pdf = render_pdf(context)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
        else:
            pdf, pages = render_pdf_in_parts(context, max_rows=rows)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results.put((pages, seconds, before / 1024, peak / 1024, len(pdf) / 1024))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--rows", type=int, default=400)
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    print(
        f"{'agencies':>8} {'how':>10} {'pages':>5} {'seconds':>8} {'start MB':>8}"
        f" {'peak MB':>8} {'PDF KB':>7}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for agencies in args.agencies:
            for rows in (None, args.rows):
                results = spawn.Queue()
                child = spawn.Process(target=_render, args=(agencies, rows, folder, results))
                child.start()
                pages, seconds, before, peak, size = results.get()
                child.join()
                how = "whole" if rows is None else f"{rows} rows"
                print(
                    f"{agencies:>8} {how:>10} {pages:>5} {seconds:>8.1f} {before:>8.0f}"
                    f" {peak:>8.0f} {size:>7.0f}"
                )


if __name__ == "__main__":
    main()
