"""Configuration: defaults, then instance/config.py, then TRACKER_* environment variables."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path

from flask import Flask

from tracker.evidence import stores

#: Settings an operator may override; every other attribute of this module is internal.
DEFAULTS: dict[str, object] = {
    "DATABASE_URL": None,  # None: SQLite at instance/tracker.db
    "SECRET_KEY": None,  # None: generated once and kept in instance/secret_key
    "MAX_UPLOAD_MB": 25,
    "MAX_UNZIPPED_MB": 200,
    #: Storage allowed for all evidence of one agency.
    "EVIDENCE_QUOTA_MB": 2048,
    #: Each file counts at least this much against the quota.
    "EVIDENCE_MIN_COST_KB": 64,
    "EVIDENCE_UPLOADS_PER_MINUTE": 20,
    "EVIDENCE_MAX_FILES": 50,
    "DUE_SOON_WORKING_DAYS": 3,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    #: Idle timeout (seconds): the session cookie is renewed on each request.
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    #: Absolute timeout: a session ends this long after sign-in, however active.
    "ABSOLUTE_SESSION_HOURS": 12,
    "WTF_CSRF_TIME_LIMIT": None,
    "SQL_ECHO": False,
    #: Level of tracker's log, the development server's and gunicorn's (tracker/logs.py):
    #: debug, info, warning, error or critical.
    "LOG_LEVEL": "INFO",
    #: An accountability report with more lines (agency lines and evidence files) than
    #: this is made by the job queue: as a PDF or .docx, and as a spreadsheet, which is
    #: written many times faster (tracker/documents/report_files.py).
    "LARGE_REPORT_ROWS": 150,
    "LARGE_SHEET_ROWS": 5000,
    #: A report job may take this long, and this much more for each 1,000 lines: a
    #: national report of every directive (97,084 lines) takes about 550 s on two cores.
    "REPORT_JOB_SECONDS": 300,
    "REPORT_JOB_SECONDS_PER_1000_ROWS": 20,
    "REPORT_JOB_MEMORY_MB": 2048,
    #: The job queue renders a large report in parts of at most this many table rows, so
    #: its memory is bounded by a part, not by the report (tracker/documents/pieces.py).
    "REPORT_PART_ROWS": 400,
    #: A long list printed as PDF is laid out on this many processes at once
    #: (tracker/documents/parallel.py); 0: one per core, 1: in the request's process.
    "PDF_PROCESSES": 0,
    #: Finished report files are kept this many days, then removed by housekeeping.
    "REPORT_JOB_KEEP_DAYS": 7,
    #: The job queue (tracker/jobs): Redis when REDIS_URL is set (production), else a
    #: SQLite file (JOB_QUEUE_PATH, default instance/queue.db). JOB_WORKERS: jobs run at
    #: once per `tracker worker` process. JOB_QUEUE_IMMEDIATE: run each job inside the
    #: caller at once (the tests' in-process app only).
    "REDIS_URL": "",
    "JOB_QUEUE_PATH": "",
    "JOB_QUEUE_NAME": "tracker",
    "JOB_WORKERS": 2,
    "JOB_QUEUE_IMMEDIATE": False,
    #: A running job that has not shown a sign of life for this long has died.
    "JOB_HEARTBEAT_SECONDS": 30,
    #: Parsing an imported directive: its time and memory in the job queue, and how long
    #: the page waits for it before showing progress instead.
    "IMPORT_PARSE_SECONDS": 30,
    "IMPORT_PARSE_MEMORY_MB": 1024,
    "IMPORT_WAIT_SECONDS": 3,
    #: The daily reminders and digests run at this local time (HH:MM) in the job queue.
    "REMIND_AT": "06:30",
    #: Stored evidence files without a row are removed by the queue this long after they
    #: were written (time enough for an upload's commit to land).
    "EVIDENCE_ORPHAN_GRACE_SECONDS": 300,
    #: The date a document bears (tracker/documents/dating.py): today unless set, and only
    #: from this many days before today to this many after. Its figures may be as of any
    #: earlier day.
    "DOCUMENT_DATE_PAST_DAYS": 30,
    "DOCUMENT_DATE_FUTURE_DAYS": 0,
    #: Register numbers of issued documents: "counter" gives the next number when the
    #: records clerk enters none; "entered" requires the clerk's number.
    "REGISTER_NUMBERS": "counter",
    #: The provincial office's agency code: it compiles the leaders' reports.
    "OFFICE_CODE": "VPUBND",
    #: Within the window, an address is refused (429) after LOGIN_MAX_FAILURES failures
    #: for one account (for that account only), or for names that are no account (for
    #: every name), or after LOGIN_ADDRESS_FAILURES failures of any kind (every name).
    "LOGIN_MAX_FAILURES": 5,
    #: The API: requests one token may make per window (429 with Retry-After beyond).
    "API_RATE_LIMIT": 300,
    "API_RATE_WINDOW_SECONDS": 60,
    #: Items per page of an API list, by default and at most (?limit=).
    "API_PAGE_SIZE": 50,
    "API_MAX_PAGE_SIZE": 200,
    #: How long an Idempotency-Key's answer is kept.
    "API_IDEMPOTENCY_HOURS": 24,
    "LOGIN_ADDRESS_FAILURES": 30,
    "LOGIN_WINDOW_SECONDS": 60,
    #: From this many failures for one account within its window, from any addresses,
    #: each further attempt waits a delay doubling from LOGIN_DELAY_SECONDS to the max.
    "LOGIN_ACCOUNT_FAILURES": 10,
    "LOGIN_ACCOUNT_WINDOW_SECONDS": 900,
    "LOGIN_DELAY_SECONDS": 30,
    "LOGIN_DELAY_MAX_SECONDS": 900,
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted
    #: (0: none, so a client cannot forge its address).
    "PROXY_HOPS": 0,
    #: The canonical address links are given out on, e.g. "https://tracker.laichau.gov.vn"
    #: (calendar feeds); empty: the address of the request.
    "BASE_URL": "",
    #: Reminder ladder (tracker remind): working days before the deadline (positive), on
    #: the day (0), after it (negative); see tracker/notifications/ladder.py.
    "REMINDER_LADDER": [3, 1, 0, -1],
    #: Password hashing (Argon2id): argon2-cffi's RFC 9106 low-memory profile.
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
    "ARGON2_PARALLELISM": 4,
    #: After the last step, remind again every so many days while overdue (0: never).
    "REMINDER_REPEAT_DAYS": 7,
    #: The daily e-mail digest over SMTP. MAIL_USE_TLS: STARTTLS; MAIL_USE_SSL: TLS from
    #: the start (port 465). No login when MAIL_USERNAME is empty.
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "Theo dõi nhiệm vụ <no-reply@localhost>",
    "MAIL_TIMEOUT": 30,
    #: The address people open tracker at, for the links in e-mails.
    "MAIL_BASE_URL": "http://localhost:5000",
    #: E-mail addresses: USER_EMAILS maps a username to an address; otherwise
    #: <username>@MAIL_DEFAULT_DOMAIN when set; otherwise in-app notifications only.
    "USER_EMAILS": {},
    "MAIL_DEFAULT_DOMAIN": "",
    #: Who `tracker digest --mail` sends a directive's weekly digest to: a list of
    #: addresses (TRACKER_DIGEST_RECIPIENTS as a JSON list). Empty: no mail.
    "DIGEST_RECIPIENTS": [],
    #: Where evidence, document and imported scan files are kept
    #: (tracker/evidence/stores.py): "folder", the folders EVIDENCE_DIR, DOCUMENTS_DIR
    #: and IMPORTS_DIR (on shared storage when several machines serve), or "s3", one
    #: bucket of an S3-compatible object store.
    "FILE_STORE": "folder",
    "S3_ENDPOINT_URL": "",
    "S3_BUCKET": "",
    "S3_ACCESS_KEY_ID": "",
    "S3_SECRET_ACCESS_KEY": "",
    "S3_REGION": "us-east-1",
    #: "path" (bucket in the path: most S3-compatible stores), "virtual" or "auto".
    "S3_ADDRESSING_STYLE": "path",
}

ENV_PREFIX = "TRACKER_"


def _coerce(raw: str, default: object) -> object:
    """Read an environment string as the type of the default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, (list, dict)):
        return json.loads(raw)
    return raw


def load_config(app: Flask, test_config: dict | None = None) -> None:
    """Fill app.config in the documented order of precedence."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for key, raw in os.environ.items():
        if key.startswith(ENV_PREFIX) and not key.startswith("TRACKER_TEST_"):
            name = key[len(ENV_PREFIX) :]
            app.config[name] = _coerce(raw, app.config.get(name))
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # an instance folder someone else owns stays as it is
        instance.chmod(0o700)  # the database, evidence and keys: the owner's alone
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'tracker.db'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    app.config.setdefault("EVIDENCE_DIR", str(instance / "evidence"))
    app.config.setdefault("DOCUMENTS_DIR", str(instance / "documents"))
    #: With FILE_STORE = "s3": uploads are spooled here (hashed, sniffed) before sending.
    app.config.setdefault("UPLOAD_SPOOL_DIR", str(instance / "spool"))
    stores.check(app.config)
    #: Scanned directives waiting for OCR, and their page images for the review.
    app.config.setdefault("IMPORTS_DIR", str(instance / "imports"))
    #: The event chain's anchor (tracker.anchor); an empty setting turns anchoring off.
    app.config.setdefault("AUDIT_ANCHOR_FILE", str(instance / "audit-anchor.log"))
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024
    #: A form's text fields together: room for the longest directive pasted whole (the
    #: import form's 400,000 characters, up to four bytes each in UTF-8), so a long text
    #: is refused by its field's own limit, saying so, not as an oversized upload.
    app.config["MAX_FORM_MEMORY_SIZE"] = 2 * 1024 * 1024


def _instance_secret(path: Path) -> str:
    """A random key made on first start and kept in the instance folder."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key
