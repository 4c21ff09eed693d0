"""Seconds and CPU seconds per page of the accountability report for 10, 200 and 1,000
agencies, and the ratio to a bare WeasyPrint render of the same HTML (aim: at most 1.15);
and seconds per page the way the job queue renders it: in parts of REPORT_PART_ROWS,
on every core (tracker/documents/pieces.py, parallel.py; aim: under 0.15 s a page).

    .venv/bin/python benchmarks/documents.py [--agencies 10 200 1000] [--runs 3]

The report data is synthetic (no database): one directive, one line per agency."""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime

from pypdf import PdfReader
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from tracker import create_app
from tracker.agencies.models import Agency
from tracker.documents.accountability import draft_accountability
from tracker.documents.context import document_context
from tracker.documents.fetcher import ASSETS_DIR, AssetsOnlyFetcher
from tracker.documents.pieces import render_pdf_in_parts
from tracker.documents.rendering import render_html, render_pdf
from tracker.reports.accountability import (
    AccountabilityReport,
    AgencyLine,
    DirectiveSection,
    Totals,
)


def report(agencies: int) -> AccountabilityReport:
    lines = tuple(
        AgencyLine(
            agency_code=f"XA{n}",
            agency_name=f"Ủy ban nhân dân xã Thử Nghiệm số {n}",
            head_title="CHỦ TỊCH",
            head_name="",
            total=3,
            reports=3,
            periods=0,
            done_on_time=n % 3,
            done_late=1,
            open_within=0,
            open_overdue=2 - n % 3,
            on_time_rate=100.0 * (n % 3) / 3,
            indicator_name="Tỷ lệ cài đặt",
            indicator_value=50 + n % 50,
            indicator_rank=n + 1,
        )
        for n in range(agencies)
    )
    totals = Totals(
        total=3 * agencies,
        reports=3 * agencies,
        periods=0,
        done_on_time=agencies,
        done_late=agencies,
        open_within=0,
        open_overdue=agencies,
        on_time_rate=33.3,
        extended=0,
    )
    section = DirectiveSection(
        directive_id=1,
        reference="1661/UBND-VX",
        doc_type_label="Công văn",
        title="Công văn 1661/UBND-VX",
        issued_date=date(2020, 8, 15),
        subject="đẩy mạnh cài đặt ứng dụng Bluezone để phòng, chống Covid-19",
        issuer="Ủy ban nhân dân tỉnh Lai Châu",
        indicator_name="Tỷ lệ cài đặt",
        indicator_unit=None,
        lines=lines,
        totals=totals,
    )
    return AccountabilityReport(
        as_of=date(2020, 8, 21),
        generated_at=datetime.now(UTC),
        sections=(section,),
        evidence=(),
        totals=totals,
        event_count=0,
        event_head_hash="0" * 64,
        chain_ok=True,
    )


def office() -> Agency:
    parent = Agency(code="UBND", name="Ủy ban nhân dân tỉnh Lai Châu", short_name="UBND tỉnh")
    return Agency(
        id=3,
        code="VPUBND",
        name="Văn phòng Ủy ban nhân dân tỉnh",
        short_name="VP UBND tỉnh",
        parent=parent,
        head_title="CHÁNH VĂN PHÒNG",
        head_name="",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, nargs="+", default=[10, 200, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench"})
        part_rows = int(app.config["REPORT_PART_ROWS"])
        with app.test_request_context():
            print(
                f"{'agencies':>8} {'pages':>5} {'tracker s':>9} {'s/page':>7} "
                f"{'cpu/page':>8} {'bare s':>7} {'ratio':>6} {'job s':>6} {'job s/page':>10}"
            )
            for count in args.agencies:
                data = report(count)
                context = document_context(
                    draft_accountability(data, office()), None, draft_mark=True
                )
                render_pdf(context)  # warm the shared resources
                ours, cpu, bare = [], [], []
                html = render_html(context)
                for _ in range(args.runs):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    pdf = render_pdf(context)
                    ours.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
                    fonts = FontConfiguration()
                    fetcher = AssetsOnlyFetcher()
                    start = time.perf_counter()
                    css = CSS(
                        filename=str(ASSETS_DIR / "nd30.css"),
                        font_config=fonts,
                        url_fetcher=fetcher,
                    )
                    HTML(
                        string=html, base_url=str(ASSETS_DIR) + "/", url_fetcher=fetcher
                    ).write_pdf(stylesheets=[css], font_config=fonts)
                    bare.append(time.perf_counter() - start)
                pages = len(PdfReader(io.BytesIO(pdf)).pages)
                mine, theirs = statistics.median(ours), statistics.median(bare)
                job = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    _, job_pages = render_pdf_in_parts(
                        context, max_rows=part_rows, processes=os.cpu_count() or 1
                    )
                    job.append(time.perf_counter() - start)
                in_parts = statistics.median(job)
                print(
                    f"{count:>8} {pages:>5} {mine:>9.2f} {mine / pages:>7.3f} "
                    f"{statistics.median(cpu) / pages:>8.3f} {theirs:>7.2f} {mine / theirs:>6.2f}"
                    f" {in_parts:>6.2f} {in_parts / job_pages:>10.3f}"
                )


if __name__ == "__main__":
    main()
