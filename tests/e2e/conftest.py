"""Fixtures of the end-to-end journeys: a live tracker server and a real Chromium.

The live server runs the app in a thread of this process and serves real HTTP requests,
so every request commits its own transaction. The rolled-back-transaction-per-test scheme
of tests/conftest.py cannot work here (the server thread would not see, or would hold
open, the test's outer transaction), so this module builds its OWN app and database.
That database is always a fresh SQLite file, even when TRACKER_TEST_DATABASE_URL points
at PostgreSQL: the journeys need committed data they may change freely, and a shared
PostgreSQL database would keep those changes after the run.

The database is initialised exactly as `tracker init --demo` does (see
tracker/cli.py init_command): migrations, seed directives (backdated), demo accounts and
demo activity."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.helpers import initialise_demo_database, job_worker
from tracker import create_app
from tracker.demo import DEMO_PASSWORD

#: Debian's Chromium (installed by `make test`); a browser is never downloaded.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Cheap Argon2 parameters, as in tests/conftest.py: the journeys log in many times.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}
#: Milliseconds a browser step may take before the test fails (the app is local and fast).
STEP_TIMEOUT_MS = 10_000


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log on stderr (and no change to the global 'werkzeug' logger)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A production-like app (TESTING off, CSRF on) on its own fresh SQLite database,
    with a `tracker worker` process for its job queue."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    config = {
        "TESTING": False,
        "INSTANCE_PATH": str(instance),
        # Always SQLite, never TRACKER_TEST_DATABASE_URL: see the module docstring.
        "DATABASE_URL": f"sqlite:///{instance / 'tracker-e2e.db'}",
        "SECRET_KEY": "e2e",
    }
    app = create_app(config | FAST_ARGON2)
    initialise_demo_database(app)
    try:
        with job_worker(config):  # imports and large reports go through the job queue
            yield app
    finally:
        app.extensions["tracker.db"].engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_app: Flask) -> Iterator[str]:
    """The base URL (no trailing slash) of the app served on a free local port."""
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, live_app, threaded=True, request_handler=_QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


class Pages:
    """Opens pages, each in its own browser context (its own cookies), and remembers any
    server error (5xx) a page received so the test can fail on it."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.server_errors: list[str] = []

    def new_page(self, **context_options: Any) -> Page:
        """A page of a new context; context_options go to Browser.new_context (e.g. a
        viewport)."""
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            **context_options,
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("response", self._check_response)
        return page

    def logged_in(
        self, username: str, password: str = DEMO_PASSWORD, **context_options: Any
    ) -> Page:
        """A page of a new context, signed in through the real login form."""
        page = self.new_page(**context_options)
        log_in(page, username, password)
        return page

    def _check_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    current_user = page.get_by_test_id("current-user")
    if current_user.count() != 1:
        raise AssertionError(f"login as {username!r} failed; page at {page.url}")


@pytest.fixture
def pages(browser: Browser, live_server: str) -> Iterator[Pages]:
    opened = Pages(browser, live_server)
    try:
        yield opened
    finally:
        opened.close()
    assert not opened.server_errors, f"server errors: {opened.server_errors}"


@pytest.fixture
def page(pages: Pages) -> Page:
    """One page in a fresh context (locale vi-VN), not logged in."""
    return pages.new_page()


@pytest.fixture
def login_as(pages: Pages) -> Callable[..., Page]:
    """login_as("vanphong") -> a page of a new context, signed in as that demo user."""
    return pages.logged_in
