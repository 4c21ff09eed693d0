"""The `tracker` command: Flask's (run, shell, routes) plus init, user and audit.

The commands speak Vietnamese, or English with TRACKER_LANG=en: LANG and LC_ALL are not
read, as machines set them (C.UTF-8, en_US) whatever their operators read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo
from flask_babel import gettext as _

from tracker import create_app, create_reading_app
from tracker.api.commands import token_group
from tracker.auth.roles import Role
from tracker.commanding import cli_language, needs_database, with_app_and_language
from tracker.i18n import N_

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.directives.parsing.agencies import Gazetteer


class TrackerGroup(FlaskGroup):
    """Flask's group, but the list of commands (`tracker --help`) is read without
    building the app: every command is registered on this group, none by the app. Each
    command imports what it needs as it runs, so the CLI starts quickly."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))


@click.group(cls=TrackerGroup, create_app=create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """tracker: the directive task tracker."""


@main.command("init")
@click.option("--demo", is_flag=True, help="Also create demo accounts and demo activity.")
@with_app_and_language
def init_command(demo: bool) -> None:
    """Upgrade the database to the newest schema and load the seed directives (idempotent)."""
    from tracker import db
    from tracker.demo import DEMO_PASSWORD, load_demo, load_demo_periods
    from tracker.directives.seed import SeedError, load_all
    from tracker.evidence.storage import StoreUnavailable
    from tracker.evidence.stores import prepare
    from tracker.migrations.runner import upgrade
    from tracker.search import index as search_index

    try:
        bucket = prepare(current_app.config)
    except StoreUnavailable as error:
        raise click.ClickException(str(error)) from None
    if bucket:
        click.echo(_("Đã tạo kho lưu trữ tệp (bucket) %(bucket)s.", bucket=bucket))
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
            indexed = search_index.rebuild(session)
            click.echo(_("Chỉ mục tìm kiếm: %(count)s mục", count=indexed))
        db.refresh_statistics(session)
        session.commit()
    except SeedError as error:
        session.rollback()
        raise click.ClickException(_("Dữ liệu khởi tạo có lỗi: %(error)s", error=error)) from None
    click.echo(_("Cơ sở dữ liệu: %(url)s", url=_display_url(database.url)))
    click.echo(
        _(
            "Cơ quan, đơn vị: %(agencies)s; nhóm: %(groups)s",
            agencies=report.agencies,
            groups=report.groups,
        )
    )
    created = ", ".join(report.directives_created) or _("không có (đã có từ trước)")
    click.echo(_("Văn bản mới nạp: %(directives)s", directives=created))
    click.echo(
        _(
            "Nhiệm vụ mới: %(tasks)s; giao mới: %(assignments)s",
            tasks=report.tasks_created,
            assignments=report.assignments_created,
        )
    )
    if demo:
        click.echo(
            _(
                "Tài khoản minh họa mới: %(users)s; báo cáo minh họa mới: %(activity)s",
                users=users,
                activity=activity,
            )
        )
        click.echo(_("Mật khẩu các tài khoản minh họa: %(password)s", password=DEMO_PASSWORD))


@main.command("reindex")
@with_app_and_language
@needs_database
def reindex_command() -> None:
    """Rebuild the search index from the data (after a restore, say)."""
    from tracker import db
    from tracker.search import index as search_index

    count = search_index.rebuild(db.session)
    db.session.commit()
    click.echo(_("Chỉ mục tìm kiếm: %(count)s mục", count=count))


@main.command("parse", with_appcontext=False)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--spans", is_flag=True, help="Add the source offsets of each field.")
@click.pass_context
def parse_command(context: click.Context, path: Path, spans: bool) -> None:
    """Print the draft of a directive (text, .docx or PDF) as JSON. Works before
    `tracker init`: it knows the database's agencies when there is one, else those of
    the data files."""
    from flask_babel import force_locale

    from tracker import db
    from tracker.directives.parsing.parser import parse_text
    from tracker.directives.parsing.reading import read_path
    from tracker.directives.parsing.source import NotADirective

    # Reading needs no pages or jobs: a light app, unless one was handed in.
    info = context.ensure_object(ScriptInfo)
    app = create_reading_app() if info.create_app is create_app else info.load_app()
    with app.app_context(), force_locale(cli_language()):
        try:
            text = read_path(path, ocr=True, progress=_ocr_progress)
            draft = parse_text(text, _known_agencies())
        except NotADirective as error:
            click.echo(_("Lỗi: %(error)s", error=error), err=True)
            sys.exit(2)
        finally:
            db.session.remove()
    click.echo(json.dumps(draft.to_json(with_spans=spans), ensure_ascii=False, indent=2))


def _ocr_progress(done: int, total: int) -> None:
    click.echo(
        _("Nhận dạng chữ: đã xong %(done)s/%(total)s trang.", done=done, total=total), err=True
    )


def _known_agencies() -> Gazetteer:
    """The database's agencies; the data files' when it is missing or not initialised."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from tracker import db
    from tracker.directives import DATA_DIR
    from tracker.directives.parsing.parser import gazetteer_from_files, gazetteer_from_session

    try:
        found = gazetteer_from_session(db.session)
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return gazetteer_from_files(DATA_DIR)
    return found if found.has_agencies else gazetteer_from_files(DATA_DIR)


@main.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--confirm", is_flag=True, help="Create the directive as parsed, without review.")
@click.option(
    "--update",
    is_flag=True,
    help="With --confirm: add new tasks to a directive "
    "already on file with the same number and symbol.",
)
@with_app_and_language
@needs_database
def import_command(path: Path, confirm: bool, update: bool) -> None:
    """Import a directive: keep its draft for review in the interface, or --confirm it."""
    from tracker import db
    from tracker.directives.importing import confirm_import, reviewed_as_parsed, start_import
    from tracker.directives.operations import DirectiveError
    from tracker.directives.parsing.parser import gazetteer_from_session
    from tracker.directives.parsing.reading import read_path
    from tracker.directives.parsing.source import NotADirective

    session = db.session
    try:
        imported = start_import(
            session,
            None,
            read_path(path, ocr=True, progress=_ocr_progress),
            path.name,
            gazetteer_from_session(session),
        )
        if not confirm:
            session.commit()
            click.echo(
                _(
                    "Đã đọc %(file)s: %(count)s nhiệm vụ. Kiểm tra và xác nhận tại /imports/%(id)s",
                    file=path.name,
                    count=len(imported.data["tasks"]),
                    id=imported.id,
                )
            )
            return
        reviewed = reviewed_as_parsed(session, imported)
        reviewed.update_existing = update
        directive = confirm_import(session, None, imported, reviewed)
    except (NotADirective, DirectiveError) as error:
        session.rollback()
        click.echo(_("Lỗi: %(error)s", error=error), err=True)
        sys.exit(2)
    session.commit()
    click.echo(
        _(
            "Đã nhập %(directive)s: %(count)s nhiệm vụ.",
            directive=directive.title,
            count=len(directive.tasks),
        )
    )


@main.group("document")
def document_group() -> None:
    """Formal documents (Decree 30/2020/NĐ-CP)."""


def _directive_or_fail(reference: str):
    from tracker import db
    from tracker.directives.operations import DirectiveError, find_directive

    try:
        directive = find_directive(db.session, reference)
    except DirectiveError as error:
        raise click.ClickException(str(error)) from None
    if directive is None:
        raise click.ClickException(
            _("Không có văn bản %(reference)s trong hệ thống.", reference=reference)
        )
    return directive


def _agency_or_fail(code: str):
    from tracker import db
    from tracker.agencies.operations import agency_by_code

    agency = agency_by_code(db.session, code)
    if agency is None:
        raise click.ClickException(_("Không có cơ quan, đơn vị mã %(code)r.", code=code))
    return agency


def _issue_or_preview(
    draft, output: Path, issue: bool, kind: str = "pdf", number: int | None = None
) -> None:
    """Write the draft (marked DỰ THẢO, unnumbered) or issue it; as PDF or .docx."""
    from tracker import db
    from tracker.documents.operations import (
        DocumentError,
        draft_docx,
        issue_document,
        issued_docx,
        preview_pdf,
    )
    from tracker.documents.operations import store as documents_store

    for warning in draft.warnings:
        click.echo(_("Lưu ý: %(warning)s", warning=warning), err=True)
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
            stored = documents_store().open(document.sha256)
            if stored is None:
                raise click.ClickException(_("Không tìm thấy tệp của văn bản đã ban hành."))
            output.write_bytes(b"".join(stored.chunks()))
        click.echo(
            _(
                "Đã phát hành văn bản số %(reference)s: %(path)s",
                reference=document.reference,
                path=output,
            )
        )
    else:
        output.write_bytes(draft_docx(draft) if kind == "docx" else preview_pdf(draft))
        click.echo(_("Đã ghi bản dự thảo (chưa cấp số): %(path)s", path=output))


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
    from tracker import clock
    from tracker.documents.dating import date_problem

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
@with_app_and_language
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
    from tracker import db
    from tracker.documents.reply import draft_reply

    directive, agency = _directive_or_fail(reference), _agency_or_fail(code)
    day, dated = _dates(as_of, document_date)
    try:
        draft = draft_reply(db.session, directive, agency, day, dated)
    except LookupError:
        raise click.ClickException(
            _(
                "%(agency)s không có nhiệm vụ nào trong %(directive)s.",
                agency=agency.short_name,
                directive=directive.title,
            )
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
@with_app_and_language
@needs_database
def urge_command(
    reference: str, as_of, document_date, issue: bool, number: int | None, kind: str, output: Path
) -> None:
    """The urging letter to the agencies late on a directive, as PDF."""
    from tracker import db
    from tracker.documents.urge import draft_urge

    directive = _directive_or_fail(reference)
    issuer = _agency_or_fail(current_app.config.get("URGE_ISSUER", "UBND"))
    day, dated = _dates(as_of, document_date)
    try:
        draft = draft_urge(db.session, directive, issuer, day, dated)
    except LookupError:
        raise click.ClickException(
            _(
                "Không có cơ quan, đơn vị nào chậm thực hiện %(directive)s đến ngày %(date)s.",
                directive=directive.title,
                date=day.strftime("%d/%m/%Y"),
            )
        ) from None
    with current_app.test_request_context():
        _issue_or_preview(draft, output, issue, kind, number)


@main.command("digest")
@click.option("--directive", "reference", required=True, help="Number/symbol, e.g. 1661/UBND-VX.")
@click.option(
    "--week",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="A day of the week (Monday to Sunday), e.g. 2020-08-24.",
)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--mail", is_flag=True, help="Also mail it to the configured list (DIGEST_RECIPIENTS)."
)
@with_app_and_language
@needs_database
def digest_command(reference: str, week, output: Path, mail: bool) -> None:
    """The weekly digest of a directive: digest.txt, a message to paste into a Zalo
    group, and digest.png, its chart for a phone; with --mail, also mailed to the
    configured list."""
    from tracker import clock, db
    from tracker.notifications.mail import MailError
    from tracker.reports import digest, digest_chart, digest_mail

    directive = _directive_or_fail(reference)
    try:
        found = digest.compose(
            db.session, directive, week.date(), clock.today(), digest.link_to(directive)
        )
    except digest.DigestError as error:
        raise click.ClickException(str(error)) from None
    picture = digest_chart.png(found)
    output.mkdir(parents=True, exist_ok=True)
    (output / "digest.txt").write_text(found.text + "\n", encoding="utf-8")
    (output / "digest.png").write_bytes(picture)
    click.echo(
        _(
            "Đã viết %(text)s (%(characters)s ký tự) và %(chart)s.",
            text=output / "digest.txt",
            characters=len(found.text),
            chart=output / "digest.png",
        )
    )
    if not mail:
        return
    try:
        sent, refused = digest_mail.send(current_app.config, found, picture)
    except (ValueError, MailError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Đã gửi bản tin tới %(count)s địa chỉ.", count=len(sent)))
    if refused:
        raise click.ClickException(
            _("Máy chủ thư từ chối: %(addresses)s.", addresses=", ".join(refused))
        )


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
@with_app_and_language
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
    from tracker import clock, db
    from tracker.documents import report_files
    from tracker.documents.accountability import draft_accountability
    from tracker.reports.accountability import build_accountability

    directive_id = _directive_or_fail(reference).id if reference else None
    if kind not in report_files.DOCUMENTS:
        if document_date:
            raise click.UsageError(
                _("--date chỉ dùng cho văn bản (pdf, docx), không cho bảng tính.")
            )
        day = as_of.date() if as_of else clock.today()
    else:
        day, dated = _dates(as_of, document_date)
    report = build_accountability(db.session, day, directive_id)
    if kind not in report_files.DOCUMENTS:
        output.write_bytes(report_files.make(report, kind, None))
    else:
        office = _agency_or_fail(current_app.config.get("OFFICE_CODE", "VPUBND"))
        with current_app.test_request_context():
            draft = draft_accountability(report, office, dated)
            _issue_or_preview(draft, output, issue, kind, number)
    click.echo(_("Đã ghi %(path)s (%(count)s văn bản).", path=output, count=len(report.sections)))


@main.group("subunit")
def subunit_group() -> None:
    """Sub-units (đơn vị trực thuộc) of an agency."""


@subunit_group.command("add")
@click.option("--parent", required=True, help="Code of the agency above, e.g. TAMDUONG.")
@click.option("--code", required=True, help="Code of the new sub-unit, e.g. XA-BINHLU.")
@click.option("--name", required=True, help='Its name, e.g. "UBND xã Bình Lư".')
@click.option("--short-name", default="", help="A shorter name for lists (default: the name).")
@click.option(
    "--kind", default="", help="Its kind (default: commune under a district, else other)."
)
@with_app_and_language
@needs_database
def subunit_add_command(parent: str, code: str, name: str, short_name: str, kind: str) -> None:
    """Add one sub-unit under an agency."""
    from tracker import db
    from tracker.agencies.operations import AgencyError
    from tracker.agencies.subunits import add_subunit

    try:
        agency = add_subunit(
            db.session, None, parent=parent, code=code, name=name, short_name=short_name, kind=kind
        )
    except AgencyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        _(
            "Đã thêm %(name)s (%(code)s) trực thuộc %(parent)s.",
            name=agency.name,
            code=agency.code,
            parent=agency.parent.code if agency.parent else parent,
        )
    )


@subunit_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_app_and_language
@needs_database
def subunit_import_command(path: Path) -> None:
    """Add sub-units from a CSV file (parent,code,name,short_name,kind); all or none."""
    from tracker import db
    from tracker.agencies.operations import AgencyError
    from tracker.agencies.subunits import import_subunits

    try:
        result = import_subunits(db.session, None, path.read_bytes())
    except AgencyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Đã thêm %(count)s đơn vị trực thuộc.", count=len(result.created)))


@main.command("backup")
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the backup into.",
)
@with_app_and_language
def backup_command(target: Path) -> None:
    """Back up the database (online, safe while running) with a manifest of the files."""
    from tracker import anchor
    from tracker.evidence.stores import every_store
    from tracker.maintenance.backup import BackupError, backup

    config = current_app.config
    try:
        result = backup(config["DATABASE_URL"], every_store(config), target, anchor.path())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Đã sao lưu cơ sở dữ liệu: %(path)s", path=result.database))
    click.echo(
        _(
            "Danh mục %(count)s tệp minh chứng, văn bản và bản quét: %(path)s",
            count=result.files,
            path=result.manifest,
        )
    )


@main.command("verify-restore")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_app_and_language
def verify_restore_command(manifest: Path) -> None:
    """After a restore: check the evidence and document files against a backup's
    manifest; exit 1 naming what is missing or altered."""
    from tracker.evidence.stores import every_store
    from tracker.maintenance.backup import verify_manifest

    try:
        problems = verify_manifest(manifest, every_store(current_app.config))
    except (ValueError, KeyError) as error:
        raise click.ClickException(
            _("Không đọc được danh mục %(path)s: %(error)s", path=manifest, error=error)
        ) from None
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(_("Mọi tệp trong danh mục %(name)s có mặt và đúng mã băm.", name=manifest.name))


@main.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--agency", "agency_code", help="Agency code, e.g. STTTT (required for agency).")
@click.option("--full-name", default="")
@click.password_option(prompt="Mật khẩu", confirmation_prompt="Nhập lại mật khẩu")
@with_app_and_language
@needs_database
def create_user_command(
    username: str, role: str, agency_code: str | None, full_name: str, password: str
) -> None:
    """Create a user account."""
    from tracker import db
    from tracker.agencies.operations import agency_by_code
    from tracker.auth.operations import UserError, create_user
    from tracker.auth.roles import Role

    session = db.session
    agency = None
    if agency_code:
        agency = agency_by_code(session, agency_code)
        if agency is None:
            raise click.ClickException(_("Không có cơ quan, đơn vị mã %(code)r.", code=agency_code))
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
    click.echo(
        _(
            "Đã tạo tài khoản %(username)s (%(role)s).",
            username=user.username,
            role=user.role.value,
        )
    )


@user_group.command("unlock")
@click.argument("username")
@with_app_and_language
@needs_database
def user_unlock(username: str) -> None:
    """Forget an account's failed sign-ins, ending its sign-in delay."""
    from tracker import db
    from tracker.auth.operations import account_exists, unlock_account

    session = db.session
    if not account_exists(session, username):
        raise click.ClickException(_("Không có tài khoản %(username)r.", username=username))
    cleared = unlock_account(session, None, username)
    session.commit()
    click.echo(
        _(
            "Đã mở khóa đăng nhập của %(username)s (%(count)s lần sai).",
            username=username.strip().lower(),
            count=cleared,
        )
    )


def _on_account(username: str, step: Callable[[User], object], done: str) -> None:
    """One account operation on USERNAME, committed; a refusal exits with its message.
    `done` is a message marked for translation (N_), formatted with `username`."""
    import sqlalchemy as sa

    from tracker import db
    from tracker.auth.models import User
    from tracker.auth.operations import UserError

    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(_("Không có tài khoản %(username)r.", username=username))
    try:
        step(user)
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_(done, username=user.username))


@user_group.command("disable")
@click.argument("username")
@with_app_and_language
@needs_database
def user_disable(username: str) -> None:
    """Lock an account: its sessions end at once and it cannot sign in."""
    from tracker import db
    from tracker.auth.operations import set_active

    _on_account(
        username,
        lambda user: set_active(db.session, None, user, False),
        N_("Đã khóa tài khoản %(username)s."),
    )


@user_group.command("enable")
@click.argument("username")
@with_app_and_language
@needs_database
def user_enable(username: str) -> None:
    """Open a locked account again."""
    from tracker import db
    from tracker.auth.operations import set_active

    _on_account(
        username,
        lambda user: set_active(db.session, None, user, True),
        N_("Đã mở lại tài khoản %(username)s."),
    )


@user_group.command("reset-password")
@click.argument("username")
@click.password_option(prompt="Mật khẩu mới", confirmation_prompt="Nhập lại mật khẩu mới")
@with_app_and_language
@needs_database
def user_reset_password(username: str, password: str) -> None:
    """Set a user's password (forgotten); their sessions end."""
    from tracker import db
    from tracker.auth.operations import reset_password

    _on_account(
        username,
        lambda user: reset_password(db.session, None, user, password),
        N_("Đã đặt mật khẩu mới cho %(username)s."),
    )


@user_group.command("end-sessions")
@click.argument("username")
@with_app_and_language
@needs_database
def user_end_sessions(username: str) -> None:
    """Sign a user out on every device."""
    from tracker import db
    from tracker.auth.operations import end_user_sessions

    _on_account(
        username,
        lambda user: end_user_sessions(db.session, None, user),
        N_("Đã đăng xuất %(username)s khỏi mọi thiết bị."),
    )


@main.group("audit")
def audit_group() -> None:
    """The hash-chained event log."""


@audit_group.command("verify")
@with_app_and_language
@needs_database
def verify_command() -> None:
    """Recompute the chain, compare it with its anchor file, and the assignments,
    evidence and users with their events; exit 1 at the first row that does not hold."""
    from tracker import anchor, db, integrity
    from tracker.evidence.stores import evidence_store

    config = current_app.config
    try:
        report = integrity.verify(db.session, anchor.path(), evidence_store(config))
    except ValueError as error:
        raise click.ClickException(
            _("Tệp neo nhật ký không đọc được: %(error)s", error=error)
        ) from None
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.ok:
        sys.exit(1)
    click.echo(
        _(
            "Chuỗi sự kiện toàn vẹn: %(count)s sự kiện; mã cuối %(hash)s",
            count=report.event_count,
            hash=report.head_hash,
        )
    )
    click.echo(
        _(
            "Đã đối chiếu tệp neo (%(anchored)s sự kiện được neo, %(unanchored)s sau lần neo"
            " cuối), nhiệm vụ giao, minh chứng và tài khoản với nhật ký.",
            anchored=report.anchored,
            unanchored=report.unanchored,
        )
    )


@main.group("evidence")
def evidence_group() -> None:
    """The evidence file store."""


@evidence_group.command("verify")
@with_app_and_language
@needs_database
def evidence_verify_command() -> None:
    """Re-hash every stored file against its row; exit 1 if any is missing or altered."""
    from tracker import db
    from tracker.evidence.operations import verify_files

    broken = verify_files(db.session)
    if not broken:
        click.echo(_("Mọi tệp minh chứng khớp với mã SHA-256 đã lưu."))
        return
    for evidence in broken:
        click.echo(
            _(
                "Tệp #%(id)s “%(name)s” bị thiếu hoặc đã bị sửa.",
                id=evidence.id,
                name=evidence.original_name,
            ),
            err=True,
        )
    sys.exit(1)


@evidence_group.command("sweep")
@with_app_and_language
@needs_database
def evidence_sweep_command() -> None:
    """Remove stored files no row refers to (older than an hour) and stale temp files."""
    from tracker import db
    from tracker.evidence.operations import known_hashes, store

    removed = store().sweep_orphans(known_hashes(db.session))
    click.echo(_("Đã xóa %(count)s tệp không còn được dùng.", count=len(removed)))


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
@with_app_and_language
def worker_command(workers: int | None, no_periodic: bool) -> None:
    """Run the job queue: large reports, imports, the daily reminders and mail, and
    housekeeping. SIGINT stops it once running jobs finish; SIGTERM stops it at once (a
    job it cut short is marked failed by housekeeping)."""
    from tracker.jobs.queue import queue_of

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
@with_app_and_language
@needs_database
def remind_command(as_of, dry_run: bool) -> None:
    """Create due reporting periods, reminders and overdue alerts, then send each person's
    daily e-mail digest. The job queue runs this every morning (REMIND_AT); run it by
    hand to catch up. Running it twice notifies nobody twice and misses nobody."""
    from tracker import clock, db
    from tracker.notifications.daily import run_day
    from tracker.notifications.mail import MailError

    session = db.session
    day = as_of.date() if as_of else clock.today()
    try:
        outcome = run_day(session, day, dry_run=dry_run)
    except MailError as error:
        session.rollback()
        raise click.ClickException(
            _(
                "Lỗi gửi thư: %(error)s Những người đã nhận thư được ghi nhận; chạy lại lệnh"
                " sau khi khắc phục để gửi cho những người còn lại.",
                error=error,
            )
        ) from None
    if dry_run:
        session.rollback()
    else:
        session.commit()
    periods, summary = outcome.periods, outcome.summary
    date_text = day.strftime("%d/%m/%Y")
    if dry_run:
        click.echo(_("Chạy thử ngày %(date)s (không ghi dữ liệu, không gửi thư):", date=date_text))
        click.echo(_("Kỳ báo cáo sẽ tạo: %(count)s", count=periods))
        click.echo(_("Thông báo sẽ tạo: %(count)s", count=summary.notifications))
        click.echo(_("Thư sẽ gửi: %(count)s", count=summary.mails))
    else:
        click.echo(_("Nhắc việc ngày %(date)s:", date=date_text))
        click.echo(_("Kỳ báo cáo mới: %(count)s", count=periods))
        click.echo(_("Thông báo mới: %(count)s", count=summary.notifications))
        click.echo(_("Thư đã gửi: %(count)s", count=summary.mails))
    if summary.in_app_only:
        click.echo(
            _(
                "Không có địa chỉ thư điện tử (chỉ nhận thông báo trên hệ thống): %(count)s người",
                count=summary.in_app_only,
            )
        )
    if summary.refused:
        click.echo(
            _(
                "Máy chủ thư từ chối địa chỉ của: %(users)s (sẽ gửi lại ở lần chạy sau).",
                users=", ".join(summary.refused),
            ),
            err=True,
        )
        sys.exit(1)


def _display_url(url: str) -> str:
    """The URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


main.add_command(token_group)
