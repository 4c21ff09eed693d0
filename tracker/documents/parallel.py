"""A long list printed on every core: its HTML parts laid out at once in worker
processes (WeasyPrint lays out on one core), joined in order, then numbered.

No part knows its first page number before the parts before it are laid out, so the
parts carry no numbers: once all are joined, a second small PDF of as many empty pages,
laid out with the numbering stylesheet ("Trang n/N" in a margin box), is laid over them
page by page. A part's last page may end early, as in `pieces`.

The workers are one pool per process (a gunicorn worker, a job), started on first use
by a fork server, so they begin clean whatever threads the caller runs, and kept: each
loads WeasyPrint and the fonts once. A worker ends when the process that started the
pool has ended, however it ended. With one process, or one part, the parts are laid
out in the calling process."""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from pypdf import PdfReader, PdfWriter

from tracker.documents.rendering import html_to_pdf

#: One page per page of the result, nothing on it but what the stylesheet's margin boxes
#: print (the page numbers).
_EMPTY_PAGE = '<div style="break-after: page"></div>'

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def pool_size(setting: object) -> int:
    """The processes a setting such as PDF_PROCESSES asks for: 0 means one per core."""
    return int(setting) or os.cpu_count() or 1  # type: ignore[call-overload]


def _executor(processes: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != processes:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["tracker.documents.rendering"])
            _pool = ProcessPoolExecutor(
                processes, mp_context=context, initializer=_end_with, initargs=(os.getpid(),)
            )
            _pool_size = processes
        return _pool


def _end_with(owner: int) -> None:
    """In a pool worker: end within a second of the process that started the pool (a
    report job ended for its time limit must not leave its layout running)."""

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, name="end-with-owner", daemon=True).start()


def _in_pool(
    parts: list[str],
    stylesheets: tuple[str, ...],
    user_agent: str | None,
    processes: int,
    timeout: float,
    progress: Callable[[int, int], None] | None,
) -> list[bytes]:
    pool = _executor(processes)
    futures = {
        pool.submit(html_to_pdf, part, stylesheets, user_agent=user_agent): index
        for index, part in enumerate(parts)
    }
    pdfs: list[bytes] = [b""] * len(parts)
    for done, future in enumerate(as_completed(futures, timeout=timeout), start=1):
        pdfs[futures[future]] = future.result()
        if progress is not None:
            progress(done, len(parts))
    return pdfs


def _forget_pool(wait: bool = False) -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=wait, cancel_futures=True)
        _pool = None


atexit.register(_forget_pool, wait=True)


def render_parts(
    parts: list[str],
    stylesheets: tuple[str, ...],
    numbering: tuple[str, ...],
    *,
    processes: int,
    timeout: float,
    user_agent: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, int]:
    """The PDF of the HTML `parts` in order, laid out with `stylesheets` (which print no
    page numbers) on up to `processes` processes, each page then numbered by an empty
    page laid out with `numbering`; and its page count. The first part's metadata is
    the document's. `user_agent`: as in `html_to_pdf`. `progress(done, total)` follows
    the parts as they are laid out."""
    pdfs: list[bytes] | None = None
    if processes > 1 and len(parts) > 1:
        try:
            count = min(processes, len(parts))
            pdfs = _in_pool(parts, stylesheets, user_agent, count, timeout, progress)
        except BrokenProcessPool:  # a worker died (memory, a signal): lay out here
            _forget_pool()
    if pdfs is None:
        pdfs = []
        for part in parts:
            pdfs.append(html_to_pdf(part, stylesheets, user_agent=user_agent))
            if progress is not None:
                progress(len(pdfs), len(parts))
    readers = [PdfReader(io.BytesIO(pdf)) for pdf in pdfs]
    total = sum(len(reader.pages) for reader in readers)
    numbers = PdfReader(
        io.BytesIO(html_to_pdf(_EMPTY_PAGE * total, numbering, user_agent=user_agent))
    )
    writer = PdfWriter()
    for reader in readers:
        for page in reader.pages:
            writer.add_page(page)
    for page, number in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(number)
        page.compress_content_streams()  # merging leaves the page's content uncompressed
    if readers[0].metadata:
        writer.add_metadata(dict(readers[0].metadata))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), total
