"""Reading scans: PDFs without a usable text layer, and images (PNG, JPEG, TIFF), by OCR
with Tesseract and its Vietnamese model (Debian's `tesseract-ocr` and
`tesseract-ocr-vie`), PDFs rasterised by poppler's `pdftoppm`.

Each page is rasterised at OCR_DPI, straightened (its skew found by the angle whose
rows of ink are sharpest), and read by Tesseract, which gives each word with its
confidence and its box. The text is laid out again from the boxes as `pdftotext -layout`
would: words on one row joined with as many spaces as their gap holds, so the header's
two columns stay two columns on a row ("ỦY BAN NHÂN DÂN      CỘNG HÒA ..."). Words read
with little confidence are kept and listed (the review marks them); figures read with
almost none (a number or day written by pen) become blanks of the same length, for the
office to fill in, rather than guesses.

A scan of more than MAX_OCR_PAGES pages is refused; each page's Tesseract is bounded by
PAGE_SECONDS. Pages are read in parallel, one Tesseract thread each, as many at a time
as the machine has CPUs."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from flask_babel import gettext as _

from tracker.directives.parsing.source import NotADirective

LANGUAGE = "vie"
OCR_DPI = 300
#: Pixels of a page's longer side: A4 (297 mm) at OCR_DPI.
LONG_SIDE = round(297 / 25.4 * OCR_DPI)
MAX_OCR_PAGES = 30
PAGE_SECONDS = 90
#: Below this confidence (0-100) a word is "unsure": the review marks it.
UNSURE = 60
#: Below this, figures are taken for handwriting and left blank.
HANDWRITTEN = 30
#: A gap between words wider than so many letters parts two columns.
COLUMN_GAP = 4
#: The largest skew looked for, in degrees.
MAX_SKEW = 5.0

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int

    @property
    def unsure(self) -> bool:
        return self.confidence < UNSURE


@dataclass
class OcrPage:
    number: int
    text: str
    #: Words read with little confidence, in reading order.
    unsure: list[Word] = field(default_factory=list)
    #: The straightened page as PNG, for the review.
    image: bytes = b""


@dataclass
class OcrResult:
    pages: list[OcrPage]

    @property
    def text(self) -> str:
        return "\f".join(page.text for page in self.pages)


def missing() -> str | None:
    """Why OCR cannot run here (in the user's words), or None when it can."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return _("Máy chủ chưa cài Tesseract (gói tesseract-ocr): không nhận dạng được bản quét.")
    try:
        languages = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        languages = []
    if LANGUAGE not in languages:
        return _("Máy chủ chưa cài mô hình tiếng Việt của Tesseract (gói tesseract-ocr-vie).")
    return None


def read_scan(data: bytes, *, pdf: bool, progress: Progress | None = None) -> OcrResult:
    """The text of a scanned PDF (`pdf`) or of one image; NotADirective when it cannot
    be read. `progress(done, total)` is called after each page."""
    reason = missing()
    if reason:
        raise NotADirective(reason)
    with tempfile.TemporaryDirectory(prefix="tracker-ocr-") as folder:
        workdir = Path(folder)
        images = _rasterise(data, workdir) if pdf else [_image_file(data, workdir)]
        total = len(images)
        pages: list[OcrPage] = []
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            futures = [
                pool.submit(_read_page, index + 1, path, workdir)
                for index, path in enumerate(images)
            ]
            # Progress is told from this thread (the caller's, with its context).
            for future in as_completed(futures):
                pages.append(future.result())
                if progress is not None:
                    progress(len(pages), total)
    return OcrResult(sorted(pages, key=lambda page: page.number))


def check_scan(data: bytes, *, pdf: bool) -> int:
    """How many pages the scan has; NotADirective, at once and cheaply, when it cannot
    be read or has too many (before it waits in the queue)."""
    if pdf:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            count = len(PdfReader(io.BytesIO(data)).pages)
        except (PdfReadError, ValueError, KeyError, TypeError, OSError):
            raise NotADirective(_("Tệp PDF bị hỏng hoặc không đọc được.")) from None
    else:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                count = getattr(image, "n_frames", 1)
                image.verify()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise NotADirective(_("Không đọc được ảnh (PNG, JPEG hoặc TIFF).")) from None
    if count > MAX_OCR_PAGES:
        raise NotADirective(
            _(
                "Bản quét quá nhiều trang để nhận dạng (%(count)s trang, tối đa %(limit)s).",
                count=count,
                limit=MAX_OCR_PAGES,
            )
        )
    return count


def _rasterise(data: bytes, workdir: Path) -> list[Path]:
    count = check_scan(data, pdf=True)
    source = workdir / "scan.pdf"
    source.write_bytes(data)
    prefix = workdir / "page"
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise NotADirective(_("Máy chủ chưa cài pdftoppm (gói poppler-utils)."))
    try:
        subprocess.run(  # noqa: S603 (fixed arguments, our own files, no shell)
            # An A4 page at OCR_DPI, whatever size the PDF says its pages are.
            [
                pdftoppm,
                "-scale-to",
                str(LONG_SIDE),
                "-gray",
                "-png",
                str(source),
                str(prefix),
            ],
            check=True,
            capture_output=True,
            timeout=PAGE_SECONDS * max(count, 1),
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        raise NotADirective(_("Không chuyển được các trang PDF thành ảnh.")) from None
    return sorted(workdir.glob("page-*.png"), key=lambda path: int(path.stem.split("-")[-1]))


def _image_file(data: bytes, workdir: Path) -> Path:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if getattr(image, "n_frames", 1) > MAX_OCR_PAGES:
                raise NotADirective(_("Ảnh có quá nhiều trang."))
            image.seek(0)
            page = image.convert("L")
    except (UnidentifiedImageError, OSError, ValueError):
        raise NotADirective(_("Không đọc được ảnh (PNG, JPEG hoặc TIFF).")) from None
    path = workdir / "page-1.png"
    # A photo or a low-resolution scan is enlarged for Tesseract; a huge one reduced.
    scale = LONG_SIDE / max(page.size)
    if scale < 1 or page.width < 1000:
        page = page.resize((round(page.width * scale), round(page.height * scale)))
    page.save(path)
    return path


def _read_page(number: int, path: Path, workdir: Path) -> OcrPage:
    from PIL import Image

    with Image.open(path) as opened:
        straight = straighten(opened.convert("L"))
    fixed = workdir / f"straight-{number}.png"
    straight.save(fixed)
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    tesseract = shutil.which("tesseract") or "tesseract"
    try:
        found = subprocess.run(  # noqa: S603 (fixed arguments, our own files, no shell)
            [tesseract, str(fixed), "stdout", "-l", LANGUAGE, "--psm", "3", "tsv"],
            check=True,
            capture_output=True,
            text=True,
            timeout=PAGE_SECONDS,
            env=environment,
        ).stdout
    except subprocess.TimeoutExpired:
        raise NotADirective(
            _("Nhận dạng trang %(number)s quá lâu: hãy quét lại rõ hơn.", number=number)
        ) from None
    except (OSError, subprocess.CalledProcessError):
        raise NotADirective(_("Không nhận dạng được trang %(number)s.", number=number)) from None
    lines = words_by_line(found)
    preview = io.BytesIO()
    straight.thumbnail((1240, 1754))
    straight.save(preview, format="PNG", optimize=True)
    return OcrPage(
        number=number,
        text=layout(lines),
        unsure=[word for line in lines for word in line if word.unsure],
        image=preview.getvalue(),
    )


def straighten(image):  # noqa: ANN001, ANN201 (PIL images)
    """The page turned by the skew whose rows of ink are sharpest (the variance of the
    ink per row is largest when lines of text lie level): coarse steps, then fine."""
    import numpy as np

    small = image.copy()
    small.thumbnail((900, 900))
    ink = np.asarray(small) < 128
    if ink.mean() < 0.001:
        return image
    from PIL import Image

    picture = Image.fromarray((~ink).astype("uint8") * 255)

    def sharpness(angle: float) -> float:
        turned = np.asarray(picture.rotate(angle, fillcolor=255)) < 128
        return float(np.var(turned.sum(axis=1)))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 1.0), key=sharpness)
    best = max(np.arange(best - 1.0, best + 1.01, 0.2), key=sharpness)
    if abs(best) < 0.1:
        return image
    return image.rotate(float(best), expand=True, fillcolor=255)


def words_by_line(tsv: str) -> list[list[Word]]:
    """Tesseract's TSV as its lines of words, in its reading order."""
    lines: dict[tuple[str, str, str], list[Word]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            confidence = float(cells[10])
            left, top, width, height = (int(value) for value in cells[6:10])
        except ValueError:
            continue
        text = unicodedata.normalize("NFC", cells[11].strip())
        word = Word(text, confidence, left, top, width, height)
        if not any(_meaningful(char) for char in word.text):
            continue  # a speck read as a mark ("ˆ", "‘")
        lines.setdefault((cells[2], cells[3], cells[4]), []).append(word)
    return list(lines.values())


def _meaningful(char: str) -> bool:
    """A letter, a digit or the punctuation of a reference: not a modifier mark."""
    category = unicodedata.category(char)
    return (category[0] in "LN" and category != "Lm") or char in "/-–:;,.()"


FIGURE = re.compile(r"\d")


#: A word of figures alone (and their punctuation): a number or a day.
FIGURES = re.compile(r"[\d/.,-]*\d[\d/.,-]*")


def _written(word: Word) -> str:
    """A word as the text gives it: figures read with almost no confidence are taken
    for handwriting (a number or day filled in by pen) and blanked, digits become
    spaces, not guessed; OCR's lookalike characters become the ones meant."""
    if word.confidence < HANDWRITTEN and FIGURES.fullmatch(word.text):
        return FIGURE.sub(" ", word.text)
    return word.text.translate(LOOKALIKES)


#: Characters OCR puts for others: the fraction slash for "/", curly quotes.
LOOKALIKES = str.maketrans({"⁄": "/", "∕": "/", "‚": ",", "‘": "'", "’": "'"})


def layout(lines: list[list[Word]]) -> str:
    """The page's text with its layout: lines at one height make one row, in order
    from left to right; words close together make one run, and a wide gap starts a
    column at its position; a wide vertical gap is a blank line."""
    words = [word for line in lines for word in line]
    if not words:
        return ""
    glyph = median(word.width / max(len(word.text), 1) for word in words) or 1.0
    height = median(word.height for word in words) or 1
    rows: list[list[list[Word]]] = []
    for line in sorted(lines, key=lambda found: min(word.top for word in found)):
        middle = median(word.top + word.height / 2 for word in line)
        for row in rows:
            row_middle = median(word.top + word.height / 2 for part in row for word in part)
            if abs(row_middle - middle) < height * 0.6:
                row.append(line)
                break
        else:
            rows.append([line])
    out: list[str] = []
    previous_bottom: float | None = None
    for row in rows:
        top = min(word.top for part in row for word in part)
        if previous_bottom is not None and top - previous_bottom > height * 1.5:
            out.append("")
        previous_bottom = max(word.top + word.height for part in row for word in part)
        text = ""
        previous: Word | None = None
        for word in sorted((word for part in row for word in part), key=lambda w: w.left):
            gap = word.left - (previous.left + previous.width) if previous else None
            if gap is None or gap > COLUMN_GAP * glyph:
                # A new column (Tesseract may run two columns into one line): placed at
                # its position, at least three spaces on, as in a layout text.
                column = round(word.left / glyph)
                text += " " * max(column - len(text), 3 if text else 0)
            else:
                text += " "
            text += _written(word)
            previous = word
        out.append(text.rstrip())
    return "\n".join(out)


#: A word as OCR without the Vietnamese model writes it: letters and digits mixed.
MIXED = re.compile(r"^(?=.*[A-Za-z])(?=.*\d)[A-Za-z\d]+$")
VIETNAMESE_MARKS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def looks_like_failed_ocr(text: str) -> bool:
    """A text layer an earlier OCR got wrong: Vietnamese words without their marks (a
    model for another language), or digits standing for letters ("C0ng v4n")."""
    words = [word for word in re.findall(r"[^\W_]+", text.lower()) if len(word) > 1]
    if len(words) < 30:
        return False
    marked = sum(1 for word in words if VIETNAMESE_MARKS & set(word))
    mixed = sum(1 for word in words if MIXED.match(word) and not word.isdigit())
    return marked / len(words) < 0.15 or mixed / len(words) > 0.05
