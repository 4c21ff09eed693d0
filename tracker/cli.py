"""The `tracker` command: Flask's (run, shell, routes) plus init, user and audit."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker import create_app, db
from tracker.agencies.operations import agency_by_code
from tracker.audit import verify_chain
from tracker.auth.models import Role
from tracker.auth.operations import UserError, create_user
from tracker.demo import DEMO_PASSWORD, create_demo_users, load_demo_activity
from tracker.directives.importing import confirm_import, reviewed_as_parsed, start_import
from tracker.directives.operations import DirectiveError
from tracker.directives.parsing.parser import gazetteer_from_session, parse_text
from tracker.directives.parsing.reading import read_path
from tracker.directives.parsing.source import NotADirective
from tracker.directives.seed import SeedError, load_all
from tracker.evidence.operations import known_hashes, store, verify_files
from tracker.migrations.runner import upgrade


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
            users = create_demo_users(session)
            activity = load_demo_activity(session)
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


@main.group("audit")
def audit_group() -> None:
    """The hash-chained event log."""


@audit_group.command("verify")
@with_appcontext
@needs_database
def verify_command() -> None:
    """Recompute the chain; exit 1 at the first broken event."""
    check = verify_chain(db.session)
    if check.ok:
        click.echo(f"Chuỗi sự kiện toàn vẹn: {check.count} sự kiện; mã cuối {check.head_hash}")
        return
    click.echo(f"Chuỗi sự kiện bị sửa đổi tại sự kiện #{check.first_broken_id}.", err=True)
    sys.exit(1)


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


def _display_url(url: str) -> str:
    """The URL without a password."""
    return make_url(url).render_as_string(hide_password=True)
