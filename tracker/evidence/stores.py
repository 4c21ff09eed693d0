"""Which store holds the evidence, document and imported scan files, read from the settings.

``FILE_STORE = "folder"`` (the default): the folders EVIDENCE_DIR, DOCUMENTS_DIR and
IMPORTS_DIR, on this machine or on shared storage (`tracker.evidence.storage`).
``"s3"``: one bucket of an S3-compatible object store, the evidence under
``evidence/``, the documents under ``documents/`` and the imported scans under
``imports/`` (`tracker.evidence.object_store`). Both keep a file
under the SHA-256 of its content and offer the same operations (`BlobStore`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Final, Protocol, TypeVar, overload

from tracker.evidence.storage import EvidenceStore, StoredBlob, StoredFile

T = TypeVar("T")

FOLDER: Final = "folder"
S3: Final = "s3"
KINDS: Final = (FOLDER, S3)
#: The settings of an object store, handed to a child process with the others.
S3_SETTINGS: Final = (
    "S3_ENDPOINT_URL",
    "S3_BUCKET",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
    "S3_ADDRESSING_STYLE",
)
_REQUIRED: Final = ("S3_ENDPOINT_URL", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
_ADDRESSING: Final = ("path", "virtual", "auto")


class BlobStore(Protocol):
    """What the folder store and the object store both offer."""

    @overload
    def save_stream(
        self, stream: IO[bytes], *, max_bytes: int, validate: Callable[[Path], T]
    ) -> tuple[StoredBlob, T]: ...

    @overload
    def save_stream(
        self, stream: IO[bytes], *, max_bytes: int, validate: None = None
    ) -> tuple[StoredBlob, None]: ...

    def exists(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> StoredFile | None: ...

    def verify(self, sha256: str) -> bool: ...

    def hash_of(self, name: str) -> str | None: ...

    def files(self) -> Iterator[tuple[str, int]]: ...

    def sweep_dead_uploads(self) -> list[Path]: ...

    def sweep_orphans(self, known: set[str], *, grace_seconds: float = ...) -> Sequence[object]: ...


def check(config: Mapping[str, object]) -> None:
    """ValueError naming the setting that is wrong (read as the app is configured)."""
    kind = config.get("FILE_STORE")
    if kind not in KINDS:
        raise ValueError(f"FILE_STORE must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind != S3:
        return
    missing = [name for name in _REQUIRED if not config.get(name)]
    if missing:
        raise ValueError(f"FILE_STORE = 's3' needs {', '.join(missing)}")
    if config.get("S3_ADDRESSING_STYLE") not in _ADDRESSING:
        raise ValueError(f"S3_ADDRESSING_STYLE must be one of {', '.join(_ADDRESSING)}")
    if importlib.util.find_spec("boto3") is None:
        raise ValueError("FILE_STORE = 's3' needs boto3: pip install -e '.[s3]'")


def prepare(config: Mapping[str, object]) -> str | None:
    """Make the object store ready (`tracker init`): its bucket, unless it exists. The
    bucket's name if it was created; None otherwise, and for folders, which are made
    as files arrive."""
    if config.get("FILE_STORE") != S3:
        return None
    from tracker.evidence.object_store import ObjectStore

    store = evidence_store(config)
    assert isinstance(store, ObjectStore)
    return store.bucket if store.ensure_bucket() else None


def evidence_store(config: Mapping[str, object]) -> BlobStore:
    return _store(config, "evidence", "EVIDENCE_DIR")


def document_store(config: Mapping[str, object]) -> BlobStore:
    return _store(config, "documents", "DOCUMENTS_DIR")


def import_store(config: Mapping[str, object]) -> BlobStore:
    """Scanned directives waiting for OCR, and their page images for the review."""
    return _store(config, "imports", "IMPORTS_DIR")


def every_store(config: Mapping[str, object]) -> dict[str, BlobStore]:
    """Each store by its name (a backup's manifest names them so)."""
    return {
        "evidence": evidence_store(config),
        "documents": document_store(config),
        "imports": import_store(config),
    }


def child_environment(config: Mapping[str, object]) -> dict[str, str]:
    """The TRACKER_* variables that let a child process reach the same stores."""
    names = (
        "FILE_STORE",
        "EVIDENCE_DIR",
        "DOCUMENTS_DIR",
        "IMPORTS_DIR",
        "UPLOAD_SPOOL_DIR",
        *S3_SETTINGS,
    )
    return {f"TRACKER_{name}": str(config[name]) for name in names if config.get(name)}


def _store(config: Mapping[str, object], prefix: str, folder_setting: str) -> BlobStore:
    if config.get("FILE_STORE") != S3:
        return EvidenceStore(Path(str(config[folder_setting])))
    from tracker.evidence.object_store import ObjectStore, S3Settings

    settings = S3Settings(
        endpoint_url=str(config["S3_ENDPOINT_URL"]),
        bucket=str(config["S3_BUCKET"]),
        access_key_id=str(config["S3_ACCESS_KEY_ID"]),
        secret_access_key=str(config["S3_SECRET_ACCESS_KEY"]),
        region=str(config.get("S3_REGION") or "us-east-1"),
        addressing_style=str(config.get("S3_ADDRESSING_STYLE") or "path"),
    )
    return ObjectStore(settings, prefix, Path(str(config["UPLOAD_SPOOL_DIR"])))
