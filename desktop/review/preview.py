"""What the review mode's locator preview shows of a workbook or a .docx, read under the parsing ceilings.

The preview reads the exact bytes that were linked (the store copy). Those are untrusted files, so they are
read as the ingest reads them (:mod:`desktop.parsing.guarded`): checked before opening (a zip bomb, a sheet
spanning the whole grid are refused at once), then parsed in a parsing child under the memory and time
limits of the workspace (``parse.*``). :meth:`PreviewReader.read` returns a :class:`SheetWindow`, the text
of a .docx, or a :class:`~desktop.parsing.guarded.Refused` whose words the pane shows; it never raises for
a bad file. A newer preview cancels one still being read (:meth:`PreviewReader.cancel_current`: its child
is killed), so a slow file never holds up the next.

Qt-free: the widget is ``desktop/ui/panels/review_mode/locator_preview.py``; PDFs and pictures are shown by
Qt there (QPdfDocument, QImageReader with its allocation limit).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from desktop.parsing.guarded import GuardedParser, Refused, RunnerClosed, unsafe_after_ingest
from desktop.parsing.limits import Limits

SHEET_EXT = {"xlsx", "xlsm"}
DOCX_EXT = {"docx", "docm"}
MAX_TEXT = 2_000_000  # characters shown of a text file or a .docx
SHEET_ROWS_BEFORE, SHEET_ROWS_AFTER, SHEET_COLS = 8, 14, 12
SEARCH_ROWS = 5000  # rows searched for the claimed number when the locator names no cell

_PAGE = re.compile(r"^\s*(?:第\s*(\d+)\s*页|p(?:age)?\.?\s*(\d+)|(\d+))\s*$", re.IGNORECASE)
_CELL = re.compile(r"^\s*(?P<sheet>[^!]+)!\s*\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>\d+)\s*$")


@dataclass
class Locator:
    kind: str  # page / cell / quote / none
    page: int | None = None  # 1-based
    sheet: str | None = None
    column: int | None = None  # 1-based
    row: int | None = None
    text: str | None = None


def parse_locator(text: str | None) -> Locator:
    """``第 3 页`` / ``p3`` → page; ``台账!D12`` → sheet cell; anything else is a quote to find."""
    if not text or not text.strip():
        return Locator("none")
    m = _PAGE.match(text)
    if m:
        return Locator("page", page=int(next(g for g in m.groups() if g)))
    m = _CELL.match(text)
    if m:
        col = 0
        for ch in m["col"].upper():
            col = col * 26 + (ord(ch) - 64)
        return Locator("cell", sheet=m["sheet"].strip(), column=col, row=int(m["row"]))
    return Locator("quote", text=text.strip())


@dataclass
class SheetWindow:
    """The rows of one sheet around the linked cell (values as text, None for an empty cell)."""

    title: str
    first: int  # the first row shown, 1-based
    ncols: int
    rows: list[list[str | None]] = field(default_factory=list)
    target: tuple[int | None, int | None] = (None, None)  # (row, column) of the linked or found cell


# --- run in the parsing child --------------------------------------------------------------------------------


def read_sheet_window(path: str, ext: str, sheet: str | None, row: int | None, col: int | None,
                      search: str | None) -> SheetWindow:
    from openpyxl import load_workbook

    with open(path, "rb") as f:  # a file object: the store copy has no .xlsx suffix
        wb = load_workbook(f, read_only=True, data_only=True)
        try:
            ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.active
            target_row, target_col = row, col
            max_row = ws.max_row or 1
            if target_row is None and search:
                target_row, target_col = _find_in_sheet(ws, search, max_row)
            first = max(1, (target_row or 1) - SHEET_ROWS_BEFORE)
            last = min(max_row, (target_row or 1) + SHEET_ROWS_AFTER) if target_row else min(max_row, 40)
            ncols = max(SHEET_COLS, (target_col or 0) + 2)
            rows = [[None if v is None else str(v) for v in values]
                    for values in ws.iter_rows(min_row=first, max_row=max(last, first), max_col=ncols,
                                               values_only=True)]
            return SheetWindow(ws.title, first, ncols, rows, (target_row, target_col))
        finally:
            wb.close()


def _find_in_sheet(ws, needle: str, max_row: int) -> tuple[int | None, int | None]:
    for r, values in enumerate(ws.iter_rows(min_row=1, max_row=min(max_row, SEARCH_ROWS), values_only=True), 1):
        for c, v in enumerate(values, 1):
            if v is not None and needle in str(v):
                return r, c
    return None, None


def read_docx_text(path: str, ext: str) -> str:
    from docx import Document

    with open(path, "rb") as f:
        doc = Document(f)
    parts: list[str] = []
    size = 0
    for p in doc.paragraphs:
        parts.append(p.text)
        size += len(p.text) + 1
        if size > MAX_TEXT:
            return "\n".join(parts)[:MAX_TEXT]
    for table in doc.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
            size += len(parts[-1]) + 1
            if size > MAX_TEXT:
                return "\n".join(parts)[:MAX_TEXT]
    return "\n".join(parts)


# The preview shows PDFs (pdfium) and pictures (Qt's decoders) in the app itself: one the ingest found unsafe
# (desktop.parsing.guarded.UNSAFE_INGEST_ERRORS) is not opened again here.
IN_APP_EXT = {"pdf", "png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "webp"}


def ingest_refusal(ext: str | None, status: str | None, error: str | None, detail: str | None) -> str | None:
    """The words for a PDF or picture the ingest found unsafe (:func:`unsafe_after_ingest`), else None.
    Workbooks and .docx files are read under the ceilings anyway (:class:`PreviewReader`)."""
    if (ext or "").lower().lstrip(".") not in IN_APP_EXT:
        return None
    return unsafe_after_ingest(status, error, detail)


# --- in the app ----------------------------------------------------------------------------------------------


class PreviewReader:
    """Reads previews under the ceilings; one parsing child kept for the next preview. Thread-safe: reads
    run one at a time (on the UI's reader lane), :meth:`cancel_current` and :meth:`close` from any thread."""

    def __init__(self, limits: Limits | None = None, *, timeout: float | None = None,
                 extra_env: dict[str, str] | None = None):
        self.parser = GuardedParser(limits, timeout=timeout, extra_env=extra_env)
        self._busy = 0
        self._state = threading.Lock()

    def set_limits(self, limits: Limits) -> None:
        """The workspace's limits as they are now (a changed setting takes a new child)."""
        self.parser.set_limits(limits)

    def read(self, path: str | Path, ext: str | None, locator: str | None, search: str | None = None,
             wanted: Callable[[], bool] | None = None) -> SheetWindow | str | Refused | None:
        """The sheet window (a workbook) or the text (a .docx); a :class:`Refused` saying why not; None when
        cancelled by a newer preview (or for another kind of file: the widget shows those itself).
        ``wanted()``: False when a newer preview was asked for meanwhile (then nothing is read) — checked
        once this read counts as busy, so a :meth:`cancel_current` made at any moment stops it."""
        ext = (ext or "").lower().lstrip(".")
        loc = parse_locator(locator)
        with self._state:
            self._busy += 1
        try:
            if wanted is not None and not wanted():
                return None
            if ext in SHEET_EXT:
                return self.parser.run(read_sheet_window, path, ext, loc.sheet, loc.row, loc.column, search)
            if ext in DOCX_EXT:
                return self.parser.run(read_docx_text, path, ext)
            return None
        except RunnerClosed:
            return None
        finally:
            with self._state:
                self._busy -= 1

    def cancel_current(self) -> None:
        """Stop a preview still being read (its child is killed; the next read starts a fresh one)."""
        with self._state:
            busy = self._busy > 0
        if busy:
            self.parser.cancel_current()

    def close(self) -> None:
        self.parser.close()


__all__ = ["Locator", "PreviewReader", "ingest_refusal", "SheetWindow", "parse_locator", "read_docx_text", "read_sheet_window"]
