"""The event chain verified from where it was last verified, so the accountability
report's check costs what happened since, not the whole history.

The starting point is a checkpoint kept beside the anchor file (AUDIT_ANCHOR_FILE plus
".verified"): an event's id, its hash, the number of events up to it, and the byte
offset of its line in the anchor file. It is trusted only while that line of the
anchor file (which the database cannot rewrite) still names that event and hash, and
the event still carries it: rewriting any earlier event would change that hash. Then
only the events after it are checked, and the checkpoint moves to the newest anchored
event among them. Without an anchor file, or when the checkpoint does not hold, the
whole chain is verified, as `tracker audit verify` always does.

What this check cannot see: an event before the checkpoint edited in place with its
stored hash left as it was (the chain after it still links). The full check finds it:
`tracker audit verify`, and the daily job (`full=True`).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.audit import ChainCheck, Event, verify_chain


@dataclass(frozen=True)
class Checkpoint:
    event_id: int
    row_hash: str
    count: int
    #: Where the event's line starts in the anchor file.
    offset: int


def checkpoint_file(anchor_file: Path) -> Path:
    return anchor_file.with_name(anchor_file.name + ".verified")


def load(file: Path) -> Checkpoint | None:
    try:
        data = json.loads(file.read_text("ascii"))
        return Checkpoint(
            int(data["event_id"]), str(data["row_hash"]), int(data["count"]), int(data["offset"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(file: Path, checkpoint: Checkpoint) -> None:
    """Written whole or not at all (a new file renamed over the old). The temporary
    file is each writer's own: two threads of one process may save at once."""
    descriptor, name = tempfile.mkstemp(prefix=f"{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as partial:
            partial.write(json.dumps(asdict(checkpoint)))
        os.replace(name, file)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _line(event_id: int, row_hash: str) -> bytes:
    return f"{event_id} {row_hash}\n".encode("ascii")


def trusted(session: Session, anchor_file: Path, checkpoint: Checkpoint | None) -> bool:
    """Whether the checkpoint still holds: its anchor line names it, and so does the
    event row."""
    if checkpoint is None:
        return False
    try:
        with anchor_file.open("rb") as anchored:
            anchored.seek(checkpoint.offset)
            line = anchored.readline()
    except OSError:
        return False
    if line != _line(checkpoint.event_id, checkpoint.row_hash):
        return False
    event = session.get(Event, checkpoint.event_id)
    return event is not None and event.row_hash == checkpoint.row_hash


def _newest_anchored(
    anchor_file: Path, since: int, seen: dict[int, tuple[str, int]]
) -> Checkpoint | None:
    """The newest event of `seen` whose anchor line (at or after byte `since`) names
    the hash it was verified with."""
    best: Checkpoint | None = None
    with anchor_file.open("rb") as anchored:
        anchored.seek(since)
        offset = since
        for line in anchored:
            parts = line.split()
            if len(parts) == 2 and parts[0].isdigit() and line.endswith(b"\n"):
                event_id = int(parts[0])
                verified = seen.get(event_id)
                if (
                    verified is not None
                    and verified[0].encode("ascii") == parts[1]
                    and (best is None or event_id > best.event_id)
                ):
                    best = Checkpoint(event_id, verified[0], verified[1], offset)
            offset += len(line)
    return best


def verify_since_checkpoint(
    session: Session, anchor_file: Path | None, *, full: bool = False
) -> ChainCheck:
    """The chain's check (as `verify_chain`), from the checkpoint where it holds (from
    the first event with `full`); the checkpoint moves forward when the chain holds."""
    if anchor_file is None or not anchor_file.exists():
        return verify_chain(session)
    file = checkpoint_file(anchor_file)
    checkpoint = None if full else load(file)
    seen: dict[int, tuple[str, int]] = {}
    if checkpoint is not None and trusted(session, anchor_file, checkpoint):
        start = (checkpoint.event_id, checkpoint.row_hash, checkpoint.count)
        check = verify_chain(session, start=start, seen=seen)
        since = checkpoint.offset
    else:
        check = verify_chain(session, seen=seen)
        since = 0
    if check.ok and seen:
        newest = _newest_anchored(anchor_file, since, seen)
        if newest is not None:
            _save(file, newest)
    return check
