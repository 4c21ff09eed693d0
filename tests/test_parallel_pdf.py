"""Long lists printed on several processes (tracker/documents/parallel.py): the parts in
order, every page numbered once the parts are joined, the same document as when laid
out in one process."""

from __future__ import annotations

import re

import pytest

from tests.nd30 import Pdf
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
