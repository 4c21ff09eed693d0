"""Content-addressed store for evidence files (SECURITY.md items 15 and 25).

Files live under one root folder outside any static path (the app passes
``instance/evidence``), named by their SHA-256: ``root/ab/abcdef...``. The original
name is kept only in the database; `safe_download_name` makes it fit for a header.

Publishing is atomic: an upload is streamed into a temp file in the root (same file
system), hashed on the way, validated, fsynced and moved into place with `os.replace`.
A failure at any step removes the temp file, so no partial file is ever left behind.

The caller adds the database row *after* `EvidenceStore.save_stream` returns. If that
commit fails, the blob stays on disk without a row: it is an orphan, and
`EvidenceStore.sweep_orphans` removes it later. The opposite (a row without its file)
cannot happen this way round.
"""

import contextlib
import hashlib
import os
import re
import socket
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Final, TypeVar, overload

from flask_babel import gettext as _

from tracker.text import INVISIBLE_CATEGORIES

T = TypeVar("T")

CHUNK_SIZE: Final = 64 * 1024
TEMP_PREFIX: Final = ".upload-"
#: Temp files and unreferenced blobs younger than this are left alone by the sweep:
#: they may belong to an upload whose database row is not committed yet.
SWEEP_GRACE_SECONDS: Final = 60 * 60
FILE_MODE: Final = 0o640
DIRECTORY_MODE: Final = 0o750
DEFAULT_DOWNLOAD_NAME: Final = "tai-lieu"
MAX_DOWNLOAD_NAME_LENGTH: Final = 150

_SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
_PATH_SEPARATORS: Final = re.compile(r"[/\\]")
_DROPPED_CATEGORIES: Final = INVISIBLE_CATEGORIES


class FileTooLarge(ValueError):  # noqa: N818 (name fixed by the module API)
    """More than the allowed number of bytes arrived."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(
            _(
                "Tệp vượt quá dung lượng cho phép (%(size)s MB).",
                size=_format_megabytes(max_bytes),
            )
        )


class EmptyFile(ValueError):  # noqa: N818 (name fixed by the module API)
    """The upload holds no bytes."""

    def __init__(self) -> None:
        super().__init__(_("Tệp rỗng: không có nội dung để lưu."))


class StoreUnavailable(OSError):
    """The object store did not answer or refused the request; the message is for the
    user (in the language in force), the cause is chained for the log."""

    def __init__(self) -> None:
        super().__init__(_("Kho lưu trữ tệp đang không truy cập được. Vui lòng thử lại sau."))


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    #: Where a folder store keeps it; None in an object store.
    path: Path | None


@dataclass(frozen=True)
class StoredFile:
    """A stored file opened for reading: its size, its path when it lies in a local
    folder (sent as a file, with ranges), and its bytes as a stream either way."""

    size: int
    path: Path | None
    stream: BinaryIO

    def chunks(self) -> Iterator[bytes]:
        """The bytes in chunks; the stream is closed at the end."""
        with contextlib.closing(self.stream):
            while chunk := self.stream.read(CHUNK_SIZE):
                yield chunk

    def close(self) -> None:
        self.stream.close()


class EvidenceStore:
    """Files under `root`, named by the SHA-256 of their content and stored once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """``root / sha[:2] / sha``; ValueError unless `sha256` is 64 lower-case hex digits."""
        if not isinstance(sha256, str) or not _SHA256_HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

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
        """Store the bytes of `stream`; return the blob and what `validate` returned.

        Reading stops with `FileTooLarge` as soon as more than `max_bytes` arrive;
        `EmptyFile` for no bytes at all. `validate(temp_path)` (for example the
        sniffer) runs on the complete temp file before it is published; whatever it
        raises propagates. Content already stored is kept and the new copy dropped
        (a stored copy of the wrong size is replaced).

        On any exception nothing is left behind. The caller then adds the database
        row; if that commit fails, the blob is an orphan for `sweep_orphans`.
        """
        with spooled(self.root, stream, max_bytes, validate) as (
            temp_path,
            sha256,
            size,
            validated,
        ):
            target = self.path_for(sha256)
            created_folder = _make_directory(target.parent)
            if _has_size(target, size):
                temp_path.unlink()
                # Fresh mtime: the sweep's grace period protects the row about to be added.
                os.utime(target)
            else:
                os.replace(temp_path, target)
                _fsync_directory(target.parent)
            if created_folder:
                _fsync_directory(self.root)
        return StoredBlob(sha256=sha256, size=size, path=target), validated

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> StoredFile | None:
        """The stored file for reading; None if it is missing."""
        path = self.path_for(sha256)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return None
        return StoredFile(size=os.fstat(handle.fileno()).st_size, path=path, stream=handle)

    def files(self) -> Iterator[tuple[str, int]]:
        """Every stored file: its name inside the store (``ab/abcdef...``) and size."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield str(path.relative_to(self.root)), path.stat().st_size

    def hash_of(self, name: str) -> str | None:
        """The SHA-256 of the file `name` (as `files` gives it); None if it is missing."""
        path = self.root / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            return None
        try:
            with path.open("rb") as stored:
                return hashlib.file_digest(stored, "sha256").hexdigest()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def verify(self, sha256: str) -> bool:
        """Re-hash the stored file; False if it is missing or its content changed."""
        self.path_for(sha256)  # a hash, not a path
        return self.hash_of(f"{sha256[:2]}/{sha256}") == sha256

    def sweep_dead_uploads(self) -> list[Path]:
        """Temporary files of uploads whose process on this host has died (a kill -9 or
        a crash mid-upload): removed at once, whatever their age. Run at start-up."""
        return sweep_dead_temp_files(self.root)

    def sweep_orphans(
        self, known: set[str], *, grace_seconds: float = SWEEP_GRACE_SECONDS
    ) -> list[Path]:
        """Remove stored files whose hash is not in `known` and stale temp files.

        Only files older than `grace_seconds` (one hour by default) are removed, so
        that an upload whose row is being committed is not swept away; files that the
        store did not name are left alone. Returns the removed paths.
        """
        if not self.root.is_dir():
            return []
        cutoff = time.time() - grace_seconds
        removed: list[Path] = []
        for entry in sorted(self.root.iterdir()):
            if entry.name.startswith(TEMP_PREFIX):
                candidates = [entry]
            elif len(entry.name) == 2 and entry.is_dir() and not entry.is_symlink():
                candidates = [
                    blob
                    for blob in sorted(entry.iterdir())
                    if _SHA256_HEX.fullmatch(blob.name)
                    and blob.name.startswith(entry.name)
                    and blob.name not in known
                ]
            else:
                continue
            for path in candidates:
                if _remove_if_older(path, cutoff):
                    removed.append(path)
        return removed


@contextlib.contextmanager
def spooled(
    folder: Path,
    stream: IO[bytes],
    max_bytes: int,
    validate: Callable[[Path], T] | None,
) -> Iterator[tuple[Path, str, int, T | None]]:
    """Copy `stream` into a temp file in `folder`, hashing it on the way, and yield
    ``(temp_path, sha256, size, validated)`` once it is complete, validated and fsynced.

    `FileTooLarge` as soon as more than `max_bytes` arrive, `EmptyFile` for no bytes;
    whatever `validate(temp_path)` raises propagates. The temp file is removed when the
    block ends, unless the block moved it away; on any exception nothing is left."""
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    _make_directory(folder)
    descriptor, temp_name = tempfile.mkstemp(prefix=_writer_prefix(), dir=folder)
    temp_path = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as temp_file:
            os.fchmod(temp_file.fileno(), FILE_MODE)
            sha256, size = _copy_hashing(stream, temp_file, max_bytes)
            if size == 0:
                raise EmptyFile()
            temp_file.flush()
            validated = validate(temp_path) if validate is not None else None
            os.fsync(temp_file.fileno())
        yield temp_path, sha256, size, validated
    finally:
        temp_path.unlink(missing_ok=True)


def sweep_dead_temp_files(folder: Path) -> list[Path]:
    """Temporary files of uploads whose process on this host has died (a kill -9 or a
    crash mid-upload) in `folder`: removed at once, whatever their age."""
    if not folder.is_dir():
        return []
    removed = []
    own = f"{TEMP_PREFIX}{_host()}-"
    for entry in folder.iterdir():
        if not entry.name.startswith(own):
            continue
        pid = entry.name[len(own) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                removed.append(entry)
    return removed


def safe_download_name(name: str) -> str:
    """The original file name made safe for a Content-Disposition header.

    Drops CR, LF and other control or invisible characters; path separators join the
    remaining parts with "_" and "." / ".." parts are dropped. Vietnamese letters are
    kept (in NFC). Falls back to "tai-lieu" when nothing is left.
    """
    text = unicodedata.normalize("NFC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    parts = [part.strip() for part in _PATH_SEPARATORS.split(text)]
    text = "_".join(part for part in parts if part not in {"", ".", ".."})
    text = text.strip().lstrip(".").rstrip(". ")
    if len(text) > MAX_DOWNLOAD_NAME_LENGTH:
        stem, dot, suffix = text.rpartition(".")
        if dot and 0 < len(suffix) <= 16:
            keep = MAX_DOWNLOAD_NAME_LENGTH - len(suffix) - 1
            text = f"{stem[:keep].rstrip()}.{suffix}"
        else:
            text = text[:MAX_DOWNLOAD_NAME_LENGTH].rstrip(". ")
    return text or DEFAULT_DOWNLOAD_NAME


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:40] or "host"


def _writer_prefix() -> str:
    """Temporary names say which process on which host writes them."""
    return f"{TEMP_PREFIX}{_host()}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _copy_hashing(stream: IO[bytes], target: BinaryIO, max_bytes: int) -> tuple[str, int]:
    """Copy in chunks; return the SHA-256 hex digest and the size."""
    digest = hashlib.sha256()
    size = 0
    # Never ask for more than one byte past the limit.
    while chunk := stream.read(min(CHUNK_SIZE, max_bytes - size + 1)):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(max_bytes)
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest(), size


def _make_directory(path: Path) -> bool:
    """Create `path` (mode 0o750) if missing; True if it was created."""
    try:
        path.mkdir(mode=DIRECTORY_MODE, parents=True)
    except FileExistsError:
        return False
    os.chmod(path, DIRECTORY_MODE)
    return True


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _has_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


def _remove_if_older(path: Path, cutoff: float) -> bool:
    with contextlib.suppress(FileNotFoundError):
        status = path.lstat()
        if status.st_mtime < cutoff and not stat.S_ISDIR(status.st_mode):
            path.unlink()
            return True
    return False


def _format_megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    text = f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2g}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
