"""Checks made before an untrusted file is handed to its parser, from what the file declares about
itself — cheap (well under a second for any file) and bounded in memory:

- an Office file (a zip): its members' total uncompressed size, the compression ratio of each large
  member, the number of members (the central directory only; nothing is inflated). ``zipfile`` never
  inflates a member beyond its declared size, so a lying directory cannot get past this;
- a workbook: each sheet's used range (rows × columns, from its declared dimension, its merged ranges
  and the references of its cells — read by streaming the sheet's XML through a regular expression,
  never building it), so a single cell at XFD1048576 or one merged range over the whole sheet is
  refused before openpyxl pads or expands it;
- an image: its pixel count, from the header;
- a PDF: its page count (pdfium reads the cross-reference table, not the pages).

Each raises :class:`~desktop.parsing.limits.LimitExceeded` naming the limit.
"""

from __future__ import annotations

import re
import threading
import zipfile
from pathlib import Path

from desktop.parsing.limits import MB, ZIP_RATIO_MIN_BYTES, LimitExceeded, Limits, current

# pdfium is not thread-safe: every use of pypdfium2 in the process goes through this lock.
PDFIUM_LOCK = threading.Lock()

ZIP_EXTS = {"docx", "docm", "dotx", "xlsx", "xlsm", "xltx", "pptx", "pptm"}
XLSX_EXTS = {"xlsx", "xlsm", "xltx"}
IMAGE_EXTS = {"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic"}
EXCEL_MAX_ROWS, EXCEL_MAX_COLS = 1_048_576, 16_384


def check_zip(path: Path, limits: Limits | None = None) -> None:
    """Refuse a zip whose members would inflate past the limits. A file that is not a zip passes
    (its parser reports it as corrupt)."""
    limits = limits or current()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.zip_members:
            raise LimitExceeded("zip_bomb", "parse.zip_members", len(infos), limits.zip_members, "members")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size >= ZIP_RATIO_MIN_BYTES:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.zip_ratio:
                    raise LimitExceeded("zip_bomb", "parse.zip_ratio", round(ratio), limits.zip_ratio, "ratio")
        if total > limits.zip_unpacked_mb * MB:
            raise LimitExceeded("zip_bomb", "parse.zip_unpacked_mb", round(total / MB, 1), limits.zip_unpacked_mb,
                                "unpacked")


_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
_RANGE = re.compile(rb"<(?:\w+:)?(?:dimension|mergeCell)\s[^>]*?\bref=\"([A-Z0-9:$]+)\"")
_CELL_REF = re.compile(rb"\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")  # a cell's reference (a row's r is digits only)
_CHUNK = 1 << 20


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def sheet_extent(zf: zipfile.ZipFile, name: str, stop_above: int | None = None) -> tuple[int, int, int]:
    """(max row, max column, cells written) of one sheet's XML, streamed: the declared dimension, every
    merged range and every cell reference count. With ``stop_above``, it returns as soon as the used
    range passes that many cells (the declared dimension comes first: a large sheet is known at once).
    The per-cell work is done by ``re.findall`` and ``set``/``map`` in C: ~0.5 s for a million cells."""
    from operator import itemgetter

    max_row = max_col = cells = 0
    tail = b""
    with zf.open(name) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = tail + chunk
            if not chunk:
                cut = len(data)
            else:  # keep an unfinished tag for the next round
                cut = data.rfind(b"<")
                if cut <= 0:
                    cut = len(data)
            if b"dimension" in data or b"mergeCell" in data:
                for refs in _RANGE.findall(data, 0, cut):
                    for letters, row in _REF.findall(refs.replace(b"$", b"")):
                        max_col = max(max_col, _col(letters))
                        max_row = max(max_row, int(row))
            found = _CELL_REF.findall(data, 0, cut)
            if found:
                cells += len(found)
                max_col = max(max_col, max(map(_col, set(map(itemgetter(0), found)))))
                max_row = max(max_row, max(map(int, set(map(itemgetter(1), found)))))
            if stop_above is not None and max_row * max_col > stop_above:
                return max_row, max_col, cells
            tail = data[cut:]
            if not chunk:
                return max_row, max_col, cells


def check_xlsx(path: Path, allowed_cells: int, limit_key: str) -> None:
    """Refuse a workbook one of whose sheets spans more than ``allowed_cells`` (rows × columns)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    with zf:
        for name in zf.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                rows, cols, _ = sheet_extent(zf, name, stop_above=allowed_cells)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                continue  # the parser will say the file is corrupt
            area = rows * cols
            if area > allowed_cells:
                raise LimitExceeded("xlsx_too_large", limit_key, area, allowed_cells, f"{rows}x{cols}")


def check_image(path: Path, limits: Limits | None = None) -> None:
    """Refuse an image whose header declares more pixels than the limit (nothing is decoded)."""
    limits = limits or current()
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.image_pixels
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                w, h = im.size
    except Image.DecompressionBombError:
        raise LimitExceeded("image_too_large", "parse.image_megapixels", "?", limits.image_megapixels) from None
    except Exception:
        return  # the decoder will say what is wrong
    if w * h > limits.image_pixels:
        raise LimitExceeded("image_too_large", "parse.image_megapixels", round(w * h / 1e6, 1),
                            limits.image_megapixels)


def pdf_page_count(path: Path) -> int | None:
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a dependency
        return None
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except Exception:
            return None
        try:
            return len(pdf)
        finally:
            pdf.close()


def check_pdf_pages(pages: int | None, limits: Limits | None = None) -> None:
    limits = limits or current()
    if pages is not None and pages > limits.pdf_pages:
        raise LimitExceeded("too_many_pages", "parse.pdf_pages", pages, limits.pdf_pages)


def check_file(path: Path, ext: str, limits: Limits | None = None, *, xlsx_cells: int | None = None,
               xlsx_key: str = "parse.xlsx_cells") -> None:
    """Every check that applies to a file of this extension (PDF pages are checked by the caller, which
    opens the PDF anyway)."""
    limits = limits or current()
    ext = ext.lower().lstrip(".")
    if ext in ZIP_EXTS:
        check_zip(path, limits)
    if ext in XLSX_EXTS:
        check_xlsx(path, xlsx_cells if xlsx_cells is not None else limits.xlsx_cells, xlsx_key)
    if ext in IMAGE_EXTS:
        check_image(path, limits)
