"""Decide an uploaded file's type from its bytes, never from the client's name or type.

A file is accepted only when its content is recognised as one of the allowed types AND
the extension of its original name is allowed for that type. Anything else raises
`UnsupportedFile`, whose message is Vietnamese and meant to be shown to the user.

What is refused (SECURITY.md items 13 and 14):

- HTML, SVG and XML, also when renamed (to .pdf, .txt, ...);
- polyglots: a PDF or image that is also a readable ZIP archive, content whose type
  does not match its extension (``%PDF-`` named ``.docx``), a ZIP that is not an office
  document;
- ZIP bombs: more than `MAX_ZIP_MEMBERS` members or a declared uncompressed total above
  the limit, checked from the central directory before any member is read (the zipfile
  module never returns more bytes than a member declares);
- encrypted, corrupt (CRC mismatch, truncated) or ambiguous (duplicate names) ZIPs;
- images whose header declares more than `MAX_IMAGE_PIXELS` pixels (Pillow's default
  limit), so that a later thumbnailer cannot be bombed. Images are otherwise checked by
  their magic bytes only; Pillow is not a dependency.
"""

import codecs
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import BinaryIO, Final

from flask_babel import gettext as _

from tracker.i18n import N_

MAX_ZIP_MEMBERS: Final = 10_000
MAX_UNZIPPED_BYTES: Final = 200 * 1024 * 1024
#: Pillow's default `Image.MAX_IMAGE_PIXELS`.
MAX_IMAGE_PIXELS: Final = 89_478_485

UNSUPPORTED_MESSAGE: Final = N_(
    "Định dạng tệp không được hỗ trợ: chỉ nhận PDF, ảnh (PNG, JPEG, GIF, WebP), Word, "
    "Excel, OpenDocument hoặc văn bản thuần."
)
MARKUP_MESSAGE: Final = N_("Tệp văn bản có nội dung HTML, SVG hoặc XML nên không được chấp nhận.")
POLYGLOT_MESSAGE: Final = N_(
    "Tệp chứa lồng ghép nhiều định dạng (ví dụ PDF kèm tệp nén) nên không được chấp nhận."
)
CORRUPT_MESSAGE: Final = N_("Tệp bị hỏng hoặc không đọc được.")
ENCRYPTED_MESSAGE: Final = N_(
    "Tệp được mã hoá hoặc đặt mật khẩu; vui lòng tải lên bản không đặt mật khẩu."
)

_CHUNK_SIZE: Final = 64 * 1024
_HEAD_SIZE: Final = 64
_MAX_MEMBER_READ: Final = 1024 * 1024
_ZIP_FLAG_ENCRYPTED: Final = 0x1


class UnsupportedFile(ValueError):  # noqa: N818 (name fixed by the module API)
    """The file is refused; the message is Vietnamese, shown to the user."""


class Kind(StrEnum):
    """What the bytes of a file were recognised as."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"
    ODS = "ods"
    TEXT = "text"
    #: HTML, SVG or XML: recognised, never allowed.
    MARKUP = "markup"


@dataclass(frozen=True)
class AllowedType:
    kind: Kind
    mime: str


@dataclass(frozen=True)
class SniffResult:
    #: The MIME type to store and to send in Content-Type on download.
    mime: str
    #: The lower-case extension of the original name, with its dot (".pdf").
    extension: str


DOCX_MIME: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT_MIME: Final = "application/vnd.oasis.opendocument.text"
ODS_MIME: Final = "application/vnd.oasis.opendocument.spreadsheet"

#: Extension of the original name -> the only type its content may be.
ALLOWED: Final = MappingProxyType(
    {
        ".pdf": AllowedType(Kind.PDF, "application/pdf"),
        ".png": AllowedType(Kind.PNG, "image/png"),
        ".jpg": AllowedType(Kind.JPEG, "image/jpeg"),
        ".jpeg": AllowedType(Kind.JPEG, "image/jpeg"),
        ".gif": AllowedType(Kind.GIF, "image/gif"),
        ".webp": AllowedType(Kind.WEBP, "image/webp"),
        ".docx": AllowedType(Kind.DOCX, DOCX_MIME),
        ".xlsx": AllowedType(Kind.XLSX, XLSX_MIME),
        ".odt": AllowedType(Kind.ODT, ODT_MIME),
        ".ods": AllowedType(Kind.ODS, ODS_MIME),
        ".txt": AllowedType(Kind.TEXT, "text/plain; charset=utf-8"),
        ".csv": AllowedType(Kind.TEXT, "text/csv; charset=utf-8"),
    }
)

# The main part's content type in [Content_Types].xml; the macro-enabled variants
# (.docm, .xlsm) declare other types and are therefore refused.
_DOCX_MAIN_PART: Final = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_XLSX_MAIN_PART: Final = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
_ODF_KINDS: Final = MappingProxyType({ODT_MIME.encode(): Kind.ODT, ODS_MIME.encode(): Kind.ODS})

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURE: Final = b"PK\x03\x04"
# Text that browsers would sniff as markup (the WHATWG sniffing list, plus SVG/MathML).
_MARKUP_START: Final = re.compile(
    r"<!doctype|<!--|<\?xml"
    r"|<(?:html|head|body|script|iframe|style|title|table|div|font|h1|br|a|b|p|svg|math)"
    r"(?:[\s/>:]|$)",
    re.IGNORECASE,
)
_MARKUP_LOOKAHEAD: Final = 32
# JPEG start-of-frame markers: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
_JPEG_SOF_MARKERS: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE_MARKERS: Final = frozenset({0x01, *range(0xD0, 0xD8)})
_JPEG_MAX_SEGMENTS: Final = 1_000


def sniff_file(
    path: Path, original_name: str, *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
) -> SniffResult:
    """Return the type of the file at `path`, or raise `UnsupportedFile`.

    `original_name` is the client's file name; only its extension is used, and it must
    be allowed for the type recognised from the bytes.
    """
    extension = _extension(original_name)
    allowed = ALLOWED.get(extension)
    if allowed is None:
        raise UnsupportedFile(_(UNSUPPORTED_MESSAGE))
    kind = _detect(path, max_unzipped_bytes)
    if kind is not allowed.kind:
        if kind is Kind.MARKUP and allowed.kind is Kind.TEXT:
            raise UnsupportedFile(_(MARKUP_MESSAGE))
        raise UnsupportedFile(
            _("Nội dung tệp không khớp với phần mở rộng %(extension)s.", extension=extension)
        )
    return SniffResult(mime=allowed.mime, extension=extension)


def _extension(original_name: str) -> str:
    base = original_name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    return PurePosixPath(base).suffix.lower()


def _detect(path: Path, max_unzipped_bytes: int) -> Kind | None:
    """Recognise the content; None when it is none of the known kinds."""
    with path.open("rb") as file:
        head = file.read(_HEAD_SIZE)
        kind = _magic_kind(head, file)
        if kind is None and not head.startswith(_ZIP_SIGNATURE):
            return _text_kind(file)
    if kind is None:
        return _zip_kind(path, max_unzipped_bytes)
    if zipfile.is_zipfile(path):
        raise UnsupportedFile(_(POLYGLOT_MESSAGE))
    return kind


def _magic_kind(head: bytes, file: BinaryIO) -> Kind | None:
    """PDF and images by their magic bytes, refusing images with too many pixels."""
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(_PNG_SIGNATURE):
        _check_pixels(_png_size(head))
        return Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        _check_pixels(_jpeg_size(file))
        return Kind.JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        _check_pixels(_gif_size(head))
        return Kind.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        _check_pixels(_webp_size(head))
        return Kind.WEBP
    return None


def _text_kind(file: BinaryIO) -> Kind | None:
    """UTF-8 (an optional BOM allowed) without NUL bytes is text, unless it starts as markup."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    start = ""
    try:
        while chunk := file.read(_CHUNK_SIZE):
            if b"\x00" in chunk:
                return None
            text = decoder.decode(chunk)
            if len(start) < _MARKUP_LOOKAHEAD:
                start = (start + text).lstrip()[:_MARKUP_LOOKAHEAD]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if _MARKUP_START.match(start):
        return Kind.MARKUP
    return Kind.TEXT


def _zip_kind(path: Path, max_unzipped_bytes: int) -> Kind | None:
    """Check a ZIP against bombs and corruption, then recognise an office document."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise UnsupportedFile(
                    _(
                        "Tệp nén có quá nhiều thành phần (tối đa %(count)s).",
                        count=_thousands(MAX_ZIP_MEMBERS),
                    )
                )
            if sum(member.file_size for member in members) > max_unzipped_bytes:
                raise UnsupportedFile(
                    _(
                        "Tệp nén khi giải nén vượt quá %(size)s MB.",
                        size=_thousands(max_unzipped_bytes // (1024 * 1024)),
                    )
                )
            if any(member.flag_bits & _ZIP_FLAG_ENCRYPTED for member in members):
                raise UnsupportedFile(_(ENCRYPTED_MESSAGE))
            names = {member.filename for member in members}
            if len(names) != len(members):
                raise UnsupportedFile(CORRUPT_MESSAGE)
            # Every member's CRC, reading at most the declared sizes checked above.
            if archive.testzip() is not None:
                raise UnsupportedFile(CORRUPT_MESSAGE)
            return _office_kind(archive, names)
    except UnsupportedFile:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        # zipfile raises this for a compression method it cannot read: refuse the file.
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
        struct.error,
    ) as error:
        raise UnsupportedFile(CORRUPT_MESSAGE) from error


def _office_kind(archive: zipfile.ZipFile, names: set[str]) -> Kind | None:
    is_ooxml = "[Content_Types].xml" in names
    is_odf = "mimetype" in names
    if is_ooxml == is_odf:
        return None
    if is_odf:
        if "content.xml" not in names:
            return None
        return _ODF_KINDS.get(_read_member(archive, "mimetype").strip())
    has_word = any(name.startswith("word/") for name in names)
    has_xl = any(name.startswith("xl/") for name in names)
    content_types = _read_member(archive, "[Content_Types].xml")
    if has_word and not has_xl and _DOCX_MAIN_PART in content_types:
        return Kind.DOCX
    if has_xl and not has_word and _XLSX_MAIN_PART in content_types:
        return Kind.XLSX
    return None


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        data = member.read(_MAX_MEMBER_READ + 1)
    if len(data) > _MAX_MEMBER_READ:
        return b""
    return data


def _check_pixels(size: tuple[int, int] | None) -> None:
    if size is None:
        return
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise UnsupportedFile(
            _(
                "Ảnh quá lớn (%(width)s × %(height)s điểm ảnh; tối đa %(most)s điểm ảnh).",
                width=_thousands(width),
                height=_thousands(height),
                most=_thousands(MAX_IMAGE_PIXELS),
            )
        )


def _png_size(head: bytes) -> tuple[int, int]:
    # The IHDR chunk must come first: length (13), type, width, height.
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise UnsupportedFile(CORRUPT_MESSAGE)
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _gif_size(head: bytes) -> tuple[int, int] | None:
    if len(head) < 10:
        return None
    width, height = struct.unpack("<HH", head[6:10])
    return width, height


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg_size(file: BinaryIO) -> tuple[int, int] | None:
    """Width and height from the first start-of-frame segment, None if not found."""
    file.seek(2)
    for _segment in range(_JPEG_MAX_SEGMENTS):
        if file.read(1) != b"\xff":
            return None
        marker = file.read(1)
        for _fill in range(64):  # optional fill bytes
            if marker != b"\xff":
                break
            marker = file.read(1)
        if not marker:
            return None
        code = marker[0]
        if code in _JPEG_STANDALONE_MARKERS:
            continue
        length_bytes = file.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if code in _JPEG_SOF_MARKERS:
            frame = file.read(5)
            if len(frame) < 5:
                return None
            _precision, height, width = struct.unpack(">BHH", frame)
            return width, height
        if code == 0xDA or length < 2:  # start of scan before any frame header
            return None
        file.seek(length - 2, os.SEEK_CUR)
    return None


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")
