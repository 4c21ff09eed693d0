"""Evidence files: type sniffing and the content-addressed store (no app, no database)."""

import hashlib
import io
import os
import stat
import struct
import time
import unicodedata
import zipfile
import zlib
from functools import partial
from pathlib import Path

import pytest

from tracker.evidence.sniff import (
    DOCX_MIME,
    MARKUP_MESSAGE,
    ODS_MIME,
    ODT_MIME,
    POLYGLOT_MESSAGE,
    UNSUPPORTED_MESSAGE,
    XLSX_MIME,
    SniffResult,
    UnsupportedFile,
    sniff_file,
)
from tracker.evidence.storage import (
    EmptyFile,
    EvidenceStore,
    FileTooLarge,
    StoredBlob,
    safe_download_name,
)

# --- Sample files, built from bytes -------------------------------------------------


def make_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref_offset = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    body += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return body


def png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def make_png(width: int = 1, height: int = 1, *, pixels: bool = True) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    image = b""
    if pixels:
        rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
        image = png_chunk(b"IDAT", zlib.compress(rows))
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + image + png_chunk(b"IEND", b"")


def make_jpeg(width: int = 1, height: int = 1) -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return (
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", len(app0) + 2)
        + app0
        + b"\xff\xc0"
        + struct.pack(">H", len(frame) + 2)
        + frame
        + b"\xff\xd9"
    )


GIF_1X1 = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP_1X1 = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\r\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88"
    b"\xfe\x07\x00"
)


def make_webp_canvas(width: int, height: int) -> bytes:
    data = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    data += (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def make_zip(members, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def content_types(*overrides: tuple[str, str]) -> str:
    parts = "".join(
        f'<Override PartName="{part}" ContentType="{content_type}"/>'
        for part, content_type in overrides
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{parts}</Types>"
    )


def package_relationships(target: str) -> str:
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="{target}"/>'
        "</Relationships>"
    )


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCUMENT_XML = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Báo cáo kết quả thực hiện</w:t></w:r></w:p></w:body>"
    "</w:document>"
)


def docx_members(main_content_type: str = DOCX_MAIN) -> list[tuple[str, str]]:
    return [
        ("[Content_Types].xml", content_types(("/word/document.xml", main_content_type))),
        ("_rels/.rels", package_relationships("word/document.xml")),
        ("word/document.xml", DOCUMENT_XML),
    ]


def make_docx(*, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    return make_zip(docx_members(), compression=compression)


def make_xlsx() -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return make_zip(
        [
            (
                "[Content_Types].xml",
                content_types(
                    (
                        "/xl/workbook.xml",
                        "application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet.main+xml",
                    ),
                    (
                        "/xl/worksheets/sheet1.xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
                    ),
                ),
            ),
            ("_rels/.rels", package_relationships("xl/workbook.xml")),
            (
                "xl/workbook.xml",
                f'<workbook xmlns="{main}" xmlns:r="{RELATIONSHIPS}"><sheets>'
                '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
            ),
            (
                "xl/_rels/workbook.xml.rels",
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships"><Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
                'Target="worksheets/sheet1.xml"/></Relationships>',
            ),
            (
                "xl/worksheets/sheet1.xml",
                f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                "<is><t>Tiến độ</t></is></c></row></sheetData></worksheet>",
            ),
        ]
    )


def make_odf(mimetype: str) -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    manifest = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The ODF rule: "mimetype" first and stored uncompressed.
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            f'<manifest:manifest xmlns:manifest="{manifest}" manifest:version="1.2">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>',
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "content.xml",
            f'<office:document-content xmlns:office="{office}" office:version="1.2">'
            "<office:body/></office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


TEXT = "Báo cáo tiến độ: đã hoàn thành 80%.\nNgười thực hiện: Nguyễn Văn A\n".encode()
CSV = "\ufeffSTT,Nội dung,Trạng thái\n1,Rà soát,Đã xong\n".encode()
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def write(tmp_path: Path, data: bytes) -> Path:
    # The path's own name is irrelevant: only the bytes and the original name count.
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return path


def refusal(tmp_path: Path, data: bytes, name: str, **options) -> str:
    with pytest.raises(UnsupportedFile) as caught:
        sniff_file(write(tmp_path, data), name, **options)
    return str(caught.value)


# --- Sniffing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (make_pdf(), "Báo cáo.pdf", "application/pdf"),
        (make_png(), "anh.png", "image/png"),
        (make_jpeg(), "anh.jpg", "image/jpeg"),
        (make_jpeg(), "anh.jpeg", "image/jpeg"),
        (GIF_1X1, "anh.gif", "image/gif"),
        (WEBP_1X1, "anh.webp", "image/webp"),
        (make_docx(), "van-ban.docx", DOCX_MIME),
        (make_xlsx(), "bang.xlsx", XLSX_MIME),
        (make_odf(ODT_MIME), "van-ban.odt", ODT_MIME),
        (make_odf(ODS_MIME), "bang.ods", ODS_MIME),
        (TEXT, "ghi-chu.txt", "text/plain; charset=utf-8"),
        (CSV, "so-lieu.csv", "text/csv; charset=utf-8"),
        (b"<3 c\xe1\xba\xa3m \xc6\xa1n, a < b\n", "ghi-chu.txt", "text/plain; charset=utf-8"),
    ],
)
def test_sniff_file_accepts_allowed_type(tmp_path, data, name, mime):
    result = sniff_file(write(tmp_path, data), name)

    assert result == SniffResult(mime=mime, extension="." + name.rsplit(".", 1)[1])


def test_sniff_file_normalises_extension_from_client_path(tmp_path):
    result = sniff_file(write(tmp_path, make_pdf()), "C:\\Tài liệu\\BÁO CÁO.PDF")

    assert result.extension == ".pdf"


def test_sniff_file_decodes_characters_split_across_chunks(tmp_path):
    data = "ệ".encode() * 50_000  # 150,000 bytes: 3-byte characters straddle 64 KiB chunks

    assert sniff_file(write(tmp_path, data), "dai.txt").mime.startswith("text/plain")


def test_sniff_file_refuses_html_renamed_pdf(tmp_path):
    message = refusal(tmp_path, HTML, "bao-cao.pdf")

    assert message == "Nội dung tệp không khớp với phần mở rộng .pdf."


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hinh.svg", UNSUPPORTED_MESSAGE),
        ("hinh.png", "Nội dung tệp không khớp với phần mở rộng .png."),
        ("hinh.txt", MARKUP_MESSAGE),
    ],
)
def test_sniff_file_refuses_svg(tmp_path, name, expected):
    assert refusal(tmp_path, SVG, name) == expected


@pytest.mark.parametrize(
    "data",
    [
        HTML,
        b"\xef\xbb\xbf \r\n\t<!doctype html><p>x</p>",
        b"<HTML><body>x</body></HTML>",
        b"<?xml version='1.0'?><root/>",
        b"  <script>alert(1)</script>",
        b"\n\n<p>hi</p>",
        b"<!-- comment --><b>x</b>",
        b"<svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>",
    ],
)
def test_sniff_file_refuses_markup_as_text(tmp_path, data):
    assert refusal(tmp_path, data, "ghi-chu.txt") == MARKUP_MESSAGE


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(64), "setup.exe", UNSUPPORTED_MESSAGE),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(64), "setup.pdf", ".pdf"),
        (make_pdf(), "khong-co-duoi", UNSUPPORTED_MESSAGE),
        (make_pdf(), ".pdf", UNSUPPORTED_MESSAGE),
        (make_pdf(), "bao-cao.pdf.exe", UNSUPPORTED_MESSAGE),
        (make_pdf(), "bao-cao.html", UNSUPPORTED_MESSAGE),
    ],
)
def test_sniff_file_refuses_unsupported_name_or_binary(tmp_path, data, name, expected):
    assert expected in refusal(tmp_path, data, name)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (make_pdf(), "van-ban.docx"),
        (make_pdf(), "ghi-chu.txt"),
        (make_png(), "anh.jpg"),
        (make_jpeg(), "anh.png"),
        (make_docx(), "bang.xlsx"),
        (make_xlsx(), "van-ban.docx"),
        (make_odf(ODT_MIME), "bang.ods"),
        (make_docx(), "van-ban.odt"),
        (TEXT, "bao-cao.pdf"),
        (GIF_1X1, "anh.webp"),
    ],
)
def test_sniff_file_refuses_mismatched_extension(tmp_path, data, name):
    extension = "." + name.rsplit(".", 1)[1]

    assert refusal(tmp_path, data, name) == (
        f"Nội dung tệp không khớp với phần mở rộng {extension}."
    )


@pytest.mark.parametrize("prefix", [make_pdf(), make_png()], ids=["pdf", "png"])
def test_sniff_file_refuses_zip_polyglot(tmp_path, prefix):
    name = "bao-cao.pdf" if prefix.startswith(b"%PDF") else "anh.png"

    assert refusal(tmp_path, prefix + make_docx(), name) == POLYGLOT_MESSAGE


@pytest.mark.parametrize(
    "members",
    [
        [("readme.txt", "xin chào")],
        [("[Content_Types].xml", content_types()), ("_rels/.rels", "<Relationships/>")],
        docx_members("application/vnd.ms-word.document.macroEnabled.main+xml"),
        [*docx_members(), ("mimetype", ODT_MIME), ("content.xml", "<x/>")],
        [("mimetype", "application/zip"), ("content.xml", "<x/>")],
        [("mimetype", ODT_MIME)],
    ],
    ids=["plain-zip", "no-main-part", "macro-enabled", "ooxml-and-odf", "odf-wrong", "no-body"],
)
def test_sniff_file_refuses_zip_that_is_not_office_document(tmp_path, members):
    name = "van-ban.odt" if ("mimetype", ODT_MIME) in members else "van-ban.docx"

    assert "không khớp" in refusal(tmp_path, make_zip(members), name)


def test_sniff_file_refuses_zip_with_too_many_members(tmp_path):
    members = docx_members() + [(f"word/media/{index}.bin", b"") for index in range(10_000)]

    assert "quá nhiều thành phần" in refusal(tmp_path, make_zip(members), "van-ban.docx")


def test_sniff_file_refuses_zip_over_default_unzipped_size(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in docx_members():
            archive.writestr(name, data)
        with archive.open("word/media/zeros.bin", "w") as member:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                member.write(zeros)
            member.write(b"\x00")  # 200 MiB + 1 byte, about 200 KiB compressed
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024

    assert "vượt quá 200 MB" in refusal(tmp_path, data, "van-ban.docx")


def test_sniff_file_refuses_zip_over_configured_unzipped_size(tmp_path):
    data = make_zip([*docx_members(), ("word/media/zeros.bin", bytes(2 * 1024 * 1024))])

    message = refusal(tmp_path, data, "van-ban.docx", max_unzipped_bytes=1024 * 1024)

    assert "vượt quá 1 MB" in message
    assert sniff_file(write(tmp_path, data), "van-ban.docx").mime == DOCX_MIME


def test_sniff_file_checks_declared_size_before_decompressing(tmp_path):
    data = bytearray(make_docx())
    # Declare a huge size in the central directory only; the data stays small.
    directory = data.rindex(b"PK\x01\x02")  # the last central directory entry
    struct.pack_into("<I", data, directory + 24, 0xFFFF_0000)

    assert "vượt quá" in refusal(tmp_path, bytes(data), "van-ban.docx")


def test_sniff_file_refuses_encrypted_zip(tmp_path):
    # zipfile cannot encrypt: set the "encrypted" flag bit of every header instead.
    data = bytearray(make_docx())
    for signature, flags_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flags_offset] |= 0x01
            start = data.find(signature, start + 4)

    assert "mật khẩu" in refusal(tmp_path, bytes(data), "van-ban.docx")


def corrupt_crc() -> bytes:
    data = make_docx(compression=zipfile.ZIP_STORED)
    text = "kết quả".encode()
    assert data.count(text) == 1
    damaged = "kết quạ".encode()
    assert len(damaged) == len(text)  # same length: only the CRC can tell
    return data.replace(text, damaged)


def duplicate_names() -> bytes:
    with pytest.warns(UserWarning, match="Duplicate name"):
        return make_zip([*docx_members(), ("word/document.xml", "<w:document/>")])


@pytest.mark.parametrize(
    "data",
    [
        make_docx()[: len(make_docx()) // 2],
        make_docx()[:-10],
        corrupt_crc(),
        duplicate_names,
    ],
    ids=["truncated-half", "truncated-directory", "crc-mismatch", "duplicate-names"],
)
def test_sniff_file_refuses_corrupt_zip(tmp_path, data):
    if callable(data):
        data = data()

    assert refusal(tmp_path, data, "van-ban.docx") == "Tệp bị hỏng hoặc không đọc được."


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (make_png(100_000, 100_000, pixels=False), "anh.png"),
        (make_jpeg(9_460, 9_460), "anh.jpg"),  # one row over the limit
        (make_jpeg(20_000, 20_000), "anh.jpeg"),
        (GIF_1X1[:6] + struct.pack("<HH", 65_535, 65_535) + GIF_1X1[10:], "anh.gif"),
        (make_webp_canvas(16_384, 16_384), "anh.webp"),
    ],
)
def test_sniff_file_refuses_image_with_too_many_pixels(tmp_path, data, name):
    assert refusal(tmp_path, data, name).startswith("Ảnh quá lớn")


def test_sniff_file_accepts_image_at_pixel_limit(tmp_path):
    assert sniff_file(write(tmp_path, make_jpeg(9_459, 9_459)), "anh.jpg").mime == "image/jpeg"


@pytest.mark.parametrize(
    "data",
    [TEXT[:10] + b"\x00" + TEXT[10:], "Báo cáo".encode("cp1258"), b"\xe1\xba"],
    ids=["nul-byte", "not-utf8", "truncated-utf8"],
)
def test_sniff_file_refuses_binary_as_text(tmp_path, data):
    assert refusal(tmp_path, data, "ghi-chu.txt") == (
        "Nội dung tệp không khớp với phần mở rộng .txt."
    )


# --- Store --------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if not path.is_dir())


class CountingStream(io.RawIOBase):
    """An endless stream of zero bytes that counts what was read from it."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the store must read in bounded chunks"
        self.bytes_read += size
        return bytes(size)


class FailingStream(io.BytesIO):
    """Delivers some bytes, then fails like a dropped connection."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 0:
            raise OSError("connection reset")
        return super().read(size)


def test_save_stream_stores_file_by_sha256(store):
    data = make_pdf()

    blob, validated = store.save_stream(io.BytesIO(data), max_bytes=1024 * 1024)

    sha256 = hashlib.sha256(data).hexdigest()
    assert blob == StoredBlob(sha256=sha256, size=len(data), path=store.path_for(sha256))
    assert blob.path == store.root / sha256[:2] / sha256
    assert blob.path.read_bytes() == data
    assert validated is None
    assert stat.S_IMODE(blob.path.stat().st_mode) == 0o640
    assert stat.S_IMODE(blob.path.parent.stat().st_mode) == 0o750
    assert stored_files(store.root) == [blob.path]
    assert store.exists(sha256)


def test_save_stream_streams_in_chunks_larger_than_one(store):
    data = os.urandom(200_000)  # several 64 KiB chunks

    blob, _ = store.save_stream(io.BytesIO(data), max_bytes=len(data))

    assert blob.size == len(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.path.read_bytes() == data


def test_save_stream_accepts_exactly_max_bytes(store):
    blob, _ = store.save_stream(io.BytesIO(b"x" * 1000), max_bytes=1000)

    assert blob.size == 1000


def test_save_stream_refuses_one_byte_over_max_bytes(store):
    with pytest.raises(FileTooLarge) as caught:
        store.save_stream(io.BytesIO(b"x" * 1001), max_bytes=1000)

    assert caught.value.max_bytes == 1000
    assert "MB" in str(caught.value)
    assert store.root.is_dir()
    assert list(store.root.iterdir()) == []


def test_save_stream_stops_reading_past_max_bytes(store):
    stream = CountingStream()

    with pytest.raises(FileTooLarge):
        store.save_stream(stream, max_bytes=300_000)

    assert stream.bytes_read == 300_001
    assert stored_files(store.root) == []


def test_file_too_large_names_limit_in_megabytes():
    assert str(FileTooLarge(20 * 1024 * 1024)) == ("Tệp vượt quá dung lượng cho phép (20 MB).")
    assert "(2,5 MB)" in str(FileTooLarge(5 * 512 * 1024))


def test_save_stream_refuses_empty_file(store):
    with pytest.raises(EmptyFile):
        store.save_stream(io.BytesIO(b""), max_bytes=1000)

    assert stored_files(store.root) == []


def test_save_stream_validates_complete_temp_file_in_root(store):
    seen = {}

    def validate(path: Path) -> str:
        seen["parent"] = path.parent
        seen["name"] = path.name
        seen["data"] = path.read_bytes()
        return "ok"

    blob, validated = store.save_stream(io.BytesIO(TEXT), max_bytes=1000, validate=validate)

    assert validated == "ok"
    assert seen["parent"] == store.root
    assert seen["name"].startswith(".upload-")
    assert seen["data"] == TEXT
    assert not (store.root / seen["name"]).exists()
    assert blob.path.read_bytes() == TEXT


def test_save_stream_leaves_nothing_when_validate_raises(store):
    validate = partial(sniff_file, original_name="bao-cao.pdf")

    with pytest.raises(UnsupportedFile):
        store.save_stream(io.BytesIO(HTML), max_bytes=1000, validate=validate)

    assert stored_files(store.root) == []


def test_save_stream_returns_sniff_result(store):
    validate = partial(sniff_file, original_name="van-ban.docx")

    blob, result = store.save_stream(io.BytesIO(make_docx()), max_bytes=10**6, validate=validate)

    assert result == SniffResult(mime=DOCX_MIME, extension=".docx")
    assert store.verify(blob.sha256)


def test_save_stream_leaves_nothing_when_stream_fails(store):
    stream = FailingStream(b"x" * 200_000)

    with pytest.raises(OSError, match="connection reset"):
        store.save_stream(stream, max_bytes=10**6)

    assert stored_files(store.root) == []


def test_save_stream_stores_same_content_once(store):
    first, _ = store.save_stream(io.BytesIO(TEXT), max_bytes=1000)
    second, _ = store.save_stream(io.BytesIO(TEXT), max_bytes=1000)

    assert first == second
    assert stored_files(store.root) == [first.path]


def test_save_stream_replaces_stored_copy_of_wrong_size(store):
    blob, _ = store.save_stream(io.BytesIO(TEXT), max_bytes=1000)
    blob.path.write_bytes(TEXT[:5])

    store.save_stream(io.BytesIO(TEXT), max_bytes=1000)

    assert store.verify(blob.sha256)


@pytest.mark.parametrize(
    "sha256",
    [
        "A" * 64,
        "a" * 63,
        "a" * 65,
        "../" + "a" * 61,
        "a" * 64 + "\n",
        "g" * 64,
        "",
    ],
)
def test_path_for_refuses_invalid_hash(store, sha256):
    with pytest.raises(ValueError, match="SHA-256"):
        store.path_for(sha256)


def test_verify_detects_tampered_file(store):
    blob, _ = store.save_stream(io.BytesIO(TEXT), max_bytes=1000)
    assert store.verify(blob.sha256)

    tampered = bytearray(blob.path.read_bytes())
    tampered[0] ^= 0x01
    blob.path.write_bytes(bytes(tampered))

    assert not store.verify(blob.sha256)


def test_verify_reports_missing_file(store):
    blob, _ = store.save_stream(io.BytesIO(TEXT), max_bytes=1000)
    blob.path.unlink()

    assert not store.verify(blob.sha256)
    assert not store.exists(blob.sha256)


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep_orphans_removes_orphans_and_keeps_known(store):
    known, _ = store.save_stream(io.BytesIO(b"known"), max_bytes=1000)
    orphan, _ = store.save_stream(io.BytesIO(b"orphan"), max_bytes=1000)
    fresh_orphan, _ = store.save_stream(io.BytesIO(b"just uploaded"), max_bytes=1000)
    stale_temp = store.root / ".upload-stale"
    stale_temp.write_bytes(b"partial")
    fresh_temp = store.root / ".upload-fresh"
    fresh_temp.write_bytes(b"in progress")
    unrelated = store.root / "README"
    unrelated.write_bytes(b"not ours")
    for path in (known.path, orphan.path, stale_temp, unrelated):
        age(path, 2 * 60 * 60)

    removed = store.sweep_orphans({known.sha256})

    assert sorted(removed) == sorted([orphan.path, stale_temp])
    assert stored_files(store.root) == sorted(
        [known.path, fresh_orphan.path, fresh_temp, unrelated]
    )


def test_sweep_orphans_spares_old_blob_uploaded_again(store):
    blob, _ = store.save_stream(io.BytesIO(TEXT), max_bytes=1000)
    age(blob.path, 2 * 60 * 60)

    store.save_stream(io.BytesIO(TEXT), max_bytes=1000)  # its new row is not committed yet

    assert store.sweep_orphans(set()) == []
    assert store.exists(blob.sha256)


def test_sweep_orphans_handles_missing_root(store):
    assert store.sweep_orphans(set()) == []


# --- Download name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a\r\nb.pdf", "ab.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("/etc/passwd", "etc_passwd"),
        ("Quyết định 12/2024.pdf", "Quyết định 12_2024.pdf"),
        ("Báo cáo tiến độ.docx", "Báo cáo tiến độ.docx"),
        (unicodedata.normalize("NFD", "Đề án.pdf"), "Đề án.pdf"),
        ("\u202egpj.exe", "gpj.exe"),
        ("bao\x00cao\x1b.pdf\t", "baocao.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("", "tai-lieu"),
        ("\r\n\x00", "tai-lieu"),
        ("../..", "tai-lieu"),
    ],
)
def test_safe_download_name_sanitises(name, expected):
    assert safe_download_name(name) == expected


def test_safe_download_name_shortens_keeping_extension():
    result = safe_download_name("Báo cáo " * 50 + ".xlsx")

    assert len(result) <= 150
    assert result.startswith("Báo cáo")
    assert result.endswith(".xlsx")


def test_partial_uploads_of_dead_processes_go_at_start_up(store, tmp_path):
    """A kill -9 mid-upload leaves a temporary file named after its process; the next
    start removes it at once, while a live process's upload is left alone."""
    import subprocess
    import sys

    from tracker import create_app
    from tracker.evidence.storage import _writer_prefix

    store.save_stream(io.BytesIO(b"stored"), max_bytes=1000)  # makes the folder
    dead = subprocess.run(  # a process that has ended: its pid is free
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    prefix = _writer_prefix()
    own_pid = prefix.rsplit("-", 2)[-2]
    partial = store.root / (prefix.replace(f"-{own_pid}-", f"-{dead}-") + "abc")
    partial.write_bytes(b"half an upload")
    alive = store.root / (prefix + "def")
    alive.write_bytes(b"being written")
    other_host = store.root / f".upload-another-host-{dead}-ghi"
    other_host.write_bytes(b"not ours to judge")

    create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x",
                "EVIDENCE_DIR": str(store.root)})  # fmt: skip

    assert not partial.exists()
    assert alive.exists() and other_host.exists()
