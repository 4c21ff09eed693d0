"""Evidence and document files in S3-compatible object storage (docs/deployment.md).

The same content-addressed layout as the folder store (`tracker.evidence.storage`):
the object ``PREFIX/ab/abcdef...`` holds the file whose SHA-256 is ``abcdef...``. An
upload is spooled into a local temp file first, hashed, size-checked, sniffed and
fsynced exactly as in the folder store; only a complete, valid file is sent, and an
object store shows an object only once it is whole. So a failed step leaves nothing
behind in the bucket, and a row is added only after the object exists.

Several web and worker machines can share one bucket: no file lives on a machine.
The client is boto3's, made once per process on first use (after a server forks).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Final, TypeVar, overload

from tracker.evidence.storage import (
    SWEEP_GRACE_SECONDS,
    StoredBlob,
    StoredFile,
    StoreUnavailable,
    spooled,
    sweep_dead_temp_files,
)

#: boto3's S3 client (its classes are made at run time).
S3Client = Any

T = TypeVar("T")
log = logging.getLogger(__name__)

_NAME: Final = re.compile(r"([0-9a-f]{2})/(\1[0-9a-f]{62})")
_CLIENTS: dict[tuple[int, S3Settings], S3Client] = {}
_CLIENTS_LOCK = threading.Lock()


class ObjectStore:
    """Files in `bucket` under `prefix`, named by the SHA-256 of their content."""

    def __init__(self, settings: S3Settings, prefix: str, spool: Path) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        self.prefix = prefix.strip("/") + "/"
        self.spool = Path(spool)

    @property
    def client(self) -> S3Client:
        return _client(self.settings)

    def key_for(self, sha256: str) -> str:
        """``prefix/sha[:2]/sha``; ValueError unless `sha256` is 64 lower-case hex digits."""
        name = f"{sha256[:2]}/{sha256}" if isinstance(sha256, str) else ""
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.prefix + name

    @overload
    def save_stream(
        self, stream: IO[bytes], *, max_bytes: int, validate: Callable[[Path], T]
    ) -> tuple[StoredBlob, T]: ...

    @overload
    def save_stream(
        self, stream: IO[bytes], *, max_bytes: int, validate: None = None
    ) -> tuple[StoredBlob, None]: ...

    def save_stream(
        self,
        stream: IO[bytes],
        *,
        max_bytes: int,
        validate: Callable[[Path], T] | None = None,
    ) -> tuple[StoredBlob, T | None]:
        """Store the bytes of `stream`, as `EvidenceStore.save_stream` does.

        Content already stored with the same size is kept and its object rewritten in
        place (a server-side copy onto itself), so its age starts again and the sweep's
        grace period protects the row about to be added. `StoreUnavailable` when the
        object store cannot be reached; nothing is left behind then either."""
        with spooled(self.spool, stream, max_bytes, validate) as (temp, sha256, size, validated):
            key = self.key_for(sha256)
            with _answering():
                if self._size(key) == size:
                    self.client.copy_object(
                        Bucket=self.bucket,
                        Key=key,
                        CopySource={"Bucket": self.bucket, "Key": key},
                        MetadataDirective="REPLACE",
                        Metadata={"sha256": sha256},
                    )
                else:
                    self.client.upload_file(
                        str(temp), self.bucket, key, ExtraArgs={"Metadata": {"sha256": sha256}}
                    )
        return StoredBlob(sha256=sha256, size=size, path=None), validated

    def ensure_bucket(self) -> bool:
        """Create the bucket unless it exists; True if it was created."""
        from botocore.exceptions import ClientError

        with _answering():
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
                    raise
                self.client.create_bucket(Bucket=self.bucket)
                return True
        return False

    def exists(self, sha256: str) -> bool:
        with _answering():
            return self._size(self.key_for(sha256)) is not None

    def open(self, sha256: str) -> StoredFile | None:
        """The stored object for reading, streamed; None if it is missing."""
        key = self.key_for(sha256)
        with _answering():
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.NoSuchKey:
                return None
        return StoredFile(size=int(response["ContentLength"]), path=None, stream=response["Body"])

    def verify(self, sha256: str) -> bool:
        """Re-hash the stored object; False if it is missing or its content changed."""
        self.key_for(sha256)
        return self.hash_of(f"{sha256[:2]}/{sha256}") == sha256

    def hash_of(self, name: str) -> str | None:
        """The SHA-256 of the object `name` (``ab/abcdef...``); None if it is missing."""
        if not _NAME.fullmatch(name):
            return None
        stored = self.open(name.split("/", 1)[1])
        if stored is None:
            return None
        digest = hashlib.sha256()
        with _answering():
            for chunk in stored.chunks():
                digest.update(chunk)
        return digest.hexdigest()

    def files(self) -> Iterator[tuple[str, int]]:
        """Every stored object: its name inside the store (``ab/abcdef...``) and size."""
        for key, size, _modified in self._objects():
            yield key[len(self.prefix) :], size

    def sweep_dead_uploads(self) -> list[Path]:
        """Spooled uploads of processes on this host that have died: removed at once."""
        return sweep_dead_temp_files(self.spool)

    def sweep_orphans(
        self, known: set[str], *, grace_seconds: float = SWEEP_GRACE_SECONDS
    ) -> list[str]:
        """Remove objects whose hash is not in `known` and that are older than
        `grace_seconds`; objects the store did not name are left alone. Returns the
        removed keys."""
        cutoff = datetime.now(UTC) - timedelta(seconds=grace_seconds)
        removed = []
        for key, _size, modified in self._objects():
            match = _NAME.fullmatch(key[len(self.prefix) :])
            if match is None or match.group(2) in known or modified >= cutoff:
                continue
            with _answering():
                self.client.delete_object(Bucket=self.bucket, Key=key)
            removed.append(key)
        return removed

    def _objects(self) -> Iterator[tuple[str, int, datetime]]:
        with _answering():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"], int(item["Size"]), item["LastModified"]

    def _size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return int(head["ContentLength"])


@dataclass(frozen=True)
class S3Settings:
    """Where the bucket is and how to sign in to it (the S3_* settings)."""

    endpoint_url: str
    bucket: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    region: str = "us-east-1"
    addressing_style: str = "path"


def _client(settings: S3Settings) -> S3Client:
    """One boto3 client per process and settings (boto3's clients are thread-safe, but
    not to be shared across a fork: the process id is part of the key)."""
    key = (os.getpid(), settings)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.session.Session().client(
                "s3",
                endpoint_url=settings.endpoint_url or None,
                aws_access_key_id=settings.access_key_id,
                aws_secret_access_key=settings.secret_access_key,
                region_name=settings.region,
                config=Config(
                    s3={"addressing_style": settings.addressing_style},
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=60,
                    # Checksums only where the API requires them: S3-compatible stores
                    # other than AWS do not all read the newer trailing checksums.
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                ),
            )
            _CLIENTS[key] = client
    return client


@contextlib.contextmanager
def _answering() -> Iterator[None]:
    """Turn the client's connection and service errors into `StoreUnavailable`."""
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError, Boto3Error) as error:
        log.error("object store: %s", error)
        raise StoreUnavailable() from error
