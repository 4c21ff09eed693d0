"""English beside Vietnamese: every string of the interface's templates is marked for
translation and translated; the language follows ?lang=, the user's choice, then the
browser; dates stay dd/mm/yyyy; formal documents stay Vietnamese."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.helpers import csrf_token, user_named
from tracker import PACKAGE_DIR, PROJECT_DIR
from tracker.agencies.operations import AgencyError, agency_by_code, upsert_agency
from tracker.assignments.workflow import Action, InvalidTransition, apply
from tracker.auth.passwords import MIN_LENGTH, password_problem
from tracker.calendar.models import DayKind
from tracker.calendar.operations import CalendarError, set_calendar_day
from tracker.directives import importing
from tracker.directives.models import ImportDraft
from tracker.documents.operations import preview_html
from tracker.documents.reply import draft_reply
from tracker.i18n import current_language

TEMPLATES = PROJECT_DIR / "templates"
CATALOG = PACKAGE_DIR / "translations" / "en" / "LC_MESSAGES"
#: Formal documents follow ND30 in Vietnamese whoever prints them; the printed list of
#: work is in Vietnamese as its spreadsheets are.
VIETNAMESE_ONLY = {"documents/document.html", "documents/listing.html"}
#: Templates whose strings are not marked yet: the list only shrinks. A template taken
#: off it must pass the check below.
NOT_YET_TRANSLATED: set[str] = set()
#: Words that read the same in both languages.
UNTRANSLATED_WORDS = {"PDF", "CSV", "Excel", "Word", "XLSX", "DOCX", "SHA-256", "Bluezone"}
#: Attributes people read.
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label", "data-label"}


class _Text(HTMLParser):
    """Text nodes and read attributes of a template whose Jinja is blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


#: A quoted string inside Jinja, and whether _( comes right before it.
_LITERAL = re.compile(r"""(_\(\s*)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def _unmarked_literals(code: str) -> list[str]:
    """Vietnamese string literals in Jinja code that are not the argument of _()."""
    return [
        literal[1:-1]
        for marked, literal in _LITERAL.findall(code)
        if not marked and re.search(r"[^\x00-\x7f]", literal) and re.search(r"[^\W\d_]", literal)
    ]


def unmarked(source: str) -> list[str]:
    """Strings of a template that people read and that are not marked for translation:
    text, read attributes, and Vietnamese literals in Jinja code."""
    source = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", " ", source, flags=re.DOTALL)
    source = re.sub(r"{#.*?#}", " ", source, flags=re.DOTALL)
    literals = [
        text
        for code in re.findall(r"{%.*?%}|{{.*?}}", source, flags=re.DOTALL)
        for text in _unmarked_literals(code)
    ]
    source = re.sub(r"{%.*?%}|{{.*?}}", " ", source, flags=re.DOTALL)
    parser = _Text()
    parser.feed(source)
    found = []
    for text in parser.found:
        text = re.sub(r"#[\w-]+", " ", text)  # a link's #fragment is no word
        words = [word for word in re.findall(r"[^\W\d_][\w&.-]*", text) if word]
        if any(word not in UNTRANSLATED_WORDS for word in words):
            found.append(" ".join(text.split()))
    return found + literals


def _templates() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if str(path.relative_to(TEMPLATES)) not in VIETNAMESE_ONLY
    )


@pytest.mark.parametrize("name", [name for name in _templates() if name not in NOT_YET_TRANSLATED])
def test_template_strings_are_marked(name):
    found = unmarked((TEMPLATES / name).read_text(encoding="utf-8"))
    assert not found, f"{name}: strings not marked for translation: {found}"


def test_the_checker_finds_unmarked_strings():
    assert unmarked('<p title="Xem">Tổng cộng</p>') == ["Xem", "Tổng cộng"]
    assert unmarked('<p title="{{ _(\'Xem\') }}">{{ _("Tổng cộng") }} 12 · PDF</p>') == []
    assert unmarked("{% trans %}Có {{ n }} việc{% endtrans %}") == []
    assert unmarked("{{ x or 'Không có' }}{{ nav('a.b', _('Tổng quan')) }}") == ["Không có"]


def test_the_list_of_templates_to_translate_only_names_real_ones():
    assert set(_templates()) >= NOT_YET_TRANSLATED


def test_every_marked_string_has_an_english_translation():
    """The catalog holds every message of the marked templates, translated, and the
    compiled catalog (.mo) is the one its source (.po) gives."""
    with (CATALOG / "messages.po").open("rb") as source:
        catalog = read_po(source)
    missing = [message.id for message in catalog if message.id and not message.string]
    assert not missing, f"untranslated: {missing[:20]}"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"
    with (CATALOG / "messages.mo").open("rb") as compiled:
        built = read_mo(compiled)
    assert {m.id: m.string for m in built if m.id} == {m.id: m.string for m in catalog if m.id}, (
        "messages.mo is out of date: run `make translations`"
    )
    marked = _extracted()
    known = {message.id for message in catalog if message.id}
    assert marked <= known, (
        f"not in the catalog (run `make translations`): {sorted(marked - known)[:20]}"
    )


def _extracted() -> set[str]:
    """Every string marked in the code and templates, as `make translations` finds them."""
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "messages.pot"
        subprocess.run(
            [
                str(Path(sys.executable).parent / "pybabel"),
                "-q",
                "extract",
                "-k",
                "_l",
                "-F",
                "babel.cfg",
                "-o",
                str(target),
                "--omit-header",
                ".",
            ],
            cwd=PROJECT_DIR,
            check=True,
        )
        with target.open("rb") as source:
            return {message.id for message in read_po(source) if message.id}


# The language of a request ---------------------------------------------------------------


def test_dashboard_in_english_with_lang(client, auth):
    """The contract: /?lang=en shows the dashboard in English, and later pages stay so."""
    auth.login("vanphong")
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Progress of tasks" in page and "Tình hình thực hiện nhiệm vụ" not in page
    assert "Inbox" in client.get("/inbox").get_data(as_text=True)
    page = client.get("/?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Tình hình thực hiện nhiệm vụ" in page


def test_the_users_choice_is_kept_and_dates_stay_day_month_year(client, auth, session):
    auth.login("lanhdao")
    response = client.post(
        "/account/language",
        data={"language": "en", "csrf_token": csrf_token(client, "/"), "next": "/inbox"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert user_named(session, "lanhdao").language == "en"
    auth.logout()  # the session ends; the account keeps the choice
    auth.login("lanhdao")
    page = client.get("/?as_of=2020-09-10").get_data(as_text=True)
    assert '<html lang="en">' in page and "10/09/2020" in page


def test_before_sign_in_the_browser_decides(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="vi">' in page.get_data(as_text=True)


def test_an_unknown_language_is_refused(client, auth):
    auth.login("vanphong")
    response = client.post(
        "/account/language", data={"language": "fr", "csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 400


def test_formal_documents_stay_vietnamese_in_english(app, session, directive_1661):
    """An English reader previews the reply report: it is in Vietnamese (ND30), with
    the state heading, while the page around it would be English."""
    with app.test_request_context("/?lang=en"):
        assert current_language() == "en"
        draft = draft_reply(
            session, directive_1661, agency_by_code(session, "SNV"), date(2020, 8, 20)
        )
        html = preview_html(draft)
        assert current_language() == "en"  # only the document was Vietnamese
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html.upper()
    assert "Socialist" not in html and 'lang="vi"' in html


def test_catalog_files_exist():
    assert Path(CATALOG / "messages.po").is_file()


# Messages made in Python: errors and refusals in the reader's language ------------------


def test_error_pages_in_english(client, auth):
    auth.login("snv")
    client.get("/?lang=en")
    missing = client.get("/assignments/999999")
    assert missing.status_code == 404
    page = missing.get_data(as_text=True)
    assert "The page or data you asked for was not found." in page
    assert "Không tìm thấy" not in page
    forbidden = client.get("/users")
    assert forbidden.status_code == 403
    page = forbidden.get_data(as_text=True)
    assert "You are not allowed to do this." in page and "Không có quyền" not in page
    page = client.get("/users?lang=vi").get_data(as_text=True)
    assert "Bạn không có quyền thực hiện thao tác này." in page


def test_a_refused_step_is_explained_in_english(client, auth, make_assignment):
    """A step the workflow refuses (accepting a task not yet reported) answers in the
    reader's language, its action and status labels too."""
    assignment = make_assignment("SNV")
    auth.login("vanphong")
    client.get("/?lang=en")
    path = f"/assignments/{assignment.id}"
    page = client.get(path).get_data(as_text=True)
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page)
    assert version is not None
    response = client.post(
        f"{path}/accept",
        data={"csrf_token": csrf_token(client, path), "version": version.group(1)},
    )
    assert response.status_code >= 400
    page = response.get_data(as_text=True)
    assert "Cannot " in page and "while the task is “New”" in page
    assert "Không thể" not in page


def test_a_throttled_login_is_refused_in_english(client):
    def attempt(password: str):
        return client.post(
            "/login",
            data={"username": "snv", "password": password, "csrf_token": csrf_token(client)},
            headers={"Accept-Language": "en"},
            environ_base={"REMOTE_ADDR": "10.0.0.77"},
        )

    for _ in range(5):
        assert attempt("sai-mat-khau-1").status_code == 422
    refused = attempt("tracker-demo")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many failed sign-ins. Try again after" in page
    assert "Đăng nhập sai quá nhiều lần" not in page


def test_domain_messages_stay_vietnamese_outside_a_request(session, make_assignment):
    """The CLI and the job worker have no request: the default language, Vietnamese."""
    assignment = make_assignment("SNV")
    with pytest.raises(InvalidTransition) as refused:
        apply(assignment, Action.ACCEPT, user_named(session, "vanphong"))
    assert refused.value.message.startswith("Không thể ")


def test_password_rules_in_english_and_the_minimum_said_once(client, auth):
    """The password page's label, hint and refusal name the same minimum length, the
    one the rule applies (passwords.MIN_LENGTH), in the reader's language."""
    auth.login("snv")
    page = client.get("/account/password").get_data(as_text=True)
    assert f"Mật khẩu mới (từ {MIN_LENGTH} ký tự;" in page
    assert f"dài từ {MIN_LENGTH} ký tự." in page
    assert len(set(re.findall(r"(\d+) ký tự", page))) == 1
    page = client.get("/account/password?lang=en").get_data(as_text=True)
    assert f"New password (at least {MIN_LENGTH} characters;" in page
    assert f"at least {MIN_LENGTH} characters long, is best." in page
    assert "ký tự" not in page
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current": "tracker-demo",
            "new": "ngan",
            "confirm": "ngan",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"The password must have at least {MIN_LENGTH} characters." in page
    assert "Mật khẩu phải" not in page
    assert password_problem("matkhau123") == "Mật khẩu quá dễ đoán; hãy chọn một cụm từ dài hơn."


@pytest.mark.parametrize(
    ("query", "english", "vietnamese"),
    [
        ("status=lost", "Status “lost” is not valid.", "Trạng thái “lost” không hợp lệ."),
        ("role=boss", "Role “boss” is not valid.", "Vai trò “boss” không hợp lệ."),
        (
            "due_to=31/12/2020",
            "Due until must be a date (year-month-day).",
            "Hạn đến ngày phải là một ngày (năm-tháng-ngày).",
        ),
        ("sort=bogus", "Cannot sort by “bogus”.", "Không sắp xếp được theo “bogus”."),
    ],
)
def test_list_filter_refusals_name_their_field_in_english(client, auth, query, english, vietnamese):
    auth.login("vanphong")
    response = client.get(f"/assignments?{query}&lang=en")
    assert response.status_code == 400
    assert english in response.get_data(as_text=True)
    response = client.get(f"/assignments?{query}&lang=vi")
    assert vietnamese in response.get_data(as_text=True)


def test_agency_refusals_in_the_language_in_force(app, session):
    """Translated when raised: English in an English request, Vietnamese outside one (the
    seed data loaded by `tracker init`)."""
    fields = {"code": "XYZ", "name": "Sở XYZ", "short_name": "XYZ"}
    # A context of its own, as a request has: the language it picks is kept in it.
    with app.app_context(), app.test_request_context("/?lang=en"):
        with pytest.raises(AgencyError, match="^Invalid kind of agency: 'ministry'.$"):
            upsert_agency(session, kind="ministry", **fields)
        with pytest.raises(AgencyError, match=r"^No parent agency with code 'NONE' \("):
            upsert_agency(session, kind="department", parent="NONE", **fields)
    with pytest.raises(AgencyError, match="^Loại cơ quan không hợp lệ: 'ministry'.$"):
        upsert_agency(session, kind="ministry", **fields)
    with pytest.raises(AgencyError, match="^Trường không hợp lệ: colour.$"):
        upsert_agency(session, kind="department", colour="red", **fields)


#: Readable text, long enough, with nothing of an administrative document's header.
NOT_A_DIRECTIVE = "ghi chú họp giao ban: mọi người nhớ mang theo sổ tay và bút khi đến họp.\n"


def test_import_refusals_in_english(client, auth):
    """The page's own refusal and the parser's (run by the job queue) in the reader's
    language."""
    auth.login("vanphong")
    token = csrf_token(client, "/directives/import?lang=en")
    short = client.post("/directives/import", data={"csrf_token": token, "text": "một dòng"})
    assert short.status_code == 422
    page = short.get_data(as_text=True)
    assert "The text is empty or too short to be a directive." in page
    assert "quá ngắn" not in page
    notes = client.post("/directives/import", data={"csrf_token": token, "text": NOT_A_DIRECTIVE})
    assert notes.status_code == 422
    page = notes.get_data(as_text=True)
    assert "Not recognised as an administrative document: no number, symbol, date" in page
    assert "Không nhận ra" not in page


def test_the_import_job_refuses_in_the_language_it_is_given(session):
    """The job queue has no request: it parses in the language of the page that started
    it, and in Vietnamese when it is given none."""
    english = importing.begin_import(session, None, NOT_A_DIRECTIVE, "")
    vietnamese = importing.begin_import(session, None, NOT_A_DIRECTIVE, "")
    english_id, vietnamese_id = english.id, vietnamese.id
    importing.parse_in_queue(english_id, "en")
    importing.parse_in_queue(vietnamese_id)
    refused = session.get_one(ImportDraft, english_id).error
    assert refused.startswith("Not recognised as an administrative document:")
    refused = session.get_one(ImportDraft, vietnamese_id).error
    assert refused.startswith("Không nhận ra văn bản hành chính:")


def test_control_characters_are_refused_in_english(client):
    response = client.post(
        "/login?lang=en",
        data={
            "csrf_token": csrf_token(client, "/login?lang=en"),
            "username": "snv\x00",
            "password": "tracker-demo",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The content has invalid control characters (a NUL character, for example)" in page
    assert "ký tự điều khiển" not in page
    assert client.get("/login?lang=vi&next=%01").status_code == 422


def test_calendar_names_public_holidays_in_the_readers_language(app, client, auth, session):
    """The `holidays` library names Vietnam's holidays in English too (its dates turned to
    dd/mm/yyyy); a refusal naming a holiday names it in the reader's language."""
    auth.login("vanphong")
    page = client.get("/calendar?year=2024&lang=en").get_data(as_text=True)
    assert "Lunar New Year" in page and "Hung Kings" in page
    assert "Day off (substituted from 04/05/2024)" in page
    assert "Tết Nguyên Đán" not in page and "Giỗ Tổ" not in page
    page = client.get("/calendar?year=2024&lang=vi").get_data(as_text=True)
    assert "Tết Nguyên Đán" in page and "Ngày nghỉ (thay cho ngày 04/05/2024)" in page
    admin = user_named(session, "admin")
    english = r"is already a public holiday \(Lunar New Year\)"
    with (
        app.app_context(),
        app.test_request_context("/?lang=en"),
        pytest.raises(CalendarError, match=english),
    ):
        set_calendar_day(session, admin, date(2021, 2, 12), DayKind.DAY_OFF, "Nghỉ")
    with pytest.raises(CalendarError, match=r"đã là ngày nghỉ lễ \(Tết Nguyên Đán\)"):
        set_calendar_day(session, admin, date(2021, 2, 12), DayKind.DAY_OFF, "Nghỉ")
