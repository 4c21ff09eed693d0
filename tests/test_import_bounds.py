"""Imports are bounded: long texts, many-page PDFs, ZIP bombs and malformed or deeply
nested .docx files get a clear refusal, and the parser stays linear in the text."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest

from tests.helpers import csrf_token
from tracker.directives.parsing.parser import gazetteer_from_session, parse_text
from tracker.directives.parsing.reading import MAX_CHARS, read_bytes
from tracker.directives.parsing.source import NotADirective

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
    'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(document: str, **extra: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
        for name, content in extra.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_docx("<w:document><unclosed>"), "tệp hỏng hoặc sai cấu trúc"),
        (
            _docx(
                f'<w:document xmlns:w="{W}"><w:body>'
                + "<w:p>" * 5000
                + "</w:p>" * 5000
                + "</w:body></w:document>"
            ),
            "tệp hỏng hoặc sai cấu trúc",
        ),
        (_docx("<a/>", **{"big.bin": "0" * (70 * 1024 * 1024)}), "quá lớn khi giải nén"),
        (("Văn bản. " * (MAX_CHARS // 8)).encode(), "Văn bản quá dài"),
    ],
    ids=["malformed", "deep", "zip-bomb", "long-text"],
)
def test_bad_imports_are_refused_clearly(data, message):
    with pytest.raises(NotADirective, match=message):
        read_bytes(data, "van-ban.docx" if data[:2] == b"PK" else "van-ban.txt")


def test_entities_are_not_expanded():
    document = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    assert "aaaa" not in read_bytes(_docx(document), "van-ban.docx")


def test_import_of_malformed_docx_answers_422(client, auth):
    auth.login("vanphong")
    response = client.post(
        "/directives/import",
        data={
            "csrf_token": csrf_token(client, "/directives/import"),
            "file": (io.BytesIO(_docx("<w:document><unclosed>")), "van-ban.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "tệp hỏng hoặc sai cấu trúc" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "name", "english", "vietnamese"),
    [
        (
            _docx("<w:document><unclosed>"),
            "van-ban.docx",
            "Cannot read the Word file (.docx): it is damaged or malformed.",
            "tệp hỏng hoặc sai cấu trúc",
        ),
        (
            # ASCII: under 500 KB, the test client encodes the upload in memory.
            ("Van ban. " * 50_000).encode(),
            "van-ban.txt",
            f"The text is too long (450,000 characters; at most {MAX_CHARS:,}).",
            "Văn bản quá dài (450.000 ký tự; tối đa 400.000).",
        ),
    ],
    ids=["malformed", "long-text"],
)
def test_import_refusals_in_english(client, auth, data, name, english, vietnamese):
    """An English reader is refused in English, numbers written the English way; outside
    a request (the command line without TRACKER_LANG) the refusal is Vietnamese."""
    auth.login("vanphong")
    response = client.post(
        "/directives/import?lang=en",
        data={
            "csrf_token": csrf_token(client, "/directives/import?lang=en"),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert english in page
    assert vietnamese not in page
    with pytest.raises(NotADirective, match=re.escape(vietnamese)):
        read_bytes(data, name)


@pytest.mark.slow
def test_parser_is_linear_in_a_long_text(session):
    gazetteer = gazetteer_from_session(session)
    sentence = (
        "Sở Y tế báo cáo về tình hình, gửi về Sở Nội vụ và Ban Dân tộc tỉnh, Hội Nông dân tỉnh; "
    )
    text = "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 1/UBND-VX\n\n1. " + sentence * (
        300_000 // len(sentence)
    )
    # CPU time, not wall time: other work on the machine does not count against it.
    start = time.process_time()
    parse_text(text, gazetteer)
    # Linear takes about half a second here; the old quadratic matcher took over seven.
    assert time.process_time() - start < 5
