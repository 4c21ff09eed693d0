"""The `tracker` command: init, user create, audit verify (SECURITY.md items 10 and 27).

Commands that commit run against a fresh app and a fresh SQLite file of their own, never
the shared test database. The append-only triggers are checked on the shared database
inside a savepoint, so that test also runs on PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskCliRunner

from tracker import create_app, db
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import Assignment
from tracker.audit import Event
from tracker.auth.models import Role, User
from tracker.cli import main
from tracker.directives.models import Directive, Task

GOOD_PASSWORD = "mua thu Lai Chau 2020"
COUNTED = {"agency": Agency, "directive": Directive, "task": Task, "assignment": Assignment}


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty SQLite file of its own: commands may commit freely."""
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
            "SECRET_KEY": "x",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
        }
    )
    yield app
    app.extensions["tracker.db"].engine.dispose()


@pytest.fixture
def cli(fresh_app: Flask) -> FlaskCliRunner:
    return fresh_app.test_cli_runner()


@pytest.fixture
def initialised(fresh_app: Flask, cli: FlaskCliRunner) -> Flask:
    result = cli.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    return fresh_app


def invoke(cli: FlaskCliRunner, *args: str, input: str | None = None):
    return cli.invoke(main, list(args), input=input)


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        found = {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in {**COUNTED, "event": Event, "user": User}.items()
        }
        db.session.remove()
    return found


def users(app: Flask) -> dict[str, User]:
    with app.app_context():
        found = {user.username: user for user in db.session.scalars(sa.select(User))}
        for user in found.values():
            db.session.expunge(user)
        db.session.remove()
    return found


def passwords(password: str, confirmation: str | None = None) -> str:
    return f"{password}\n{confirmation if confirmation is not None else password}\n"


# init ------------------------------------------------------------------------------------


def test_init_on_empty_database_loads_directives(fresh_app, cli):
    result = invoke(cli, "init")

    assert result.exit_code == 0, result.output
    assert "1661/UBND-VX" in result.output
    loaded = counts(fresh_app)
    assert all(loaded[name] > 0 for name in COUNTED), loaded
    with fresh_app.app_context():
        references = set(db.session.scalars(sa.select(Directive.number + "/" + Directive.symbol)))
        db.session.remove()
    assert "1661/UBND-VX" in references
    assert loaded["user"] == 0


def test_init_twice_creates_nothing_new(initialised, cli):
    before = counts(initialised)

    result = invoke(cli, "init")

    assert result.exit_code == 0, result.output
    assert "không có (đã có từ trước)" in result.output
    assert "Nhiệm vụ mới: 0; giao mới: 0" in result.output
    assert counts(initialised) == before


def test_init_demo_creates_demo_users(fresh_app, cli):
    result = invoke(cli, "init", "--demo")

    assert result.exit_code == 0, result.output
    accounts = users(fresh_app)
    assert {"admin", "vanphong", "lanhdao", "stttt", "snv", "sct", "tamduong"} <= set(accounts)
    assert accounts["admin"].role == Role.ADMIN
    assert accounts["vanphong"].role == Role.SECRETARIAT
    assert accounts["lanhdao"].role == Role.LEADER
    assert accounts["stttt"].role == Role.AGENCY
    with fresh_app.app_context():
        agency_codes = set(db.session.scalars(sa.select(Agency.code)))
        db.session.remove()
    assert {code.lower() for code in agency_codes} <= set(accounts)
    assert PasswordHasher().verify(accounts["stttt"].password_hash, "tracker-demo")


def test_init_demo_twice_creates_nothing_new(fresh_app, cli):
    assert invoke(cli, "init", "--demo").exit_code == 0
    before = counts(fresh_app)

    result = invoke(cli, "init", "--demo")

    assert result.exit_code == 0, result.output
    assert "Tài khoản minh họa mới: 0; báo cáo minh họa mới: 0" in result.output
    assert counts(fresh_app) == before


def test_init_demo_after_plain_init_adds_only_users_and_activity(initialised, cli):
    before = counts(initialised)

    result = invoke(cli, "init", "--demo")

    assert result.exit_code == 0, result.output
    after = counts(initialised)
    assert {name: after[name] for name in COUNTED} == {name: before[name] for name in COUNTED}
    assert after["user"] > 0


# user create -----------------------------------------------------------------------------


def test_user_create_stores_argon2id_hash(initialised, cli):
    result = invoke(
        cli,
        "user",
        "create",
        "nguyenvana",
        "--role",
        "agency",
        "--agency",
        "STTTT",
        "--full-name",
        "Nguyễn Văn A",
        input=passwords(GOOD_PASSWORD),
    )

    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản nguyenvana (agency)." in result.output
    user = users(initialised)["nguyenvana"]
    assert user.role == Role.AGENCY
    assert user.full_name == "Nguyễn Văn A"
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, GOOD_PASSWORD)
    with initialised.app_context():
        agency = db.session.get(Agency, user.agency_id)
        assert agency.code == "STTTT"
        event = db.session.scalars(sa.select(Event).where(Event.action == "user.create")).one()
        assert event.subject_id == user.id
        db.session.remove()


def test_user_create_staff_without_agency(initialised, cli):
    result = invoke(
        cli, "user", "create", "chuyenvien", "--role", "secretariat", input=passwords(GOOD_PASSWORD)
    )

    assert result.exit_code == 0, result.output
    user = users(initialised)["chuyenvien"]
    assert user.role == Role.SECRETARIAT
    assert user.agency_id is None


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        pytest.param(
            ["ngan", "--role", "secretariat"],
            "ngan",
            "Mật khẩu phải có ít nhất 10 ký tự.",
            id="short-password",
        ),
        pytest.param(
            ["phobien", "--role", "secretariat"],
            "1234567890",
            "Mật khẩu quá dễ đoán",
            id="common-password",
        ),
        pytest.param(
            ["tenrieng", "--role", "secretariat"],
            "tenrieng-2020-lai-chau",
            "Mật khẩu quá dễ đoán",
            id="password-contains-username",
        ),
        pytest.param(
            ["khongco", "--role", "agency", "--agency", "KHONGCO"],
            GOOD_PASSWORD,
            "Không có cơ quan, đơn vị mã 'KHONGCO'.",
            id="unknown-agency",
        ),
        pytest.param(
            ["khongdonvi", "--role", "agency"],
            GOOD_PASSWORD,
            "Tài khoản đơn vị phải thuộc một cơ quan, đơn vị.",
            id="agency-role-without-agency",
        ),
        pytest.param(
            ["Tên Có Dấu", "--role", "secretariat"],
            GOOD_PASSWORD,
            "Tên đăng nhập chỉ gồm chữ thường không dấu",
            id="bad-username",
        ),
    ],
)
def test_user_create_refuses_with_vietnamese_message(initialised, cli, args, password, message):
    before = counts(initialised)

    result = invoke(cli, "user", "create", *args, input=passwords(password))

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert counts(initialised) == before


def test_user_create_duplicate_name_is_refused(initialised, cli):
    first = invoke(
        cli, "user", "create", "trungten", "--role", "leader", input=passwords(GOOD_PASSWORD)
    )
    assert first.exit_code == 0, first.output
    before = counts(initialised)
    original_hash = users(initialised)["trungten"].password_hash

    result = invoke(
        cli,
        "user",
        "create",
        "TrungTen",
        "--role",
        "admin",
        input=passwords("mot mat khau khac han"),
    )

    assert result.exit_code != 0
    assert "Tên đăng nhập “trungten” đã có." in result.output
    assert counts(initialised) == before
    again = users(initialised)["trungten"]
    assert again.role == Role.LEADER
    assert again.password_hash == original_hash


def test_user_create_mismatched_confirmation_creates_nothing(initialised, cli):
    before = counts(initialised)

    result = invoke(
        cli,
        "user",
        "create",
        "nhamlan",
        "--role",
        "leader",
        input=passwords(GOOD_PASSWORD, "khac hoan toan 123") + "\n\n",
    )

    assert result.exit_code != 0
    assert counts(initialised) == before


# audit verify ----------------------------------------------------------------------------


def test_audit_verify_untouched_chain_exits_0(initialised, cli):
    events = counts(initialised)["event"]
    assert events > 3

    result = invoke(cli, "audit", "verify")

    assert result.exit_code == 0, result.output
    assert f"Chuỗi sự kiện toàn vẹn: {events} sự kiện" in result.output


def test_audit_verify_says_which_anchor_line_is_unreadable(initialised, cli, tmp_path, monkeypatch):
    anchor = tmp_path / "audit-anchor.log"
    anchor.write_text(anchor.read_text() + "12 not-a-hash\n")
    number = len(anchor.read_text().splitlines())
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1
    assert f"dòng {number} không đúng dạng “<số sự kiện> <mã băm>”." in result.stderr
    monkeypatch.setenv("TRACKER_LANG", "en")
    english = invoke(cli, "audit", "verify")
    assert f"line {number} is not “<event number> <hash>”." in english.stderr


def test_audit_verify_names_tampered_event(initialised, cli, tmp_path):
    with contextlib.closing(sqlite3.connect(tmp_path / "cli.db")) as raw:
        raw.execute("DROP TRIGGER event_no_update")
        raw.execute("UPDATE event SET comment = 'x' WHERE id = 3")
        raw.commit()

    result = invoke(cli, "audit", "verify")

    assert result.exit_code == 1
    assert "Chuỗi sự kiện bị sửa đổi tại sự kiện #3." in result.stderr
    assert "toàn vẹn" not in result.output


def test_audit_verify_detects_deleted_event(initialised, cli, tmp_path):
    with contextlib.closing(sqlite3.connect(tmp_path / "cli.db")) as raw:
        raw.execute("DROP TRIGGER event_no_delete")
        raw.execute("DELETE FROM event WHERE id = 3")
        raw.commit()

    result = invoke(cli, "audit", "verify")

    assert result.exit_code == 1
    assert "tại sự kiện #4." in result.stderr


def _raw(tmp_path: Path, *statements: str) -> None:
    """Tamper with the database directly, as someone with the file would."""
    with contextlib.closing(sqlite3.connect(tmp_path / "cli.db")) as raw:
        for statement in statements:
            raw.execute(statement)
        raw.commit()


def test_audit_anchor_is_written_after_each_commit(initialised, cli, tmp_path):
    anchor = (tmp_path / "audit-anchor.log").read_text().splitlines()
    events = counts(initialised)["event"]
    assert [int(line.split()[0]) for line in anchor] == list(range(1, events + 1))
    assert oct((tmp_path / "audit-anchor.log").stat().st_mode & 0o777) == "0o600"
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"({len(anchor)} sự kiện được neo, 0 sau lần neo cuối)" in result.output


def test_audit_verify_checks_a_long_anchored_history(initialised, cli, tmp_path):
    """More anchored events than SQLite lets one statement name (999 here, as SQLite
    builds before 3.32 allow; 32,766 or 250,000 in newer ones): verify reads them in
    slices and still finds the one that went missing."""
    from tracker.anchor import append
    from tracker.audit import GENESIS_HASH, chain_hash

    engine = sa.create_engine(f"sqlite:///{tmp_path}/cli.db")
    with engine.begin() as connection:
        head = connection.execute(
            sa.select(Event.id, Event.row_hash).order_by(Event.id.desc()).limit(1)
        ).one()
        next_id, previous = head.id + 1, head.row_hash or GENESIS_HASH
        rows, anchored = [], []
        at = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
        for number in range(1_500):
            event = Event(id=next_id, occurred_at=at, actor_id=None, action="bulk.test",
                          subject_type="test", subject_id=number, comment="", before={},
                          after={})  # fmt: skip
            event.prev_hash, event.row_hash = previous, chain_hash(previous, event.payload())
            rows.append({column.key: getattr(event, column.key) for column in Event.__table__.c})
            anchored.append((next_id, event.row_hash))
            previous, next_id = event.row_hash, next_id + 1
        connection.execute(sa.insert(Event.__table__), rows)
    engine.dispose()
    append(tmp_path / "audit-anchor.log", anchored)
    app_engine = initialised.extensions["tracker.db"].engine
    app_engine.dispose()

    def few_variables(connection, _record) -> None:
        connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    sa.event.listen(app_engine, "connect", few_variables)
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 0, result.output
    _raw(
        tmp_path,
        "DROP TRIGGER event_no_delete",
        "DELETE FROM event WHERE id = (SELECT max(id) FROM event)",
    )
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1
    assert f"Sự kiện #{next_id - 1} đã được neo nhưng không còn" in result.stderr


def test_audit_verify_catches_truncation(initialised, cli, tmp_path):
    events = counts(initialised)["event"]
    # The two newest events go (the chain that is left still links up).
    _raw(
        tmp_path,
        "DROP TRIGGER event_no_delete",
        "DELETE FROM event WHERE id > (SELECT max(id) - 2 FROM event)",
    )
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1
    assert f"Sự kiện #{events - 1} đã được neo nhưng không còn" in result.stderr


def test_audit_verify_catches_a_rewritten_chain(initialised, cli, tmp_path):
    """Edit one event, then recompute every hash after it: the chain holds, the anchor
    does not."""
    from tracker.audit import _PAYLOAD_COLUMNS, GENESIS_HASH, _payload, chain_hash

    _raw(tmp_path, "DROP TRIGGER event_no_update", "UPDATE event SET comment = 'x' WHERE id = 3")
    engine = sa.create_engine(f"sqlite:///{tmp_path}/cli.db")
    with engine.begin() as connection:
        previous = GENESIS_HASH
        for row in connection.execute(sa.select(Event.__table__).order_by(Event.id)).mappings():
            new = chain_hash(previous, _payload(*(row[c.key] for c in _PAYLOAD_COLUMNS)))
            connection.execute(
                sa.update(Event.__table__)
                .where(Event.__table__.c.id == row["id"])
                .values(prev_hash=previous, row_hash=new)
            )
            previous = new
    engine.dispose()
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert "Chuỗi sự kiện bị sửa đổi" not in result.stderr  # the rewrite is consistent
    assert "Sự kiện #3 khác với mã băm đã neo" in result.stderr


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "UPDATE assignment SET status = 'done', completed_on = '2020-08-16', progress = 100"
            " WHERE id = (SELECT min(id) FROM assignment)",
            "Nhiệm vụ giao #",
        ),
        (
            "UPDATE assignment SET due_date = '2030-01-01'"
            " WHERE id = (SELECT min(id) FROM assignment)",
            "due_date là '2030-01-01'",
        ),
        ("UPDATE user_account SET role = 'admin' WHERE username = 'stttt'", "Tài khoản #"),
    ],
)
def test_audit_verify_catches_direct_edits(cli, fresh_app, tmp_path, statement, expected):
    assert invoke(cli, "init", "--demo").exit_code == 0
    assert invoke(cli, "audit", "verify").exit_code == 0
    _raw(tmp_path, statement)
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1
    assert expected in result.stderr


def test_audit_verify_catches_evidence_edits(cli, fresh_app, tmp_path):
    assert invoke(cli, "init", "--demo").exit_code == 0
    _raw(tmp_path, "UPDATE evidence SET sha256 = replace(sha256, substr(sha256, 1, 1), 'f')"
         " WHERE id = 1")  # fmt: skip
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1 and "Minh chứng #1: mã SHA-256 không khớp" in result.stderr


def test_audit_verify_catches_a_lost_evidence_file(cli, fresh_app, tmp_path):
    assert invoke(cli, "init", "--demo").exit_code == 0
    stored = next(path for path in (tmp_path / "evidence").rglob("*") if path.is_file())
    stored.write_bytes(b"noi dung khac")
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1 and "tệp lưu trữ bị mất hoặc bị sửa" in result.stderr


# The event table refuses changes at the database level ------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE event SET comment = 'sửa lén' WHERE id = :id", id="update"),
        pytest.param("DELETE FROM event WHERE id = :id", id="delete"),
    ],
)
def test_event_table_refuses_update_and_delete(connection, statement):
    event_id, comment, row_hash = connection.execute(
        sa.text("SELECT id, comment, row_hash FROM event ORDER BY id LIMIT 1")
    ).one()

    with pytest.raises(sa.exc.DatabaseError, match="append-only"), connection.begin_nested():
        connection.execute(sa.text(statement), {"id": event_id})

    assert connection.execute(
        sa.text("SELECT comment, row_hash FROM event WHERE id = :id"), {"id": event_id}
    ).one() == (comment, row_hash)


# The command itself ----------------------------------------------------------------------


def test_tracker_help_lists_commands(tmp_path):
    executable = Path(sys.executable).with_name("tracker")
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("TRACKER_")},
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/help.db",
    }

    result = subprocess.run(
        [str(executable), "--help"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    listed = {
        line.split()[0]
        for line in result.stdout.split("Commands:", 1)[1].splitlines()
        if line.strip()
    }
    assert {"init", "user", "audit", "run"} <= listed


def test_remind_takes_the_write_lock_through_the_app_session(initialised, cli):
    # The shared test database begins every transaction with the write lock; on a file of
    # its own the command's first write takes it, on the app's scoped session.
    result = invoke(cli, "remind", "--as-of", "2020-08-19", "--dry-run")

    assert result.exit_code == 0, result.output + result.stderr


def test_user_commands_disable_enable_reset_and_end_sessions(initialised, cli):
    assert invoke(cli, "user", "create", "chuyenvien", "--role", "secretariat",
                  input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n").exit_code == 0  # fmt: skip
    assert invoke(cli, "user", "disable", "chuyenvien").exit_code == 0
    assert users(initialised)["chuyenvien"].active is False
    assert invoke(cli, "user", "enable", "chuyenvien").exit_code == 0
    weak = invoke(cli, "user", "reset-password", "chuyenvien", input="1234567890\n1234567890\n")
    assert weak.exit_code == 1 and "dễ đoán" in weak.output
    new = "cây đa đầu làng 1975 Sìn Hồ"
    assert (
        invoke(cli, "user", "reset-password", "chuyenvien", input=f"{new}\n{new}\n").exit_code == 0
    )
    assert invoke(cli, "user", "end-sessions", "chuyenvien").exit_code == 0
    assert invoke(cli, "user", "disable", "khong-co-ai").exit_code == 1
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 0, result.output + result.stderr


def test_audit_verify_catches_a_reenabled_account(initialised, cli, tmp_path):
    assert invoke(cli, "user", "create", "chuyenvien", "--role", "secretariat",
                  input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n").exit_code == 0  # fmt: skip
    assert invoke(cli, "user", "disable", "chuyenvien").exit_code == 0
    _raw(tmp_path, "UPDATE user_account SET active = 1 WHERE username = 'chuyenvien'")
    result = invoke(cli, "audit", "verify")
    assert result.exit_code == 1 and "active là True" in result.stderr


def test_verify_restore_checks_files_against_the_manifest(cli, fresh_app, tmp_path):
    assert invoke(cli, "init", "--demo").exit_code == 0
    target = tmp_path / "backup"
    assert invoke(cli, "backup", "-o", str(target)).exit_code == 0
    (manifest,) = target.glob("*.files.json")
    assert oct(target.stat().st_mode & 0o777) == "0o700"
    assert len(list(target.glob("*.audit-anchor.log"))) == 1
    result = invoke(cli, "verify-restore", str(manifest))
    assert result.exit_code == 0, result.output + result.stderr
    stored = next(path for path in (tmp_path / "evidence").rglob("*") if path.is_file())
    stored.write_bytes(b"khac")
    result = invoke(cli, "verify-restore", str(manifest))
    assert result.exit_code == 1 and "sai mã băm evidence/" in result.stderr


# The commands' language ---------------------------------------------------------------------


def test_the_cli_speaks_english_with_tracker_lang(initialised, cli, monkeypatch):
    """TRACKER_LANG=en: the commands' own lines and the refusals they pass on."""
    monkeypatch.setenv("TRACKER_LANG", "en")
    created = invoke(
        cli, "user", "create", "chuyenvien", "--role", "secretariat", input=passwords(GOOD_PASSWORD)
    )
    assert created.exit_code == 0, created.output
    assert "Account chuyenvien created (secretariat)." in created.output
    short = invoke(cli, "user", "create", "ngan", "--role", "secretariat", input=passwords("ngan"))
    assert short.exit_code == 1
    assert "The password must have at least 10 characters." in short.output
    missing = invoke(cli, "user", "disable", "khong-co-ai")
    assert missing.exit_code == 1 and "No account 'khong-co-ai'." in missing.output
    dry = invoke(cli, "remind", "--as-of", "2020-08-19", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run for 19/08/2020 (nothing written, no mail sent):" in dry.output
    assert "Mails to send: 0" in dry.output
    assert "Chạy thử" not in dry.output and "Đã tạo" not in created.output


def test_checks_and_import_refusals_speak_english_with_tracker_lang(
    cli, fresh_app, tmp_path, monkeypatch
):
    """TRACKER_LANG=en: the problems `audit verify` and `verify-restore` find, and why
    `parse` or `import` refuses a file."""
    assert invoke(cli, "init", "--demo").exit_code == 0
    target = tmp_path / "backup"
    assert invoke(cli, "backup", "-o", str(target)).exit_code == 0
    (manifest,) = target.glob("*.files.json")
    stored = next(path for path in (tmp_path / "evidence").rglob("*") if path.is_file())
    stored.write_bytes(b"khac")
    _raw(tmp_path, "DROP TRIGGER event_no_update", "UPDATE event SET comment = 'x' WHERE id = 3")
    notes = tmp_path / "ghi-chu.txt"
    notes.write_text("ghi chú họp giao ban: nhớ mang theo sổ tay và bút khi đến họp.\n")
    monkeypatch.setenv("TRACKER_LANG", "en")
    verified = invoke(cli, "audit", "verify")
    assert verified.exit_code == 1
    assert "The event chain was altered at event #3." in verified.stderr
    restored = invoke(cli, "verify-restore", str(manifest))
    assert restored.exit_code == 1 and "wrong hash evidence/" in restored.stderr
    missing = invoke(cli, "parse", str(tmp_path / "khong-co.txt"))
    assert missing.exit_code == 2
    assert f"Error: File {tmp_path / 'khong-co.txt'} not found." in missing.stderr
    imported = invoke(cli, "import", str(notes))
    assert imported.exit_code == 2
    assert "Error: Not recognised as an administrative document:" in imported.stderr
    assert "sự kiện" not in verified.stderr and "sai mã băm" not in restored.stderr


@pytest.mark.parametrize("tracker_lang", [None, "vi", "fr"])
def test_the_cli_speaks_vietnamese_by_default_whatever_the_locale(
    initialised, cli, monkeypatch, tracker_lang
):
    """Without TRACKER_LANG (or with one the CLI does not speak) it is Vietnamese, even
    when the machine's locale (LANG, LC_ALL) is English."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    if tracker_lang is None:
        monkeypatch.delenv("TRACKER_LANG", raising=False)
    else:
        monkeypatch.setenv("TRACKER_LANG", tracker_lang)
    created = invoke(
        cli, "user", "create", "chuyenvien", "--role", "secretariat", input=passwords(GOOD_PASSWORD)
    )
    assert "Đã tạo tài khoản chuyenvien (secretariat)." in created.output
    missing = invoke(cli, "user", "disable", "khong-co-ai")
    assert missing.exit_code == 1 and "Không có tài khoản 'khong-co-ai'." in missing.output
    dry = invoke(cli, "remind", "--as-of", "2020-08-19", "--dry-run")
    assert "Chạy thử ngày 19/08/2020 (không ghi dữ liệu, không gửi thư):" in dry.output


def test_subunit_add_creates_a_commune_and_refuses_a_bad_one(initialised, cli):
    result = invoke(
        cli,
        "subunit",
        "add",
        "--parent",
        "TAMDUONG",
        "--code",
        "XA-BINHLU",
        "--name",
        "UBND xã Bình Lư",
    )
    assert result.exit_code == 0, result.output
    with initialised.app_context():
        binhlu = agency_by_code(db.session, "XA-BINHLU")
        assert binhlu is not None and binhlu.parent.code == "TAMDUONG"
        assert binhlu.kind.value == "commune"
        db.session.remove()
    again = invoke(
        cli, "subunit", "add", "--parent", "TAMDUONG", "--code", "xa-binhlu", "--name", "X"
    )
    assert again.exit_code == 1 and "Đã có cơ quan, đơn vị mã XA-BINHLU" in again.output
    orphan = invoke(cli, "subunit", "add", "--parent", "NOPE", "--code", "X1", "--name", "X")
    assert orphan.exit_code == 1 and "NOPE" in orphan.output
    assert "Traceback" not in again.output + orphan.output


def test_parse_works_before_init_with_the_data_files_agencies(cli: FlaskCliRunner, tmp_path):
    """`tracker parse FILE` on a fresh checkout: no `tracker init`, no tables. It knows
    the agencies of the data files, and refuses unreadable input with exit code 2."""
    from tracker.directives.seed import DATA_DIR

    result = invoke(cli, "parse", str(DATA_DIR / "lai-chau" / "1661-UBND-VX.txt"))
    assert result.exit_code == 0, result.output
    draft = json.loads(result.output)
    assert (draft["number"], draft["symbol"]) == ("1661", "UBND-VX")
    codes = {agency.get("code") for task in draft["tasks"] for agency in task["agencies"]}
    assert {"SBN", "HUYEN", "STTTT"} <= codes
    binary = tmp_path / "anh.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    refused = invoke(cli, "parse", str(binary))
    assert refused.exit_code == 2 and "UTF-8" in refused.stderr


def test_parse_is_a_pure_function_of_its_input():
    """No application, no database: text, bytes or a path, and optionally the agencies."""
    from tracker.directives.parsing.parser import gazetteer_from_files, parse
    from tracker.directives.parsing.source import NotADirective
    from tracker.directives.seed import DATA_DIR

    path = DATA_DIR / "lai-chau" / "1661-UBND-VX.txt"
    bare = parse(path)
    assert bare.to_json() == parse(path.read_bytes()).to_json()
    assert bare.to_json() == parse(path.read_text(encoding="utf-8")).to_json()
    assert len(bare.tasks) == 5
    known = parse(path, gazetteer_from_files(DATA_DIR))
    assert any(agency.code == "STTTT" for task in known.tasks for agency in task.agencies)
    with pytest.raises(NotADirective):
        parse(b"")


def test_checkpoints_saved_by_many_threads_at_once_all_land(tmp_path):
    """Threads of one server process verify at once and each saves its checkpoint: every
    save lands whole, none fails for want of its temporary file, none is left behind."""
    import threading

    from tracker import chain_check

    file = tmp_path / "audit-anchor.log.verified"
    failures: list[BaseException] = []

    def save(thread: int) -> None:
        try:
            for step in range(50):
                checkpoint = chain_check.Checkpoint(thread * 100 + step, "ab" * 32, step, step)
                chain_check._save(file, checkpoint)
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=save, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert chain_check.load(file) is not None
    assert sorted(path.name for path in tmp_path.iterdir()) == [file.name]


def test_the_chain_check_starts_from_its_anchored_checkpoint(initialised, tmp_path, monkeypatch):
    """The first check reads every event and leaves a checkpoint at the newest anchored
    one; the next reads only what came since. A checkpoint whose anchor line or event no
    longer names it is not trusted: the whole chain is read again, and finds the change."""
    from tracker import audit, chain_check

    anchor_file = tmp_path / "audit-anchor.log"
    read: list[int] = []
    original = audit.verify_chain

    def counting(session, batch=1000, **kwargs):
        check = original(session, batch, **kwargs)
        read.append(check.count - kwargs.get("start", (0, "", 0))[2])
        return check

    monkeypatch.setattr(chain_check, "verify_chain", counting)
    with initialised.app_context():
        session = db.session
        events = session.scalar(sa.select(sa.func.count()).select_from(Event))
        first = chain_check.verify_since_checkpoint(session, anchor_file)
        assert first.ok and first.count == events and read == [events]
        saved = chain_check.load(chain_check.checkpoint_file(anchor_file))
        assert saved is not None and saved.event_id == events and saved.count == events
        second = chain_check.verify_since_checkpoint(session, anchor_file)
        assert second == first and read[-1] == 0  # nothing new: nothing read
        session.rollback()
    # New events since: only they are read.
    invoke(initialised.test_cli_runner(), "subunit", "add", "--parent", "TAMDUONG",
           "--code", "XA-BINHLU", "--name", "UBND xã Bình Lư")  # fmt: skip
    with initialised.app_context():
        session = db.session
        now = session.scalar(sa.select(sa.func.count()).select_from(Event))
        assert now > events
        third = chain_check.verify_since_checkpoint(session, anchor_file)
        assert third.ok and third.count == now and read[-1] == now - events
        session.rollback()
    # An earlier event edited in place, its stored hash left as it was: the checkpoint
    # still holds, so only the full check (daily, and `tracker audit verify`) finds it.
    _raw(tmp_path, "DROP TRIGGER event_no_update", "UPDATE event SET comment = 'x' WHERE id = 3")
    with initialised.app_context():
        assert chain_check.verify_since_checkpoint(db.session, anchor_file).ok
        full = chain_check.verify_since_checkpoint(db.session, anchor_file, full=True)
        assert not full.ok and full.first_broken_id == 3
        db.session.rollback()
    # The chain rewritten up to the checkpoint (its event's hash changed): the checkpoint
    # is not trusted, and the whole chain is read again.
    saved = chain_check.load(chain_check.checkpoint_file(anchor_file))
    assert saved is not None
    zeros = "0" * 64
    _raw(tmp_path, "UPDATE event SET comment = '' WHERE id = 3",
         f"UPDATE event SET row_hash = '{zeros}' WHERE id = {saved.event_id:d}")  # noqa: S608  # fmt: skip
    with initialised.app_context():
        assert not chain_check.trusted(db.session, anchor_file, saved)
        broken = chain_check.verify_since_checkpoint(db.session, anchor_file)
        assert not broken.ok and broken.first_broken_id == saved.event_id
        db.session.rollback()
    # A checkpoint pointing at another line of the anchor file is not trusted either.
    saved = chain_check.load(chain_check.checkpoint_file(anchor_file))
    assert saved is not None
    with initialised.app_context():
        moved = chain_check.Checkpoint(saved.event_id, saved.row_hash, saved.count, 0)
        assert not chain_check.trusted(db.session, anchor_file, moved)
        db.session.rollback()


def test_audit_verify_leaves_a_checkpoint_for_the_next_report(initialised, tmp_path):
    """`tracker audit verify` reads the whole chain; where it holds, the next report reads
    only the events after its newest anchored one (a copied installation, or one just
    loaded in bulk, would otherwise verify every event on its first reports)."""
    from tracker import chain_check

    anchor_file = tmp_path / "audit-anchor.log"
    assert anchor_file.exists()
    assert chain_check.load(chain_check.checkpoint_file(anchor_file)) is None
    result = invoke(initialised.test_cli_runner(), "audit", "verify")
    assert result.exit_code == 0, result.output
    saved = chain_check.load(chain_check.checkpoint_file(anchor_file))
    with initialised.app_context():
        events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
        db.session.rollback()
    assert saved is not None and saved.count == events


@pytest.mark.parametrize(
    "args", [["--help"], ["parse", "directives/lai-chau/1661-UBND-VX.txt"]], ids=["help", "parse"]
)
def test_the_cli_starts_without_building_the_web_app(args, tmp_path):
    """`tracker --help` lists the commands, and `tracker parse` reads, without importing
    the pages, the PDF renderer or the spreadsheet writer (seconds of start-up); the
    list of commands does not even load SQLAlchemy or the models."""
    from tracker import PROJECT_DIR

    heavy = ("weasyprint", "openpyxl", "pygal", "tracker.reports.views")
    heavy += ("tracker.directives.views", "tracker.api.routes")
    if args == ["--help"]:
        heavy += ("sqlalchemy", "tracker.db", "tracker.auth.models", "tracker.api.models")

    script = (
        "import sys\n"
        "from tracker.cli import main\n"
        "try:\n"
        f"    main({args!r}, standalone_mode=False)\n"
        "finally:\n"
        f"    print('LOADED', sorted(m for m in sys.modules if m.startswith({heavy!r})))\n"
    )
    environment = {
        **os.environ,
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/none.db",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout
    assert ("init" in done.stdout) if args == ["--help"] else ('"number": "1661"' in done.stdout)


def test_planner_statistics_are_gathered_on_either_engine(session):
    """`tracker init` and the daily job refresh them: a bulk load without them gets plans
    made for empty tables (on PostgreSQL, seconds for a page). The probe table exists in
    the test's transaction only, where no autovacuum sees it."""
    connection = session.connection()
    connection.exec_driver_sql("CREATE TABLE stat_probe (n integer)")
    connection.exec_driver_sql("CREATE INDEX stat_probe_n ON stat_probe (n)")
    connection.execute(sa.text("INSERT INTO stat_probe VALUES (:n)"), [{"n": n} for n in range(50)])
    db.refresh_statistics(session)
    if connection.dialect.name == "sqlite":
        query = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'stat_probe'"
    else:
        query = "SELECT count(*) FROM pg_stats WHERE tablename = 'stat_probe'"
    assert connection.exec_driver_sql(query).scalar()
