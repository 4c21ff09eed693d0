"""How the accessibility tests get axe-core: pinned, checked, cached; and a clear error when
the registry cannot be reached. No browser and no network needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import axe


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(axe, "CACHE_DIR", tmp_path / "axe-core")
    return tmp_path / "axe-core"


def test_integrity_is_npms_sha512_form() -> None:
    # `printf abc | openssl dgst -sha512 -binary | base64`
    assert axe.integrity_of(b"abc") == (
        "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
    )
    assert axe.AXE_INTEGRITY.startswith("sha512-")
    assert axe.AXE_VERSION in axe.AXE_TARBALL_URL


def test_unreachable_registry_gives_a_clear_error(
    empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 9 (discard) of this machine: nothing listens, the connection is refused at once.
    monkeypatch.setattr(axe, "AXE_TARBALL_URL", "http://127.0.0.1:9/axe-core.tgz")
    with pytest.raises(axe.AxeUnavailable) as raised:
        axe.axe_tarball()
    message = str(raised.value)
    assert message.startswith(
        f"cannot download axe-core {axe.AXE_VERSION} from http://127.0.0.1:9/"
    )
    assert str(empty_cache) in message and axe.AXE_INTEGRITY in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert not empty_cache.exists()


def test_a_tarball_that_does_not_match_the_pin_is_refused_and_not_cached(
    empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(axe, "_fetch_tarball", lambda: b"not axe-core")
    with pytest.raises(axe.AxeUnavailable, match="does not match its pinned integrity"):
        axe.axe_tarball()
    assert not (empty_cache / f"axe-core-{axe.AXE_VERSION}.tgz").exists()


def test_the_cache_is_used_when_intact_and_replaced_when_not(
    empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[bytes] = []

    def fetch() -> bytes:
        fetched.append(b"good tarball")
        return b"good tarball"

    monkeypatch.setattr(axe, "AXE_INTEGRITY", axe.integrity_of(b"good tarball"))
    monkeypatch.setattr(axe, "_fetch_tarball", fetch)
    cached = empty_cache / f"axe-core-{axe.AXE_VERSION}.tgz"

    assert axe.axe_tarball() == b"good tarball"
    assert cached.read_bytes() == b"good tarball" and len(fetched) == 1
    assert axe.axe_tarball() == b"good tarball"
    assert len(fetched) == 1, "an intact cached tarball is not fetched again"

    cached.write_bytes(b"damaged")
    assert axe.axe_tarball() == b"good tarball"
    assert cached.read_bytes() == b"good tarball" and len(fetched) == 2
    assert not list(empty_cache.glob("*.part"))
