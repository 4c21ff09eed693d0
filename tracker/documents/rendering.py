"""One place renders documents: HTML templates with plain values -> PDF (WeasyPrint).

One FontConfiguration and one parsed stylesheet per process; every string NFC; the
restricted fetcher; PDF metadata from the document's title, author and subject;
PDF/A-3u on request."""

from __future__ import annotations

import dataclasses
import logging
import threading
import unicodedata
import warnings
from datetime import date, datetime
from typing import Any

from flask import current_app
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from tracker.documents.fetcher import ASSETS_DIR, AssetsOnlyFetcher
from tracker.i18n import vietnamese

log = logging.getLogger("tracker.documents")

_lock = threading.Lock()
_shared: dict[str, Any] = {}
#: One render at a time per process, and no stylesheet parsed meanwhile: WeasyPrint
#: (Pango, fontconfig, the shared font configuration) is not thread-safe, and two renders
#: in two threads of one process at once crashed it (SIGSEGV). Processes (gunicorn's,
#: the job queue's children) render in parallel.
_render_lock = threading.Lock()


def _resources(names: tuple[str, ...]) -> tuple[FontConfiguration, list[CSS], AssetsOnlyFetcher]:
    """The font configuration and fetcher, built once per process, and the stylesheets
    (files of the assets folder), each parsed once per process."""
    with _lock:
        if not _shared:
            _shared.update(fonts=FontConfiguration(), fetcher=AssetsOnlyFetcher())
        fonts, fetcher = _shared["fonts"], _shared["fetcher"]
        for name in names:
            if name not in _shared:
                _shared[name] = CSS(
                    filename=str(ASSETS_DIR / name), font_config=fonts, url_fetcher=fetcher
                )
        return fonts, [_shared[name] for name in names], fetcher


def plain(value: Any) -> Any:
    """Context values as plain data: NFC strings, lists, dicts, dates and numbers only.
    Dataclasses become dicts; anything else (an ORM object) is refused."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if value is None or isinstance(value, (bool, int, float, date, datetime)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    raise TypeError(f"documents take plain values only, not {type(value).__name__}")


#: Every document has one template; its context says what it holds.
TEMPLATE = "documents/document.html"
#: The stylesheet of documents (Decree 30/2020/NĐ-CP).
STYLESHEET = "nd30.css"


def render_html(context: dict[str, Any], template: str = TEMPLATE) -> str:
    """The document's HTML from its plain context alone: no context processors (which
    read the database, e.g. the navbar's unread count), so rendering needs no
    transaction. Always in Vietnamese (ND30), whatever the reader's language. Another
    template prints something else than a document, e.g. a list."""
    with vietnamese():
        return current_app.jinja_env.get_template(template).render(**plain(context))


def render_pdf(
    context: dict[str, Any],
    *,
    pdf_variant: str | None = None,
    uncompressed: bool = False,
) -> bytes:
    """The PDF of a document context (`tracker.documents.context`); the template's
    <title> and <meta> tags give the PDF's metadata (title, author, description ->
    subject, dates). A context with "draft" set shows the DỰ THẢO mark."""
    return html_to_pdf(
        render_html(context), (STYLESHEET,), pdf_variant=pdf_variant, uncompressed=uncompressed
    )


class _LeanHTML(HTML):
    """HTML laid out with a user-agent stylesheet of the assets folder in place of
    WeasyPrint's (`user_agent` of `html_to_pdf`)."""

    user_agent: CSS

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [self.user_agent]


def html_to_pdf(
    html: str,
    stylesheet_names: tuple[str, ...] = (STYLESHEET,),
    *,
    user_agent: str | None = None,
    pdf_variant: str | None = None,
    uncompressed: bool = False,
) -> bytes:
    """The PDF of HTML, with the documents' fonts and fetcher and these stylesheets of
    the assets folder; `user_agent` (a stylesheet there) replaces WeasyPrint's HTML5
    one, for HTML that uses only the elements it styles. Needs no app: worker processes
    call it (`documents.parallel`)."""
    options: dict[str, Any] = {"uncompressed_pdf": uncompressed}
    with _render_lock:
        # Under the render lock too: parsing a stylesheet adds its @font-face fonts to
        # the shared font configuration (fontconfig, Pango), which must not change while
        # another thread of this process lays a document out.
        fonts, stylesheets, fetcher = _resources(stylesheet_names)
        lean = _resources((user_agent,))[1][0] if user_agent else None
        if lean is None:
            document = HTML(string=html, base_url=str(ASSETS_DIR) + "/", url_fetcher=fetcher)
        else:
            document = _LeanHTML(string=html, base_url=str(ASSETS_DIR) + "/", url_fetcher=fetcher)
            document.user_agent = lean
        if not pdf_variant:
            return document.write_pdf(stylesheets=stylesheets, font_config=fonts, **options)
        # WeasyPrint 70 opens its sRGB ICC profile for PDF/A and drops the file unclosed
        # (a ResourceWarning at once, on CPython); that one warning is silenced here.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014", ResourceWarning)
            return document.write_pdf(
                stylesheets=stylesheets, font_config=fonts, pdf_variant=pdf_variant, **options
            )
