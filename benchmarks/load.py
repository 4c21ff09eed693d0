"""Load test: many clients of mixed traffic with evidence uploads against a real
installation, with kill -9 of server processes in the middle of uploads (issue 9, items 2
and 8), on SQLite and on PostgreSQL.

For each database it builds a fresh installation in a temporary folder (its own instance
folder; a new PostgreSQL database, dropped at the end), runs `tracker init --demo`, serves
it with gunicorn (`-c python:tracker.gunicorn_config -w 4 --threads 4` on a free loopback
port) beside one `tracker worker` (the job queue, with its periodic housekeeping), and
lets the clients loose for the given time:

- agency users (one per agency, its code in lower case) sign in, open their dashboard and
  assignment pages, upload evidence (PDF and text files of 4 KB to 1 MB), now and then
  take a file back, download files, and submit their report;
- office staff (vanphong) open the directive pages and accept or return the reports
  waiting for review, and reopen finished work so that it goes round again;
- leaders (lanhdao) open their dashboard and download the accountability report as PDF,
  .docx, XLSX and CSV (a large PDF goes through the job queue: they wait for it).

Meanwhile a killer sends SIGKILL to a gunicorn worker that is serving an upload, several
times, aiming at three moments in turn: while the file is being written into the store,
after it is stored but before the answer, and anywhere in the request. It stops the
worker first and notes the requests whose connections the worker holds: only those may
break because of the kill. gunicorn starts a new worker. Clients whose request died so
look at the page to see whether it landed, and retry if it did not; those broken
connections are counted apart (they are the point of the exercise). Any other broken
connection, a 5xx or an unexpected 4xx is an error.

Afterwards it waits for the job queue's housekeeping to reap the files left without a row
(EVIDENCE_ORPHAN_GRACE_SECONDS is set low for the run), then checks: no lost upload or
submission (everything a client was told had landed is in the database with its files),
no stored file without its row, no partial `.upload-*` file, and that `tracker audit
verify` and `tracker evidence verify` pass. The exit status is 1 if any check fails.

    .venv/bin/python benchmarks/load.py [--clients 50] [--seconds 60]
        [--database sqlite|postgresql|both] [--kills 6] [--national]
        [--file-store folder|s3]

With --national the installation is a copy of the national database (1,000 agencies,
100,000 assignments; benchmarks/national.py, built once and kept by
benchmarks/national_pages.py) instead of the demo's, and leaders ask for the report of
one directive of their dashboard; `--kills 0 --national` is the throughput run:
requests/s and p50/p95/p99 at that size, nothing lost.

With --file-store s3 the evidence and documents go to an S3-compatible object store
(OpenStack Swift with s3api from Debian, started on loopback for the run as
tests/object_store_server.py does), in a bucket `tracker init` creates; uploads are
spooled in the instance's spool folder, where the killer looks for them.

The defaults are the issue's figures; both databases take about 5 minutes on 2 cores
(with `both`, PostgreSQL is skipped with a message when it cannot be reached).

Settings of the run, besides the defaults: cheap Argon2 parameters in the instance's
config.py (sign-ins would otherwise dominate; --production-argon2 keeps the defaults;
they are not TRACKER_* settings, whose values would arrive as strings),
EVIDENCE_UPLOADS_PER_MINUTE 600 and EVIDENCE_MAX_FILES 1000 (the clients upload faster
and more than a person would), EVIDENCE_ORPHAN_GRACE_SECONDS 30 (so that the queue reaps
orphans within the run's wait). PostgreSQL: BENCH_POSTGRESQL_URL or --postgresql-url, a
server where the user may create databases; the job queue on Redis (TRACKER_REDIS_URL as
in production, BENCH_REDIS_URL or --redis-url) for the PostgreSQL run, SQLite's store
for the SQLite run."""

from __future__ import annotations

import abc
import argparse
import base64
import contextlib
import hashlib
import http.client
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker.demo import DEMO_PASSWORD
from tracker.evidence.stores import BlobStore, evidence_store

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
#: Seconds a request may take before the client gives up (counted as an error).
REQUEST_TIMEOUT = 120
#: As in tests/conftest.py: sign-ins are not what this measures.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}
#: Raised for the run: a client uploads faster and more than a person would.
RAISED_LIMITS = {"EVIDENCE_UPLOADS_PER_MINUTE": 600, "EVIDENCE_MAX_FILES": 1000}
#: Refusals the app gives by design under this traffic, by kind of request: why.
EXPECTED_REFUSALS = {
    ("upload", 429): "upload pacing (EVIDENCE_UPLOADS_PER_MINUTE)",
    ("upload", 413): "the agency's storage quota",
    ("upload", 422): "the assignment's file cap or a refused file",
    ("submit", 409): "the assignment changed since the page was loaded",
    ("submit", 422): "a report the workflow refuses (e.g. no evidence)",
    ("accept", 409): "two office clients reviewed the same report: the second is refused",
    ("return", 409): "two office clients reviewed the same report: the second is refused",
    ("reopen", 409): "two office clients reopened the same assignment",
}
#: Share of the clients per role; agency users take the rest.
OFFICE_SHARE, LEADER_SHARE = 0.2, 0.1
KILL_PHASES = ("storing", "stored", "in flight")


# Recording ----------------------------------------------------------------------------------


class Stats:
    """Every response by kind of request: status and latency; errors and broken
    connections apart."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)
        self.broken: Counter[str] = Counter()
        self.errors: list[str] = []

    def record(self, kind: str, status: int, seconds: float, description: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1
            if status >= 500 or (status >= 400 and (kind, status) not in EXPECTED_REFUSALS):
                self.errors.append(f"{description} -> {status}")

    def record_broken(self, kind: str) -> None:
        with self.lock:
            self.broken[kind] += 1

    def record_error(self, kind: str, description: str) -> None:
        with self.lock:
            self.statuses[kind][0] += 1
            self.errors.append(description)

    def total(self) -> int:
        with self.lock:
            return sum(sum(counter.values()) for counter in self.statuses.values()) + sum(
                self.broken.values()
            )


@dataclass
class Upload:
    client: str
    assignment_id: int
    name: str
    sha256: str
    #: confirmed (302), landed (its request broke, the page shows it), refused (4xx),
    #: failed (5xx or an error), unknown (broke, and so did every retry).
    outcome: str = "pending"
    #: "" (kept), confirmed, unknown.
    withdrawn: str = ""
    retries: int = 0
    #: The SHA-256 of each attempt's content (a retry may send a new copy).
    attempts: list[str] = field(default_factory=list)


@dataclass
class Report:
    client: str
    assignment_id: int
    marker: str
    outcome: str = "pending"
    #: Names of the files it must carry, and of files it may carry (outcome unknown).
    expected: set[str] = field(default_factory=set)
    possible: set[str] = field(default_factory=set)
    retries: int = 0


class Ledger:
    """What the clients were told, to check the database against."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.uploads: list[Upload] = []
        self.reports: list[Report] = []

    def add_upload(self, upload: Upload) -> Upload:
        with self.lock:
            self.uploads.append(upload)
        return upload

    def add_report(self, report: Report) -> Report:
        with self.lock:
            self.reports.append(report)
        return report


class Flights:
    """Requests in flight: by id, the client's port of the connection and, for an upload,
    the file's SHA-256 (else "")."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.flights: dict[int, tuple[int, str]] = {}
        self.next_id = 0

    def add(self, port: int, sha256: str) -> int:
        with self.lock:
            self.next_id += 1
            self.flights[self.next_id] = (port, sha256)
            return self.next_id

    def remove(self, flight_id: int) -> None:
        with self.lock:
            self.flights.pop(flight_id, None)

    def snapshot(self) -> list[tuple[int, int, str]]:
        with self.lock:
            return [(number, port, sha256) for number, (port, sha256) in self.flights.items()]


@dataclass
class Run:
    port: int
    deadline: float
    stats: Stats
    ledger: Ledger
    flights: Flights
    #: The evidence store, and the folder where an upload's temporary file lies.
    store: BlobStore
    temp_dir: Path
    #: Assignments some agency client works on (office clients reopen only these).
    driven: set[int]
    kills: Counter[str] = field(default_factory=Counter)
    #: Requests whose connection a killed worker held when it was killed.
    killed: set[int] = field(default_factory=set)
    report_jobs: set[int] = field(default_factory=set)
    #: Leaders ask for one directive's report (at national size the whole report holds
    #: 2,005 directives: a job of its own, not mixed traffic).
    one_directive_reports: bool = False

    def running(self) -> bool:
        return time.monotonic() < self.deadline


# HTTP ---------------------------------------------------------------------------------------


class Broken(Exception):
    """The connection died under a request because a worker was killed."""


class Failed(Exception):
    """The request failed (an error already recorded)."""


@dataclass
class Page:
    status: int
    location: str
    text: str
    size: int


@dataclass
class EvidenceFile:
    name: str
    data: bytes
    mime: str
    sha256: str


CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')
KIND_PATTERNS = (
    ("GET", re.compile(r"/login"), "sign-in page"),
    ("POST", re.compile(r"/login"), "sign-in"),
    ("GET", re.compile(r"/"), "dashboard"),
    ("GET", re.compile(r"/directives"), "directive list"),
    ("GET", re.compile(r"/directives/\d+"), "directive page"),
    ("GET", re.compile(r"/assignments/\d+"), "assignment page"),
    ("POST", re.compile(r"/assignments/\d+/evidence"), "upload"),
    ("POST", re.compile(r"/assignments/\d+/(submit|accept|return|reopen)"), None),
    ("POST", re.compile(r"/evidence/\d+/withdraw"), "withdraw"),
    ("GET", re.compile(r"/evidence/\d+"), "download"),
    ("GET", re.compile(r"/reports/jobs/\d+"), "report job page"),
    ("GET", re.compile(r"/reports/jobs/\d+/file"), "report job file"),
)


def kind_of(method: str, target: str) -> str:
    parts = urlsplit(target)
    for pattern_method, pattern, kind in KIND_PATTERNS:
        match = pattern.fullmatch(parts.path)
        if method == pattern_method and match:
            return kind or match.group(1)
    if parts.path == "/reports/accountability":
        found = re.search(r"format=(\w+)", parts.query)
        return f"report {found.group(1) if found else 'pdf'}"
    return f"{method} other"


class Browser:
    """One person's browser: a cookie jar, the page's CSRF token, a connection per
    request, redirects followed by hand."""

    def __init__(self, run: Run, name: str) -> None:
        self.run = run
        self.name = name
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(
        self,
        method: str,
        target: str,
        fields: dict[str, str] | None = None,
        upload: EvidenceFile | None = None,
    ) -> Page:
        kind = kind_of(method, target)
        headers = {"User-Agent": "tracker-load", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: bytes | None = None
        if upload is not None:
            body, headers["Content-Type"] = multipart(fields or {}, upload)
        elif fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        description = f"{self.name}: {method} {target}"
        connection = http.client.HTTPConnection(HOST, self.run.port, timeout=REQUEST_TIMEOUT)
        flight = None
        start = time.monotonic()
        try:
            connection.connect()
            if connection.sock is not None:
                flight = self.run.flights.add(
                    connection.sock.getsockname()[1], upload.sha256 if upload else ""
                )
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            if flight in self.run.killed:
                self.run.stats.record_broken(kind)
                raise Broken(description) from None
            self.run.stats.record_error(kind, f"{description}: {error!r}")
            raise Failed(description) from None
        finally:
            if flight is not None:
                self.run.flights.remove(flight)
            connection.close()
        self.run.stats.record(kind, response.status, time.monotonic() - start, description)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        text = ""
        if "text/html" in (response.getheader("Content-Type") or ""):
            text = data.decode("utf-8", "replace")
            if token := CSRF.search(text):
                self.csrf = token.group(1)
        return Page(response.status, response.getheader("Location") or "", text, len(data))

    def get(self, target: str, attempts: int = 3) -> Page:
        """A GET, tried again when a kill broke it."""
        for attempt in range(attempts):
            try:
                return self.request("GET", target)
            except Broken:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def follow(self, page: Page) -> Page:
        """The page a redirect leads to (as a browser would load it)."""
        if page.status in (301, 302, 303) and page.location:
            parts = urlsplit(page.location)
            return self.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        return page


def multipart(fields: dict[str, str], upload: EvidenceFile) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{upload.name}"\r\nContent-Type: {upload.mime}\r\n\r\n'.encode()
    )
    chunks.append(upload.data)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


# Files --------------------------------------------------------------------------------------

#: Random printable bytes to cut the files from (each file is made unique by its header).
RANDOM_TEXT = base64.encodebytes(os.urandom(800 * 1024))
TEXT_LINE = "Báo cáo minh chứng thực hiện nhiệm vụ (tải thử), số liệu đến hết quý.\n".encode()


def re_exported(evidence: EvidenceFile, number: int) -> EvidenceFile:
    data = evidence.data + f"\n(xuất lại lần {number})\n".encode()
    return EvidenceFile(evidence.name, data, evidence.mime, hashlib.sha256(data).hexdigest())


def make_file(name: str, rng: random.Random) -> EvidenceFile:
    """A PDF or text file of 4 KB to 1 MB (log-uniform), unique by its first line."""
    size = int(math.exp(rng.uniform(math.log(4 * 1024), math.log(1024 * 1024))))
    if rng.random() < 0.6:
        start = rng.randrange(len(RANDOM_TEXT) - size)
        data = b"%PDF-1.4\n%" + name.encode() + b"\n" + RANDOM_TEXT[start : start + size]
        name, mime = f"{name}.pdf", "application/pdf"
        data += b"\n%%EOF\n"
    else:
        data = name.encode() + b"\n" + TEXT_LINE * (size // len(TEXT_LINE) + 1)
        name, mime = f"{name}.txt", "text/plain"
    return EvidenceFile(name, data, mime, hashlib.sha256(data).hexdigest())


# Clients ------------------------------------------------------------------------------------


@dataclass
class ClientPlan:
    name: str
    role: str  # agency, office, leader
    username: str
    #: The assignments this client works on (agency clients: its agency's, shared out).
    assignments: list[int] = field(default_factory=list)


def sign_in(browser: Browser, username: str) -> None:
    for _ in range(5):
        browser.cookies.clear()
        browser.get("/login")
        try:
            page = browser.request(
                "POST",
                "/login",
                {"csrf_token": browser.csrf, "username": username, "password": DEMO_PASSWORD},
            )
        except Broken:
            continue
        if page.status == 302:
            browser.follow(page)
            return
        raise Failed(f"{browser.name}: sign-in as {username} gave {page.status}")
    raise Failed(f"{browser.name}: sign-in as {username} kept breaking")


def think(run: Run, rng: random.Random, longest: float) -> None:
    time.sleep(min(rng.uniform(0, longest), max(0.0, run.deadline - time.monotonic())))


def evidence_links(text: str) -> dict[str, int]:
    """{file name: evidence id} of the evidence list of an assignment page."""
    return {
        name: int(number)
        for number, name in re.findall(r'<a href="/evidence/(\d+)">([^<]+)</a>', text)
    }


class Client(abc.ABC):
    """One simulated person: signs in, then takes steps until the run ends; a request
    broken by a kill or refused ends the step, not the person."""

    def __init__(self, run: Run, plan: ClientPlan, rng: random.Random, longest_think: float):
        self.run, self.plan, self.rng, self.longest_think = run, plan, rng, longest_think
        self.browser = Browser(run, plan.name)

    def __call__(self) -> None:
        sign_in(self.browser, self.plan.username)
        while self.run.running():
            try:
                self.step()
            except (Broken, Failed):
                time.sleep(0.5)
            self.between_steps()

    @abc.abstractmethod
    def step(self) -> None:
        """One round of this person's work."""

    def between_steps(self) -> None:  # noqa: B027 (optional; most people do nothing)
        """What the person does between rounds (nothing by default)."""


class AgencyClient(Client):
    """An agency user working through its assignments: upload, withdraw now and then,
    submit; the office returns most reports, so the work goes round."""

    def __init__(self, run: Run, plan: ClientPlan, rng: random.Random, longest_think: float):
        super().__init__(run, plan, rng, longest_think)
        self.sequence = 0
        #: Per assignment: files landed and not yet part of a report; files that may be.
        self.working: dict[int, set[str]] = defaultdict(set)
        self.possible: dict[int, set[str]] = defaultdict(set)
        self.uploads: dict[str, Upload] = {}

    def between_steps(self) -> None:
        """Now and then a new session: sign out by losing the cookies, sign in again."""
        if self.rng.random() < 0.03 and self.run.running():
            with contextlib.suppress(Broken, Failed):
                self.browser = Browser(self.run, self.plan.name)
                sign_in(self.browser, self.plan.username)

    def step(self) -> None:
        self.browser.get("/")
        think(self.run, self.rng, self.longest_think)
        if not self.plan.assignments:
            return
        assignment_id = self.rng.choice(self.plan.assignments)
        page = self.browser.get(f"/assignments/{assignment_id}")
        if f'action="/assignments/{assignment_id}/evidence"' not in page.text:
            self.download(page)
            think(self.run, self.rng, self.longest_think)
            return
        for _ in range(self.rng.choice((1, 1, 2, 3))):
            if not self.run.running():
                return
            if not self.upload(assignment_id):
                break
            think(self.run, self.rng, self.longest_think)
        page = self.browser.get(f"/assignments/{assignment_id}")
        if self.working[assignment_id] and self.rng.random() < 0.15:
            self.withdraw(assignment_id, page)
            page = self.browser.get(f"/assignments/{assignment_id}")
        if self.rng.random() < 0.2:
            self.download(page)
        if (
            self.run.running()
            and self.working[assignment_id]
            and 'data-action="submit"' in page.text
        ):
            think(self.run, self.rng, self.longest_think)
            self.submit(assignment_id, page)

    def upload(self, assignment_id: int) -> bool:
        """One file; False when it was refused or failed (stop uploading for now)."""
        self.sequence += 1
        evidence = make_file(f"lt-{self.plan.name}-{self.sequence:04d}", self.rng)
        record = self.run.ledger.add_upload(
            Upload(self.plan.name, assignment_id, evidence.name, evidence.sha256)
        )
        self.uploads[evidence.name] = record
        try:
            return self.try_upload(assignment_id, evidence, record)
        finally:
            if record.outcome == "pending":  # its fate could not be learnt
                record.outcome = "unknown"
                self.possible[assignment_id].add(evidence.name)

    def try_upload(self, assignment_id: int, evidence: EvidenceFile, record: Upload) -> bool:
        target = f"/assignments/{assignment_id}/evidence"
        for attempt in range(3):
            if attempt and self.rng.random() < 0.5:
                # The person exports the file again: new content, whatever the broken
                # attempt left in the store is an orphan for the queue to reap.
                evidence = re_exported(evidence, attempt)
                record.sha256 = evidence.sha256
            record.attempts.append(evidence.sha256)
            try:
                page = self.browser.request(
                    "POST", target, {"csrf_token": self.browser.csrf}, upload=evidence
                )
            except Failed:
                record.outcome = "failed"
                return False
            except Broken:
                shown = self.browser.get(f"/assignments/{assignment_id}")
                if evidence.name in evidence_links(shown.text):
                    record.outcome = "landed"
                    self.working[assignment_id].add(evidence.name)
                    return True
                record.retries = attempt + 1
                continue
            if page.status == 302:
                record.outcome = "confirmed"
                self.working[assignment_id].add(evidence.name)
                self.browser.follow(page)
                return True
            record.outcome = "refused" if page.status < 500 else "failed"
            return False
        return False

    def withdraw(self, assignment_id: int, page: Page) -> None:
        links = evidence_links(page.text)
        candidates = sorted(self.working[assignment_id] & set(links))
        if not candidates:
            return
        name = self.rng.choice(candidates)
        record = self.uploads[name]
        target = f"/evidence/{links[name]}/withdraw"
        for _ in range(3):
            try:
                answer = self.browser.request("POST", target, {"csrf_token": self.browser.csrf})
            except Broken:
                shown = self.browser.get(f"/assignments/{assignment_id}")
                if name not in evidence_links(shown.text):
                    break  # the withdrawal landed before the kill
                continue
            if answer.status != 302:
                return  # recorded as an error (or refusal) already
            self.browser.follow(answer)
            break
        else:
            record.withdrawn = "unknown"
            self.working[assignment_id].discard(name)
            self.possible[assignment_id].add(name)
            return
        record.withdrawn = "confirmed"
        self.working[assignment_id].discard(name)

    def download(self, page: Page) -> None:
        links = list(evidence_links(page.text).values())
        if links:
            self.browser.get(f"/evidence/{self.rng.choice(links)}")

    def submit(self, assignment_id: int, page: Page) -> None:
        self.sequence += 1
        marker = f"lt-{self.plan.name}-r{self.sequence:04d}"
        record = self.run.ledger.add_report(Report(self.plan.name, assignment_id, marker))
        try:
            self.try_submit(assignment_id, page, marker, record)
        finally:
            if record.outcome == "pending":
                # It may have landed with the working files, or not: the next report may
                # carry them, or not.
                record.outcome = "unknown"
                self.possible[assignment_id] |= self.working[assignment_id]
                self.working[assignment_id].clear()

    def try_submit(self, assignment_id: int, page: Page, marker: str, record: Report) -> None:
        target = f"/assignments/{assignment_id}/submit"
        for attempt in range(3):
            version = VERSION.search(page.text)
            fields = {
                "csrf_token": self.browser.csrf,
                "version": version.group(1) if version else "",
                "text": f"Đã thực hiện xong nhiệm vụ; báo cáo tải thử {marker}.",
            }
            for code in re.findall(r'name="([A-Za-z0-9_]+)__numerator"', page.text):
                numerator = self.rng.randint(1, 60)
                fields[f"{code}__numerator"] = str(numerator)
                fields[f"{code}__denominator"] = str(numerator + self.rng.randint(0, 40))
            try:
                answer = self.browser.request("POST", target, fields)
            except Failed:
                record.outcome = "failed"
                return
            except Broken:
                page = self.browser.get(f"/assignments/{assignment_id}")
                if marker in page.text:
                    self.settle(record, "landed")
                    return
                record.retries = attempt + 1
                continue
            if answer.status == 302:
                self.settle(record, "confirmed")
                self.browser.follow(answer)
            else:
                record.outcome = "refused" if answer.status < 500 else "failed"
            return

    def settle(self, record: Report, outcome: str) -> None:
        record.outcome = outcome
        record.expected = set(self.working[record.assignment_id])
        record.possible = set(self.possible[record.assignment_id])
        self.working[record.assignment_id].clear()
        self.possible[record.assignment_id].clear()


DIRECTIVE_ROW = re.compile(
    r'<tr data-agency="\w+">\s*<td><a href="/assignments/(\d+)">.*?data-status="(\w+)"', re.S
)


class OfficeClient(Client):
    """Office staff: the directive pages, reviewing reports, reopening finished work."""

    def __init__(self, run: Run, plan: ClientPlan, rng: random.Random, longest_think: float):
        super().__init__(run, plan, rng, longest_think)
        self.directives: list[int] = []

    def step(self) -> None:
        if not self.directives or self.rng.random() < 0.1:
            listing = self.browser.get("/directives")
            self.directives = sorted(
                {int(n) for n in re.findall(r'href="/directives/(\d+)"', listing.text)}
            )
        if self.rng.random() < 0.3:
            self.browser.get("/")
        if not self.directives:
            return
        page = self.browser.get(f"/directives/{self.rng.choice(self.directives)}")
        rows = [
            (int(number), status)
            for number, status in DIRECTIVE_ROW.findall(page.text)
            if int(number) in self.run.driven
        ]
        think(self.run, self.rng, self.longest_think)
        waiting = [number for number, status in rows if status == "submitted"]
        done = [number for number, status in rows if status == "done"]
        if waiting:
            action = "accept" if self.rng.random() < 0.35 else "return"
            self.act(self.rng.choice(waiting), action)
        elif done and self.rng.random() < 0.4:
            self.act(self.rng.choice(done), "reopen")
        think(self.run, self.rng, self.longest_think)

    def act(self, assignment_id: int, action: str) -> None:
        page = self.browser.get(f"/assignments/{assignment_id}")
        if self.rng.random() < 0.3:
            links = list(evidence_links(page.text).values())
            if links:
                self.browser.get(f"/evidence/{self.rng.choice(links)}")
        if f'data-action="{action}"' not in page.text or not self.run.running():
            return
        version = VERSION.search(page.text)
        fields = {"csrf_token": self.browser.csrf, "version": version.group(1) if version else ""}
        if action != "accept":
            fields["reason"] = "Đề nghị bổ sung minh chứng và số liệu (tải thử)."
        try:
            answer = self.browser.request("POST", f"/assignments/{assignment_id}/{action}", fields)
        except Broken:
            return  # the reviewer looks again at the next round
        self.browser.follow(answer)


class LeaderClient(Client):
    """Leaders: the dashboard and the accountability report in every format."""

    def step(self) -> None:
        dashboard = self.browser.get("/")
        as_of = re.search(r"as_of=(\d{4}-\d\d-\d\d)", dashboard.text)
        think(self.run, self.rng, 2 * self.longest_think)
        if as_of is None or not self.run.running():
            return
        kind = self.rng.choice(("pdf", "docx", "xlsx", "csv"))
        target = f"/reports/accountability?format={kind}&as_of={as_of.group(1)}"
        directives = re.findall(r'href="/directives/(\d+)"', dashboard.text)
        if self.run.one_directive_reports and directives:
            target += f"&directive={self.rng.choice(directives)}"
        page = self.browser.get(target)
        job = re.fullmatch(r"/reports/jobs/(\d+)", urlsplit(page.location).path)
        if page.status == 302 and job:
            self.wait_for(int(job.group(1)))
        if self.rng.random() < 0.3:
            listing = self.browser.get("/directives")
            numbers = re.findall(r'href="/directives/(\d+)"', listing.text)
            if numbers:
                self.browser.get(f"/directives/{self.rng.choice(numbers)}")
        think(self.run, self.rng, 4 * self.longest_think)

    def wait_for(self, job_id: int) -> None:
        """As the progress page does: look every 2 s, then download the file."""
        self.run.report_jobs.add(job_id)
        while self.run.running():
            page = self.browser.get(f"/reports/jobs/{job_id}")
            status = re.search(r'data-testid="job" data-status="(\w+)"', page.text)
            if status and status.group(1) == "done":
                self.browser.get(f"/reports/jobs/{job_id}/file")
                return
            if status and status.group(1) == "failed":
                return  # counted from the database at the end
            time.sleep(2)


# Killing workers ----------------------------------------------------------------------------

TEMP_FILE = re.compile(r"\.upload-[^-]+-(\d+)-")


def children_of(parent: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [
            int(pid) for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        ]
    children = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(entry.path, "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
                children.append(int(entry.name))
    return children


def connection_owners(server_port: int, client_ports: set[int], pids: list[int]) -> dict[int, int]:
    """{client port: pid of the worker holding that connection's server side}."""
    inodes: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            columns = line.split()
            local, remote = int(columns[1].split(":")[1], 16), int(columns[2].split(":")[1], 16)
            if local == server_port and remote in client_ports:
                inodes[f"socket:[{columns[9]}]"] = remote
    owners = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for descriptor in os.scandir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(descriptor.path)
                    if target in inodes:
                        owners[inodes[target]] = pid
    return owners


class Killer(threading.Thread):
    """SIGKILL to a gunicorn worker serving an upload, `count` times spread over the run,
    aiming at each moment of an upload in turn.

    The worker is stopped first (SIGSTOP: it accepts nothing more), the requests whose
    connections it holds are noted, then it is killed: exactly those requests may break
    because of the kill; any other broken connection is an error. Each kill is counted by
    what the stopped worker was found doing, which may differ from what was aimed at."""

    def __init__(self, run: Run, master: int, count: int, start: float, end: float) -> None:
        super().__init__(name="killer", daemon=True)
        self.load, self.master, self.count = run, master, count
        span = end - start
        self.moments = [start + span * (i + 1) / (count + 1) for i in range(count)]

    def run(self) -> None:
        for number, moment in enumerate(self.moments):
            time.sleep(max(0.0, moment - time.monotonic()))
            aim = KILL_PHASES[number % len(KILL_PHASES)]
            # When the aimed-at moment does not come, any upload in flight will do.
            if not self.kill_one(aim, time.monotonic() + 6) and not self.kill_one(
                "in flight", time.monotonic() + 6
            ):
                self.load.kills["missed"] += 1

    def kill_one(self, aim: str, until: float) -> bool:
        while time.monotonic() < until and self.load.running():
            target = self.find(aim, children_of(self.master))
            if target is None:
                time.sleep(0.003)
                continue
            try:
                os.kill(target, signal.SIGSTOP)
                time.sleep(0.05)  # clients that have just connected note their request
                flights = self.load.flights.snapshot()
                owners = connection_owners(
                    self.load.port, {port for _, port, _ in flights}, [target]
                )
                held = [(number, sha256) for number, port, sha256 in flights if port in owners]
                self.load.killed |= {number for number, _ in held}
                found = self.moment(target, [sha256 for _, sha256 in held if sha256])
                os.kill(target, signal.SIGKILL)
            except ProcessLookupError:
                continue
            self.load.kills[found] += 1
            return True
        return False

    def find(self, aim: str, workers: list[int]) -> int | None:
        """A worker at the aimed-at moment of an upload."""
        if aim == "storing":
            return next(iter(self.writing(workers)), None)
        ports = {
            port
            for _, port, sha256 in self.load.flights.snapshot()
            if sha256 and (aim != "stored" or self.stored(sha256))
        }
        if not ports:
            return None
        owners = connection_owners(self.load.port, ports, workers)
        return next(iter(owners.values()), None)

    def moment(self, worker: int, uploads: list[str]) -> str:
        """What the stopped worker is doing: writing a file into the store, holding an
        upload whose file is stored but not yet answered for, or an upload elsewhere."""
        if self.writing([worker]):
            return "storing"
        if any(self.stored(sha256) for sha256 in uploads):
            return "stored"
        return "in flight"

    def writing(self, workers: list[int]) -> list[int]:
        """The workers that have an upload's temporary file in the store."""
        found = []
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.load.temp_dir):
                match = TEMP_FILE.match(entry.name)
                if match and int(match.group(1)) in workers:
                    found.append(int(match.group(1)))
        return found

    def stored(self, sha256: str) -> bool:
        return self.load.store.exists(sha256)


# The installation ---------------------------------------------------------------------------


class Installation:
    """A fresh instance folder and database, `tracker init --demo`, gunicorn and a worker."""

    def __init__(self, database: str, folder: Path, args: argparse.Namespace) -> None:
        self.database = database
        self.folder = folder
        self.instance = folder / "instance"
        self.logs = folder / "logs"
        self.instance.mkdir(mode=0o700)
        self.logs.mkdir()
        token = secrets.token_hex(4)
        self.admin_url = args.postgresql_url
        self.database_name = f"tracker_load_{token}"
        self.queue = "sqlite"
        self.redis_url = args.redis_url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        self.env |= {
            "TRACKER_INSTANCE_PATH": str(self.instance),
            "TRACKER_SECRET_KEY": secrets.token_urlsafe(32),
            "TRACKER_EVIDENCE_ORPHAN_GRACE_SECONDS": str(args.orphan_grace),
            "TRACKER_JOB_QUEUE_NAME": f"tracker-load-{token}",
            **{f"TRACKER_{name}": str(value) for name, value in RAISED_LIMITS.items()},
        }
        if database == "postgresql":
            url = make_url(self.admin_url).set(database=self.database_name)
            self.database_url = url.render_as_string(hide_password=False)
            self.env["TRACKER_DATABASE_URL"] = self.database_url
            if redis_reachable(self.redis_url):
                self.queue = "redis"
                self.env["TRACKER_REDIS_URL"] = self.redis_url
        else:
            self.database_url = f"sqlite:///{self.instance / 'tracker.db'}"
        if not args.production_argon2:
            settings = "".join(f"{name} = {value}\n" for name, value in FAST_ARGON2.items())
            (self.instance / "config.py").write_text(settings)
        self.file_store = args.file_store
        if args.s3_endpoint is not None:
            self.env |= {
                "TRACKER_FILE_STORE": "s3",
                "TRACKER_S3_ENDPOINT_URL": args.s3_endpoint.url,
                "TRACKER_S3_BUCKET": f"tracker-load-{token}",
                "TRACKER_S3_ACCESS_KEY_ID": args.s3_endpoint.access_key_id,
                "TRACKER_S3_SECRET_ACCESS_KEY": args.s3_endpoint.secret_access_key,
            }
        self.workers, self.threads = args.workers, args.threads
        self.national = args.national
        self.server: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.port = 0
        self.created_database = False

    def file_settings(self) -> dict[str, object]:
        """The file store's settings, as the app reads them."""
        settings: dict[str, object] = {
            name.removeprefix("TRACKER_"): value
            for name, value in self.env.items()
            if name.startswith(("TRACKER_FILE_STORE", "TRACKER_S3_"))
        }
        return settings | {
            "EVIDENCE_DIR": str(self.instance / "evidence"),
            "DOCUMENTS_DIR": str(self.instance / "documents"),
            "UPLOAD_SPOOL_DIR": str(self.temp_dir()),
        }

    def temp_dir(self) -> Path:
        """Where an upload's temporary file lies while it is checked."""
        return self.instance / ("spool" if self.file_store == "s3" else "evidence")

    def copy_national(self) -> None:
        """The national build (benchmarks/national.py, built once and kept by
        national_pages.py) copied in place of `tracker init --demo`."""
        sys.path.insert(0, str(Path(__file__).parent))
        import national
        import national_pages

        source, source_instance = national_pages.cached_build(self.database, self.admin_url)
        national.copy_installation(source, source_instance, self.database_url, self.instance)
        self.created_database = self.database == "postgresql"

    def __enter__(self) -> Installation:
        if self.database == "postgresql" and not self.national:
            with admin_engine(self.admin_url).connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{self.database_name}"')
            self.created_database = True
        if self.national:
            self.copy_national()
        else:
            with (self.logs / "init.log").open("wb") as log:
                subprocess.run(
                    [str(BIN / "tracker"), "init", "--demo"],
                    env=self.env,
                    check=True,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        self.worker = self.spawn("worker.log", [str(BIN / "tracker"), "worker"])
        self.server = self.spawn(
            "access.log",
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:tracker.gunicorn_config",
                "-w",
                str(self.workers),
                "--threads",
                str(self.threads),
                "-b",
                f"{HOST}:0",
                "tracker:create_app()",
            ],
            stderr="gunicorn.log",
        )
        self.port = self.wait_for_server()
        return self

    def spawn(self, log: str, command: list[str], stderr: str | None = None) -> subprocess.Popen:
        with contextlib.ExitStack() as files:
            out = files.enter_context((self.logs / log).open("ab"))
            err = files.enter_context((self.logs / stderr).open("ab")) if stderr else None
            return subprocess.Popen(
                command,
                env=self.env,
                cwd=PROJECT_DIR,
                stdout=out,
                stderr=err or subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_for_server(self) -> int:
        assert self.server is not None
        deadline = time.monotonic() + 60
        port = 0
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {self.logs / 'gunicorn.log'}")
            found = re.search(
                r"Listening at: http://[\d.]+:(\d+)", (self.logs / "gunicorn.log").read_text()
            )
            if found:
                port = int(found.group(1))
                with contextlib.suppress(OSError, http.client.HTTPException):
                    connection = http.client.HTTPConnection(HOST, port, timeout=10)
                    connection.request("GET", "/login")
                    answered = connection.getresponse().status == 200
                    if answered and len(children_of(self.server.pid)) >= self.workers:
                        return port
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 60 s")

    def stop_server(self) -> None:
        stop(self.server, signal.SIGTERM, 40)

    def stop_worker(self) -> None:
        stop(self.worker, signal.SIGINT, 60)

    def __exit__(self, *_exc: object) -> None:
        self.stop_server()
        self.stop_worker()
        if self.queue == "redis":
            with contextlib.suppress(Exception):
                from huey import RedisHuey

                RedisHuey(self.env["TRACKER_JOB_QUEUE_NAME"], url=self.redis_url).flush()
        if self.created_database:
            engine = admin_engine(self.admin_url)
            with engine.connect() as connection:
                connection.exec_driver_sql(
                    f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)'
                )
            engine.dispose()

    def command(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "tracker"), *arguments],
            env=self.env,
            capture_output=True,
            text=True,
        )


def stop(process: subprocess.Popen | None, how: signal.Signals, seconds: float) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(how)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


def postgresql_reachable(url: str) -> bool:
    try:
        with admin_engine(url).connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except Exception:
        return False


# Planning, running, checking ----------------------------------------------------------------


def plan_clients(count: int, engine: sa.Engine) -> list[ClientPlan]:
    """Office and leader clients by their shares; agency clients take one agency each, the
    agencies with most open work first, its assignments shared out when several clients
    have the same agency (each assignment has one agency client)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT agency.code, assignment.id, assignment.status FROM assignment"
                " JOIN agency ON agency.id = assignment.agency_id ORDER BY assignment.id"
            )
        ).all()
    assignments: dict[str, list[int]] = defaultdict(list)
    open_work: Counter[str] = Counter()
    for code, number, status in rows:
        assignments[code].append(number)
        open_work[code] += status in ("assigned", "in_progress", "returned")
    ranked = sorted(assignments, key=lambda code: (-open_work[code], code))
    office = max(1, round(count * OFFICE_SHARE))
    leaders = max(1, round(count * LEADER_SHARE)) if count > 2 else 0
    agency = max(1, count - office - leaders)
    plans = [ClientPlan(f"vp{n + 1:02d}", "office", "vanphong") for n in range(office)]
    plans += [ClientPlan(f"ld{n + 1:02d}", "leader", "lanhdao") for n in range(leaders)]
    codes = [ranked[n % len(ranked)] for n in range(agency)]
    for n, code in enumerate(codes):
        sharing = [m for m, other in enumerate(codes) if other == code]
        share = assignments[code][sharing.index(n) :: len(sharing)]
        plans.append(ClientPlan(f"{code.lower()}{n + 1:02d}", "agency", code.lower(), share))
    return plans


@dataclass
class Outcome:
    database: str
    queue: str
    plans: list[ClientPlan]
    stats: Stats
    ledger: Ledger
    kills: Counter[str]
    #: Requests whose connection the killed workers held.
    held: int
    seconds: float
    #: Orphans right after the run by where they come from, and partial files.
    stray_at_end: tuple[Counter[str], int] = (Counter(), 0)
    stray_after: tuple[int, int] = (0, 0)
    reaped_after: float = 0.0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    jobs: Counter[str] = field(default_factory=Counter)
    audit: str = ""
    evidence: str = ""
    rows: dict[str, int] = field(default_factory=dict)


def run_load(database: str, args: argparse.Namespace) -> Outcome:
    keep = Path(tempfile.mkdtemp(prefix=f"tracker-load-{database}-"))
    outcome: Outcome | None = None
    try:
        with contextlib.ExitStack() as services:
            args.s3_endpoint = None
            if args.file_store == "s3":
                sys.path.insert(0, str(PROJECT_DIR))
                from tests.object_store_server import swift_s3

                args.s3_endpoint = services.enter_context(swift_s3(keep))
            installation = services.enter_context(Installation(database, keep, args))
            outcome = drive(installation, args)
        return outcome
    finally:
        if outcome is not None and not outcome.problems and not args.keep:
            shutil.rmtree(keep, ignore_errors=True)
        else:
            print(f"   (installation, logs and database file kept in {keep})", flush=True)


def drive(installation: Installation, args: argparse.Namespace) -> Outcome:
    engine = sa.create_engine(installation.database_url, poolclass=sa.pool.NullPool)
    plans = plan_clients(args.clients, engine)
    stats, ledger = Stats(), Ledger()
    start = time.monotonic()
    run = Run(
        port=installation.port,
        deadline=start + args.seconds,
        stats=stats,
        ledger=ledger,
        flights=Flights(),
        store=evidence_store(installation.file_settings()),
        temp_dir=installation.temp_dir(),
        driven={number for plan in plans for number in plan.assignments},
        one_directive_reports=args.national,
    )
    assert installation.server is not None
    killer = Killer(
        run, installation.server.pid, args.kills, start + 0.1 * args.seconds, run.deadline - 3
    )
    roles: dict[str, Callable[..., Callable[[], None]]] = {
        "agency": AgencyClient,
        "office": OfficeClient,
        "leader": LeaderClient,
    }
    seed = random.Random(args.seed)
    threads = [
        threading.Thread(
            target=guarded(
                roles[plan.role](run, plan, random.Random(seed.random()), args.think), run
            ),
            name=plan.name,
            daemon=True,
        )
        for plan in plans
    ]
    for thread in threads:
        thread.start()
    killer.start()
    while run.running():
        time.sleep(min(10.0, max(0.0, run.deadline - time.monotonic())))
        print(
            f"   {time.monotonic() - start:5.0f} s: {stats.total()} requests,"
            f" {len(stats.errors)} errors, {sum(run.kills.values())} kills",
            flush=True,
        )
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 30)
    killer.join(timeout=15)
    seconds = time.monotonic() - start
    installation.stop_server()
    outcome = Outcome(
        database=database_label(installation),
        queue=installation.queue,
        plans=plans,
        stats=stats,
        ledger=ledger,
        kills=run.kills,
        held=len(run.killed),
        seconds=seconds,
    )
    outcome.problems += [f"{e}" for e in stats.errors]
    orphans, partial = stray_files(engine, run.store, run.temp_dir)
    outcome.stray_at_end = (orphan_sources(orphans, ledger), partial)
    wait_for_housekeeping(outcome, engine, run, args.orphan_grace)
    wait_for_jobs(outcome, engine)
    installation.stop_worker()
    check_ledger(outcome, engine)
    for name, result in (
        ("audit", installation.command("audit", "verify")),
        ("evidence", installation.command("evidence", "verify")),
    ):
        text = (result.stdout + result.stderr).strip().replace("\n", " / ")
        setattr(outcome, name, f"{'ok' if result.returncode == 0 else 'FAILED'}: {text}")
        if result.returncode != 0:
            outcome.problems.append(f"tracker {name} verify failed: {text}")
    outcome.notes += server_log_errors(installation.logs)
    engine.dispose()
    return outcome


def database_label(installation: Installation) -> str:
    return "SQLite" if installation.database == "sqlite" else "PostgreSQL"


def guarded(client: Callable[[], None], run: Run) -> Callable[[], None]:
    """A client whose failure to sign in, or own bug, is recorded as an error."""

    def body() -> None:
        try:
            client()
        except (Broken, Failed) as error:
            run.stats.record_error("client", f"client stopped: {error}")
        except Exception:
            run.stats.record_error("client", f"client crashed: {traceback.format_exc()}")

    return body


def stray_files(engine: sa.Engine, store: BlobStore, temp_dir: Path) -> tuple[set[str], int]:
    """(hashes of the stored files no evidence row refers to, partial `.upload-*` files)."""
    with engine.connect() as connection:
        known = set(connection.execute(sa.text("SELECT DISTINCT sha256 FROM evidence")).scalars())
    orphans = {name.rsplit("/", 1)[-1] for name, _size in store.files()} - known
    partial = 0
    if temp_dir.is_dir():
        partial = sum(1 for entry in temp_dir.iterdir() if entry.name.startswith(".upload-"))
    return orphans, partial


def orphan_sources(orphans: set[str], ledger: Ledger) -> Counter[str]:
    """Where the orphans come from: withdrawn files, attempts a kill broke (whose retry
    sent a new copy or never came), or elsewhere (there should be none)."""
    withdrawn = {u.sha256 for u in ledger.uploads if u.withdrawn}
    broken = {
        sha256
        for upload in ledger.uploads
        for sha256 in upload.attempts
        if sha256 != upload.sha256 or upload.outcome not in ("confirmed", "landed")
    }
    return Counter(
        "withdrawn" if sha256 in withdrawn else "left by a kill" if sha256 in broken else "other"
        for sha256 in orphans
    )


def wait_for_housekeeping(outcome: Outcome, engine: sa.Engine, run: Run, grace: int) -> None:
    """The queue's housekeeping runs every minute and reaps what is older than the grace:
    wait for it to leave no stray file (at most grace + two passes)."""
    start = time.monotonic()
    deadline = start + grace + 150
    while True:
        orphans, partial = stray_files(engine, run.store, run.temp_dir)
        outcome.stray_after = (len(orphans), partial)
        if outcome.stray_after == (0, 0) or time.monotonic() > deadline:
            break
        time.sleep(2)
    outcome.reaped_after = time.monotonic() - start
    left, partial = outcome.stray_after
    if left or partial:
        outcome.problems.append(
            f"{left} orphaned and {partial} partial files left after housekeeping"
        )


def wait_for_jobs(outcome: Outcome, engine: sa.Engine) -> None:
    """Report jobs the leaders started: let the queue finish them (3 minutes at most)."""
    deadline = time.monotonic() + 180
    while True:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT status, error FROM report_job")).all()
        outcome.jobs = Counter(status for status, _ in rows)
        if not (outcome.jobs["queued"] or outcome.jobs["running"]) or time.monotonic() > deadline:
            break
        time.sleep(2)
    for status, error in rows:
        if status != "done":
            outcome.problems.append(f"report job {status}: {error}")


def check_ledger(outcome: Outcome, engine: sa.Engine) -> None:
    """Everything a client was told had landed is in the database, with its files."""
    with engine.connect() as connection:
        evidence = connection.execute(
            sa.text(
                "SELECT id, assignment_id, original_name, sha256, submission_id FROM evidence"
                " WHERE original_name LIKE 'lt-%'"
            )
        ).all()
        submissions = connection.execute(
            sa.text("SELECT id, assignment_id, text FROM submission WHERE text LIKE '%lt-%'")
        ).all()
        outcome.rows = {
            "evidence": connection.execute(sa.text("SELECT count(*) FROM evidence")).scalar_one(),
            "submission": connection.execute(
                sa.text("SELECT count(*) FROM submission")
            ).scalar_one(),
            "event": connection.execute(sa.text("SELECT count(*) FROM event")).scalar_one(),
        }
    rows_by_name = {row.original_name: row for row in evidence}
    landed = {"confirmed", "landed"}
    for upload in outcome.ledger.uploads:
        row = rows_by_name.get(upload.name)
        if upload.outcome in landed and upload.withdrawn == "":
            if (
                row is None
                or row.sha256 != upload.sha256
                or row.assignment_id != upload.assignment_id
            ):
                outcome.problems.append(f"lost upload {upload.name} ({upload.outcome})")
        elif upload.withdrawn == "confirmed" and row is not None:
            outcome.problems.append(f"withdrawn upload {upload.name} still has its row")
        elif upload.outcome in ("refused", "failed") and row is not None:
            outcome.problems.append(f"upload {upload.name} was {upload.outcome} but has a row")
    reports_by_marker: dict[str, list] = defaultdict(list)
    for row in submissions:
        for marker in re.findall(r"lt-[\w]+-r\d{4}", row.text):
            reports_by_marker[marker].append(row)
    for report in outcome.ledger.reports:
        found = reports_by_marker.get(report.marker, [])
        if report.outcome in landed:
            if len(found) != 1 or found[0].assignment_id != report.assignment_id:
                outcome.problems.append(
                    f"lost submission {report.marker} ({report.outcome}): {len(found)} rows"
                )
                continue
            carried = {row.original_name for row in evidence if row.submission_id == found[0].id}
            missing = report.expected - carried
            extra = carried - report.expected - report.possible
            if missing or extra:
                outcome.problems.append(
                    f"submission {report.marker}: files missing {sorted(missing)},"
                    f" unexpected {sorted(extra)}"
                )
        elif report.outcome in ("refused", "failed") and found:
            outcome.problems.append(f"submission {report.marker} was {report.outcome} but exists")


def server_log_errors(logs: Path) -> list[str]:
    """Tracebacks and error lines of gunicorn and the worker, besides the kills; and who
    removed the files the kills left."""
    notes = []
    with contextlib.suppress(OSError):
        started = sum(
            int(n)
            for n in re.findall(
                r"removed (\d+) partial uploads", (logs / "gunicorn.log").read_text()
            )
        )
        reaped = sum(
            int(n)
            for n in re.findall(r"(\d+) stray files removed", (logs / "worker.log").read_text())
        )
        notes.append(
            f"partial uploads removed by restarted gunicorn workers as they started: {started};"
            f" stray files removed by the queue's housekeeping: {reaped}"
        )
    for name in ("gunicorn.log", "worker.log"):
        path = logs / name
        if not path.exists():
            continue
        lines = [
            line
            for line in path.read_text(errors="replace").splitlines()
            if ("level=error" in line or "level=critical" in line or "Traceback" in line)
            and "SIGKILL" not in line
        ]
        if lines:
            notes.append(f"{name}: {len(lines)} error lines, first: {lines[0][:300]}")
    return notes


# Printing -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _timing(latencies: list[float]) -> str:
    """p50, p95, p99 and the longest, in ms, as the table's columns."""
    shares = (0.5, 0.95, 0.99)
    return " ".join(f"{percentile(latencies, share) * 1000:>8.0f}" for share in shares) + (
        f" {max(latencies) * 1000:>8.0f}"
    )


def print_outcome(outcome: Outcome, args: argparse.Namespace) -> None:
    stats = outcome.stats
    roles = Counter(plan.role for plan in outcome.plans)
    print(
        f"\n== {outcome.database}: {len(outcome.plans)} clients ({roles['agency']} agency,"
        f" {roles['office']} office, {roles['leader']} leader) for {outcome.seconds:.0f} s;"
        f" gunicorn -w {args.workers} --threads {args.threads}; job queue on {outcome.queue}"
        + ("; the national database" if args.national else "")
    )
    print(
        f"{'kind':<18} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        "  statuses"
    )
    kinds = sorted(set(stats.statuses) | set(stats.broken))
    total = 0
    for kind in kinds:
        latencies = stats.latencies.get(kind, [])
        count = sum(stats.statuses[kind].values()) + stats.broken[kind]
        total += count
        statuses = " ".join(
            f"{status or 'error'}:{number}"
            for status, number in sorted(stats.statuses[kind].items())
        )
        if stats.broken[kind]:
            statuses += f" broken-by-kill:{stats.broken[kind]}"
        timing = _timing(latencies) if latencies else " ".join([f"{'-':>8}"] * 4)
        print(f"{kind:<18} {count:>8} {timing}  {statuses}")
    every = [value for values in stats.latencies.values() for value in values]
    print(
        f"{'total':<18} {total:>8} {_timing(every) if every else ''}"
        f"  ({total / outcome.seconds:.1f} requests/s)"
    )
    print(f"errors: {len(stats.errors)}")
    for error in stats.errors[:10]:
        print(f"   {error}")
    refusals = {
        (kind, status): number
        for kind, counter in stats.statuses.items()
        for status, number in counter.items()
        if (kind, status) in EXPECTED_REFUSALS
    }
    print(f"expected refusals: {sum(refusals.values())}")
    for (kind, status), number in sorted(refusals.items()):
        print(f"   {kind} {status} x{number}: {EXPECTED_REFUSALS[(kind, status)]}")
    kills = outcome.kills
    print(
        "kills (SIGKILL to a gunicorn worker serving an upload):"
        f" {sum(kills.values()) - kills['missed']}: {kills['storing']} while it wrote the"
        f" file into the store, {kills['stored']} with the file stored, before the answer,"
        f" {kills['in flight']} elsewhere in the upload"
        + (f" ({kills['missed']} found no upload to aim at)" if kills["missed"] else "")
    )
    print(
        f"broken connections (kills): {sum(stats.broken.values())}, of the {outcome.held}"
        " requests whose connection the killed workers held (the others had their answer)"
    )
    uploads = Counter(upload.outcome for upload in outcome.ledger.uploads)
    withdrawn = Counter(u.withdrawn for u in outcome.ledger.uploads if u.withdrawn)
    retried = sum(1 for upload in outcome.ledger.uploads if upload.retries)
    print(
        f"uploads: {len(outcome.ledger.uploads)} ("
        + ", ".join(f"{number} {name}" for name, number in sorted(uploads.items()))
        + f"; {retried} retried after a kill; withdrawn: {withdrawn['confirmed']}"
        + (f", {withdrawn['unknown']} unknown" if withdrawn["unknown"] else "")
        + ")"
    )
    reports = Counter(report.outcome for report in outcome.ledger.reports)
    print(
        f"submissions: {len(outcome.ledger.reports)} ("
        + ", ".join(f"{number} {name}" for name, number in sorted(reports.items()))
        + ")"
    )
    print(
        "database at the end: "
        + ", ".join(f"{number} {name} rows" for name, number in outcome.rows.items())
    )
    lost = [
        p for p in outcome.problems if p.startswith(("lost", "submission", "withdrawn", "upload"))
    ]
    print(f"lost submissions or uploads: {len(lost)}")
    for problem in lost[:10]:
        print(f"   {problem}")
    sources = outcome.stray_at_end[0]
    print(
        f"stray files right after the run: {sum(sources.values())} orphaned"
        + "".join(f", {number} {source}" for source, number in sorted(sources.items()))
        + f"; {outcome.stray_at_end[1]} partial; after the queue's housekeeping"
        f" ({outcome.reaped_after:.0f} s later, grace {args.orphan_grace} s):"
        f" {outcome.stray_after[0]} orphans, {outcome.stray_after[1]} partial"
    )
    print(
        "report jobs: " + (", ".join(f"{n} {s}" for s, n in sorted(outcome.jobs.items())) or "none")
    )
    print(f"tracker audit verify: {outcome.audit}")
    print(f"tracker evidence verify: {outcome.evidence}")
    for note in outcome.notes:
        print(f"note: {note}")
    print(f"result: {'PASS' if not outcome.problems else 'FAIL'}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="both (default) skips PostgreSQL with a message when it is unreachable",
    )
    parser.add_argument("--kills", type=int, default=6, help="kill -9 of a worker, spread out")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn -w")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn --threads")
    parser.add_argument("--think", type=float, default=0.5, help="longest pause between steps (s)")
    parser.add_argument(
        "--orphan-grace", type=int, default=30, help="EVIDENCE_ORPHAN_GRACE_SECONDS"
    )
    parser.add_argument("--production-argon2", action="store_true", help="keep Argon2's defaults")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary installation")
    parser.add_argument(
        "--national",
        action="store_true",
        help="start from the national database (1,000 agencies, 100,000 assignments)",
    )
    parser.add_argument(
        "--file-store",
        choices=("folder", "s3"),
        default="folder",
        help="s3: evidence in an S3-compatible object store (Swift with s3api, on loopback)",
    )
    parser.add_argument(
        "--postgresql-url",
        default=os.environ.get(
            "BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    if args.file_store == "s3":
        sys.path.insert(0, str(PROJECT_DIR))
        from tests.object_store_server import swift_missing

        missing = swift_missing()
        if missing or args.national:
            print(missing or "--file-store s3 runs on the demo installation, not --national")
            return 2
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in databases and not postgresql_reachable(args.postgresql_url):
        if args.database == "postgresql":
            print(f"PostgreSQL is not reachable at {args.postgresql_url}", file=sys.stderr)
            return 2
        print(f"PostgreSQL is not reachable at {args.postgresql_url}: SQLite only")
        databases.remove("postgresql")
    argon2 = "Argon2 defaults" if args.production_argon2 else f"cheap Argon2 {FAST_ARGON2}"
    print(
        f"load: {args.clients} clients, {args.seconds} s, {args.kills} kills;"
        f" {argon2} in instance/config.py;"
        f" raised for the run: {RAISED_LIMITS}, EVIDENCE_ORPHAN_GRACE_SECONDS {args.orphan_grace};"
        f" files in {'an S3-compatible object store' if args.file_store == 's3' else 'a folder'}",
        flush=True,
    )
    failed = False
    for database in databases:
        print(
            f"\n-- {database}: building a fresh installation, then {args.seconds} s of load",
            flush=True,
        )
        outcome = run_load(database, args)
        print_outcome(outcome, args)
        failed |= bool(outcome.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
