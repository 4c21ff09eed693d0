"""The two file stores side by side: a folder (FILE_STORE = "folder") and an
S3-compatible object store (FILE_STORE = "s3": OpenStack Swift with s3api from Debian,
on this machine, as tests/object_store_server.py starts it). For files of three sizes:
saving an upload (spooled, hashed, fsynced, then moved or sent) and reading it back,
p50 and p95 in ms; then the orphan sweep's listing of --listed files.

    .venv/bin/python benchmarks/file_store.py [--runs 20] [--listed 1000]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.object_store_server import swift_missing, swift_s3  # noqa: E402
from tracker.evidence import stores  # noqa: E402

SIZES = {"100 KB": 100 * 1024, "1 MB": 1024 * 1024, "20 MB": 20 * 1024 * 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--listed", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracker-file-store-") as scratch:
        folder = Path(scratch)
        configs = {"folder": _settings(folder / "folder")}
        reason = swift_missing()
        if reason:
            print(f"object store skipped: {reason}")
            _measure(configs, args)
            return 0
        with swift_s3(folder) as endpoint:
            configs["s3 (Swift)"] = _settings(folder / "s3") | {
                "FILE_STORE": "s3",
                "S3_ENDPOINT_URL": endpoint.url,
                "S3_BUCKET": "benchmark",
                "S3_ACCESS_KEY_ID": endpoint.access_key_id,
                "S3_SECRET_ACCESS_KEY": endpoint.secret_access_key,
            }
            stores.prepare(configs["s3 (Swift)"])  # creates the bucket
            _measure(configs, args)
    return 0


def _settings(folder: Path) -> dict[str, object]:
    return {
        "FILE_STORE": "folder",
        "EVIDENCE_DIR": str(folder / "evidence"),
        "DOCUMENTS_DIR": str(folder / "documents"),
        "UPLOAD_SPOOL_DIR": str(folder / "spool"),
        "S3_REGION": "us-east-1",
        "S3_ADDRESSING_STYLE": "path",
    }


def _measure(configs: dict[str, dict[str, object]], args: argparse.Namespace) -> None:
    print(f"{'store':12} {'file':>7} {'save p50':>9} {'p95':>6} {'read p50':>9} {'p95':>6}  ms")
    for name, config in configs.items():
        store = stores.evidence_store(config)
        for label, size in SIZES.items():
            saves, reads = [], []
            for _ in range(args.runs):
                data = os.urandom(16) + b"\0" * (size - 16)
                started = time.perf_counter()
                blob, _ = store.save_stream(io.BytesIO(data), max_bytes=size)
                saves.append(time.perf_counter() - started)
                started = time.perf_counter()
                stored = store.open(blob.sha256)
                assert stored is not None
                assert sum(len(chunk) for chunk in stored.chunks()) == size
                reads.append(time.perf_counter() - started)
            print(
                f"{name:12} {label:>7} {_ms(saves, 50):9.1f} {_ms(saves, 95):6.1f}"
                f" {_ms(reads, 50):9.1f} {_ms(reads, 95):6.1f}"
            )
        for _ in range(args.listed):
            store.save_stream(io.BytesIO(uuid.uuid4().bytes), max_bytes=16)
        started = time.perf_counter()
        removed = store.sweep_orphans(set(), grace_seconds=3600)
        listed = sum(1 for _ in store.files())
        print(
            f"{name:12} sweep of {listed:,} files (nothing old enough to remove:"
            f" {len(removed)}): {(time.perf_counter() - started) * 1000:.0f} ms"
        )


def _ms(values: list[float], percentile: int) -> float:
    if len(values) < 2:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[percentile - 1] * 1000


if __name__ == "__main__":
    sys.exit(main())
