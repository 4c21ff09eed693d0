"""A long document rendered in pieces, so the memory a render needs is bounded by the
size of a piece, not of the document.

A document context (tracker.documents.context) is cut into parts of at most `max_rows`
table rows (a paragraph counts as one): the first part carries the header, the last
part of the body carries the closing and the signature, each appendix starts a part of
its own, and a table too long for one part continues in the next under its caption and
"(tiếp theo)", as a table continued on a new page is marked on paper. Each part is
rendered alone, the parts on several processes at once, and the parts' PDFs are joined
into one and numbered.

Only what is printed changes where a part ends: a part's last page may end early."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tracker.documents.parallel import render_parts
from tracker.documents.rendering import STYLESHEET, render_html

CONTINUED = "(tiếp theo)"
#: Laid over the documents' stylesheet for the parts: their pages are numbered joined.
UNNUMBERED = "unnumbered-nd30.css"
#: A table starts in the next part rather than with fewer rows than this at the end of one.
MIN_ROWS = 5


def parts(context: dict[str, Any], max_rows: int) -> list[dict[str, Any]]:
    """The context cut into part contexts (a short document stays one part)."""
    if max_rows < 1:
        raise ValueError("max_rows must be positive")
    body = list(context["blocks"])
    closing, body = body[-1:], body[:-1]
    result: list[dict[str, Any]] = []
    for index, chunk in enumerate(_chunks(body, max_rows)):
        result.append({"show_header": index == 0, "blocks": chunk, "show_closing": False})
    if not result:
        result.append({"show_header": True, "blocks": [], "show_closing": False})
    result[-1]["blocks"] = result[-1]["blocks"] + closing
    result[-1]["show_closing"] = True
    for appendix in context["appendices"]:
        for index, chunk in enumerate(_chunks(appendix["blocks"], max_rows)):
            result.append(
                {
                    "show_header": False,
                    "show_closing": False,
                    "blocks": [],
                    "appendices": [{**appendix, "blocks": chunk, "continued": index > 0}],
                }
            )
    for part in result:
        part.setdefault("appendices", [])
    return result


def _chunks(blocks: list[dict[str, Any]], max_rows: int) -> Iterator[list[dict[str, Any]]]:
    """Blocks in runs of at most `max_rows` rows, long tables split across runs."""
    run: list[dict[str, Any]] = []
    room = max_rows
    for block in blocks:
        if block["kind"] != "table":
            if room < 1:
                yield run
                run, room = [], max_rows
            run.append(block)
            room -= 1
            continue
        rows, first = list(block["rows"]), True
        if run and room < min(len(rows), MIN_ROWS):  # no table starts with a line or two
            yield run
            run, room = [], max_rows
        while True:
            if room < 1:
                yield run
                run, room = [], max_rows
            taken, rows = rows[:room], rows[room:]
            last = not rows
            run.append(
                {
                    **block,
                    "rows": taken,
                    "total": block["total"] if last else None,
                    "caption": _caption(block, first),
                }
            )
            room -= max(len(taken), 1)
            first = False
            if last:
                break
    if run:
        yield run


def _caption(block: dict[str, Any], first: bool) -> str:
    caption = block.get("caption") or ""
    if first:
        return caption
    return f"{caption or 'Bảng'} {CONTINUED}"


def render_pdf_in_parts(
    context: dict[str, Any],
    *,
    max_rows: int,
    processes: int = 1,
    timeout: float = 300,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, int]:
    """The document's PDF and its page count, rendered part by part, on up to
    `processes` processes at once (`documents.parallel`), its pages numbered once joined
    (none on the first, as Decree 30 wants)."""
    htmls = [render_html({**context, **part}) for part in parts(context, max_rows)]
    return render_parts(
        htmls,
        (STYLESHEET, UNNUMBERED),
        (STYLESHEET,),
        processes=processes,
        timeout=timeout,
        progress=progress,
    )
