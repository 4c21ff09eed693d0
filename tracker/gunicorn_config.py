"""gunicorn's settings for tracker, shipped with the package:

    gunicorn -c python:tracker.gunicorn_config -w 4 -b 127.0.0.1:8000 'tracker:create_app()'

- gunicorn's own log (stderr) and an access log (stdout) in tracker's key=value format
  (tracker/logs.py), at TRACKER_LOG_LEVEL;
- calendar feed tokens redacted in the access log: the path of /feeds/<token>.ics is
  logged as /feeds/k3Jq….ics;
- the access line carries the request id the app gave (also in the X-Request-ID
  response header) and the signed-in user's id, so it joins up with the app's own lines.

- once a worker has loaded the app, its objects are frozen out of the garbage
  collector (`post_worker_init`), so that full collections do not stall requests;
- a worker that dies of a fatal signal (SIGSEGV, SIGBUS, SIGABRT, SIGFPE) first writes
  every thread's Python stack to stderr (faulthandler), so the log says where.

The access line's fields are fixed (`access_log_format` is not used): remote_addr,
method, path, query, status, bytes, duration_ms, request_id, user_id, user_agent.
Command-line options still override everything here (e.g. `--access-logfile FILE`)."""

from __future__ import annotations

import faulthandler
import gc
import os

from gunicorn.glogging import Logger

from tracker.logs import REQUEST_ID_KEY, USER_ID_KEY, KeyValueFormatter, level_number, redact


class GunicornLogger(Logger):
    """gunicorn's logger with tracker's formatter and a structured, redacted access line."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(KeyValueFormatter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        """gunicorn's atoms with every feed token redacted (the request line, the path,
        headers such as Referer, and the environ), whatever else reads them."""
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "remote_addr": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or None,
            "status": atoms["s"],
            "bytes": atoms["B"] if atoms["B"] is not None else 0,
            "duration_ms": atoms["M"],
            "request_id": environ.get(REQUEST_ID_KEY),
            "user_id": environ.get(USER_ID_KEY),
            "user_agent": atoms["a"],
        }
        self.access_log.info(
            "%s %s %s",
            atoms["m"],
            atoms["U"],
            atoms["s"],
            extra={"fields": {name: value for name, value in fields.items() if value is not None}},
        )


logger_class = GunicornLogger
#: The access log to stdout, gunicorn's own to stderr (the service manager keeps both).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("TRACKER_LOG_LEVEL", "info").lower()
level_number(loglevel)  # an unknown level stops gunicorn at start, not at the first line


def post_fork(_server, _worker) -> None:
    """A new worker, before it loads the app: a fatal signal from here on leaves every
    thread's Python stack on stderr."""
    faulthandler.enable(all_threads=True)


def post_worker_init(_worker) -> None:
    """The app is loaded: what it holds for good (modules, the password dictionaries,
    templates) leaves the garbage collector's view. A full collection over it took about
    0.1 s, and struck a request every few pages."""
    gc.freeze()
