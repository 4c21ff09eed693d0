"""Who may do what, route by route: agency isolation, function-level checks, mass
assignment, no state change on GET, CSRF and stale forms (SECURITY.md items 1-5, 22).

The route matrix is checked against `app.url_map`, so a new route fails the suite until
it is added to the matrix (or exempted with a reason)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.helpers import Auth, csrf_token, user_named
from tracker.agencies.feed import issue_feed_token
from tracker.agencies.models import Agency
from tracker.api.tokens import issue as issue_token
from tracker.assignments.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ExtensionRequest,
    Period,
    Submission,
)
from tracker.assignments.workflow import Action, apply, request_extension
from tracker.audit import Event
from tracker.auth.models import User
from tracker.directives import operations as directive_operations
from tracker.directives.importing import start_import
from tracker.directives.models import Directive, DirectiveStatus, ImportDraft, Indicator, Task
from tracker.directives.parsing.parser import gazetteer_from_session
from tracker.documents import operations as document_operations
from tracker.documents.models import OutgoingDocument, ReportJob
from tracker.documents.reply import draft_reply
from tracker.evidence.models import Evidence
from tracker.evidence.operations import add_evidence

IMPORT_TEXT = (
    "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 7/UBND-VX\nLai Châu, ngày 02 tháng 3 năm 2021\n"
    "V/v kiểm thử phân quyền\nKính gửi: Sở Y tế.\n1. Sở Y tế kiểm tra trước ngày 10/3/2021.\n"
)
#: One fixed content, so the evidence folder (not rolled back) gains one file at most.
EVIDENCE_BYTES = "Minh chứng dùng trong kiểm thử phân quyền.\n".encode()
#: The file of the world's issued document, in place of WeasyPrint's PDF: the matrix asks
#: who may download it, not how it looks (tests/test_documents.py renders real ones).
#: Rendering it for each of the ~400 tests of the world took most of this file's time.
DOCUMENT_BYTES = b"%PDF-1.7\n% issued document of the permission tests\n%%EOF\n"
VERSION_PATTERN = re.compile(r'name="version" type="hidden" value="(\d+)"')
CONFLICT_MESSAGE = "vừa được người khác cập nhật"
PROBLEM_TYPE = "application/problem+json"
CSRF_MESSAGE = "Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ"
S = AssignmentStatus


@pytest.fixture
def new_client(app, client):
    """Another browser: a client with cookies of its own (of the `client` fixture's class,
    so each request runs in its own app context)."""
    return app.test_client


# The world the matrix runs in --------------------------------------------------------------


@dataclass
class World:
    """Agency `own` has one assignment (with one evidence file) of a directive of its
    own; `reviewer` is the task's report_to agency; `other` has no work in it at all."""

    own: Agency
    other: Agency
    reviewer: Agency
    usernames: dict[str, str | None]
    directive: Directive
    task: Task
    assignment: Assignment
    evidence: Evidence
    imported: ImportDraft
    document: OutgoingDocument
    job: ReportJob
    period: Period
    extension: ExtensionRequest
    #: `own`'s calendar feed token.
    feed_token: str
    #: An indicator of a task of the world's directive.
    indicator: Indicator
    #: A user of `other`, the subject of the account routes.
    other_user_id: int = 0

    def path(self, template: str) -> str:
        return template.format(
            directive=self.directive.id,
            task=self.task.id,
            assignment=self.assignment.id,
            evidence=self.evidence.id,
            imported=self.imported.id,
            document=self.document.id,
            job=self.job.id,
            own_code=self.own.code,
            period=self.period.id,
            extension=self.extension.id,
            agency=self.own.id,
            feed_token=self.feed_token,
            user=self.other_user_id,
            indicator=self.indicator.id,
        )


@pytest.fixture
def world(session, make_agency, make_user, make_assignment) -> World:
    own, other, reviewer = make_agency(head_name="Nguyễn Văn An"), make_agency(), make_agency()
    own_user = make_user(agency=own)
    other_user = make_user(agency=other)
    reviewer_user = make_user(agency=reviewer)
    assignment = make_assignment(own, report_to=reviewer)
    evidence = add_evidence(
        session, own_user, assignment, io.BytesIO(EVIDENCE_BYTES), "minh-chung.txt"
    )
    return World(
        own=own,
        other=other,
        reviewer=reviewer,
        usernames={
            "anonymous": None,
            "own": own_user.username,
            "other": other_user.username,
            "reviewer": reviewer_user.username,
            "leader": "lanhdao",
            "secretariat": "vanphong",
        },
        directive=assignment.task.directive,
        task=assignment.task,
        assignment=assignment,
        evidence=evidence,
        imported=start_import(
            session,
            user_named(session, "vanphong"),
            IMPORT_TEXT,
            "",
            gazetteer_from_session(session),
        ),
        document=_issued_reply(session, assignment.task.directive, own),
        job=_queued_job(session),
        feed_token=issue_feed_token(session, None, own),
        period=_open_period(session, assignment),
        extension=request_extension(
            assignment, own_user, proposed_date=date(2020, 9, 30), reason="Chờ số liệu."
        ),
        other_user_id=other_user.id,
        indicator=_indicator(session, assignment.task),
    )


def _indicator(session, task: Task) -> Indicator:
    """An indicator of another task of the world's directive (one with no work, so the
    world's own reports need no figures)."""
    measured = Task(
        directive_id=task.directive_id, position=99, number="99", title="Đo lường", text=""
    )
    session.add(measured)
    session.flush()
    indicator = Indicator(
        task_id=measured.id,
        code="ti_le",
        name="Tỷ lệ kiểm thử",
        numerator_label="Đã làm",
        denominator_label="Tổng số",
    )
    session.add(indicator)
    session.flush()
    return indicator


def _open_period(session, assignment: Assignment) -> Period:
    period = Period(
        assignment_id=assignment.id,
        starts_on=date(2020, 8, 1),
        ends_on=date(2020, 8, 7),
        due_date=date(2020, 8, 10),
    )
    session.add(period)
    session.flush()
    return period


def _issued_reply(session, directive: Directive, agency: Agency) -> OutgoingDocument:
    """`agency`'s reply report, numbered, registered and stored by the real operation;
    only the PDF rendering is stood in for, and only for this call."""
    draft = draft_reply(session, directive, agency, date(2020, 8, 20))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(document_operations, "render_pdf", lambda context, **_: DOCUMENT_BYTES)
        document = document_operations.issue_document(session, None, draft)
    assert document.size == len(DOCUMENT_BYTES), "issue_document rendered a PDF after all"
    return document


def _queued_job(session) -> ReportJob:
    job = ReportJob(key="0" * 64, params={"as_of": "2020-08-21", "directive_id": None})
    session.add(job)
    session.flush()
    return job


# Helpers ---------------------------------------------------------------------------------


def sign_in(client: FlaskClient, username: str | None) -> None:
    if username is None:
        return
    response = Auth(client).login(username)
    assert response.status_code == 302, f"{username} could not sign in"
    assert response.headers["Location"] == "/"


def token_of(client: FlaskClient, signed_in: bool) -> str:
    """A valid CSRF token of the client's session (from a page every user may open)."""
    return csrf_token(client, "/logout" if signed_in else "/login")


def fetch(client: FlaskClient, method: str, path: str, **kwargs):
    """Send a request and read the whole body, closing files send_file opened."""
    with client.open(path, method=method, **kwargs) as response:
        response.get_data()
    return response


def redirect_path(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def assert_sent_to_login(response) -> None:
    assert response.status_code in (302, 401), response.status_code
    if response.status_code == 302:
        assert redirect_path(response) == "/login"


def current_version(session, assignment: Assignment) -> int:
    return session.scalar(sa.select(Assignment.version).where(Assignment.id == assignment.id))


def fingerprint(session) -> dict[str, int]:
    """Row counts and version sums: equal fingerprints mean nothing was written."""
    counts = {
        model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Event, Directive, Task, Assignment, Submission, Evidence, User)
    }
    sums = {
        "assignment versions": sa.func.sum(Assignment.version),
        "assignment progress": sa.func.sum(Assignment.progress),
        "user session versions": sa.func.sum(User.session_version),
    }
    for name, total in sums.items():
        counts[name] = session.scalar(sa.select(sa.func.coalesce(total, 0)))
    counts["draft directives"] = session.scalar(
        sa.select(sa.func.count())
        .select_from(Directive)
        .where(Directive.status == DirectiveStatus.DRAFT)
    )
    counts["directives with text"] = session.scalar(
        sa.select(sa.func.count()).select_from(Directive).where(Directive.body.is_not(None))
    )
    return counts


def move_to(session, assignment: Assignment, status: AssignmentStatus) -> None:
    """Drive an assignment through the workflow (as its agency and the office)."""
    worker = session.scalar(
        sa.select(User).where(User.agency_id == assignment.agency_id).order_by(User.id).limit(1)
    )
    office = user_named(session, "vanphong")
    steps = {
        S.ASSIGNED: [],
        S.IN_PROGRESS: [(Action.START, worker, {})],
        S.SUBMITTED: [(Action.SUBMIT, worker, {"text": "Đã thực hiện xong."})],
        S.RETURNED: [
            (Action.SUBMIT, worker, {"text": "Đã thực hiện xong."}),
            (Action.RETURN, office, {"reason": "Bổ sung số liệu."}),
        ],
        S.DONE: [
            (Action.SUBMIT, worker, {"text": "Đã thực hiện xong."}),
            (Action.ACCEPT, office, {}),
        ],
    }
    for action, actor, data in steps[status]:
        apply(assignment, action, actor, **data)
    assert assignment.status == status


def assignment_state(session, assignment: Assignment) -> tuple:
    session.expire_all()
    row = session.get(Assignment, assignment.id)
    return (
        row.status,
        row.version,
        row.progress,
        row.agency_id,
        row.task_id,
        row.role,
        row.due_date,
        row.completed_on,
    )


# 1. The route matrix ---------------------------------------------------------------------

LOGIN = "login"  #: a redirect to the sign-in page
ROLES = ("anonymous", "own", "other", "reviewer", "leader", "secretariat")


def expect(anonymous=LOGIN, *, agency=None, own=None, other=None, reviewer=None, **rest):
    """Expected answers by role; `agency` fills the three agency roles."""
    table = {
        "anonymous": anonymous,
        "own": own if own is not None else agency,
        "other": other if other is not None else agency,
        "reviewer": reviewer if reviewer is not None else agency,
        **rest,
    }
    assert set(table) == set(ROLES) and None not in table.values(), table
    return table


#: Reading an object: its agency and its reviewer see it; another agency gets 404.
READ = expect(own=200, other=404, reviewer=200, leader=200, secretariat=200)
#: A page every signed-in user has.
SIGNED_IN = expect(agency=200, leader=200, secretariat=200)
#: Province-wide reading: the office and leaders; agencies get 404.
PROVINCE_WIDE = expect(agency=404, leader=200, secretariat=200)
#: An office-only function: 403 for agencies and the leader.
OFFICE_ONLY = expect(agency=403, leader=403, secretariat=200)


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str
    expected: dict[str, int | str]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


CASES = (
    Case("static", "GET", "/static/app.css", expect(200, agency=200, leader=200, secretariat=200)),
    Case(
        "documents.asset",
        "GET",
        "/documents/assets/nd30.css",
        expect(200, agency=200, leader=200, secretariat=200),
    ),
    Case("auth.login", "GET", "/login", expect(200, agency=302, leader=302, secretariat=302)),
    Case("auth.logout", "GET", "/logout", SIGNED_IN),
    Case("reports.dashboard", "GET", "/", SIGNED_IN),
    # Each user's own inbox and the list of what they may see: no object in the URL.
    Case("inbox.index", "GET", "/inbox", SIGNED_IN),
    Case("assignments.index", "GET", "/assignments", SIGNED_IN),
    Case("search.index", "GET", "/search?q=bluezone", SIGNED_IN),
    # Charts: the province's for the office and leaders; an agency charts its own work,
    # and the agencies' ranking is not its to see.
    Case("reports.chart", "GET", "/charts/weekly.svg", SIGNED_IN),
    # Each user's own notifications: nothing of anybody else's is addressed by the URL.
    Case("notifications.index", "GET", "/notifications", SIGNED_IN),
    Case(
        "notifications.mark_read",
        "POST",
        "/notifications/read",
        expect(agency=302, leader=302, secretariat=302),
    ),
    Case("notifications.settings", "GET", "/account/notifications", SIGNED_IN),
    # The interface language: anyone, signed in or not (the form carries no language:
    # 400 for everyone).
    Case(
        "auth.choose_language",
        "POST",
        "/account/language",
        expect(400, agency=400, leader=400, secretariat=400),
    ),
    Case(
        "notifications.settings",
        "POST",
        "/account/notifications",
        expect(agency=302, leader=302, secretariat=302),
    ),
    Case("agencies.index", "GET", "/agencies", expect(agency=403, leader=200, secretariat=200)),
    # Taking an evidence file back: its uploader only.
    Case(
        "evidence.withdraw",
        "POST",
        "/evidence/{evidence}/withdraw",
        expect(own=302, other=404, reviewer=403, leader=403, secretariat=403),
    ),
    # One's own password; the accounts of everyone: admins only.
    Case("auth.change_password", "GET", "/account/password", SIGNED_IN),
    # One's own API tokens (the form posted names no token: 422); revoking a token that
    # is nobody's here: 404 for everyone.
    Case("tokens.index", "GET", "/account/tokens", SIGNED_IN),
    Case(
        "tokens.index", "POST", "/account/tokens", expect(agency=422, leader=422, secretariat=422)
    ),
    Case(
        "tokens.revoke_token",
        "POST",
        "/account/tokens/1/revoke",
        expect(agency=404, leader=404, secretariat=404),
    ),
    Case(
        "auth.change_password",
        "POST",
        "/account/password",
        expect(agency=422, leader=422, secretariat=422),
    ),
    Case("users.index", "GET", "/users", expect(agency=403, leader=403, secretariat=403)),
    Case(
        "users.act",
        "POST",
        "/users/{user}/disable",
        expect(agency=403, leader=403, secretariat=403),
    ),
    # An agency's ND30 identity: admins only.
    Case(
        "agencies.identity",
        "GET",
        "/agencies/{agency}/identity",
        expect(agency=403, leader=403, secretariat=403),
    ),
    Case(
        "agencies.identity",
        "POST",
        "/agencies/{agency}/identity",
        expect(agency=403, leader=403, secretariat=403),
    ),
    # Closing a directive, or superseding one it cites: the office.
    Case(
        "directives.close",
        "POST",
        "/directives/{directive}/close",
        {**OFFICE_ONLY, "secretariat": 302},
    ),
    Case(
        "directives.supersede",
        "POST",
        "/directives/{directive}/supersede/{directive}",
        {**OFFICE_ONLY, "secretariat": 302},
    ),
    Case("directives.index", "GET", "/directives", SIGNED_IN),
    Case("directives.create", "GET", "/directives/new", OFFICE_ONLY),
    Case("directives.create", "POST", "/directives/new", {**OFFICE_ONLY, "secretariat": 422}),
    Case("directives.show", "GET", "/directives/{directive}", READ),
    # An indicator's page ranks every agency: not an agency's to see.
    Case("reports.indicator", "GET", "/indicators/{indicator}", PROVINCE_WIDE),
    Case("reports.indicator_chart", "GET", "/indicators/{indicator}/chart.svg", PROVINCE_WIDE),
    # The weekly digest names every agency's figures: the office, leaders, and agencies
    # with a recurring task of the directive (the world's task is one-off).
    *(
        Case(endpoint, "GET", f"/directives/{{directive}}/{path}", PROVINCE_WIDE)
        for endpoint, path in (
            ("digests.show", "digest"),
            ("digests.chart", "digest.png"),
            ("digests.text", "digest.txt"),
        )
    ),
    # Office-only functions on an object: the role check answers before the object.
    # The directive is confirmed: adding a task answers 409, confirming again and an
    # empty text are refused with a message on the directive page (302).
    Case(
        "directives.add_task",
        "POST",
        "/directives/{directive}/tasks",
        {**OFFICE_ONLY, "secretariat": 409},
    ),
    # An empty indicator form is refused with its messages on the directive page.
    Case(
        "directives.add_indicator",
        "POST",
        "/directives/{directive}/tasks/{task}/indicators",
        {**OFFICE_ONLY, "secretariat": 302},
    ),
    Case(
        "directives.confirm",
        "POST",
        "/directives/{directive}/confirm",
        {**OFFICE_ONLY, "secretariat": 302},
    ),
    Case(
        "directives.attach_text",
        "POST",
        "/directives/{directive}/text",
        {**OFFICE_ONLY, "secretariat": 302},
    ),
    Case("assignments.assign", "GET", "/tasks/{task}/assign", OFFICE_ONLY),
    Case("assignments.assign", "POST", "/tasks/{task}/assign", {**OFFICE_ONLY, "secretariat": 422}),
    Case("assignments.show", "GET", "/assignments/{assignment}", READ),
    # A period and an extension request live on their assignment's page: a redirect there.
    Case(
        "assignments.period",
        "GET",
        "/periods/{period}",
        expect(own=302, other=404, reviewer=302, leader=302, secretariat=302),
    ),
    Case(
        "assignments.extension",
        "GET",
        "/extensions/{extension}",
        expect(own=302, other=404, reviewer=302, leader=302, secretariat=302),
    ),
    # Starting and uploading are the assigned agency's own work.
    Case(
        "assignments.act",
        "POST",
        "/assignments/{assignment}/start",
        expect(own=302, other=404, reviewer=403, leader=403, secretariat=403),
    ),
    Case(
        "assignments.upload",
        "POST",
        "/assignments/{assignment}/evidence",
        expect(own=302, other=404, reviewer=403, leader=403, secretariat=403),
    ),
    Case("evidence.download", "GET", "/evidence/{evidence}", READ),
    # Importing is office work: the role check answers before any object is read.
    Case("imports.start", "GET", "/directives/import", OFFICE_ONLY),
    Case("imports.start", "POST", "/directives/import", {**OFFICE_ONLY, "secretariat": 422}),
    Case("imports.review", "GET", "/imports/{imported}", OFFICE_ONLY),
    # A scanned page's image: the office's; a text import has none.
    Case(
        "imports.page_image",
        "GET",
        "/imports/{imported}/pages/1.png",
        {**OFFICE_ONLY, "secretariat": 404},
    ),
    Case("imports.review", "POST", "/imports/{imported}", {**OFFICE_ONLY, "secretariat": 422}),
    Case(
        "imports.discard",
        "POST",
        "/imports/{imported}/discard",
        {**OFFICE_ONLY, "secretariat": 302},
    ),
    # Reply reports: the agency's own (its code is implied), or any agency for the office.
    Case(
        "documents.reply",
        "GET",
        "/directives/{directive}/reply?agency={own_code}",
        expect(own=200, other=404, reviewer=404, leader=403, secretariat=200),
    ),
    Case(
        "documents.reply",
        "POST",
        "/directives/{directive}/reply?agency={own_code}",
        expect(own=422, other=404, reviewer=404, leader=403, secretariat=422),
    ),
    Case(
        "documents.urge",
        "GET",
        "/directives/{directive}/urge",
        expect(agency=403, leader=200, secretariat=200),
    ),
    Case(
        "documents.urge",
        "POST",
        "/directives/{directive}/urge",
        expect(agency=403, leader=422, secretariat=422),
    ),
    Case(
        "documents.download",
        "GET",
        "/documents/{document}",
        expect(own=200, other=404, reviewer=404, leader=200, secretariat=200),
    ),
    Case(
        "reports.accountability",
        "GET",
        "/reports/accountability",
        expect(agency=403, leader=200, secretariat=200),
    ),
    # The accountability report as a document: leaders read the draft, the office issues.
    Case(
        "documents.accountability",
        "GET",
        "/reports/accountability/draft?directive={directive}",
        expect(agency=403, leader=200, secretariat=200),
    ),
    Case(
        "documents.accountability",
        "POST",
        "/reports/accountability/draft?directive={directive}",
        expect(agency=403, leader=422, secretariat=422),
    ),
    # A large report's progress and file: leaders and the office; no file until done.
    # Periods: the agency reports its own; an extension: its agency asks, the office decides.
    Case(
        "assignments.period_act",
        "POST",
        "/periods/{period}/submit",
        expect(own=422, other=404, reviewer=403, leader=403, secretariat=403),
    ),
    Case(
        "assignments.extension_request",
        "POST",
        "/assignments/{assignment}/extension",
        expect(own=422, other=404, reviewer=403, leader=403, secretariat=403),
    ),
    Case(
        "assignments.extension_decide",
        "POST",
        "/extensions/{extension}/grant",
        expect(own=403, other=404, reviewer=403, leader=403, secretariat=302),
    ),
    Case(
        "reports.job", "GET", "/reports/jobs/{job}", expect(agency=403, leader=200, secretariat=200)
    ),
    Case(
        "reports.job_file",
        "GET",
        "/reports/jobs/{job}/file",
        expect(agency=403, leader=404, secretariat=404),
    ),
    # The calendar feed: its token is the credential, whoever holds it (signed in or not).
    Case(
        "feeds.calendar",
        "GET",
        "/feeds/{feed_token}.ics",
        expect(200, agency=200, leader=200, secretariat=200),
    ),
    # Managing it: the agency's own users and the office; the leader only reads.
    Case(
        "feeds.manage",
        "GET",
        "/agencies/{agency}/feed",
        expect(own=200, other=404, reviewer=404, leader=403, secretariat=200),
    ),
    Case(
        "feeds.manage",
        "POST",
        "/agencies/{agency}/feed",
        expect(own=302, other=404, reviewer=404, leader=403, secretariat=302),
    ),
    Case(
        "feeds.revoke",
        "POST",
        "/agencies/{agency}/feed/revoke",
        expect(own=302, other=404, reviewer=404, leader=403, secretariat=302),
    ),
    # An agency's page: the office, leaders, the agency and the agencies above it.
    Case(
        "subunits.show",
        "GET",
        "/agencies/{agency}",
        expect(own=200, other=404, reviewer=404, leader=200, secretariat=200),
    ),
    # Adding sub-units: admins only.
    Case(
        "subunits.add",
        "POST",
        "/agencies/{agency}/subunits",
        expect(own=403, other=404, reviewer=404, leader=403, secretariat=403),
    ),
    Case(
        "subunits.import_csv",
        "POST",
        "/agencies/{agency}/subunits/import",
        expect(own=403, other=404, reviewer=404, leader=403, secretariat=403),
    ),
    # Handing work down to sub-units: the assigned agency only (422: none chosen).
    Case(
        "assignments.hand_down_view",
        "POST",
        "/assignments/{assignment}/hand-down",
        expect(own=422, other=404, reviewer=403, leader=403, secretariat=403),
    ),
    # Webhooks: the admin's alone (the endpoint need not exist: the role check answers
    # first).
    Case("webhooks.index", "GET", "/webhooks", expect(agency=403, leader=403, secretariat=403)),
    Case("webhooks.index", "POST", "/webhooks", expect(agency=403, leader=403, secretariat=403)),
    Case(
        "webhooks.toggle",
        "POST",
        "/webhooks/1/disable",
        expect(agency=403, leader=403, secretariat=403),
    ),
    # The working-day calendar: the office reads it, only the admin edits it (the role
    # check answers before the day is read, so any id will do).
    Case("calendar.index", "GET", "/calendar", OFFICE_ONLY),
    Case("calendar.add_day", "POST", "/calendar/days", {**OFFICE_ONLY, "secretariat": 403}),
    Case(
        "calendar.delete_day",
        "POST",
        "/calendar/days/1/delete",
        {**OFFICE_ONLY, "secretariat": 403},
    ),
)

# The JSON API joins the matrix: the same roles, each with a write token of its own user
# (anonymous sends none). Answers are problem details, never the sign-in page.
API_READ = expect(401, own=200, other=404, reviewer=200, leader=200, secretariat=200)
API_ANYONE = expect(401, agency=200, leader=200, secretariat=200)
API_PUBLIC = expect(200, agency=200, leader=200, secretariat=200)
#: A step of the assigned agency's own work: others are refused by the workflow's rules.
API_WORKER_STEP = expect(401, own=200, other=404, reviewer=403, leader=403, secretariat=403)
API_STAFF = expect(401, agency=403, leader=403, secretariat=200)
API_STAFF_CREATES = {**API_STAFF, "secretariat": 201}

API_CASES = (
    Case("api.openapi", "GET", "/api/v1/openapi.json", API_PUBLIC),
    Case("api.docs", "GET", "/api/v1/docs", API_PUBLIC),
    Case("api.docs_asset", "GET", "/api/v1/docs/assets/swagger-ui.css", API_PUBLIC),
    Case("api.list_directives", "GET", "/api/v1/directives", API_ANYONE),
    Case("api.show_directive", "GET", "/api/v1/directives/{directive}", API_READ),
    Case("api.show_task", "GET", "/api/v1/tasks/{task}", API_READ),
    Case("api.show_assignment", "GET", "/api/v1/assignments/{assignment}", API_READ),
    Case("api.list_obligations", "GET", "/api/v1/obligations", API_ANYONE),
    Case("api.list_agencies", "GET", "/api/v1/agencies", API_ANYONE),
    Case("api.counts", "GET", "/api/v1/counts", API_ANYONE),
    Case("api.list_submissions", "GET", "/api/v1/assignments/{assignment}/submissions", API_READ),
    Case(
        "api.create_submission",
        "POST",
        "/api/v1/assignments/{assignment}/submissions",
        {**API_WORKER_STEP, "own": 201},
    ),
    Case("api.assignment_start", "POST", "/api/v1/assignments/{assignment}/start", API_WORKER_STEP),
    Case(
        "api.assignment_report_progress",
        "POST",
        "/api/v1/assignments/{assignment}/report-progress",
        API_WORKER_STEP,
    ),
    Case(
        "api.assignment_submit",
        "POST",
        "/api/v1/assignments/{assignment}/submit",
        {**API_WORKER_STEP, "own": 422},
    ),
    # Steps not open in the world's state (assigned): 409 before any role check, for
    # everyone who may see the assignment.
    *(
        Case(
            f"api.assignment_{action}",
            "POST",
            f"/api/v1/assignments/{{assignment}}/{action}",
            expect(401, own=409, other=404, reviewer=409, leader=409, secretariat=409),
        )
        for action in ("accept", "return", "reopen")
    ),
    Case(
        "api.assignment_cancel",
        "POST",
        "/api/v1/assignments/{assignment}/cancel",
        expect(401, own=403, other=404, reviewer=403, leader=403, secretariat=422),
    ),
    # Extension requests: the agency asks (409: one is pending already), the office
    # decides.
    Case("api.list_extensions", "GET", "/api/v1/assignments/{assignment}/extensions", API_READ),
    Case(
        "api.create_extension",
        "POST",
        "/api/v1/assignments/{assignment}/extensions",
        {**API_WORKER_STEP, "own": 409},
    ),
    Case("api.show_extension", "GET", "/api/v1/extensions/{extension}", API_READ),
    *(
        Case(
            f"api.{decision}_extension",
            "POST",
            f"/api/v1/extensions/{{extension}}/{decision}",
            expect(401, own=403, other=404, reviewer=403, leader=403, secretariat=200),
        )
        for decision in ("grant", "deny")
    ),
    # An indicator ranks every agency: the office's and leaders' alone, as on the page.
    Case(
        "api.show_indicator",
        "GET",
        "/api/v1/indicators/{indicator}",
        expect(401, agency=404, leader=200, secretariat=200),
    ),
    Case(
        "api.show_agency",
        "GET",
        "/api/v1/agencies/{agency}",
        expect(401, own=200, other=404, reviewer=404, leader=200, secretariat=200),
    ),
    Case(
        "api.create_subunit",
        "POST",
        "/api/v1/agencies/{agency}/subunits",
        expect(401, own=403, other=404, reviewer=404, leader=403, secretariat=403),
    ),
    Case("api.search_all", "GET", "/api/v1/search?q=cong+van", API_ANYONE),
    # Importing directives: office staff.
    Case("api.create_import", "POST", "/api/v1/imports", API_STAFF_CREATES),
    Case("api.show_import", "GET", "/api/v1/imports/{imported}", API_STAFF),
    Case("api.confirm_import", "POST", "/api/v1/imports/{imported}/confirm", API_STAFF_CREATES),
    Case("api.discard_import", "POST", "/api/v1/imports/{imported}/discard", API_STAFF),
)

#: Bodies of API requests that need one to pass validation (others send `{}`).
API_BODIES = {
    "api.create_extension": {"proposed_date": "2030-01-31", "reason": "Chờ số liệu."},
    "api.deny_extension": {"reason": "Không đủ căn cứ."},
    "api.create_subunit": {"code": "DV-MOI", "name": "Đơn vị mới"},
}
#: Multipart forms, files included.
API_FORMS = {
    "api.create_submission": lambda: {
        "text": "Đã thực hiện.",
        "file": (io.BytesIO(EVIDENCE_BYTES), "minh-chung.txt"),
    },
    "api.create_import": lambda: {"text": IMPORT_TEXT},
}

#: Routes deliberately outside the matrix, each with the reason.
EXEMPT = {
    ("auth.login", "POST"): "signing in has its own tests in tests/test_auth.py",
    ("auth.logout", "POST"): "signing out has its own tests in tests/test_auth.py",
}


def routes_of(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_route_matrix_covers_every_route_of_url_map(app):
    covered = {(case.endpoint, case.method) for case in (*CASES, *API_CASES)}
    assert not covered & set(EXEMPT), "a route is both in the matrix and exempt"
    assert all(reason.strip() for reason in EXEMPT.values())
    routes = routes_of(app)
    object_routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert object_routes, "no <int:...> routes found: is the url_map walk broken?"
    missing_objects = object_routes - covered - set(EXEMPT)
    assert not missing_objects, f"object routes missing from the matrix: {sorted(missing_objects)}"
    missing = routes - covered - set(EXEMPT)
    assert not missing, f"routes missing from the matrix (add them, or exempt): {sorted(missing)}"
    stale = (covered | set(EXEMPT)) - routes
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


def test_route_matrix_paths_reach_their_endpoints(app):
    adapter = app.url_map.bind("localhost")
    for case in (*CASES, *API_CASES):
        path = case.path.format(
            directive=1,
            task=1,
            assignment=1,
            evidence=1,
            imported=1,
            document=1,
            job=1,
            own_code="X",
            period=1,
            extension=1,
            agency=1,
            feed_token="x" * 43,
            user=1,
            indicator=1,
        ).split("?")[0]
        endpoint, _ = adapter.match(path, method=case.method)
        assert endpoint == case.endpoint, case


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_route_matrix_answers_each_role(client, session, world, case, role):
    sign_in(client, world.usernames[role])
    kwargs = {}
    if case.method == "POST":
        kwargs["data"] = {
            "csrf_token": token_of(client, signed_in=role != "anonymous"),
            "version": str(current_version(session, world.assignment)),
            "file": (io.BytesIO(EVIDENCE_BYTES), "minh-chung.txt"),
        }
    response = fetch(client, case.method, world.path(case.path), **kwargs)
    expected = case.expected[role]
    if expected == LOGIN:
        assert_sent_to_login(response)
        return
    assert response.status_code == expected, response.get_data()[:2000]
    if expected == 302:
        assert redirect_path(response) != "/login"
    body = response.get_data().decode("utf-8", errors="replace")
    if expected == 404:
        assert "Không tìm thấy" in body
        assert world.task.title not in body
    if expected == 403:
        assert "không có quyền" in body.lower()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", API_CASES, ids=str)
def test_api_matrix_answers_each_role(client, session, world, case, role):
    username = world.usernames[role]
    headers = {}
    if username is not None:
        user = user_named(session, username)
        secret = issue_token(session, user, "matrix", "write", timedelta(days=1)).secret
        headers["Authorization"] = f"Bearer {secret}"
    kwargs: dict = {"headers": headers}
    if case.endpoint in API_FORMS:
        kwargs["data"] = API_FORMS[case.endpoint]()
        kwargs["content_type"] = "multipart/form-data"
    elif case.method == "POST":
        kwargs["json"] = API_BODIES.get(case.endpoint, {})
    before = fingerprint(session)
    response = fetch(client, case.method, world.path(case.path), **kwargs)
    expected = case.expected[role]
    assert response.status_code == expected, response.get_data()[:2000]
    assert "Set-Cookie" not in response.headers
    if expected >= 400:
        assert response.mimetype == PROBLEM_TYPE
        body = response.get_data(as_text=True)
        assert world.task.title not in body
        assert fingerprint(session) == before, "a refused API request changed something"


@pytest.mark.parametrize(
    "page", ["/", "/directives", "/assignments", "/inbox", "/search?q=cong+van"]
)
def test_lists_never_show_another_agency_work(client, new_client, world, page):
    reference = world.directive.reference
    sign_in(client, world.usernames["own"])
    assert reference in fetch(client, "GET", page).get_data(as_text=True)
    other_client = new_client()
    sign_in(other_client, world.usernames["other"])
    response = fetch(other_client, "GET", page)
    assert response.status_code == 200
    assert reference not in response.get_data(as_text=True)


def seeded_assignment(session, task_number: str, agency_code: str) -> Assignment:
    directive = directive_operations.find_directive(session, "1661/UBND-VX")
    return session.scalar(
        sa.select(Assignment)
        .join(Task)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(
            Task.directive_id == directive.id,
            Task.number == task_number,
            Agency.code == agency_code,
        )
    )


@pytest.mark.parametrize(
    ("task_number", "agency_code", "expected"),
    [("2", "SNV", 200), ("1", "SNV", 404), ("3", "TPLC", 404)],
)
def test_report_to_agency_sees_only_the_work_it_reviews(
    client, session, task_number, agency_code, expected
):
    """Sở TT&TT reviews task 2 of 1661 for every agency, but nothing else of theirs."""
    assignment = seeded_assignment(session, task_number, agency_code)
    evidence_ids = session.scalars(
        sa.select(Evidence.id).where(Evidence.assignment_id == assignment.id)
    ).all()
    sign_in(client, "stttt")
    assert fetch(client, "GET", f"/assignments/{assignment.id}").status_code == expected
    for evidence_id in evidence_ids:
        assert fetch(client, "GET", f"/evidence/{evidence_id}").status_code == expected


# 2. Function level -------------------------------------------------------------------------


OFFICE_STEPS = [
    ("accept", S.SUBMITTED),
    ("return", S.SUBMITTED),
    ("cancel", S.ASSIGNED),
    ("cancel", S.SUBMITTED),
    ("reopen", S.DONE),
]
#: (role, action, state, expected): the assigned agency is refused (403), another agency
#: does not see the assignment (404), the report_to agency may accept and return (its
#: review) but not cancel or reopen (403).
AGENCY_STEP_CASES = [
    (role, action, state, expected)
    for role, expected in (("own", 403), ("other", 404), ("reviewer", 403))
    for action, state in OFFICE_STEPS
    if not (role == "reviewer" and action in ("accept", "return"))
]


@pytest.mark.parametrize(("role", "action", "state", "expected"), AGENCY_STEP_CASES)
def test_agency_user_cannot_take_office_steps(
    client, session, world, role, action, state, expected
):
    move_to(session, world.assignment, state)
    before, state_before = fingerprint(session), assignment_state(session, world.assignment)
    sign_in(client, world.usernames[role])
    response = fetch(
        client,
        "POST",
        f"/assignments/{world.assignment.id}/{action}",
        data={
            "csrf_token": token_of(client, signed_in=True),
            "version": str(state_before[1]),
            "reason": "Lý do thử nghiệm.",
        },
    )
    assert response.status_code == expected
    assert fingerprint(session) == before
    assert assignment_state(session, world.assignment) == state_before


def new_directive_form() -> dict[str, str]:
    return {
        "doc_type": "cong_van",
        "number": "7777",
        "symbol": "UBND-VX",
        "issuer": "Ủy ban nhân dân tỉnh Lai Châu",
        "place": "Lai Châu",
        "issued_date": "20/08/2020",
        "subject": "về việc thử nghiệm phân quyền",
        "signer_authority": "",
    }


@pytest.mark.parametrize("role", ["own", "reviewer", "leader"])
@pytest.mark.parametrize("target", ["assign", "new_directive"])
def test_office_functions_answer_403_to_agency_and_leader(
    client, session, world, make_task, role, target
):
    if target == "assign":
        task = make_task()
        path, data = f"/tasks/{task.id}/assign", {"targets": [f"a{world.own.id}"], "role": "lead"}
    else:
        path, data = "/directives/new", new_directive_form()
    before = fingerprint(session)
    sign_in(client, world.usernames[role])
    assert fetch(client, "GET", path).status_code == 403
    data["csrf_token"] = token_of(client, signed_in=True)
    response = fetch(client, "POST", path, data=data)
    assert response.status_code == 403
    assert "không có quyền" in response.get_data(as_text=True).lower()
    assert fingerprint(session) == before


def test_office_functions_succeed_for_secretariat(client, session, world, make_task):
    """The control for the test above: the same forms do work for the office."""
    task = make_task()
    sign_in(client, "vanphong")
    token = token_of(client, signed_in=True)
    response = fetch(
        client,
        "POST",
        f"/tasks/{task.id}/assign",
        data={"targets": [f"a{world.own.id}"], "role": "lead", "csrf_token": token},
    )
    assert response.status_code == 302
    response = fetch(
        client, "POST", "/directives/new", data={**new_directive_form(), "csrf_token": token}
    )
    assert response.status_code == 302
    assert directive_operations.find_directive(session, "7777/UBND-VX") is not None


LEADER_ACTIONS = [
    (Action.START, S.ASSIGNED),
    (Action.REPORT_PROGRESS, S.ASSIGNED),
    (Action.SUBMIT, S.ASSIGNED),
    (Action.ACCEPT, S.SUBMITTED),
    (Action.RETURN, S.SUBMITTED),
    (Action.REOPEN, S.DONE),
    (Action.CANCEL, S.ASSIGNED),
]


def test_leader_actions_list_every_workflow_action():
    assert {action for action, _ in LEADER_ACTIONS} == set(Action)


@pytest.mark.parametrize(
    ("action", "state"), LEADER_ACTIONS, ids=[a.value for a, _ in LEADER_ACTIONS]
)
def test_leader_gets_403_on_every_workflow_step(client, session, world, action, state):
    move_to(session, world.assignment, state)
    before, state_before = fingerprint(session), assignment_state(session, world.assignment)
    sign_in(client, "lanhdao")
    response = fetch(
        client,
        "POST",
        f"/assignments/{world.assignment.id}/{action.value}",
        data={
            "csrf_token": token_of(client, signed_in=True),
            "version": str(state_before[1]),
            "reason": "Lý do thử nghiệm.",
            "text": "Báo cáo thử nghiệm.",
            "progress": "50",
        },
    )
    assert response.status_code == 403
    assert fingerprint(session) == before
    assert assignment_state(session, world.assignment) == state_before


@pytest.fixture
def textless_draft(session) -> Directive:
    """A draft directive known only by reference: it can take tasks, text, confirmation."""
    return directive_operations.create_directive(
        session,
        None,
        doc_type="cong_van",
        number="8888",
        symbol="UBND-TEST",
        issuer="Ủy ban nhân dân tỉnh Lai Châu",
        issued_date=date(2020, 8, 12),
        subject="văn bản dự thảo để thử phân quyền",
        body=None,
    )


LEADER_POSTS = {
    "add_task": (
        "/directives/{draft}/tasks",
        {"number": "1", "text": "Nhiệm vụ mới.", "report_to": "0", "recurrence": ""},
    ),
    "confirm": ("/directives/{draft}/confirm", {}),
    "attach_text": ("/directives/{draft}/text", {"body": "Toàn văn của văn bản."}),
    "assign": ("/tasks/{task}/assign", {"targets": "a{other}", "role": "lead"}),
    "new_directive": ("/directives/new", new_directive_form()),
    "upload": ("/assignments/{assignment}/evidence", {}),
}


@pytest.mark.parametrize("target", sorted(LEADER_POSTS))
@pytest.mark.parametrize("username", ["lanhdao", "vanphong"])
def test_office_post_answers_403_to_leader_and_works_for_office(
    client, session, world, textless_draft, target, username
):
    """The leader is refused; the office (the control) gets past the role check."""
    template, data = LEADER_POSTS[target]
    values = {
        "draft": textless_draft.id,
        "task": world.task.id,
        "assignment": world.assignment.id,
        "other": world.other.id,
    }
    data = {name: value.format(**values) for name, value in data.items()}
    if target == "upload":
        data["file"] = (io.BytesIO(EVIDENCE_BYTES), "minh-chung.txt")
    before = fingerprint(session)
    sign_in(client, username)
    data["csrf_token"] = token_of(client, signed_in=True)
    response = fetch(client, "POST", template.format(**values), data=data)
    if username == "lanhdao":
        assert response.status_code == 403
        assert fingerprint(session) == before
    elif target == "upload":  # only the assigned agency uploads
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert fingerprint(session) != before


def test_leader_reads_every_page_without_action_forms(client, session, world):
    seeded = seeded_assignment(session, "2", "SNV")
    evidence_id = session.scalar(
        sa.select(Evidence.id).where(Evidence.assignment_id == seeded.id).limit(1)
    )
    sign_in(client, "lanhdao")
    pages = [
        "/",
        "/directives",
        "/agencies",
        f"/directives/{seeded.task.directive_id}",
        f"/assignments/{seeded.id}",
        f"/evidence/{evidence_id}",
        world.path("/directives/{directive}"),
        world.path("/assignments/{assignment}"),
        world.path("/evidence/{evidence}"),
    ]
    for page in pages:
        response = fetch(client, "GET", page)
        assert response.status_code == 200, page
        if page.startswith("/assignments/"):
            assert "data-action=" not in response.get_data(as_text=True), page


# 3. Mass assignment --------------------------------------------------------------------------


def test_report_progress_changes_only_progress(client, session, world):
    move_to(session, world.assignment, S.IN_PROGRESS)
    before = assignment_state(session, world.assignment)
    sign_in(client, world.usernames["own"])
    response = fetch(
        client,
        "POST",
        f"/assignments/{world.assignment.id}/report_progress",
        data={
            "csrf_token": token_of(client, signed_in=True),
            "version": str(before[1]),
            "progress": "40",
            "status": "done",
            "agency_id": str(world.other.id),
            "task_id": str(world.task.id + 1),
            "role": "inform",
            "completed_on": "20/08/2020",
            "due_date": "31/12/2030",
            "version_id": "1",
        },
    )
    assert response.status_code == 302
    after = assignment_state(session, world.assignment)
    status, version, progress, agency_id, task_id, role, due_date, completed_on = after
    assert progress == 40
    assert version == before[1] + 1
    assert (status, agency_id, task_id, role, due_date, completed_on) == (
        S.IN_PROGRESS,
        world.own.id,
        world.task.id,
        AssignmentRole.LEAD,
        before[6],
        None,
    )


def test_assign_ignores_fields_outside_the_form(client, session, world, make_task):
    task = make_task()
    sign_in(client, "vanphong")
    response = fetch(
        client,
        "POST",
        f"/tasks/{task.id}/assign",
        data={
            "csrf_token": token_of(client, signed_in=True),
            "targets": f"a{world.own.id}",
            "role": "lead",
            "status": "done",
            "progress": "100",
            "completed_on": "19/08/2020",
            "agency_id": str(world.other.id),
        },
    )
    assert response.status_code == 302
    (created,) = session.scalars(sa.select(Assignment).where(Assignment.task_id == task.id))
    assert (created.agency_id, created.status, created.progress, created.completed_on) == (
        world.own.id,
        S.ASSIGNED,
        0,
        None,
    )


# 4. No state change on GET -----------------------------------------------------------------

#: Endpoints that change state. Each takes its change by POST only; a GET answers 405 or
#: renders a form.
STATE_CHANGING = {
    "subunits.add",
    "subunits.import_csv",
    "assignments.hand_down_view",
    "auth.login",
    "auth.logout",
    "directives.create",
    "directives.add_task",
    "directives.add_indicator",
    "directives.confirm",
    "directives.attach_text",
    "directives.close",
    "directives.supersede",
    "agencies.identity",
    "auth.change_password",
    "users.act",
    "evidence.withdraw",
    "assignments.assign",
    "assignments.act",
    "assignments.upload",
    "imports.start",
    "imports.review",
    "imports.discard",
    "documents.reply",
    "documents.urge",
    "documents.accountability",
    "notifications.mark_read",
    "notifications.settings",
    "auth.choose_language",
    "calendar.add_day",
    "calendar.delete_day",
    "feeds.manage",
    "feeds.revoke",
    "assignments.period_act",
    "assignments.extension_request",
    "assignments.extension_decide",
    "tokens.index",
    "tokens.revoke_token",
    "webhooks.index",
    "webhooks.toggle",
}

#: The API's state changes: POST only; a GET answers 405 as problem details.
API_STATE_CHANGING = {
    "api.create_submission",
    *(f"api.assignment_{action.value}" for action in Action),
    "api.create_extension",
    "api.grant_extension",
    "api.deny_extension",
    "api.create_subunit",
    "api.create_import",
    "api.confirm_import",
    "api.discard_import",
}


def url_values(world: World) -> dict[str, object]:
    """A value for every argument a route of the app takes."""
    return {
        "directive_id": world.directive.id,
        "old_id": world.directive.id,
        "user_id": world.other_user_id,
        "task_id": world.task.id,
        "assignment_id": world.assignment.id,
        "evidence_id": world.evidence.id,
        "import_id": world.imported.id,
        "document_id": world.document.id,
        "job_id": world.job.id,
        "agency_id": world.own.id,
        "token": world.feed_token,
        "action": Action.START.value,
        "filename": "app.css",
        "name": "nd30.css",
        "day_id": 1,
        "period_id": world.period.id,
        "extension_id": world.extension.id,
        "decision": "grant",
        "number": 1,
        "indicator_id": world.indicator.id,
        "token_id": 1,
        "endpoint_id": 1,
        "change": "disable",
    }


def test_every_post_endpoint_is_listed_as_state_changing(app):
    posting = {endpoint for endpoint, method in routes_of(app) if method == "POST"}
    assert posting == STATE_CHANGING | API_STATE_CHANGING
    assert all(method in ("GET", "POST") for _, method in routes_of(app))


def test_get_of_every_route_changes_nothing(app, client, session, world):
    sign_in(client, "vanphong")
    values = url_values(world)
    adapter = app.url_map.bind("localhost")
    before = fingerprint(session)
    problems = []
    for rule in app.url_map.iter_rules():
        unknown = rule.arguments - set(values)
        if unknown:
            problems.append(f"{rule.rule}: no test value for {sorted(unknown)}")
            continue
        path = adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
        response = fetch(client, "GET", path)
        if rule.endpoint in API_STATE_CHANGING:
            # 405, or 401 where a list answers GET on the same path: the session that
            # signed in is no credential on the API.
            if response.status_code not in (401, 405) or response.mimetype != PROBLEM_TYPE:
                problems.append(f"GET {path} answered {response.status_code}, not 405")
        elif "GET" not in rule.methods and not _sent_to_the_form_page(app, response):
            problems.append(f"GET {path} answered {response.status_code}, not 303 to a page")
        if response.status_code >= 500:
            problems.append(f"GET {path} answered {response.status_code}")
        if fingerprint(session) != before:
            problems.append(f"GET {path} changed the database")
            before = fingerprint(session)
    assert not problems
    assert fetch(client, "GET", "/").status_code == 200, "a GET signed the user out"


@pytest.mark.parametrize("endpoint", sorted(STATE_CHANGING))
def test_state_changing_endpoint_changes_nothing_on_get(app, client, session, world, endpoint):
    # Agencies' identity and webhooks are the admin's; every other form is the office's.
    admins = ("agencies.identity", "webhooks.index", "webhooks.toggle")
    sign_in(client, "admin" if endpoint in admins else "vanphong")
    values = url_values(world)
    (rule,) = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    path = app.url_map.bind("localhost").build(
        endpoint, {name: values[name] for name in rule.arguments}
    )
    if endpoint == "documents.reply":
        path += f"?agency={world.own.code}"  # the office names the agency
    before = fingerprint(session)
    response = fetch(client, "GET", path)
    if "GET" in rule.methods and endpoint != "auth.login":
        assert response.status_code == 200
        assert re.search(r'<form[^>]*method="post"', response.get_data(as_text=True))
    elif endpoint == "auth.login":
        assert response.status_code == 302  # signed in already: sent to the dashboard
    else:
        assert _sent_to_the_form_page(app, response)
    assert fingerprint(session) == before
    assert fetch(client, "GET", "/").status_code == 200, "the GET ended the session"


def _sent_to_the_form_page(app, response) -> bool:
    """A GET of a POST-only URL (a reload after a failed form) answers 303 to a page
    above it that answers GET and is not a file download."""
    if response.status_code != 303:
        return False
    endpoint, _ = app.url_map.bind("localhost").match(redirect_path(response), method="GET")
    return endpoint not in ("evidence.download", "documents.download", "reports.job_file")


def test_post_only_route_answers_405_with_allow_header(client, world):
    """RFC 9110 15.5.6: a 405 response must say which methods the resource allows."""
    sign_in(client, "vanphong")
    response = fetch(client, "PUT", world.path("/directives/{directive}/confirm"))
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")


def test_reload_after_a_failed_form_shows_the_form_page(client, session, world):
    """A submission without its text fails (422); reloading that URL, as a browser does
    from the address bar, lands on the assignment's page, not on 405."""
    sign_in(client, world.usernames["own"])
    path = world.path("/assignments/{assignment}/submit")
    failed = fetch(
        client,
        "POST",
        path,
        data={
            "csrf_token": token_of(client, signed_in=True),
            "version": str(current_version(session, world.assignment)),
        },
    )
    assert failed.status_code == 422
    reloaded = client.get(path, follow_redirects=True)
    assert reloaded.status_code == 200
    assert reloaded.request.path == world.path("/assignments/{assignment}")
    assert world.task.title in reloaded.get_data(as_text=True)
    period = fetch(client, "GET", world.path("/periods/{period}/submit"))
    assert period.status_code == 303 and redirect_path(period) == world.path("/periods/{period}")
    assert (
        client.get(redirect_path(period))
        .headers["Location"]
        .endswith(world.path("/assignments/{assignment}#periods"))
    )


# 5. CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["missing", "foreign", "garbage"])
@pytest.mark.parametrize("target", ["login", "start", "assign"])
def test_post_without_valid_csrf_token_answers_400_and_changes_nothing(
    client, new_client, session, world, make_task, target, token
):
    if target == "login":
        path = "/login"
        data = {"username": world.usernames["own"], "password": "tracker-demo"}
        fetch(client, "GET", "/login")  # the session now holds a CSRF secret
    elif target == "start":
        sign_in(client, world.usernames["own"])
        path = world.path("/assignments/{assignment}/start")
        data = {"version": str(current_version(session, world.assignment))}
    else:
        sign_in(client, "vanphong")
        path = f"/tasks/{make_task().id}/assign"
        data = {"targets": f"a{world.own.id}", "role": "lead"}
    if token == "foreign":  # a real token, of another browser's session
        data["csrf_token"] = csrf_token(new_client(), "/login")
    elif token == "garbage":
        data["csrf_token"] = "không-phải-mã-hợp-lệ"
    before = fingerprint(session)
    state_before = assignment_state(session, world.assignment)
    response = fetch(client, "POST", path, data=data)
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert fingerprint(session) == before
    assert assignment_state(session, world.assignment) == state_before
    if target == "login":
        assert_sent_to_login(fetch(client, "GET", "/"))
        assert user_named(session, world.usernames["own"]).last_login_at is None


# 6. Stale forms (optimistic locking) -------------------------------------------------------


def page_version(client: FlaskClient, assignment: Assignment) -> str:
    html = fetch(client, "GET", f"/assignments/{assignment.id}").get_data(as_text=True)
    match = VERSION_PATTERN.search(html)
    assert match, "no version field on the assignment page"
    return match.group(1)


def test_stale_form_answers_409_and_keeps_typed_text(client, new_client, session, world, make_user):
    move_to(session, world.assignment, S.IN_PROGRESS)
    sign_in(client, world.usernames["own"])
    stale_version = page_version(client, world.assignment)
    token = token_of(client, signed_in=True)

    # A colleague of the same agency reports progress meanwhile.
    colleague = new_client()
    sign_in(colleague, make_user(agency=world.own).username)
    response = fetch(
        colleague,
        "POST",
        world.path("/assignments/{assignment}/report_progress"),
        data={
            "csrf_token": token_of(colleague, signed_in=True),
            "version": page_version(colleague, world.assignment),
            "progress": "60",
        },
    )
    assert response.status_code == 302
    before = fingerprint(session)
    state_before = assignment_state(session, world.assignment)
    assert state_before[1] != int(stale_version)

    typed = "Đã triển khai cài đặt Bluezone cho 250 cán bộ, công chức của đơn vị"
    response = fetch(
        client,
        "POST",
        world.path("/assignments/{assignment}/submit"),
        data={"csrf_token": token, "version": stale_version, "text": typed},
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert CONFLICT_MESSAGE in body
    assert typed in body
    assert fingerprint(session) == before
    assert assignment_state(session, world.assignment) == state_before
    assert state_before[0] == S.IN_PROGRESS and state_before[2] == 60


# 9. The subtree rules ----------------------------------------------------------------------

#: Who answers what in a district with two communes, the work handed down to both (the
#: sibling asks for more time):
#: (path, method, {user: status}). The district sees and reviews its communes' work; a
#: commune sees only its own; the office sees everything but reviews only what it gave.
SUBTREE_CASES = (
    (
        "/assignments/{child}",
        "GET",
        {"district": 200, "commune": 200, "sibling": 404, "office": 200},
    ),
    (
        "/assignments/{parent}",
        "GET",
        {"district": 200, "commune": 404, "sibling": 404, "office": 200},
    ),
    (
        "/agencies/{district}",
        "GET",
        {"district": 200, "commune": 404, "sibling": 404, "office": 200},
    ),
    (
        "/agencies/{commune}",
        "GET",
        {"district": 200, "commune": 200, "sibling": 404, "office": 200},
    ),
    (
        "/assignments/{child}/accept",
        "POST",
        {"district": 302, "commune": 403, "sibling": 404, "office": 403},
    ),
    (
        "/assignments/{parent}/hand-down",
        "POST",
        {"district": 422, "commune": 404, "sibling": 404, "office": 403},
    ),
    (
        "/extensions/{extension}/grant",
        "POST",
        {"district": 302, "commune": 404, "sibling": 403, "office": 403},
    ),
)


@pytest.fixture
def subtree(session, make_agency, make_user, make_assignment):
    from tracker.agencies.subunits import add_subunit
    from tracker.assignments.operations import hand_down

    district = make_agency(kind="district")
    commune = add_subunit(session, None, parent=district.code, code="SUB-A", name="UBND xã A")
    sibling = add_subunit(session, None, parent=district.code, code="SUB-B", name="UBND xã B")
    users = {
        "district": make_user(agency=district),
        "commune": make_user(agency=commune),
        "sibling": make_user(agency=sibling),
        "office": user_named(session, "vanphong"),
    }
    parent = make_assignment(district, due_date=date(2099, 12, 31))
    child = hand_down(
        session, users["district"], parent, [commune], due_date=date(2099, 12, 1)
    ).created[0]
    apply(child, Action.SUBMIT, users["commune"], text="Đã xong.")
    other = hand_down(
        session, users["district"], parent, [sibling], due_date=date(2099, 11, 1)
    ).created[0]
    extension = request_extension(
        other, users["sibling"], proposed_date=date(2099, 11, 20), reason="Đường sạt lở."
    )
    session.commit()
    ids = {
        "child": child.id,
        "parent": parent.id,
        "district": district.id,
        "commune": commune.id,
        "extension": extension.id,
    }
    return users, ids


@pytest.mark.parametrize("case", SUBTREE_CASES, ids=lambda case: f"{case[1]} {case[0]}")
def test_subtree_rules(client, session, subtree, case):
    users, ids = subtree
    path, method, expected = case
    # The one who succeeds goes last, so the others meet the state before the change.
    for name, status in sorted(expected.items(), key=lambda item: item[1] == 302):
        sign_in(client, users[name].username)
        url = path.format(**ids)
        if method == "GET":
            response = client.get(url)
        else:
            version = session.get(Assignment, ids["child"]).version
            data = {"csrf_token": token_of(client, signed_in=True), "version": str(version)}
            response = client.post(url, data=data)
        assert response.status_code == status, (name, url, response.get_data()[:500])
        Auth(client).logout()
        session.expire_all()
