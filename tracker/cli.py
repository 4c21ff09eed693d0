"""The `tracker` command: Flask's (run, shell, routes) plus init, user and audit."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker import anchor, clock, create_app, db, integrity
from tracker.agencies.operations import agency_by_code
from tracker.auth.models import Role, User
from tracker.auth.operations import (
    UserError,
    account_exists,
    create_user,
    end_user_sessions,
    reset_password,
    set_active,
    unlock_account,
)
from tracker.demo import DEMO_PASSWORD, load_demo, load_demo_periods
from tracker.directives.importing import confirm_import, reviewed_as_parsed, start_import
from tracker.directives.operations import DirectiveError, find_directive
from tracker.directives.parsing.parser import gazetteer_from_session, parse_text
from tracker.directives.parsing.reading import read_path
from tracker.directives.parsing.source import NotADirective
from tracker.directives.seed import SeedError, load_all
from tracker.documents.accountability import draft_accountability
from tracker.documents.dating import date_problem
from tracker.documents.operations import (
    DocumentError,
    draft_docx,
    issue_document,
    issued_docx,
    preview_pdf,
)
from tracker.documents.operations import store as documents_store
from tracker.documents.reply import draft_reply
from tracker.documents.urge import draft_urge
from tracker.evidence.operations import known_hashes, store, verify_files
from tracker.jobs.queue import queue_of
from tracker.maintenance.backup import BackupError, backup, verify_manifest
from tracker.migrations.runner import upgrade
from tracker.notifications.daily import run_day
from tracker.notifications.mail import MailError
from tracker.reports.accountability import build_accountability
from tracker.reports.export import to_csv, to_xlsx
from tracker.search import index as search_index


def needs_database(command: Callable[..., None]) -> Callable[..., None]:
    """A clear message instead of a traceback when the database is missing or unreachable."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (OperationalError, ProgrammingError):
            db.session.rollback()
            raise click.ClickException(
                "Không dùng được cơ sở dữ liệu (chưa khởi tạo hoặc không kết nối được):"
                " hãy chạy `tracker init` và kiểm tra TRACKER_DATABASE_URL."
            ) from None

    return wrapped


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """tracker: the directive task tracker."""


@main.command("init")
@click.option("--demo", is_flag=True, help="Also create demo accounts and demo activity.")
@with_appcontext
def init_command(demo: bool) -> None:
    """Upgrade the database to the newest schema and load the seed directives (idempotent)."""
    database = db.database()
    with database.engine.begin() as connection:
        upgrade(connection)
    session = db.session
    try:
        report = load_all(session, backdate=demo)
        users = activity = 0
        if demo:
            users, activity = load_demo(session)
            load_demo_periods(session)
        if search_index.needs_rebuild(session):  # data from before the search index
            click.echo(f"Chỉ mục tìm kiếm: {search_index.rebuild(session)} mục")
        session.commit()
    except SeedError as error:
        session.rollback()
        raise click.ClickException(f"Dữ liệu khởi tạo có lỗi: {error}") from None
    click.echo(f"Cơ sở dữ liệu: {_display_url(database.url)}")
    click.echo(f"Cơ quan, đơn vị: {report.agencies}; nhóm: {report.groups}")
    created = ", ".join(report.directives_created) or "không có (đã có từ trước)"
    click.echo(f"Văn bản mới nạp: {created}")
    click.echo(f"Nhiệm vụ mới: {report.tasks_created}; giao mới: {report.assignments_created}")
    if demo:
        click.echo(f"Tài khoản minh họa mới: {users}; báo cáo minh họa mới: {activity}")
        click.echo(f"Mật khẩu các tài khoản minh họa: {DEMO_PASSWORD}")


@main.command("reindex")
@with_appcontext
@needs_database
def reindex_command() -> None:
    """Rebuild the search index from the data (after a restore, say)."""
    count = search_index.rebuild(db.session)
    db.session.commit()
    click.echo(f"Chỉ mục tìm kiếm: {count} mục")


@main.command("parse")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--spans", is_flag=True, help="Add the source offsets of each field.")
@with_appcontext
@needs_database
def parse_command(path: Path, spans: bool) -> None:
    """Print the draft of a directive (text, .docx or PDF) as JSON."""
    try:
        draft = parse_text(read_path(path), gazetteer_from_session(db.session))
    except NotADirective as error:
        click.echo(f"Lỗi: {error}", err=True)
        sys.exit(2)
    click.echo(json.dumps(draft.to_json(with_spans=spans), ensure_ascii=False, indent=2))


@main.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--confirm", is_flag=True, help="Create the directive as parsed, without review.")
@click.option(
    "--update",
    is_flag=True,
    help="With --confirm: add new tasks to a directive "
    "already on file with the same number and symbol.",
)
@with_appcontext
@needs_database
def import_command(path: Path, confirm: bool, update: bool) -> None:
    """Import a directive: keep its draft for review in the interface, or --confirm it."""
    session = db.session
    try:
        imported = start_import(
            session, None, read_path(path), path.name, gazetteer_from_session(session)
        )
        if not confirm:
            session.commit()
            click.echo(
                f"Đã đọc {path.name}: {len(imported.data['tasks'])} nhiệm vụ. Kiểm tra và"
                f" xác nhận tại /imports/{imported.id}"
            )
            return
        reviewed = reviewed_as_parsed(session, imported)
        reviewed.update_existing = update
        directive = confirm_import(session, None, imported, reviewed)
    except (NotADirective, DirectiveError) as error:
        session.rollback()
        click.echo(f"Lỗi: {error}", err=True)
        sys.exit(2)
    session.commit()
    click.echo(f"Đã nhập {directive.title}: {len(directive.tasks)} nhiệm vụ.")


@main.group("document")
def document_group() -> None:
    """Formal documents (Decree 30/2020/NĐ-CP)."""


def _directive_or_fail(reference: str):
    try:
        directive = find_directive(db.session, reference)
    except DirectiveError as error:
        raise click.ClickException(str(error)) from None
    if directive is None:
        raise click.ClickException(f"Không có văn bản {reference} trong hệ thống.")
    return directive


def _agency_or_fail(code: str):
    agency = agency_by_code(db.session, code)
    if agency is None:
        raise click.ClickException(f"Không có cơ quan, đơn vị mã {code!r}.")
    return agency


def _issue_or_preview(
    draft, output: Path, issue: bool, kind: str = "pdf", number: int | None = None
) -> None:
    """Write the draft (marked DỰ THẢO, unnumbered) or issue it; as PDF or .docx."""
    for warning in draft.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
    if issue:
        try:
            document = issue_document(db.session, None, draft, number)
        except DocumentError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
        if kind == "docx":
            output.write_bytes(issued_docx(document) or b"")
        else:
            output.write_bytes(documents_store().path_for(document.sha256).read_bytes())
        click.echo(f"Đã phát hành văn bản số {document.reference}: {output}")
    else:
        output.write_bytes(draft_docx(draft) if kind == "docx" else preview_pdf(draft))
        click.echo(f"Đã ghi bản dự thảo (chưa cấp số): {output}")


FORMAT_OPTION = click.option(
    "--format", "kind", type=click.Choice(["pdf", "docx"]), default="pdf", help="pdf or docx."
)
NUMBER_OPTION = click.option(
    "--number", type=click.IntRange(1), help="With --issue: the number the records clerk gave."
)
AS_OF_OPTION = click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day the figures are as of (default today).",
)
DATE_OPTION = click.option(
    "--date",
    "document_date",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The document's own date (default today): from DOCUMENT_DATE_PAST_DAYS before today"
    " to DOCUMENT_DATE_FUTURE_DAYS after, and not before --as-of.",
)


def _dates(as_of, document_date) -> tuple[date, date]:
    """(as of, document date): each today unless given; refused when the document date is
    outside the configured window or before the figures it reports."""
    day = as_of.date() if as_of else clock.today()
    dated = document_date.date() if document_date else clock.today()
    problem = date_problem(dated, day)
    if problem is not None:
        raise click.ClickException(problem)
    return day, dated


@document_group.command("reply")
@click.option("--directive", "reference", required=True, help="Number/symbol, e.g. 1661/UBND-VX.")
@click.option("--agency", "code", required=True, help="Agency code, e.g. STTTT.")
@AS_OF_OPTION
@DATE_OPTION
@click.option("--issue", is_flag=True, help="Take a register number and store the final PDF.")
@NUMBER_OPTION
@FORMAT_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
@needs_database
def reply_command(
    reference: str,
    code: str,
    as_of,
    document_date,
    issue: bool,
    number: int | None,
    kind: str,
    output: Path,
) -> None:
    """The reply report of one agency on one directive, as PDF."""
    directive, agency = _directive_or_fail(reference), _agency_or_fail(code)
    day, dated = _dates(as_of, document_date)
    try:
        draft = draft_reply(db.session, directive, agency, day, dated)
    except LookupError:
        raise click.ClickException(
            f"{agency.short_name} không có nhiệm vụ nào trong {directive.title}."
        ) from None
    with current_app.test_request_context():
        _issue_or_preview(draft, output, issue, kind, number)


@document_group.command("urge")
@click.option("--directive", "reference", required=True)
@AS_OF_OPTION
@DATE_OPTION
@click.option("--issue", is_flag=True, help="Take a register number and store the final PDF.")
@NUMBER_OPTION
@FORMAT_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
@needs_database
def urge_command(
    reference: str, as_of, document_date, issue: bool, number: int | None, kind: str, output: Path
) -> None:
    """The urging letter to the agencies late on a directive, as PDF."""
    directive = _directive_or_fail(reference)
    issuer = _agency_or_fail(current_app.config.get("URGE_ISSUER", "UBND"))
    day, dated = _dates(as_of, document_date)
    try:
        draft = draft_urge(db.session, directive, issuer, day, dated)
    except LookupError:
        raise click.ClickException(
            f"Không có cơ quan, đơn vị nào chậm thực hiện {directive.title} đến ngày"
            f" {day.strftime('%d/%m/%Y')}."
        ) from None
    with current_app.test_request_context():
        _issue_or_preview(draft, output, issue, kind, number)


@main.group("report")
def report_group() -> None:
    """Reports for leaders."""


@report_group.command("accountability")
@click.option("--directive", "reference", help="Number/symbol; all directives when omitted.")
@AS_OF_OPTION
@DATE_OPTION
@click.option("--format", "kind", type=click.Choice(["pdf", "docx", "xlsx", "csv"]), default="pdf")
@click.option("--issue", is_flag=True, help="Number and store the report as a document.")
@NUMBER_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
@needs_database
def accountability_command(
    reference: str | None,
    as_of,
    document_date,
    kind: str,
    issue: bool,
    number: int | None,
    output: Path,
) -> None:
    """Who did what, on time or late, as of a date: PDF or .docx (a draft unless
    --issue), XLSX or CSV. Only the PDF and .docx are documents with a date of their own."""
    directive_id = _directive_or_fail(reference).id if reference else None
    if kind in ("xlsx", "csv"):
        if document_date:
            raise click.UsageError("--date chỉ dùng cho văn bản (pdf, docx), không cho bảng tính.")
        day = as_of.date() if as_of else clock.today()
    else:
        day, dated = _dates(as_of, document_date)
    report = build_accountability(db.session, day, directive_id)
    if kind == "xlsx":
        output.write_bytes(to_xlsx(report))
    elif kind == "csv":
        output.write_bytes(to_csv(report))
    else:
        office = _agency_or_fail(current_app.config.get("OFFICE_CODE", "VPUBND"))
        with current_app.test_request_context():
            draft = draft_accountability(report, office, dated)
            _issue_or_preview(draft, output, issue, kind, number)
    click.echo(f"Đã ghi {output} ({len(report.sections)} văn bản).")


@main.command("backup")
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the backup into.",
)
@with_appcontext
def backup_command(target: Path) -> None:
    """Back up the database (online, safe while running) with a manifest of the files."""
    config = current_app.config
    folders = {"evidence": Path(config["EVIDENCE_DIR"]), "documents": Path(config["DOCUMENTS_DIR"])}
    try:
        result = backup(config["DATABASE_URL"], folders, target, anchor.path())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Đã sao lưu cơ sở dữ liệu: {result.database}")
    click.echo(f"Danh mục {result.files} tệp minh chứng, văn bản: {result.manifest}")


@main.command("verify-restore")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def verify_restore_command(manifest: Path) -> None:
    """After a restore: check the evidence and document files against a backup's
    manifest; exit 1 naming what is missing or altered."""
    config = current_app.config
    folders = {"evidence": Path(config["EVIDENCE_DIR"]), "documents": Path(config["DOCUMENTS_DIR"])}
    try:
        problems = verify_manifest(manifest, folders)
    except (ValueError, KeyError) as error:
        raise click.ClickException(f"Không đọc được danh mục {manifest}: {error}") from None
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(f"Mọi tệp trong danh mục {manifest.name} có mặt và đúng mã băm.")


@main.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--agency", "agency_code", help="Agency code, e.g. STTTT (required for agency).")
@click.option("--full-name", default="")
@click.password_option(prompt="Mật khẩu", confirmation_prompt="Nhập lại mật khẩu")
@with_appcontext
@needs_database
def create_user_command(
    username: str, role: str, agency_code: str | None, full_name: str, password: str
) -> None:
    """Create a user account."""
    session = db.session
    agency = None
    if agency_code:
        agency = agency_by_code(session, agency_code)
        if agency is None:
            raise click.ClickException(f"Không có cơ quan, đơn vị mã {agency_code!r}.")
    try:
        user = create_user(
            session,
            username=username,
            password=password,
            role=Role(role),
            agency=agency,
            full_name=full_name,
        )
    except UserError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(f"Đã tạo tài khoản {user.username} ({user.role.value}).")


@user_group.command("unlock")
@click.argument("username")
@with_appcontext
@needs_database
def user_unlock(username: str) -> None:
    """Forget an account's failed sign-ins, ending its sign-in delay."""
    session = db.session
    if not account_exists(session, username):
        raise click.ClickException(f"Không có tài khoản {username!r}.")
    cleared = unlock_account(session, None, username)
    session.commit()
    click.echo(f"Đã mở khóa đăng nhập của {username.strip().lower()} ({cleared} lần sai).")


def _on_account(username: str, step: Callable[[User], object], done: str) -> None:
    """One account operation on USERNAME, committed; a refusal exits with its message."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"Không có tài khoản {username!r}.")
    try:
        step(user)
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(done.format(user.username))


@user_group.command("disable")
@click.argument("username")
@with_appcontext
@needs_database
def user_disable(username: str) -> None:
    """Lock an account: its sessions end at once and it cannot sign in."""
    _on_account(
        username, lambda user: set_active(db.session, None, user, False), "Đã khóa tài khoản {}."
    )


@user_group.command("enable")
@click.argument("username")
@with_appcontext
@needs_database
def user_enable(username: str) -> None:
    """Open a locked account again."""
    _on_account(
        username, lambda user: set_active(db.session, None, user, True), "Đã mở lại tài khoản {}."
    )


@user_group.command("reset-password")
@click.argument("username")
@click.password_option(prompt="Mật khẩu mới", confirmation_prompt="Nhập lại mật khẩu mới")
@with_appcontext
@needs_database
def user_reset_password(username: str, password: str) -> None:
    """Set a user's password (forgotten); their sessions end."""
    _on_account(
        username,
        lambda user: reset_password(db.session, None, user, password),
        "Đã đặt mật khẩu mới cho {}.",
    )


@user_group.command("end-sessions")
@click.argument("username")
@with_appcontext
@needs_database
def user_end_sessions(username: str) -> None:
    """Sign a user out on every device."""
    _on_account(
        username,
        lambda user: end_user_sessions(db.session, None, user),
        "Đã đăng xuất {} khỏi mọi thiết bị.",
    )


@main.group("audit")
def audit_group() -> None:
    """The hash-chained event log."""


@audit_group.command("verify")
@with_appcontext
@needs_database
def verify_command() -> None:
    """Recompute the chain, compare it with its anchor file, and the assignments,
    evidence and users with their events; exit 1 at the first row that does not hold."""
    config = current_app.config
    try:
        report = integrity.verify(
            db.session,
            anchor.path(),
            Path(config["EVIDENCE_DIR"]),
        )
    except ValueError as error:
        raise click.ClickException(f"Tệp neo nhật ký không đọc được: {error}") from None
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.ok:
        sys.exit(1)
    click.echo(f"Chuỗi sự kiện toàn vẹn: {report.event_count} sự kiện; mã cuối {report.head_hash}")
    click.echo(
        f"Đã đối chiếu tệp neo ({report.anchored} sự kiện được neo, {report.unanchored} sau"
        " lần neo cuối), nhiệm vụ giao, minh chứng và tài khoản với nhật ký."
    )


@main.group("evidence")
def evidence_group() -> None:
    """The evidence file store."""


@evidence_group.command("verify")
@with_appcontext
@needs_database
def evidence_verify_command() -> None:
    """Re-hash every stored file against its row; exit 1 if any is missing or altered."""
    broken = verify_files(db.session)
    if not broken:
        click.echo("Mọi tệp minh chứng khớp với mã SHA-256 đã lưu.")
        return
    for evidence in broken:
        click.echo(
            f"Tệp #{evidence.id} “{evidence.original_name}” bị thiếu hoặc đã bị sửa.", err=True
        )
    sys.exit(1)


@evidence_group.command("sweep")
@with_appcontext
@needs_database
def evidence_sweep_command() -> None:
    """Remove stored files no row refers to (older than an hour) and stale temp files."""
    removed = store().sweep_orphans(known_hashes(db.session))
    click.echo(f"Đã xóa {len(removed)} tệp không còn được dùng.")


@main.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    help="Jobs run at once by this process (default: JOB_WORKERS).",
)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Leave the daily reminders and housekeeping to another worker process.",
)
@with_appcontext
def worker_command(workers: int | None, no_periodic: bool) -> None:
    """Run the job queue: large reports, imports, the daily reminders and mail, and
    housekeeping. SIGINT stops it once running jobs finish; SIGTERM stops it at once (a
    job it cut short is marked failed by housekeeping)."""
    huey = queue_of(current_app).huey
    consumer = huey.create_consumer(
        workers=workers or int(current_app.config["JOB_WORKERS"]),
        worker_type="thread",
        periodic=not no_periodic,
        max_delay=1.0,
        # A worker killed inside a locked task (the reminders, housekeeping) leaves its
        # lock behind, and the stores here keep no expiry for it: free them on start.
        flush_locks=True,
    )
    consumer.run()


@main.command("remind")
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), help="The day to run for (default today)."
)
@click.option("--dry-run", is_flag=True, help="Count what would be done; write and send nothing.")
@with_appcontext
@needs_database
def remind_command(as_of, dry_run: bool) -> None:
    """Create due reporting periods, reminders and overdue alerts, then send each person's
    daily e-mail digest. The job queue runs this every morning (REMIND_AT); run it by
    hand to catch up. Running it twice notifies nobody twice and misses nobody."""
    session = db.session
    day = as_of.date() if as_of else clock.today()
    try:
        outcome = run_day(session, day, dry_run=dry_run)
    except MailError as error:
        session.rollback()
        raise click.ClickException(
            f"Lỗi gửi thư: {error} Những người đã nhận thư được ghi nhận; chạy lại lệnh"
            " sau khi khắc phục để gửi cho những người còn lại."
        ) from None
    if dry_run:
        session.rollback()
    else:
        session.commit()
    periods, summary = outcome.periods, outcome.summary
    date_text = day.strftime("%d/%m/%Y")
    if dry_run:
        click.echo(f"Chạy thử ngày {date_text} (không ghi dữ liệu, không gửi thư):")
        click.echo(f"Kỳ báo cáo sẽ tạo: {periods}")
        click.echo(f"Thông báo sẽ tạo: {summary.notifications}")
        click.echo(f"Thư sẽ gửi: {summary.mails}")
    else:
        click.echo(f"Nhắc việc ngày {date_text}:")
        click.echo(f"Kỳ báo cáo mới: {periods}")
        click.echo(f"Thông báo mới: {summary.notifications}")
        click.echo(f"Thư đã gửi: {summary.mails}")
    if summary.in_app_only:
        click.echo(
            f"Không có địa chỉ thư điện tử (chỉ nhận thông báo trên hệ thống):"
            f" {summary.in_app_only} người"
        )
    if summary.refused:
        click.echo(
            "Máy chủ thư từ chối địa chỉ của: "
            + ", ".join(summary.refused)
            + " (sẽ gửi lại ở lần chạy sau).",
            err=True,
        )
        sys.exit(1)


def _display_url(url: str) -> str:
    """The URL without a password."""
    return make_url(url).render_as_string(hide_password=True)
