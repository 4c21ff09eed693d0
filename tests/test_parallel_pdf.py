"""Long lists printed on several processes (tracker/documents/parallel.py): the parts in
order, every page numbered once the parts are joined, the same document as when laid
out in one process."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.nd30 import Pdf
from tracker import PROJECT_DIR
from tracker.documents.parallel import render_parts

STYLESHEETS = ("listing.css", "unnumbered.css")
NUMBERING = ("listing.css",)


def _part(first: int, last: int, title: str | None = None) -> str:
    rows = "".join(f"<tr><td>Dòng số {n}</td></tr>" for n in range(first, last + 1))
    heading = f"<title>{title}</title>" if title else ""
    return f"<html><head>{heading}</head><body><table>{rows}</table></body></html>"


@pytest.mark.parametrize("processes", [1, 2])
def test_parts_are_joined_in_order_and_every_page_numbered(processes):
    parts = [_part(1, 120, "Danh sách"), _part(121, 240), _part(241, 300)]
    pdf, pages = render_parts(parts, STYLESHEETS, NUMBERING, processes=processes, timeout=60)
    with Pdf(pdf) as document:
        texts = [page.extract_text() or "" for page in document.reader.pages]
        title = document.reader.metadata.title
    assert len(texts) == pages >= 4
    numbers = [re.findall(r"Trang (\d+)/(\d+)", text) for text in texts]
    assert numbers == [[(str(n), str(pages))] for n in range(1, pages + 1)]
    found = [int(n) for text in texts for n in re.findall(r"Dòng số (\d+)", text)]
    assert found == list(range(1, 301))
    assert title == "Danh sách"


def test_a_list_laid_out_in_parallel_reads_as_one_laid_out_alone():
    parts = [_part(1, 150), _part(151, 300)]
    together, pages = render_parts(parts, STYLESHEETS, NUMBERING, processes=2, timeout=60)
    alone, same_pages = render_parts(parts, STYLESHEETS, NUMBERING, processes=1, timeout=60)
    assert pages == same_pages
    with Pdf(together) as one, Pdf(alone) as other:
        assert one.text == other.text


def test_the_layout_workers_end_with_the_process_that_started_them(tmp_path):
    """A report job killed for its time limit leaves no layout running: a process
    starts a pool, is killed, and its workers end within seconds."""
    script = tmp_path / "owner.py"
    script.write_text(
        "import os, sys, time\n"
        "from tracker.documents import parallel\n"
        "if __name__ == '__main__':\n"
        "    pool = parallel._executor(2)\n"
        "    pids = list(pool.submit(os.getpid).result() for _ in range(4))\n"
        "    print(' '.join(str(pid) for pid in set(pids)), flush=True)\n"
        "    time.sleep(60)\n"
    )
    owner = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=PROJECT_DIR
    )
    try:
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        assert workers and all(_alive(pid) for pid in workers)
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
    finally:
        owner.kill()
        owner.wait()
        owner.stdout.close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
