"""The only URL fetcher WeasyPrint gets: data: URLs and the package's own assets.

Every other URL, file:// outside the assets folder, http, https or anything else, is
refused, so a document's text can never pull a local file or a network resource into a
PDF (SECURITY.md item 19)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
MEDIA_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".png": "image/png", ".svg": "image/svg+xml"}


class AssetsOnlyFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise ValueError(f"refused URL: {url[:80]}")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not path.is_relative_to(ASSETS_DIR) or not path.is_file():
            raise ValueError(f"refused URL: {url[:80]}")
        return URLFetcherResponse(
            url,
            path.read_bytes(),
            {"Content-Type": MEDIA_TYPES.get(path.suffix, "application/octet-stream")},
        )
