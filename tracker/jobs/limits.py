"""Heavy work in a child process with bounded time and memory, and why a child died.

The job queue's own process never runs a render or a parse itself: a runaway one would
take the worker down with it. The child gets a CPU-time limit, an address-space limit
(headroom above what it starts with) and a wall-clock limit; when it dies, the caller
learns at once and in words a user understands."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from tracker.i18n import N_

#: How often a waiting parent shows a sign of life (see `run_process`).
BEAT_SECONDS = 5.0


class JobFailed(Exception):
    """The job could not finish; the message says why, in the language in force (the
    importer's for an import, else Vietnamese)."""


def limit_resources(memory_mb: int, cpu_seconds: int, *, headroom: bool = False) -> None:
    """Limit this process's memory (in all, or `headroom` above its current size) and its
    CPU time (then SIGXCPU ends it)."""
    limit = memory_mb * 1024 * 1024
    if headroom:
        limit += _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))


def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def why_it_died(returncode: int | None, seconds: float) -> str:
    """A user's explanation of a child's end (it did not finish its job)."""
    if returncode is None:
        return _(
            "Quá thời gian cho phép (%(seconds)s giây); công việc đã bị dừng.",
            seconds=format(seconds, "g"),
        )
    if returncode == -signal.SIGXCPU:
        return _(
            "Vượt giới hạn thời gian xử lý (%(seconds)s giây); công việc đã bị dừng.",
            seconds=format(seconds, "g"),
        )
    if returncode == -signal.SIGKILL:
        return _("Tiến trình xử lý bị dừng đột ngột (có thể do hết bộ nhớ cho phép).")
    if returncode < 0:
        return _(
            "Tiến trình xử lý bị dừng bởi tín hiệu %(signal)s.",
            signal=signal.Signals(-returncode).name,
        )
    return _("Tiến trình xử lý kết thúc bất thường (mã %(code)s).", code=returncode)


#: Kept in Vietnamese (a stored job's reason); translated where it is raised.
OUT_OF_MEMORY = N_("Công việc cần nhiều bộ nhớ hơn mức cho phép; công việc đã bị dừng.")


def call_limited(
    function: Callable[..., Any], args: Sequence[Any], *, seconds: float, memory_mb: int
) -> Any:
    """`function(*args)` in a forked child under limits: its return value; the exception it
    raised (re-raised here, if it can be sent back); or JobFailed saying why it died."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, function, args, memory_mb, seconds), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds + 2):
            raise JobFailed(why_it_died(None, seconds))
        try:
            outcome, value = receiver.recv()
        except (EOFError, OSError):
            child.join(5)
            raise JobFailed(why_it_died(child.exitcode, seconds)) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if outcome == "raised":
        raise value
    if outcome == "memory":
        raise JobFailed(_(OUT_OF_MEMORY))
    return value


def _child(sender, function, args, memory_mb: int, seconds: float) -> None:
    limit_resources(memory_mb, max(1, int(seconds)), headroom=True)
    try:
        message: tuple[str, Any] = ("done", function(*args))
    except MemoryError:
        message = ("memory", None)
    except Exception as error:  # noqa: BLE001 (sent back to the parent, which raises it)
        message = ("raised", error)
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("memory", None))
    except Exception as error:  # noqa: BLE001 (an exception that cannot be pickled)
        sender.send(
            ("raised", JobFailed(_("Lỗi khi xử lý: %(error)s.", error=type(error).__name__)))
        )
    sender.close()


def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    seconds: float,
    cpu_seconds: float,
    log_path: os.PathLike | str,
    beat: Callable[[], None] | None = None,
) -> int:
    """Run a child program to its end, calling `beat` every few seconds while it runs.

    Returns its exit status when it exited by itself; raises JobFailed (and kills the
    child) when it ran past `seconds` of wall time or was ended by a signal (SIGXCPU:
    past the `cpu_seconds` it set itself). The child
    stays in the caller's process group: whatever ends the whole worker ends it too."""
    with open(log_path, "ab") as log:
        child = subprocess.Popen(  # noqa: S603 (our own interpreter and module, no shell)
            list(argv),
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                returncode = child.wait(
                    timeout=min(BEAT_SECONDS, max(0.0, deadline - time.monotonic()))
                )
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise JobFailed(why_it_died(None, seconds)) from None
                if beat is not None:
                    beat()
                continue
            if returncode < 0:
                raise JobFailed(why_it_died(returncode, cpu_seconds))
            return returncode
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
