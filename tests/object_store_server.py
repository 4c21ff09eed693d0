"""A real S3-compatible object store for the tests: OpenStack Swift from Debian's
packages (swift-proxy, swift-account, swift-container, swift-object) with its s3api
middleware, one replica on one device in a temp folder, on ports the system gives out.

    with swift_s3(tmp_path) as endpoint:
        ...  # endpoint.url, endpoint.access_key_id, endpoint.secret_access_key

The four servers run in a process group of their own, stopped when the block ends.
Their log is `tmp_path/swift/<server>.log`."""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVERS = ("account", "container", "object", "proxy")
RING_BUILDER = Path("/usr/bin/swift-ring-builder")
ACCESS_KEY_ID = "tracker:tracker"  # tempauth's account:user
SECRET_ACCESS_KEY = "tracker-test-secret"
START_SECONDS = 60


@dataclass(frozen=True)
class Endpoint:
    url: str
    access_key_id: str = ACCESS_KEY_ID
    secret_access_key: str = SECRET_ACCESS_KEY


def swift_missing() -> str | None:
    """Why the object store cannot run here, or None."""
    wanted = [RING_BUILDER, *(Path(f"/usr/bin/swift-{name}-server") for name in SERVERS)]
    missing = [path.name for path in wanted if not path.exists()]
    if missing:
        return (
            f"{', '.join(missing)} missing: install Debian's swift-proxy, swift-account,"
            " swift-container and swift-object (make test does)"
        )
    return None


@contextmanager
def swift_s3(folder: Path) -> Iterator[Endpoint]:
    reason = swift_missing()
    if reason:
        pytest.skip(reason)
    root = folder / "swift"
    (root / "node" / "d1").mkdir(parents=True)
    ports = {name: _free_port() for name in SERVERS}
    _write_configuration(root, ports)
    with ExitStack() as stack:
        for name in SERVERS:
            log = stack.enter_context((root / f"{name}.log").open("wb"))
            process = subprocess.Popen(  # noqa: S603 (Debian's server, our configuration)
                [f"/usr/bin/swift-{name}-server", str(root / f"{name}.conf"), "--verbose"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            stack.callback(_stop, process)
        url = f"http://127.0.0.1:{ports['proxy']}"
        _wait_until_serving(root, ports, url)
        yield Endpoint(url)


def _write_configuration(root: Path, ports: dict[str, int]) -> None:
    (root / "swift.conf").write_text(
        "[swift-hash]\nswift_hash_path_suffix = tracker-test\n\n"
        "[storage-policy:0]\nname = Policy-0\ndefault = yes\n"
    )
    common = (
        "[DEFAULT]\n"
        "bind_ip = 127.0.0.1\n"
        f"bind_port = {{port}}\n"
        f"swift_dir = {root}\n"
        f"devices = {root / 'node'}\n"
        "mount_check = false\n"
        f"user = {getpass.getuser()}\n"
        "workers = 1\n"
        "log_name = {name}\n"
    )
    for name in ("account", "container", "object"):
        (root / f"{name}.conf").write_text(
            common.format(port=ports[name], name=name)
            + f"\n[pipeline:main]\npipeline = {name}-server\n"
            + f"\n[app:{name}-server]\nuse = egg:swift#{name}\n"
        )
        builder = str(root / f"{name}.builder")
        for arguments in (
            ["create", "4", "1", "1"],
            ["add", f"r1z1-127.0.0.1:{ports[name]}/d1", "1"],
            ["rebalance"],
        ):
            subprocess.run(  # noqa: S603 (Debian's tool)
                [str(RING_BUILDER), builder, *arguments], check=True, capture_output=True
            )
    # s3api signs in through tempauth; the memcache middleware is required by both and
    # works (slower, logging that no memcached answers) without a memcached.
    (root / "proxy.conf").write_text(
        common.format(port=ports["proxy"], name="proxy")
        + "\n[pipeline:main]\npipeline = catch_errors gatekeeper healthcheck proxy-logging"
        " cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server\n"
        "\n[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n"
        "\n[filter:s3api]\nuse = egg:swift#s3api\nlocation = us-east-1\n"
        "\n[filter:tempauth]\nuse = egg:swift#tempauth\n"
        f"user_tracker_tracker = {SECRET_ACCESS_KEY} .admin\n"
        + "".join(
            f"\n[filter:{name}]\nuse = egg:swift#{egg}\n"
            for name, egg in (
                ("catch_errors", "catch_errors"),
                ("gatekeeper", "gatekeeper"),
                ("healthcheck", "healthcheck"),
                ("proxy-logging", "proxy_logging"),
                ("cache", "memcache"),
                ("listing_formats", "listing_formats"),
                ("copy", "copy"),
                ("slo", "slo"),
                ("dlo", "dlo"),
            )
        )
    )


def _wait_until_serving(root: Path, ports: dict[str, int], url: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    waiting = set(SERVERS)
    while waiting and time.monotonic() < deadline:
        for name in sorted(waiting):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", ports[name])) == 0:
                    waiting.discard(name)
        time.sleep(0.1)
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthcheck", timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.read() == b"OK":
                    return
        except OSError:
            time.sleep(0.1)
    logs = {name: (root / f"{name}.log").read_text(errors="replace")[-2000:] for name in SERVERS}
    raise RuntimeError(f"Swift did not start in {START_SECONDS} s: {logs}")


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
