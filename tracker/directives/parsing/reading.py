"""Reading a directive's file: UTF-8 text, .docx (python-docx), PDF with a text layer
(pypdf); with `ocr`, also scans (a PDF without a usable text layer, PNG, JPEG, TIFF) by
OCR (`tracker.directives.parsing.ocr`)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask_babel import gettext as _

from tracker.directives.parsing import ocr as ocr_reader
from tracker.directives.parsing.source import NotADirective, too_long

MAX_BYTES = 20 * 1024 * 1024
#: The longest text a directive may have (a few hundred pages); the parser is linear,
#: this bounds its time and memory.
MAX_CHARS = 400_000
MAX_PDF_PAGES = 300
#: A .docx is a ZIP: its parts are checked before anything is decompressed.
MAX_DOCX_MEMBERS = 2_000
MAX_DOCX_UNZIPPED = 60 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
#: PNG, JPEG, TIFF (both byte orders).
IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


class ScanNeedsOcr(NotADirective):
    """A scan, or a text layer a failed OCR left: it is read by OCR where that may run."""


ZIP_MAGIC = b"PK\x03\x04"


def read_bytes(
    data: bytes, name: str = "", *, ocr: bool = False, progress: ocr_reader.Progress | None = None
) -> str:
    """The text of an uploaded or given file; NotADirective for anything that cannot be
    read, its message in the language in force (a request's reader's, else Vietnamese).
    Scans are read by OCR only with `ocr` (it takes seconds a page: never in a request);
    `progress(done, total)` follows its pages."""
    if not data:
        raise NotADirective(_("Tệp rỗng."))
    if len(data) > MAX_BYTES:
        raise NotADirective(
            _("Tệp quá lớn (tối đa %(limit)s MB).", limit=MAX_BYTES // 1024 // 1024)
        )
    if data.startswith(PDF_MAGIC):
        try:
            text = _read_pdf(data)
        except ScanNeedsOcr:
            if not ocr:
                raise
            text = ocr_reader.read_scan(data, pdf=True, progress=progress).text
        return _bounded(text)
    if data.startswith(IMAGE_MAGICS):
        if not ocr:
            raise ScanNeedsOcr(
                _("Ảnh chụp hoặc ảnh quét cần nhận dạng chữ: hãy nhập bằng lệnh tracker import.")
            )
        return _bounded(ocr_reader.read_scan(data, pdf=False, progress=progress).text)
    if data.startswith(ZIP_MAGIC):
        return _bounded(_read_docx(data))
    if name.lower().endswith((".doc", ".xls", ".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif")):
        raise NotADirective(_("Không đọc được tệp: nội dung không khớp với loại tệp."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotADirective(
            _("Tệp văn bản phải ở mã UTF-8 (tệp này không phải UTF-8 hoặc không phải văn bản).")
        ) from None
    if "\x00" in text:
        raise NotADirective(_("Tệp không phải văn bản thuần."))
    return _bounded(text)


def _bounded(text: str) -> str:
    if len(text) > MAX_CHARS:
        raise NotADirective(too_long(len(text), MAX_CHARS))
    return text


def read_path(path: Path, *, ocr: bool = False, progress: ocr_reader.Progress | None = None) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise NotADirective(_("Không tìm thấy tệp %(path)s.", path=path)) from None
    except IsADirectoryError:
        raise NotADirective(_("%(path)s là thư mục, không phải tệp.", path=path)) from None
    except OSError:
        raise NotADirective(_("Không mở được tệp %(path)s.", path=path)) from None
    return read_bytes(data, path.name, ocr=ocr, progress=progress)


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader  # here, not at the top: a text file needs no PDF reader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NotADirective(_("Tệp PDF có mật khẩu; hãy gửi bản không khóa."))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise NotADirective(
                _("Tệp PDF quá nhiều trang (tối đa %(count)s trang).", count=MAX_PDF_PAGES)
            )
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except NotADirective:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise NotADirective(_("Tệp PDF bị hỏng hoặc không đọc được.")) from None
    text = "\f".join(pages)
    if len(text.strip()) < 40:
        raise ScanNeedsOcr(
            _(
                "Tệp PDF không có lớp chữ (bản quét): cần nhận dạng chữ, hãy nhập bằng lệnh"
                " tracker import."
            )
        )
    if ocr_reader.looks_like_failed_ocr(text):
        raise ScanNeedsOcr(
            _(
                "Lớp chữ của tệp PDF do nhận dạng sai (chữ không dấu, số thay chữ): cần nhận"
                " dạng lại, hãy nhập bằng lệnh tracker import."
            )
        )
    return text


def _check_zip(data: bytes) -> None:
    """Member count and uncompressed size, read from the ZIP's directory: a "zip bomb"
    is refused before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise NotADirective(_("Không đọc được tệp Word (.docx).")) from None
    if len(members) > MAX_DOCX_MEMBERS or sum(m.file_size for m in members) > MAX_DOCX_UNZIPPED:
        raise NotADirective(_("Tệp Word quá lớn khi giải nén; hãy lưu lại văn bản rồi gửi."))


def _read_docx(data: bytes) -> str:
    import docx  # here, not at the top: a text file needs no Word reader
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml import etree

    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        etree.LxmlError,
        OSError,
    ):
        raise NotADirective(
            _("Không đọc được tệp Word (.docx): tệp hỏng hoặc sai cấu trúc.")
        ) from None
    lines: list[str] = []
    # Paragraphs and tables in document order; the two-column header is usually a table.
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            lines.append(Paragraph(element, document).text)
        elif element.tag.endswith("}tbl"):
            for row in Table(element, document).rows:
                seen: list[str] = []
                for cell in row.cells:
                    if cell.text not in seen:  # merged cells repeat
                        seen.append(cell.text)
                lines.extend(seen)
    return "\n".join(lines)
