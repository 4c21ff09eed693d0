"""axe-core in the browser tests: the npm package, pinned and checked, run on a page.

axe-core is fetched from the npm registry at test time (a fresh Debian machine has
python3 but no npm, so urllib fetches the tarball), checked against the registry's
published `dist.integrity` pinned below, cached outside git under `.cache/axe-core/`
(gitignored), and its `package/axe.min.js` injected into the page under test. Never a
CDN: what runs is exactly the pinned, hash-checked package.

To move to a newer axe-core, read the new version's `dist.integrity` from
https://registry.npmjs.org/axe-core/<version> and change both constants together."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE_VERSION = "4.10.3"
#: The registry's `dist.integrity` of axe-core-AXE_VERSION.tgz (Subresource Integrity form).
AXE_INTEGRITY = "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="  # noqa: E501
AXE_TARBALL_URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
#: Where the checked tarball is kept between runs (gitignored); TRACKER_AXE_CACHE moves it.
CACHE_DIR = Path(
    os.environ.get("TRACKER_AXE_CACHE", Path(__file__).resolve().parents[2] / ".cache" / "axe-core")
)
#: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DOWNLOAD_TIMEOUT_SECONDS = 30


class AxeUnavailable(RuntimeError):
    """axe-core could not be fetched or did not match its pinned integrity."""


def integrity_of(data: bytes) -> str:
    """The Subresource Integrity string (sha512) npm publishes as `dist.integrity`."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _fetch_tarball() -> bytes:
    try:
        with urllib.request.urlopen(AXE_TARBALL_URL, timeout=DOWNLOAD_TIMEOUT_SECONDS) as reply:
            return reply.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise AxeUnavailable(
            f"cannot download axe-core {AXE_VERSION} from {AXE_TARBALL_URL}: {reason}. "
            f"The accessibility tests need the npm registry once; afterwards the tarball is "
            f"cached in {CACHE_DIR}. Offline, put axe-core-{AXE_VERSION}.tgz there by hand "
            f"(its sha512 must be {AXE_INTEGRITY})."
        ) from None


def axe_tarball() -> bytes:
    """The pinned axe-core tarball: from the cache when present and intact, else fetched,
    checked and cached."""
    cached = CACHE_DIR / f"axe-core-{AXE_VERSION}.tgz"
    if cached.exists():
        data = cached.read_bytes()
        if integrity_of(data) == AXE_INTEGRITY:
            return data
    data = _fetch_tarball()
    found = integrity_of(data)
    if found != AXE_INTEGRITY:
        raise AxeUnavailable(
            f"axe-core {AXE_VERSION} from {AXE_TARBALL_URL} does not match its pinned integrity: "
            f"expected {AXE_INTEGRITY}, got {found}"
        )
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # Write then rename, so that parallel test workers never read half a file.
    with tempfile.NamedTemporaryFile(dir=CACHE_DIR, delete=False, suffix=".part") as part:
        part.write(data)
    os.chmod(part.name, 0o644)
    os.replace(part.name, cached)
    return data


def axe_source() -> str:
    """package/axe.min.js of the pinned, checked tarball."""
    with tarfile.open(fileobj=io.BytesIO(axe_tarball()), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise AxeUnavailable(f"axe-core-{AXE_VERSION}.tgz has no package/axe.min.js")
        return member.read().decode("utf-8")


def run_axe(page: Page, source: str) -> list[dict[str, Any]]:
    """The WCAG 2.0/2.1 A and AA violations axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        try:
            page.add_script_tag(content=source)
        except PlaywrightError as error:
            raise AxeUnavailable(
                f"cannot inject axe-core into {page.url}: {error.message.splitlines()[0]} "
                "(open the page's context with bypass_csp=True)"
            ) from None
    result = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations;
        }""",
        WCAG_TAGS,
    )
    return list(result)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One readable paragraph per violated rule: id, impact, help, the offending nodes."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact'}): {violation['help']}"
            f" [{len(violation['nodes'])} element(s)] {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(json.dumps(part, ensure_ascii=False) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)
