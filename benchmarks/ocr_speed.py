"""Seconds of OCR per page, wall and CPU, on typed scans made here: the scan letter of
tests/fixtures/scans printed by WeasyPrint, rasterised at 300 dpi, turned 1.5 degrees,
as a PDF of 1 and of 4 pages; and whether the fields a leader checks came out right.

    .venv/bin/python benchmarks/ocr_speed.py
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from weasyprint import HTML

from tracker.directives.parsing import ocr
from tracker.directives.parsing.parser import parse_text

ROOT = Path(__file__).resolve().parents[1]
LETTER = ROOT / "tests" / "fixtures" / "scans" / "letter.html"


def scanned(pages: int) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        HTML(string=LETTER.read_text(encoding="utf-8")).write_pdf(Path(folder) / "letter.pdf")
        subprocess.run(
            ["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "letter.pdf", "page"],
            cwd=folder,
            check=True,
        )
        page = Image.open(Path(folder) / "page.png").convert("L")
        turned = [page.rotate(angle, expand=True, fillcolor=255) for angle in (1.5, -1, 0.5, 2)]
        out = io.BytesIO()
        turned[0].save(
            out, format="PDF", save_all=True, append_images=turned[1:pages], resolution=300
        )
        return out.getvalue()


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    problem = ocr.missing()
    if problem:
        sys.exit(problem)
    for pages in (1, 4):
        data = scanned(pages)
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = ocr.read_scan(data, pdf=True)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        draft = parse_text(result.pages[0].text)
        fields = {
            "number": draft.number == "2415",
            "symbol": draft.symbol == "UBND-VX",
            "date": str(draft.issued_date) == "2021-10-14",
            "subject": draft.subject == "tổ chức tiêm vắc xin phòng Covid-19",
            "signer": draft.signer.name == "Hà Trọng Hải",
            "tasks": len(draft.tasks) == 3,
        }
        unsure = sum(len(page.unsure) for page in result.pages)
        print(
            f"{pages} page(s): {wall / pages:.1f} s wall and {cpu / pages:.1f} s CPU a page;"
            f" {unsure} unsure words; first page fields right:"
            f" {sum(fields.values())}/{len(fields)} {[k for k, ok in fields.items() if not ok]}"
        )


if __name__ == "__main__":
    main()
