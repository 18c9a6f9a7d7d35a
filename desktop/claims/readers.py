"""Report readers: a file in, one :class:`Document` out (text + a map from offsets to page / paragraph /
table cell). Every failure is a :class:`DeskError` code; a reader either returns a whole document or
raises, so nothing is ever half imported.

- ``.txt`` / ``.md``: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK);
- ``.docx`` (python-docx): paragraphs and tables in body order, a merged cell once, headers and
  footers left out (they are not in the body);
- ``.pdf`` (pdfplumber): text lines and tables in layout order per page, running headers / footers and
  page numbers (``- 3 -``, ``第 3 页``) removed; a page with an image but no text is reported as a
  scanned page (needs OCR) instead of silently empty;
- ``.xlsx`` (openpyxl): every sheet as a table of cached values, numbers as the user sees them
  (``0.00%`` → ``95.50%``).

Tables land in the text as one line per row, cells separated by `` | ``, and in ``Document.tables``
with every cell's offsets, so :mod:`desktop.claims.tables` can read score tables from their structure.

A report is as untrusted as any evidence file. :func:`read_report` checks it before opening it (a text
report's size, an Office file's unpacked size, compression ratio and members, a workbook's used range, a
PDF's pages: :mod:`desktop.parsing.precheck`) and refuses a file over a limit with
``report.over_limit`` naming it. :func:`read_report_isolated` — what an import uses — runs it in the
parsing child under the memory and time ceilings (``parse.memory_mb``, ``parse.timeout_s``).
"""

from __future__ import annotations

import codecs
import re
import threading
import zipfile
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from desktop.claims.document import Document, Span
from desktop.errors import DeskError
from desktop.parsing import precheck
from desktop.parsing.limits import LimitExceeded, Limits, current, is_memory_error, note_memory_failure

TEXT_FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md"}
LEGACY_FORMATS = {".doc": ".docx", ".wps": ".docx", ".xls": ".xlsx", ".et": ".xlsx"}
CELL_SEP = " | "


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DeskError("report.undecodable") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DeskError("report.undecodable") from exc


class _Builder:
    """Accumulates text and spans; one line per paragraph or table row."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[Span] = []
        self.tables: list[dict[str, Any]] = []
        self.n_par = 0

    def line(self, text: str, *, page: int | None = None, kind: str = "paragraph", ref: str | None = None) -> None:
        text = text.replace("\r", "").replace("\n", " ")
        if text.strip():
            self.n_par += 1
            self.spans.append(Span(self.pos, self.pos + len(text), page, kind, ref or f"p{self.n_par}"))
        self.parts.append(text + "\n")
        self.pos += len(text) + 1

    def blank(self) -> None:
        self.parts.append("\n")
        self.pos += 1

    def table(self, grid: list[list[str | None]], *, page: int | None = None, title: str | None = None) -> None:
        """``grid[r][c]`` is a cell's text, or None where a merged cell continues (written once)."""
        n = len(self.tables) + 1
        ref = f"t{n}"
        t_start = self.pos
        rows: list[list[dict[str, Any] | None]] = []
        for r, cells in enumerate(grid, 1):
            line_cells: list[dict[str, Any] | None] = []
            col_pos = self.pos
            first = True
            for c, text in enumerate(cells, 1):
                if text is None:
                    line_cells.append(None)
                    continue
                text = re.sub(r"\s*\n\s*", " ", text).strip()
                if not first:
                    self.parts.append(CELL_SEP)
                    col_pos += len(CELL_SEP)
                first = False
                cell = {"text": text, "start": col_pos, "end": col_pos + len(text), "ref": f"{ref}!R{r}C{c}"}
                if text:
                    self.spans.append(Span(col_pos, col_pos + len(text), page, "cell", cell["ref"]))
                self.parts.append(text)
                col_pos += len(text)
                line_cells.append(cell)
            self.parts.append("\n")
            self.pos = col_pos + 1
            rows.append(line_cells)
        self.tables.append({"ref": ref, "page": page, "title": title, "rows": rows, "start": t_start,
                            "end": self.pos})

    def document(self, source: str, fmt: str, **kw: Any) -> Document:
        return Document(source, fmt, "".join(self.parts), self.spans, tables=self.tables, **kw)


# --- text ----------------------------------------------------------------------------------------


def _paragraph_spans(text: str) -> list[Span]:
    spans = []
    pos = 0
    n = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            n += 1
            kind = "heading" if body.lstrip().startswith("#") else "paragraph"
            spans.append(Span(pos, pos + len(body), None, kind, f"p{n}"))
        pos += len(line)
    return spans


def read_text_report(path: Path, data: bytes | None = None) -> Document:
    data = path.read_bytes() if data is None else data
    if not data.strip() or not data.strip(codecs.BOM_UTF8).strip():
        raise DeskError("report.empty", name=path.name)
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DeskError("report.binary", name=path.name)
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DeskError("report.empty", name=path.name)
    warnings = [{"code": "report.decoded_gbk", "encoding": "GB18030"}] if encoding == "gb18030" else []
    return Document(path.name, TEXT_FORMATS[path.suffix.lower()], text, _paragraph_spans(text), warnings=warnings)


# --- docx ----------------------------------------------------------------------------------------


def _docx_grid(table) -> list[list[str | None]]:
    """Rows of cell texts with each merged cell once (None where a merge continues)."""
    seen: set[int] = set()
    alive: list[Any] = []  # keep the proxies alive so their ids cannot be reused within this table
    grid: list[list[str | None]] = []
    for row in table.rows:
        cells: list[str | None] = []
        try:
            row_cells = row.cells
        except Exception:  # a malformed row: keep what python-docx can give
            row_cells = []
        for cell in row_cells:
            key = id(cell._tc)
            if key in seen:
                cells.append(None)
                continue
            seen.add(key)
            alive.append(cell._tc)
            cells.append(cell.text)
        grid.append(cells)
    return grid


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_zip(path: Path, fmt: str) -> None:
    """An Office Open XML file is a zip; a password-protected one is an OLE container instead."""
    if zipfile.is_zipfile(path):
        return
    with open(path, "rb") as f:
        head = f.read(8)
    if head == OLE_MAGIC:
        raise DeskError("report.encrypted_office", name=path.name, format=fmt)
    raise DeskError("report.corrupt", name=path.name, format=fmt)


def read_docx_report(path: Path) -> Document:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a dependency
        raise DeskError("report.reader_missing", name=path.name, detail=str(exc)) from exc
    if path.stat().st_size == 0:
        raise DeskError("report.empty", name=path.name)
    _check_zip(path, "Word (.docx)")
    try:
        d = docx.Document(str(path))
        b = _Builder()
        keep: list[Any] = []
        for block in d.iter_inner_content():
            if isinstance(block, Paragraph):
                style = (block.style.name if block.style is not None else "") or ""
                heading = style.lower().startswith(("heading", "title")) or style.startswith(("标题", "Heading"))
                b.line(block.text, kind="heading" if heading and block.text.strip() else "paragraph")
            elif isinstance(block, Table):
                keep.append(block)
                b.table(_docx_grid(block))
    except DeskError:
        raise
    except Exception as exc:  # BadZipFile, KeyError (no document.xml), lxml errors …
        _memory_or(exc)
        raise DeskError("report.corrupt", name=path.name, format="Word (.docx)", detail=str(exc)) from exc
    doc = b.document(path.name, "docx")
    if not doc.text.strip():
        raise DeskError("report.no_text", name=path.name)
    return doc


# --- pdf -----------------------------------------------------------------------------------------

_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－]\s*[0-9]{1,4}\s*[-—–－]|第\s*[0-9]{1,4}\s*页(?:\s*[,，/]?\s*共\s*[0-9]{1,4}\s*页)?"
    r"|[0-9]{1,4}\s*/\s*[0-9]{1,4}|[0-9]{1,4}|Page\s+[0-9]+(?:\s+of\s+[0-9]+)?)\s*$",
    re.IGNORECASE,
)


def _running_key(line: str) -> str | None:
    """A page-edge line's identity across pages (page numbers blanked), or None if it looks like body
    text: running headers and footers are short and carry at most a page number and a year."""
    line = line.strip()
    if len(line) > 40 or len(re.findall(r"[0-9]+", line)) > 2 or re.search(r"^[，。、；：,.;:]|[，。；：,;:]$", line):
        return None
    return re.sub(r"[0-9]+", "#", line)


def _pdf_pages(pdf) -> Iterable[tuple[int, list[tuple[float, str, Any]], bool]]:
    """Per page: (page number, [(top, kind, payload)], scanned) with kind 'line' or 'table'."""
    run_on = None  # a score table without ruling lines that goes on to the next page
    for pno, page in enumerate(pdf.pages, 1):
        try:
            tables = page.find_tables()
        except Exception:
            tables = []
        # a score table drawn without ruling lines: rebuilt from where its words stand
        laid_out, run_on = _layout_tables(page, run_on) if not tables else ([], None)
        boxes = [t.bbox for t in tables] + [bbox for bbox, _ in laid_out]

        def outside(obj, boxes=boxes) -> bool:
            if obj.get("object_type") != "char":
                return True
            x = (obj["x0"] + obj["x1"]) / 2
            y = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

        body = page.filter(outside) if boxes else page
        items: list[tuple[float, str, Any]] = []
        for ln in body.extract_text_lines(layout=False, strip=True, return_chars=False):
            if ln["text"].strip():
                items.append((ln["top"], "line", ln["text"]))
        for t in tables:
            try:
                grid = t.extract()
            except Exception:
                continue
            if grid:
                items.append((t.bbox[1], "table", grid))
        for bbox, grid in laid_out:
            items.append((bbox[1], "table", grid))
        items.sort(key=lambda it: it[0])
        scanned = not page.chars and bool(page.images)
        yield pno, items, scanned


def _layout_tables(page, run_on):
    from desktop.claims.score_tables.layout import layout_tables

    try:
        return layout_tables(page, run_on)
    except Exception:  # a fallback: a page it cannot read keeps its text lines
        return [], None


def read_pdf_report(path: Path) -> Document:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover
        raise DeskError("report.reader_missing", name=path.name, detail=str(exc)) from exc
    if path.stat().st_size == 0:
        raise DeskError("report.empty", name=path.name)
    with open(path, "rb") as f:
        if b"%PDF" not in f.read(1024):
            raise DeskError("report.corrupt", name=path.name, format="PDF")
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:
        raise _pdf_error(exc, path) from exc
    try:
        try:
            pages = list(_pdf_pages(pdf))
        except Exception as exc:
            raise _pdf_error(exc, path) from exc
    finally:
        pdf.close()
    # running headers and footers: the first / last lines that repeat on most pages
    n_pages = len(pages)
    edge: Counter[str] = Counter()
    for _, items, _ in pages:
        lines = [p for _, k, p in items if k == "line"]
        for key in {_running_key(ln) for ln in lines[:2] + lines[-2:]} - {None}:
            edge[key] += 1
    running = {k for k, n in edge.items() if n_pages >= 3 and n >= max(2, n_pages * 0.6) and len(k) <= 60}
    b = _Builder()
    warnings: list[dict[str, Any]] = []
    scanned_pages = []
    for pno, items, scanned in pages:
        if scanned:
            scanned_pages.append(pno)
            warnings.append({"code": "report.scanned_page", "page": pno})
            continue
        lines_idx = [i for i, it in enumerate(items) if it[1] == "line"]
        edges = set(lines_idx[:2] + lines_idx[-2:])
        for i, (_, kind, payload) in enumerate(items):
            if kind == "table":
                b.table([[c if c is not None else None for c in row] for row in payload], page=pno)
                continue
            if i in edges and (_PAGE_NO.match(payload) or (_running_key(payload) or "\x00") in running):
                continue
            b.line(payload, page=pno)
    doc = b.document(path.name, "pdf", warnings=warnings)
    if not doc.text.strip():
        if scanned_pages:
            raise DeskError("report.scanned", name=path.name, pages=len(scanned_pages))
        raise DeskError("report.no_text", name=path.name)
    return doc


def _memory_or(exc: BaseException) -> None:
    """A parser's out-of-memory under the child's ceiling is not a corrupt file: re-raised as MemoryError."""
    if is_memory_error(exc):
        note_memory_failure()
        raise MemoryError(str(exc)) from exc


def _pdf_error(exc: Exception, path: Path) -> DeskError:
    _memory_or(exc)
    names = [type(exc).__name__] + [type(a).__name__ for a in getattr(exc, "args", ()) if isinstance(a, BaseException)]
    if exc.__context__ is not None:
        names.append(type(exc.__context__).__name__)
    text = f"{names[0]}: {exc!r}"
    if any("Password" in n or "Encrypt" in n for n in names) or "password" in text.lower():
        return DeskError("report.encrypted", name=path.name)
    return DeskError("report.corrupt", name=path.name, format="PDF", detail=text)


# --- xlsx ----------------------------------------------------------------------------------------


def _decimals(fmt: str) -> int | None:
    m = re.search(r"0\.(0+)", fmt)
    if m:
        return len(m.group(1))
    if re.search(r"(?<![#0.])0(?![.0])|^0%|#,##0(?!\.)", fmt):
        return 0
    return None


def format_cell(value: Any, number_format: str = "General") -> str:
    """A cached cell value as the user sees it in Excel: percents, fixed decimals, no float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        try:
            d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return str(value)
        fmt = number_format or "General"
        pct = "%" in fmt
        if pct:
            d *= 100
        places = _decimals(fmt) if fmt != "General" else None
        if places is not None:
            d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # as Excel rounds
            s = f"{d:,f}" if "," in fmt else format(d, "f")
        else:
            d = d.normalize() if d == d.to_integral_value() else d
            s = format(d, "f")
            if "." in s:
                s = s.rstrip("0").rstrip(".")
        return s + ("%" if pct else "")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def read_xlsx_report(path: Path) -> Document:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover
        raise DeskError("report.reader_missing", name=path.name, detail=str(exc)) from exc
    if path.stat().st_size == 0:
        raise DeskError("report.empty", name=path.name)
    _check_zip(path, "Excel (.xlsx)")
    try:
        wb = openpyxl.load_workbook(str(path), data_only=True, read_only=False)
    except Exception as exc:
        _memory_or(exc)
        raise DeskError("report.corrupt", name=path.name, format="Excel (.xlsx)", detail=str(exc)) from exc
    b = _Builder()
    uncached: list[tuple[str, int, int]] = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            merged_cont: set[tuple[int, int]] = set()
            for rng in ws.merged_cells.ranges:
                for r in range(rng.min_row, rng.max_row + 1):
                    for c in range(rng.min_col, rng.max_col + 1):
                        if (r, c) != (rng.min_row, rng.min_col):
                            merged_cont.add((r, c))
            grid: list[list[str | None]] = []
            for row in ws.iter_rows():
                cells: list[str | None] = []
                for cell in row:
                    if (cell.row, cell.column) in merged_cont:
                        cells.append(None)
                    else:
                        if cell.value is None:
                            uncached.append((ws.title, cell.row, cell.column))
                        cells.append(format_cell(cell.value, cell.number_format))
                while cells and not cells[-1]:
                    cells.pop()
                grid.append(cells)
            while grid and not any(grid[-1]):
                grid.pop()
            if not any(any(c for c in row) for row in grid):
                continue
            b.line(ws.title, kind="heading", ref=ws.title)
            b.table(grid, title=ws.title)
            b.tables[-1]["sheet"] = ws.title
            b.blank()
    finally:
        wb.close()
    warnings = _uncached_formulas(path, uncached) if uncached else []
    doc = b.document(path.name, "xlsx", warnings=warnings)
    if not doc.text.strip():
        raise DeskError("report.empty", name=path.name)
    return doc


def _uncached_formulas(path: Path, empty: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Cells that are empty in the cached values but hold a formula: the file was written by a program
    that never calculated it, so the numbers the user sees in Excel are not in the file."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(str(path), data_only=False)
    except Exception:
        return []
    try:
        by_sheet: Counter[str] = Counter()
        for sheet, r, c in empty:
            v = wb[sheet].cell(row=r, column=c).value
            if isinstance(v, str) and v.startswith("="):
                by_sheet[sheet] += 1
    finally:
        wb.close()
    return [{"code": "report.formulas_not_calculated", "sheet": s, "cells": n} for s, n in by_sheet.items()]


# --- entry point ---------------------------------------------------------------------------------

READERS = {".docx": read_docx_report, ".pdf": read_pdf_report, ".xlsx": read_xlsx_report, ".xlsm": read_xlsx_report}


def over_limit(exc: LimitExceeded, name: str) -> DeskError:
    from desktop.text.limits import limit_detail

    return DeskError("report.over_limit", name=name, limit=exc.limit, reason=exc.code,
                     detail=limit_detail(exc.code, exc.limit, exc.value, exc.allowed))


def check_report(path: Path, limits: Limits | None = None, *, pdf: bool = True) -> None:
    """The checks before opening a report; raises ``report.over_limit`` naming the limit. ``pdf=False``
    leaves out counting a PDF's pages (that opens it with pdfium: done in the child, not the app)."""
    limits = limits or current()
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_FORMATS:
            size = path.stat().st_size
            if size > limits.report_max_text_mb * (1 << 20):
                raise LimitExceeded("report_too_large", "report.max_text_mb", round(size / (1 << 20), 1),
                                    limits.report_max_text_mb)
        elif suffix in (".docx", ".xlsx", ".xlsm"):
            precheck.check_file(path, suffix, limits, xlsx_cells=limits.report_xlsx_cells,
                                xlsx_key="report.xlsx_cells")
        elif suffix == ".pdf" and pdf:
            precheck.check_pdf_pages(precheck.pdf_page_count(path), limits)
    except LimitExceeded as exc:
        raise over_limit(exc, path.name) from None


def read_report(path: str | Path, checked: bool = False) -> Document:
    """Read a report file into one :class:`Document`, or raise a :class:`DeskError`. ``checked``: the
    checks before opening were made already (by :func:`read_report_isolated`, before asking the child)."""
    path = Path(path)
    if not path.exists():
        raise DeskError("report.not_found", path=str(path))
    if not path.is_file():
        raise DeskError("report.not_a_file", path=str(path))
    suffix = path.suffix.lower()
    if suffix in LEGACY_FORMATS:
        raise DeskError("report.legacy_format", name=path.name, suffix=suffix, suggest=LEGACY_FORMATS[suffix])
    if not checked:
        check_report(path)
    elif suffix == ".pdf":
        check_report(path)  # its pages are counted here, in the child
    try:
        if suffix in TEXT_FORMATS:
            doc = read_text_report(path)
        elif suffix in READERS:
            doc = READERS[suffix](path)
        else:
            raise DeskError("report.unsupported_format", name=path.name, suffix=suffix or "")
    except PermissionError as exc:
        raise DeskError("report.unreadable", path=str(path), detail=str(exc)) from exc
    except LimitExceeded as exc:
        raise over_limit(exc, path.name) from None
    except MemoryError:
        raise  # under the child's ceiling: the child answers "memory"
    except (OSError, RecursionError) as exc:
        raise DeskError("report.unreadable", path=str(path), detail=str(exc)) from exc
    chars = current().report_max_text_mb * 1_000_000
    if len(doc.text) > chars:
        raise over_limit(LimitExceeded("report_too_large", "report.max_text_mb", round(len(doc.text) / 1e6, 1),
                                       current().report_max_text_mb), path.name)
    from desktop.claims.tables import classify_tables

    classify_tables(doc)
    return doc


_runner = None
_runner_lock = threading.Lock()


def _report_runner(limits: Limits):
    """One parsing child for reports per process (started at the first import, kept for the next; new
    limits take a new child)."""
    global _runner
    from desktop.parsing.runner import ChildRunner

    with _runner_lock:
        if _runner is None:
            _runner = ChildRunner(limits)
        elif _runner.limits != limits:
            _runner.set_limits(limits)
        return _runner


def read_report_isolated(path: str | Path, limits: Limits | None = None) -> Document:
    """:func:`read_report` in the parsing child, under the memory and time ceilings: a report that would
    eat the machine or never finish is refused (``report.over_limit``, naming the limit) and this
    process is untouched. Where no child can be started it reads here, still with every check before
    opening."""
    from desktop.text.limits import limit_detail

    path = Path(path)
    limits = limits or current()
    name = path.name
    checked = path.is_file() and path.suffix.lower() not in LEGACY_FORMATS
    if checked:
        check_report(path, limits, pdf=False)  # at once, before a child is even asked
    status, value = _report_runner(limits).call(read_report, str(path), checked)
    if status == "ok":
        return value
    if status == "raised":
        raise value
    if status == "unavailable":
        return read_report(path)
    if status == "memory":
        raise DeskError("report.over_limit", name=name, limit="parse.memory_mb", reason="memory_limit",
                        detail=limit_detail("memory_limit", "parse.memory_mb", None, limits.memory_mb))
    if status == "timeout":
        raise DeskError("report.over_limit", name=name, limit="parse.timeout_s", reason="extract_timeout",
                        detail=limit_detail("extract_timeout", "parse.timeout_s", None, limits.timeout_s))
    if status == "oserror":
        raise DeskError("report.unreadable", path=str(path), detail=str(value[1] if len(value) > 1 else value))
    if status == "crashed":
        raise DeskError("report.corrupt", name=name, format=path.suffix.lstrip(".").upper(),
                        detail="the parsing process died")
    raise DeskError("report.corrupt", name=name, format=path.suffix.lstrip(".").upper(), detail=str(value))
