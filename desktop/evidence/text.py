"""Text and numbers out of an evidence file, per page (PDF), per sheet (XLSX) or per document.

:func:`extract` never raises for a bad file: it returns an :class:`Extraction` whose ``status`` says
what happened (``done``, ``needs_ocr``, ``no_ocr``, ``none``, ``error``) and, for errors, a stable
code (``pdf_encrypted``, ``pdf_corrupt``, ``docx_corrupt``, ``xlsx_corrupt``, ``image_corrupt``,
``image_too_large``, ``undecodable``, ``unreadable``). Words for the codes live in the UI layer.

Every file is checked before it is opened (:mod:`desktop.parsing.precheck`: an Office file's unpacked
size, compression ratio and member count, a workbook's used range, an image's pixels, a PDF's pages),
and what is extracted is capped (``parse.max_numbers`` numbers, ``parse.max_text_mb`` million
characters of text). Over a limit the file is an error naming the limit (``zip_bomb``,
``xlsx_too_large``, ``image_too_large``, ``too_many_pages``, ``too_many_numbers``, ``too_much_text``,
``memory_limit``), never a file marked ready with part of its content: a partial index would make a
claim look unsupported with nothing on screen to say why, while an error shows in 出错, names the
limit and the setting, and is retried once the setting is raised.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable

from desktop.evidence.numbers import UNITS, FoundNumber, context, find_numbers
from desktop.parsing import precheck
from desktop.parsing.limits import LimitExceeded, current, is_memory_error, note_memory_failure

# pdfium is not thread-safe: every use of pypdfium2 in the process goes through this lock.
PDFIUM_LOCK = precheck.PDFIUM_LOCK

IMAGE_EXTS = {"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic"}
TEXT_EXTS = {"txt", "md", "csv", "tsv", "log", "json", "xml", "html", "htm"}
MAX_PDF_PAGES = 2000  # the default of the setting parse.pdf_pages (a longer PDF is refused)
IMAGE_MAX_PIXELS = 120_000_000  # the default of parse.image_megapixels: larger images are refused as bombs
MAX_TEXT_BYTES = 50 * 1024 * 1024


@dataclass
class NumberHit:
    value: Decimal
    raw: str
    unit: str | None
    is_percent: bool
    locator: str
    page: int | None
    context: str


@dataclass
class TextUnit:
    """One searchable piece of text: a PDF page, a sheet, a document body."""

    locator: str  # "第 3 页", "台账", "正文"
    page: int | None
    text: str


@dataclass
class Extraction:
    status: str  # done / needs_ocr / no_ocr / none / error
    units: list[TextUnit] = field(default_factory=list)
    numbers: list[NumberHit] = field(default_factory=list)
    pages: int | None = None
    error: str | None = None
    detail: str | None = None
    ocr_pages: list[int] = field(default_factory=list)  # PDF pages that are images only


def refused(exc: LimitExceeded) -> "Extraction":
    """The outcome of a file over a limit: an error naming the limit, nothing extracted."""
    from desktop.text.limits import limit_detail

    return Extraction("error", error=exc.code, detail=limit_detail(exc.code, exc.limit, exc.value, exc.allowed))


class _Caps:
    """The caps on what one file yields, checked as it is extracted (so a bomb that passed the checks
    before opening stops at the cap, not at the end)."""

    def __init__(self) -> None:
        lim = current()
        self.numbers = lim.max_numbers
        self.chars = lim.max_text_mb * 1_000_000
        self.text = 0

    def check(self, ex: "Extraction", more_text: int = 0) -> None:
        self.text += more_text
        if len(ex.numbers) > self.numbers:
            raise LimitExceeded("too_many_numbers", "parse.max_numbers", len(ex.numbers), self.numbers)
        if self.text > self.chars:
            raise LimitExceeded("too_much_text", "parse.max_text_mb", round(self.text / 1e6, 1), self.chars // 1_000_000)


def _memory_or(exc: BaseException) -> None:
    """Re-raise a parser's out-of-memory (under the ceiling) as MemoryError; else return."""
    if is_memory_error(exc):
        note_memory_failure()
        raise MemoryError(str(exc)) from exc


def _hits(text: str, locator: str, page: int | None) -> list[NumberHit]:
    return [_hit(n, text, locator, page) for n in find_numbers(text)]


def _hit(n: FoundNumber, text: str, locator: str, page: int | None) -> NumberHit:
    return NumberHit(n.value, n.raw, n.unit, n.is_percent, locator, page, context(text, n.start, n.end))


# --- PDF -------------------------------------------------------------------------------------


def extract_pdf(path: Path) -> Extraction:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            msg = str(exc).lower()
            code = "pdf_encrypted" if "password" in msg else "pdf_corrupt"
            return Extraction("error", error=code, detail=str(exc))
        try:
            n = len(pdf)
            precheck.check_pdf_pages(n)
            caps = _Caps()
            ex = Extraction("done", pages=n)
            for i in range(n):
                page = pdf[i]
                try:
                    tp = page.get_textpage()
                    try:
                        text = tp.get_text_range()
                    finally:
                        tp.close()
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                    if not text.strip():
                        has_image = any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE],
                                                                        max_depth=2))
                        if has_image:
                            ex.ocr_pages.append(i + 1)
                        continue
                    loc = f"第 {i + 1} 页"
                    ex.units.append(TextUnit(loc, i + 1, text))
                    ex.numbers.extend(_hits(text, loc, i + 1))
                    caps.check(ex, len(text))
                finally:
                    page.close()
        except pdfium.PdfiumError as exc:
            return Extraction("error", error="pdf_corrupt", detail=str(exc))
        finally:
            pdf.close()
    if ex.ocr_pages and not ex.units:
        ex.status = "needs_ocr"
    elif not ex.units:
        ex.status = "none"
    return ex


# --- DOCX ------------------------------------------------------------------------------------


def extract_docx(path: Path) -> Extraction:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        with open(path, "rb") as fh:
            document = docx.Document(fh)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise
        _memory_or(exc)
        return Extraction("error", error="docx_corrupt", detail=str(exc))
    except Exception as exc:  # python-docx raises assorted errors for non-Word zips
        _memory_or(exc)
        return Extraction("error", error="docx_corrupt", detail=f"{type(exc).__name__}: {exc}")
    lines: list[str] = []
    ex = Extraction("done")
    caps = _Caps()
    para_no = 0
    table_no = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text
            if not text.strip():
                continue
            para_no += 1
            lines.append(text)
            ex.numbers.extend(_hits(text, f"第 {para_no} 段", None))
            caps.check(ex, len(text))
        elif isinstance(block, Table):
            table_no += 1
            seen = set()
            for r, row in enumerate(block.rows, 1):
                cells = []
                for c, cell in enumerate(row.cells, 1):
                    if cell._tc in seen:  # a merged cell appears once per spanned grid column
                        continue
                    seen.add(cell._tc)  # the set keeps the lxml proxies alive, so identity holds
                    text = cell.text.strip()
                    cells.append(text)
                    if text:
                        ex.numbers.extend(_hits(text, f"表{table_no} 第{r}行第{c}列", None))
                        caps.check(ex, len(text))
                lines.append("\t".join(cells))
    body = "\n".join(lines)
    if body.strip():
        ex.units.append(TextUnit("正文", None, body))
    else:
        ex.status = "none"
    return ex


# --- XLSX ------------------------------------------------------------------------------------

_SECTION_SPLIT = re.compile(r";(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")
_QUOTED = re.compile(r"\"[^\"]*\"|\[[^\]]*\]|\\.")


def format_cell(value, number_format: str | None) -> tuple[str, Decimal | None, bool]:
    """The cell as Excel shows it: (display text, displayed number, is percent).

    openpyxl gives numbers as Python floats; they become Decimals at once through ``repr`` (the
    shortest string that round-trips), then are rounded as the number format shows them.
    """
    if value is None:
        return "", None, False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None, False
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat(), None, False
    if isinstance(value, (int, float)):
        try:
            dec = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return str(value), None, False
        fmt = (number_format or "General").strip()
        section = _SECTION_SPLIT.split(fmt)[0] if fmt else "General"
        bare = _QUOTED.sub("", section)
        if bare.lower() == "general" or not any(ch in bare for ch in "0#?"):
            if dec == dec.to_integral_value():
                dec = dec.quantize(Decimal(1))
            return format(dec, "f"), dec, False
        percent = "%" in bare
        if percent:
            dec = dec * 100
        decimals = 0
        if "." in bare:
            frac = bare.split(".", 1)[1]
            decimals = len(re.match(r"[0#?]*", frac).group(0))
        q = Decimal(1).scaleb(-decimals)
        shown = dec.quantize(q, rounding=ROUND_HALF_UP)  # Excel rounds halves away from zero
        text = f"{shown:,f}" if "," in bare.split(".")[0] else format(shown, "f")
        if percent:
            text += "%"
        return text, shown, percent
    return str(value), None, False


def extract_xlsx(path: Path) -> Extraction:
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter

        # A file object, not a path: store objects carry no extension and openpyxl checks it.
        fh = open(path, "rb")
    except PermissionError:
        raise
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException…
        fh.close()
        _memory_or(exc)
        return Extraction("error", error="xlsx_corrupt", detail=f"{type(exc).__name__}: {exc}")
    ex = Extraction("done", pages=len(wb.sheetnames))
    caps = _Caps()
    try:
        for ws in wb.worksheets:
            lines = []
            for row in ws.iter_rows():
                cells = []
                for cell in row:
                    if cell.value is None or not hasattr(cell, "column"):
                        cells.append("")
                        continue
                    shown, number, percent = format_cell(cell.value, cell.number_format)
                    cells.append(shown)
                    ref = f"{ws.title}!{get_column_letter(cell.column)}{cell.row}"
                    if number is not None:
                        ex.numbers.append(NumberHit(number, shown, "%" if percent else None, percent, ref, None,
                                                    ""))
                    elif shown:
                        ex.numbers.extend(_hits(shown, ref, None))
                while cells and not cells[-1]:
                    cells.pop()
                lines.append("\t".join(cells))
                caps.check(ex, len(lines[-1]))
            text = "\n".join(lines).strip("\n")
            if text.strip():
                ex.units.append(TextUnit(ws.title, None, text))
                _fill_row_context(ex.numbers, ws.title, lines)
    except LimitExceeded:
        raise
    except Exception as exc:
        _memory_or(exc)
        return Extraction("error", error="xlsx_corrupt", detail=f"{type(exc).__name__}: {exc}")
    finally:
        wb.close()
        fh.close()
    if not ex.units:
        ex.status = "none"
    return ex


# The units a sheet may be declared in: the evidence number lexicon, with the magnitudes a finance
# table adds in front ("单位：百万元"), optionally "人民币" first ("单位：人民币万元").
_SHEET_UNITS = "|".join(re.escape(u) for u in UNITS)
# "单位：万元" / "金额单位：元" / "计量单位：人" declare a unit; "编制单位：XX局", "填报单位：…", "参保单位：…"
# name an organisation. So 单位 must not close such a word, and what follows the colon must be a
# whole unit from the lexicon: "人" in "人社局" is not one ("元/人" still reads as 元).
_SHEET_UNIT_RE = re.compile(
    r"(?<![报制位表保送设施管任头属办用工理业政训款收查])单位\s*[:：]\s*(?:人民币)?"
    rf"((?:百万|千万)?(?:{_SHEET_UNITS}))(?!\w)"
)
# "编制单位：…", "单位：万元", "填报单位（盖章）：…": a label line above the table, not a column header…
_UNIT_LABEL_RE = re.compile(r"单位\s*(?:[（(][^（()）]{0,8}[)）])?\s*[:：]")
# …unless the cell carries its own bracketed unit: "金额（单位：万元）" heads its column.
_BRACKET_UNIT_RE = re.compile(rf"[（(]\s*(?:单位\s*[:：]\s*)?(?:人民币)?(?:百万|千万)?(?:{_SHEET_UNITS})\s*[)）]")


def _sheet_unit(lines: Iterable[str]) -> str | None:
    """The unit a sheet's title rows declare for the whole table ("单位：万元"), or None."""
    for line in lines:
        m = _SHEET_UNIT_RE.search(unicodedata.normalize("NFKC", line))
        if m:
            return m.group(1)
    return None


def _is_column_header(text: str) -> bool:
    norm = unicodedata.normalize("NFKC", text)
    return not _UNIT_LABEL_RE.search(norm) or bool(_BRACKET_UNIT_RE.search(norm))


def _fill_row_context(numbers: list[NumberHit], sheet: str, lines: list[str]) -> None:
    """A cell's context is its row plus its column's header: the words beside a figure in a ledger."""
    prefix = f"{sheet}!"
    rows = [line.split("\t") for line in lines]
    # The header of a column is its last text cell above the first row that holds a figure (title rows
    # and "单位：…" / "编制单位：…" labels above it are not headers; "参保单位数（户）" is one).
    numeric = re.compile(r"[-+0-9.,%\s¥￥]+")
    first_data = next((i for i, cells in enumerate(rows[:12]) if any(numeric.fullmatch(c) for c in cells if c)),
                      min(len(rows), 8))
    headers: dict[int, str] = {}
    for cells in rows[:first_data]:
        for c, text in enumerate(cells):
            if text.strip() and not numeric.fullmatch(text) and _is_column_header(text):
                headers[c] = text.strip()
    # A sheet-wide unit stated above the table ("单位：元", "金额单位：万元") applies to every cell
    # whose own row and column say nothing: it goes at the start of the context, so a unit given
    # in the column header (later in the context) still wins.
    unit = _sheet_unit(" ".join(cells) for cells in rows[:6])
    sheet_unit_text = f"单位：{unit} " if unit else ""
    for n in numbers:
        if n.context or not n.locator.startswith(prefix):
            continue
        m = re.search(r"!([A-Z]+)([0-9]+)$", n.locator)
        if not m:
            continue
        r = int(m.group(2)) - 1
        col = 0
        for ch in m.group(1):
            col = col * 26 + (ord(ch) - 64)
        head = headers.get(col - 1, "")
        row_text = " ".join(rows[r]).strip() if 0 <= r < len(rows) else ""
        n.context = (sheet_unit_text + (f"{row_text}（{head}）" if head else row_text))[:160]


# --- text and CSV ----------------------------------------------------------------------------


def decode(data: bytes) -> str | None:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def extract_plain(path: Path, ext: str) -> Extraction:
    with open(path, "rb") as fh:
        data = fh.read(MAX_TEXT_BYTES)
    if b"\x00" in data[:4096]:
        return Extraction("none")
    text = decode(data)
    if text is None:
        return Extraction("error", error="undecodable")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    ex = Extraction("done")
    caps = _Caps()
    caps.check(ex, len(text))
    if ext in ("csv", "tsv"):
        delim = "\t" if ext == "tsv" else ","
        for r, row in enumerate(csv.reader(io.StringIO(text), delimiter=delim), 1):
            for c, cell in enumerate(row, 1):
                if cell.strip():
                    ex.numbers.extend(_hits(cell, f"第{r}行第{c}列", None))
            caps.check(ex)
    else:
        ex.numbers.extend(_hits(text, "正文", None))
        caps.check(ex)
    if text.strip():
        ex.units.append(TextUnit("正文", None, text))
    else:
        ex.status = "none"
    return ex


# --- images ----------------------------------------------------------------------------------


def ocr_available() -> bool:
    try:
        import rapidocr  # noqa: F401
    except Exception:
        return False
    return True


def _pillow():
    """Pillow, with the decompression-bomb guard set to the app's limit (process-wide, set once)."""
    from PIL import Image

    pixels = current().image_pixels
    if Image.MAX_IMAGE_PIXELS != pixels:
        Image.MAX_IMAGE_PIXELS = pixels
    return Image


def extract_image(path: Path) -> Extraction:
    Image = _pillow()
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: both are refusals here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                im.verify()  # structure and checksums (catches truncated PNGs)
            with Image.open(path) as im:
                # Decode too, where it is cheap: a truncated JPEG passes verify() but cannot be shown.
                if im.format == "JPEG" or im.width * im.height <= 30_000_000:
                    im.draft("RGB", (512, 512))
                    im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return Extraction("error", error="image_too_large", detail=str(exc))
    except Exception as exc:
        return Extraction("error", error="image_corrupt", detail=f"{type(exc).__name__}: {exc}")
    if not ocr_available():
        return Extraction("no_ocr")
    try:  # pragma: no cover - the OCR extra is optional and not installed in CI
        from rapidocr import RapidOCR

        result = RapidOCR()(str(path))
        text = "\n".join(getattr(result, "txts", None) or [])
    except Exception as exc:  # pragma: no cover
        return Extraction("error", error="ocr_failed", detail=str(exc))
    ex = Extraction("done" if text.strip() else "none")  # pragma: no cover
    if text.strip():  # pragma: no cover
        ex.units.append(TextUnit("图片文字", None, text))
        ex.numbers.extend(_hits(text, "图片文字", None))
    return ex  # pragma: no cover


# --- dispatch --------------------------------------------------------------------------------


def extract(path: str | Path, ext: str | None = None) -> Extraction:
    """Text and numbers of the file at ``path`` (a store object: its name carries no extension)."""
    path = Path(path)
    ext = (ext or path.suffix.lstrip(".")).lower()
    try:
        precheck.check_file(path, ext)
        if ext == "pdf":
            return extract_pdf(path)
        if ext in ("docx", "docm"):
            return extract_docx(path)
        if ext in ("xlsx", "xlsm"):
            return extract_xlsx(path)
        if ext in TEXT_EXTS:
            return extract_plain(path, ext)
        if ext in IMAGE_EXTS:
            return extract_image(path)
        return Extraction("none")
    except PermissionError as exc:
        return Extraction("error", error="unreadable", detail=str(exc))
    except FileNotFoundError as exc:
        return Extraction("error", error="missing", detail=str(exc))
    except LimitExceeded as exc:
        return refused(exc)
    except MemoryError as exc:  # under the child's ceiling (parse.memory_mb): the child ends after this file
        note_memory_failure()
        from desktop.text.limits import limit_detail

        return Extraction("error", error="memory_limit",
                          detail=limit_detail("memory_limit", "parse.memory_mb", None, current().memory_mb))


def all_text(units: Iterable[TextUnit]) -> str:
    return "\n".join(u.text for u in units)
