"""Importing a directive: paste or upload, review beside the source, confirm."""

from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa

from tests.helpers import csrf_token
from tracker.assignments.models import Assignment, AssignmentRole
from tracker.cli import main
from tracker.directives.models import Directive, DirectiveStatus, ImportDraft, ImportStatus
from tracker.directives.operations import find_directive
from tracker.directives.seed import DATA_DIR

SEED = (DATA_DIR / "lai-chau" / "1661-UBND-VX.txt").read_text(encoding="utf-8")

NEW_PLAN = """\
ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
Số: 412/KH-UBND
Lai Châu, ngày 10 tháng 3 năm 2021

KẾ HOẠCH
Triển khai tháng hành động vì an toàn thực phẩm năm 2021

Thực hiện Công văn số 88/UBND-VX ngày 01/3/2021 của UBND tỉnh, UBND tỉnh ban hành
Kế hoạch như sau:
1. Sở Y tế chủ trì, phối hợp với Sở Công Thương kiểm tra các cơ sở; báo cáo UBND tỉnh
trước ngày 30/4/2021.
2. UBND các huyện, thành phố tổ chức tuyên truyền hằng tuần.
Nơi nhận:
- Bộ Y tế;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""

CITED_TEXT = """\
ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
Số: 88/UBND-VX
V/v bảo đảm an toàn thực phẩm
Lai Châu, ngày 01 tháng 3 năm 2021
Kính gửi: Sở Y tế.
Sở Y tế tổ chức kiểm tra an toàn thực phẩm trước ngày 15/3/2021./.
Nơi nhận:
- Như trên;
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn An
"""


def _paste(client, text: str):
    return client.post(
        "/directives/import",
        data={
            "csrf_token": csrf_token(client, "/directives/import"),
            "text": text,
        },
    )


def _form_fields(html: str) -> dict[str, object]:
    """The review form as a browser would submit it, without changes."""
    fields: dict[str, object] = {}
    for match in re.finditer(r"<input ([^>]*)>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(1)))
        name = attrs.get("name")
        if not name or attrs.get("type") == "file":
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in match.group(1):
                fields[name] = attrs.get("value", "y")
            continue
        fields[name] = _unescape(attrs.get("value", ""))
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[match.group(1)] = _unescape(match.group(2).lstrip("\n"))
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(
            r'<option[^>]*selected[^>]*value="([^"]*)"|'
            r'<option value="([^"]*)"[^>]*selected',
            match.group(2),
        )
        values = [a or b for a, b in chosen]
        if "multiple" in html[match.start() : match.start() + 200].split(">")[0]:
            fields[match.group(1)] = values
        elif values:
            fields[match.group(1)] = values[0]
    return fields


def _unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def test_import_new_plan_end_to_end(client, auth, session):
    auth.login("vanphong")
    response = _paste(client, NEW_PLAN)
    assert response.status_code == 302
    review = client.get(response.headers["Location"])
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert '<mark class="mark-task"' in html and "Nhiệm vụ 1" in html
    fields = _form_fields(html)
    assert fields["number"] == "412" and fields["symbol"] == "KH-UBND"
    assert fields["tasks-0-due_date"] == "30/04/2021"
    confirmed = client.post(review.request.path, data=fields)
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)[:3000]

    directive = find_directive(session, "412/KH-UBND")
    assert directive.status == DirectiveStatus.ACTIVE
    assert directive.doc_type.label == "Kế hoạch"
    assert directive.body.startswith("ỦY BAN NHÂN DÂN")
    assert [t.number for t in directive.tasks] == ["1", "2"]
    first, second = directive.tasks
    assert first.due_date == date(2021, 4, 30) and first.report_to.code == "UBND"
    assert second.recurrence == "FREQ=WEEKLY"
    roles = {
        (a.agency.code, a.role)
        for a in session.scalars(sa.select(Assignment).where(Assignment.task_id == first.id))
    }
    assert roles == {("SYT", AssignmentRole.LEAD), ("SCT", AssignmentRole.COOPERATE)}
    districts = session.scalars(sa.select(Assignment).where(Assignment.task_id == second.id))
    assert len(districts.all()) == 8
    # The cited 88/UBND-VX is not on file: a placeholder is linked in its place.
    (citation,) = directive.citations
    assert citation.cited.reference == "88/UBND-VX" and citation.cited.body is None
    assert "412/KH-UBND" in citation.cited.known_from
    assert session.scalar(sa.select(ImportDraft.status)) is not None


def test_import_fills_a_placeholder_later(client, auth, session):
    auth.login("vanphong")
    first = _paste(client, NEW_PLAN)
    client.post(
        first.headers["Location"],
        data=_form_fields(client.get(first.headers["Location"]).get_data(as_text=True)),
    )
    placeholder = find_directive(session, "88/UBND-VX")
    assert placeholder.body is None
    second = _paste(client, CITED_TEXT)
    html = client.get(second.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="existing"' in html and "chưa có toàn văn" in html
    done = client.post(second.headers["Location"], data=_form_fields(html))
    assert done.status_code == 302
    session.expire_all()
    filled = find_directive(session, "88/UBND-VX")
    assert filled.id == placeholder.id
    assert filled.body.startswith("ỦY BAN NHÂN DÂN")
    assert filled.subject == "bảo đảm an toàn thực phẩm"
    assert [t.number for t in filled.tasks] == ["1"]
    count = session.scalar(
        sa.select(sa.func.count(Directive.id)).where(
            Directive.number == "88", Directive.symbol == "UBND-VX"
        )
    )
    assert count == 1


def test_import_existing_directive_is_never_duplicated(client, auth, session):
    auth.login("vanphong")
    response = _paste(client, SEED)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="existing"' in html
    refused = client.post(response.headers["Location"], data=_form_fields(html))
    assert refused.status_code == 422
    assert "đã có trong hệ thống" in refused.get_data(as_text=True)
    count = session.scalar(sa.select(sa.func.count(Directive.id)).where(Directive.number == "1661"))
    assert count == 1
    fields = _form_fields(html) | {"update_existing": "y"}
    updated = client.post(response.headers["Location"], data=fields)
    assert updated.status_code == 302
    assert (
        session.scalar(sa.select(sa.func.count(Directive.id)).where(Directive.number == "1661"))
        == 1
    )


def test_import_review_keeps_corrections_on_error(client, auth):
    auth.login("vanphong")
    response = _paste(client, NEW_PLAN)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    fields = _form_fields(html) | {"number": "", "tasks-0-text": "Nội dung đã sửa tay"}
    refused = client.post(response.headers["Location"], data=fields)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Hãy nhập số văn bản." in page
    assert "Nội dung đã sửa tay" in page


def test_import_upload_docx(client, auth, session):
    import docx

    document = docx.Document()
    for line in NEW_PLAN.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    auth.login("vanphong")
    response = client.post(
        "/directives/import",
        data={
            "csrf_token": csrf_token(client, "/directives/import"),
            "file": (io.BytesIO(buffer.getvalue()), "ke-hoach-412.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    imported = session.scalar(sa.select(ImportDraft).order_by(ImportDraft.id.desc()))
    assert imported.source_name == "ke-hoach-412.docx"
    assert imported.data["number"] == "412"


def test_import_bad_input_is_refused_clearly(client, auth, session):
    auth.login("vanphong")
    before = session.scalar(sa.select(sa.func.count(ImportDraft.id)))
    response = _paste(client, "chỉ một dòng chữ")
    assert response.status_code == 422
    assert "quá ngắn" in response.get_data(as_text=True)
    empty = client.post(
        "/directives/import", data={"csrf_token": csrf_token(client, "/directives/import")}
    )
    assert empty.status_code == 422
    assert "Hãy chọn một tệp" in empty.get_data(as_text=True)
    binary = client.post(
        "/directives/import",
        data={
            "csrf_token": csrf_token(client, "/directives/import"),
            "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "anh.png"),
        },
        content_type="multipart/form-data",
    )
    assert binary.status_code == 422
    assert session.scalar(sa.select(sa.func.count(ImportDraft.id))) == before


def test_import_is_for_office_staff_only(client, auth):
    auth.login("snv")
    assert client.get("/directives/import").status_code == 403
    auth.logout()
    auth.login("lanhdao")
    assert client.get("/directives/import").status_code == 403


def test_import_discard(client, auth, session):
    auth.login("vanphong")
    response = _paste(client, NEW_PLAN)
    path = response.headers["Location"]
    discarded = client.post(f"{path}/discard", data={"csrf_token": csrf_token(client, path)})
    assert discarded.status_code == 302
    imported = session.get(ImportDraft, int(path.rsplit("/", 1)[1]))
    session.refresh(imported)
    assert imported.status == ImportStatus.DISCARDED
    assert client.get(path).status_code == 404


def test_cli_import_confirm(runner, tmp_path, session):
    source = tmp_path / "412.txt"
    source.write_text(NEW_PLAN, encoding="utf-8")
    result = runner.invoke(main, args=["import", "--confirm", str(source)])
    assert result.exit_code == 0, result.output
    assert "Kế hoạch 412/KH-UBND" in result.output
    again = runner.invoke(main, args=["import", "--confirm", str(source)])
    assert again.exit_code == 2
    assert "đã có trong hệ thống" in again.output
    review_only = runner.invoke(main, args=["import", str(source)])
    assert review_only.exit_code == 0 and "/imports/" in review_only.output


def test_import_1661_end_to_end_on_a_database_without_it(tmp_path):
    """The founding directive, imported through the pages into a database that has only
    Lai Châu's agencies: five tasks, fanned-out assignments, four placeholder citations."""
    from tests.conftest import FAST_ARGON2
    from tests.helpers import Auth, job_worker, wait_until
    from tracker import create_app, db
    from tracker.agencies.operations import agency_by_code
    from tracker.auth.models import Role
    from tracker.auth.operations import create_user
    from tracker.directives.seed import load_agencies
    from tracker.migrations.runner import upgrade

    config = {
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "import-1661",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
    }
    app = create_app(config | FAST_ARGON2)
    with app.app_context():
        with db.database().engine.begin() as connection:
            upgrade(connection)
        load_agencies(db.session, DATA_DIR / "lai-chau" / "agencies.toml")
        create_user(
            db.session,
            username="vanphong",
            password="mat-khau-van-phong",
            role=Role.SECRETARIAT,
            agency=agency_by_code(db.session, "VPUBND"),
        )
        db.session.commit()
    client = app.test_client()
    assert Auth(client).login("vanphong", "mat-khau-van-phong").status_code == 302
    with job_worker(config):  # parsed by the job queue, as in production
        pasted = _paste(client, SEED)
        assert pasted.status_code == 302

        def review_page() -> str:
            return client.get(pasted.headers["Location"]).get_data(as_text=True)

        wait_until(lambda: 'data-testid="import-job"' not in review_page(), message="parsing")
        html = review_page()
    assert 'data-testid="existing"' not in html
    confirmed = client.post(pasted.headers["Location"], data=_form_fields(html))
    assert confirmed.status_code == 302
    with app.app_context():
        directive = find_directive(db.session, "1661/UBND-VX")
        assert directive.status == DirectiveStatus.ACTIVE
        assert directive.issuer_agency.code == "UBND"
        assert [t.number for t in directive.tasks] == ["1", "2", "3", "4", "5"]
        by_number = {t.number: t for t in directive.tasks}
        assert by_number["2"].due_date == date(2020, 8, 18)
        assert by_number["2"].report_to.code == "STTTT"
        assert by_number["4"].recurrence == "FREQ=WEEKLY"
        fan_out = db.session.scalars(
            sa.select(Assignment).where(Assignment.task_id == by_number["2"].id)
        ).all()
        assert len(fan_out) == 39
        assert {a.due_date for a in fan_out} == {date(2020, 8, 18)}
        districts = db.session.scalars(
            sa.select(Assignment).where(Assignment.task_id == by_number["3"].id)
        ).all()
        assert {a.agency.code for a in districts} == {
            "TPLC",
            "TAMDUONG",
            "PHONGTHO",
            "SINHO",
            "MUONGTE",
            "NAMNHUN",
            "TANUYEN",
            "THANUYEN",
        }
        cited = [(c.cited.reference, c.cited.body) for c in directive.citations]
        assert cited == [
            ("197/CV-BCĐ", None),
            ("1569/UBND-VX", None),
            ("51/TB-UBND", None),
            ("1605/UBND-VX", None),
        ]
    app.extensions["tracker.db"].engine.dispose()


def test_a_report_destination_with_its_division_resolves_to_the_body(session):
    """'gửi về Sở Y tế (Phòng Nghiệp vụ)': the report goes to the Sở, whichever of its
    divisions handles it."""
    from tracker.directives.importing import _agency_named

    body = _agency_named(session, "Sở Y tế")
    assert body is not None
    assert _agency_named(session, "Sở Y tế (Phòng Nghiệp vụ Y)") == body
    assert _agency_named(session, "Sở Không Có (Phòng X)") is None


HEADLESS = """Kính gửi: Sở Y tế; Sở Giáo dục và Đào tạo.

1. Sở Y tế chủ trì, phối hợp với Sở Giáo dục và Đào tạo rà soát các trường học.
2. Báo cáo kết quả về UBND tỉnh trước ngày 30/4/2021.
"""


def test_a_body_without_its_header_is_reviewed_with_a_warning(client, auth, session):
    """A body pasted without its header: the review says what to enter, and confirming
    without a number and a symbol is refused with the form's own words."""
    auth.login("vanphong")
    directives = sa.select(sa.func.count()).select_from(Directive)
    before = session.scalar(directives)
    response = _paste(client, HEADLESS)
    assert response.status_code == 302
    review = client.get(response.headers["Location"])
    html = _unescape(review.get_data(as_text=True))
    assert review.status_code == 200
    assert "Không thấy số, ký hiệu, ngày tháng của văn bản" in html
    fields = _form_fields(review.get_data(as_text=True))
    assert fields["number"] == "" and fields["symbol"] == ""
    refused = client.post(review.request.path, data=fields)
    assert refused.status_code == 422
    assert session.scalar(directives) == before  # nothing half-written
