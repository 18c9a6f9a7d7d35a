"""Evidence files turned into PDF pages for the binder, when they are not PDFs already.

- Word / Excel / PowerPoint / WPS: through LibreOffice (``soffice --convert-to pdf``) when it is installed,
  in batches, with a private profile and a timeout per batch;
- otherwise, and whenever the conversion fails: a readable rendering of the text and tables we can read
  ourselves (.docx with python-docx, .xlsx with openpyxl, text files), under a note that the original
  is in the package;
- images are placed on pages (fitted, portrait or landscape by their shape);
- anything else, and what cannot be read, becomes one notice page saying why.

All generated pages go into one fpdf2 document (a CJK font costs half a second to load); each file
records the range of pages it took.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from desktop.exchange.pdfdraw import A4, MARGIN, fit_text, wrap_lines
from desktop.text import exchange as T

OFFICE_EXTS = {"doc", "docx", "docm", "dot", "dotx", "xls", "xlsx", "xlsm", "xlt", "xltx", "ppt", "pptx",
               "wps", "wpt", "et", "ett", "dps", "odt", "ods", "odp", "rtf"}
TEXT_EXTS = {"txt", "md", "csv", "tsv", "log", "json", "xml"}
IMAGE_EXTS = {"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"}
MAX_RENDER_PAGES = 200  # pages of extracted text per file; the rest is in the original
MAX_SHEET_ROWS = 2000
MAX_SHEET_COLS = 30
MAX_BLOCK_CHARS = 2_000_000  # characters read of one file for its text rendering (200 pages hold ~600,000)
MAX_IMAGE_PIXELS = 16_000_000  # larger pictures are shrunk to MAX_IMAGE_SIDE (about 400 dpi on A4)
MAX_IMAGE_SIDE = 4000
MAX_IMAGE_ANSWER = 256 << 20  # bytes of pixels one image sends back from the parsing child (frames past it: left out)
LINE = 13.0
TOP = MARGIN + 6
BOTTOM = A4[1] - MARGIN - 6
SOFFICE_BATCH = 20
SOFFICE_TIMEOUT = 90.0  # seconds per batch, plus SOFFICE_PER_FILE for each file in it
SOFFICE_PER_FILE = 30.0


# --- LibreOffice --------------------------------------------------------------------------------


def find_soffice() -> str | None:
    """The LibreOffice program, or None. ``EVIDENCE_DESK_SOFFICE``: a path, or ``off`` to not use it."""
    override = os.environ.get("EVIDENCE_DESK_SOFFICE")
    if override is not None:
        if override.strip().lower() in ("", "off", "none", "0"):
            return None
        return override if Path(override).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = []
    if sys.platform == "win32":
        for env in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
            base = os.environ.get(env)
            if base:
                candidates.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    else:
        candidates += [Path("/usr/lib/libreoffice/program/soffice"), Path("/opt/libreoffice/program/soffice")]
    for c in candidates:
        if c.is_file():
            return str(c)
    return None


def convert_with_soffice(soffice: str, files: list[Path], out_dir: Path, profile: Path,
                         cancel: Callable[[], bool] | None = None,
                         on_batch: Callable[[int], None] | None = None) -> dict[Path, Path]:
    """Convert ``files`` to PDF in ``out_dir``; return source → PDF for those that worked."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done: dict[Path, Path] = {}
    for start in range(0, len(files), SOFFICE_BATCH):
        batch = files[start:start + SOFFICE_BATCH]
        cmd = [soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile.resolve().as_uri()}", "--convert-to", "pdf",
               "--outdir", str(out_dir), *map(str, batch)]
        def converted_so_far() -> None:  # LibreOffice writes each PDF as it goes: report them as they come
            if on_batch:
                on_batch(start + sum(1 for f in batch if (out_dir / (f.stem + ".pdf")).is_file()))

        _run(cmd, SOFFICE_TIMEOUT + SOFFICE_PER_FILE * len(batch), cancel, converted_so_far)
        for f in batch:
            pdf = out_dir / (f.stem + ".pdf")
            if pdf.is_file() and pdf.stat().st_size > 0:
                done[f] = pdf
        if on_batch:
            on_batch(min(start + SOFFICE_BATCH, len(files)))
    return done


def _run(cmd: list[str], timeout: float, cancel: Callable[[], bool] | None,
         tick: Callable[[], None] | None = None) -> None:
    """Run ``cmd`` quietly; kill it (and its children) on timeout or cancel."""
    kwargs: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                              "stderr": subprocess.DEVNULL}
    if sys.platform == "win32":
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0) | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    proc = subprocess.Popen(cmd, **kwargs)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                proc.wait(timeout=0.2)
                return
            except subprocess.TimeoutExpired:
                pass
            if tick:
                tick()
            if time.monotonic() > deadline or (cancel and cancel()):
                break
    finally:
        if proc.poll() is None:
            _kill(proc)
    if cancel and cancel():
        from desktop.exchange.cancel import ExportCancelled

        raise ExportCancelled()


def _kill(proc: subprocess.Popen) -> None:
    try:
        if sys.platform == "win32":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


# --- generated pages ----------------------------------------------------------------------------


@dataclass
class Rendered:
    first: int  # 0-based page index in the generated document
    count: int
    notice: dict[str, Any] | None = None  # {"code", "params"} when the file is shown as a notice
    note: str | None = None


@dataclass
class PageWriter:
    """Draws files into one fpdf2 document and records each file's pages."""

    pdf: Any
    y: float = TOP
    extra: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return self.pdf.pages_count

    def new_page(self, landscape: bool = False) -> None:
        self.pdf.add_page(orientation="L" if landscape else "P")
        self.y = TOP

    @property
    def width(self) -> float:
        return self.pdf.w - 2 * MARGIN

    @property
    def bottom(self) -> float:
        return self.pdf.h - MARGIN - 6

    def header(self, lines: list[str]) -> None:
        self.pdf.set_font_size(9)
        self.pdf.set_text_color(110, 110, 110)
        for line in lines:
            for part in wrap_lines(self.pdf, line, self.width):
                self.pdf.text(MARGIN, self.y + 9, part)
                self.y += 12
        self.pdf.set_text_color(0, 0, 0)
        self.y += 6

    def text_lines(self, text: str, size: float = 10.5, start_page: int = 0) -> bool:
        """Flow ``text``; False when :data:`MAX_RENDER_PAGES` was reached (the rest is left out)."""
        self.pdf.set_font_size(size)
        for line in wrap_lines(self.pdf, text, self.width):
            if self.y + LINE > self.bottom:
                if self.pages - start_page >= MAX_RENDER_PAGES:
                    return False
                self.new_page()
            self.pdf.text(MARGIN, self.y + size, line)
            self.y += LINE
        return True

    def table(self, rows: list[list[str]], size: float = 8.5, start_page: int = 0) -> bool:
        """A grid: column widths from their content, cells wrapped; False when the page limit was hit."""
        if not rows:
            return True
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        self.pdf.set_font_size(size)
        natural = [max(min(self.pdf.get_string_width(r[c]), 220.0) for r in rows[:200]) + 6 for c in range(ncols)]
        scale = min(1.0, self.width / max(sum(natural), 1.0))
        widths = [max(w * scale, 18.0) for w in natural]
        total = sum(widths)
        if total > self.width:
            widths = [w * self.width / total for w in widths]
        line_h = size + 3
        for row in rows:
            cells = [wrap_lines(self.pdf, row[c], widths[c] - 4)[:12] for c in range(ncols)]
            h = max(len(c) for c in cells) * line_h + 4
            if self.y + h > self.bottom:
                if self.pages - start_page >= MAX_RENDER_PAGES:
                    return False
                self.new_page(self.pdf.w > self.pdf.h)
                self.pdf.set_font_size(size)
            x = MARGIN
            for c in range(ncols):
                self.pdf.rect(x, self.y, widths[c], h)
                for k, line in enumerate(cells[c]):
                    self.pdf.text(x + 2, self.y + 2 + size + k * line_h, line)
                x += widths[c]
            self.y += h
        self.y += 8
        return True


def notice_page(w: PageWriter, title: str, lines: list[str]) -> None:
    w.new_page()
    w.pdf.set_font_size(16)
    w.pdf.text(MARGIN, A4[1] / 3, fit_text(w.pdf, title, w.width))
    w.pdf.set_font_size(11)
    y = A4[1] / 3 + 30
    for line in lines:
        for part in wrap_lines(w.pdf, line, w.width):
            w.pdf.text(MARGIN, y, part)
            y += 16


def render_notice(w: PageWriter, title: str, code: str, member: str, **params: Any) -> Rendered:
    first = w.pages
    notice_page(w, title, [T.notice_text(code, **params), T.ORIGINAL_IN_PACKAGE.format(path=member)])
    return Rendered(first, w.pages - first, {"code": code, "params": params})


def render_image(w: PageWriter, src: Path, title: str, member: str, frames: Any = ...) -> Rendered:
    """Each frame (at most 50) on its own page, fitted, upright (EXIF orientation applied). A JPEG that
    needs no turning or shrinking goes in as its own bytes; others are encoded again (photos as JPEG).
    ``frames``: what :func:`read_image` gave for the file in the parsing child
    (:meth:`desktop.parsing.guarded.GuardedParser.run`), or its :class:`~desktop.parsing.guarded.Refused`;
    without it the image is decoded here (trusted input only: tests)."""
    import io

    from desktop.parsing.guarded import Refused
    from desktop.parsing.limits import LimitExceeded

    first = w.pages
    if frames is ...:
        try:
            frames = read_image(src, "")
        except LimitExceeded:
            return render_notice(w, title, "image_too_large", member)
        except Exception:  # Pillow raises assorted errors on a damaged or unknown image
            return render_notice(w, title, "broken", member)
    if isinstance(frames, Refused):
        if frames.code == "corrupt":
            return render_notice(w, title, "broken", member)
        return render_notice(w, title, "refused", member, reason=frames.code, detail=frames.detail)
    if not frames:
        return render_notice(w, title, "broken", member)
    from PIL import Image

    for kind, data, width, height in frames:
        if kind == "file":
            image: Any = str(src)
        elif kind == "jpeg":
            image = io.BytesIO(data)
        else:  # raw pixels made in the child: nothing to parse here
            mode, pixels = data
            image = Image.frombytes(mode, (width, height), pixels)
        w.new_page(width > height)
        pw, ph = w.pdf.w - 2 * MARGIN, w.pdf.h - 2 * MARGIN - 10
        scale = min(pw / width, ph / height)
        iw, ih = width * scale, height * scale
        w.pdf.image(image, x=(w.pdf.w - iw) / 2, y=MARGIN + 10 + (ph - ih) / 2, w=iw, h=ih)
    return Rendered(first, w.pages - first)


def read_image(src: str | Path, ext: str) -> list[tuple[str, Any, int, int]]:
    """Each frame of an image (at most 50, at most :data:`MAX_IMAGE_ANSWER` bytes of pixels in all), ready
    to be placed with nothing left to decode: ``("file", None, w, h)`` a JPEG placed as its own bytes (fpdf2
    reads its header here, never decodes it),
    ``("jpeg", bytes, w, h)`` turned or shrunk and encoded again, ``("raw", (mode, bytes), w, h)`` pixels.
    Decodes untrusted input: run it in the parsing child; over the pixel limit raises
    :class:`~desktop.parsing.limits.LimitExceeded`, a damaged image raises."""
    import io

    from PIL import ImageOps

    from desktop.evidence.text import _pillow
    from desktop.parsing.limits import LimitExceeded, current

    Image = _pillow()
    placed: list[tuple[str, Any, int, int]] = []
    budget = MAX_IMAGE_ANSWER
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(src) as im:
                frames = min(getattr(im, "n_frames", 1), 50)
                for i in range(frames):
                    im.seek(i)
                    upright = im.getexif().get(0x0112, 1) in (0, 1)
                    small = im.width * im.height <= MAX_IMAGE_PIXELS
                    if im.format == "JPEG" and frames == 1 and upright and small:
                        placed.append(("file", None, im.width, im.height))
                        continue
                    frame = ImageOps.exif_transpose(im) if not upright else im.copy()
                    if frame.width * frame.height > MAX_IMAGE_PIXELS:
                        frame.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
                    if im.format == "JPEG":
                        buf = io.BytesIO()
                        frame.convert("RGB").save(buf, "JPEG", quality=90)
                        entry: tuple[str, Any, int, int] = ("jpeg", buf.getvalue(), frame.width, frame.height)
                        size = len(entry[1])
                    else:
                        frame = frame.convert("RGBA" if "A" in frame.getbands() else "RGB")
                        entry = ("raw", (frame.mode, frame.tobytes()), frame.width, frame.height)
                        size = len(entry[1][1])
                    if placed and size > budget:  # the frames so far; the rest is in the original
                        break
                    budget -= size
                    placed.append(entry)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LimitExceeded("image_too_large", "parse.image_megapixels", "?", current().image_megapixels) from None
    return placed


def _decode(data: bytes) -> str | None:
    from desktop.evidence.text import decode

    return decode(data)


def render_extracted(w: PageWriter, src: Path, ext: str, title: str, member: str, blocks: Any = ...) -> Rendered:
    """The text and tables of a .docx / .xlsx / text file, under a note that the original is in the package.
    ``blocks``: what :func:`read_blocks` gave for the file, read under the parsing ceilings by the caller
    (:meth:`desktop.parsing.guarded.GuardedParser.run`), or its :class:`~desktop.parsing.guarded.Refused`:
    then one notice page says why the file is not shown. Without it the file is read here (trusted input
    only: tests)."""
    from desktop.parsing.guarded import Refused

    first = w.pages
    if blocks is ...:
        try:
            blocks = read_blocks(src, ext)
        except Exception:  # python-docx / openpyxl raise assorted errors on a damaged file
            return render_notice(w, title, "broken", member)
    if isinstance(blocks, Refused):
        if blocks.code == "corrupt":
            return render_notice(w, title, "broken", member)
        return render_notice(w, title, "refused", member, reason=blocks.code, detail=blocks.detail)
    if blocks is None:  # a text file that is not text
        return render_notice(w, title, "broken", member)
    w.new_page()
    w.header([title, T.notice_text("rendered_text"), T.ORIGINAL_IN_PACKAGE.format(path=member)])
    complete = True
    for kind, content in blocks:
        if kind == "heading":
            w.pdf.set_font_size(12)
            if w.y + 20 > w.bottom:
                w.new_page()
            w.pdf.text(MARGIN, w.y + 12, fit_text(w.pdf, content, w.width))
            w.y += 20
        elif kind == "text":
            complete = w.text_lines(content, start_page=first)
        elif kind == "cut":  # read_blocks stopped at MAX_BLOCK_CHARS
            complete = False
        else:
            complete = w.table(content, start_page=first)
        if not complete:
            break
    note = None
    if not complete:
        note = "truncated"
        w.text_lines("……（以下省略，完整内容见原件）", start_page=w.pages)
    return Rendered(first, w.pages - first, note=note)


class _Budget:
    """The characters :func:`read_blocks` keeps of one file (more than :data:`MAX_RENDER_PAGES` pages hold)."""

    def __init__(self) -> None:
        self.left = MAX_BLOCK_CHARS

    def take(self, text: str) -> bool:
        self.left -= len(text)
        return self.left >= 0


def read_blocks(src: str | Path, ext: str) -> list[tuple[str, Any]] | None:
    """The headings, text and tables of a .docx / .xlsx / text file, at most :data:`MAX_BLOCK_CHARS`
    characters (then a ``("cut", None)`` block); None for a text file that is not text. Parses untrusted input: run it in
    the parsing child (:class:`desktop.parsing.guarded.GuardedParser`); a damaged file raises."""
    src = Path(src)
    ext = ext.lower().lstrip(".")
    budget = _Budget()
    if ext in ("docx", "docm"):
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        with open(src, "rb") as fh:
            document = docx.Document(fh)
        blocks: list[tuple[str, Any]] = []
        text: list[str] = []
        for block in document.iter_inner_content():
            if budget.left < 0:
                break
            if isinstance(block, Paragraph):
                text.append(block.text)
                budget.take(block.text)
            elif isinstance(block, Table):
                if text:
                    blocks.append(("text", "\n".join(text)))
                    text = []
                rows, seen = [], set()
                for row in block.rows:
                    if len(rows) >= MAX_SHEET_ROWS or budget.left < 0:
                        break
                    cells = []
                    for cell in row.cells:
                        if cell._tc in seen:
                            cells.append("")
                            continue
                        seen.add(cell._tc)
                        cells.append(cell.text.strip())
                        budget.take(cells[-1])
                    rows.append(cells)
                blocks.append(("table", rows))
        if text:
            blocks.append(("text", "\n".join(text)))
        if budget.left < 0:
            blocks.append(("cut", None))
        return blocks
    if ext in ("xlsx", "xlsm"):
        import openpyxl

        from desktop.evidence.text import format_cell

        with open(src, "rb") as fh:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                blocks = []
                for ws in wb.worksheets:
                    rows = []
                    for r, row in enumerate(ws.iter_rows(), 1):
                        if r > MAX_SHEET_ROWS:
                            rows.append(["……"])
                            break
                        cells = [format_cell(c.value, getattr(c, "number_format", None))[0]
                                 for c in row[:MAX_SHEET_COLS]]
                        while cells and not cells[-1]:
                            cells.pop()
                        rows.append(cells)
                        if not budget.take("".join(cells)):
                            break
                    while rows and not rows[-1]:
                        rows.pop()
                    blocks.append(("heading", f"工作表：{ws.title}"))
                    blocks.append(("table", rows) if rows else ("text", "（空）"))
                    if budget.left < 0:
                        blocks.append(("cut", None))
                        break
                return blocks
            finally:
                wb.close()
    if ext in TEXT_EXTS:
        data = src.read_bytes()[: 20 << 20]
        if b"\x00" in data[:4096]:
            return None
        text = _decode(data)
        if text is None:
            return None
        if ext in ("csv", "tsv"):
            import csv
            import io

            rows = list(csv.reader(io.StringIO(text), delimiter="\t" if ext == "tsv" else ","))[:MAX_SHEET_ROWS]
            return [("table", [r[:MAX_SHEET_COLS] for r in rows])]
        return [("text", text[:MAX_BLOCK_CHARS])] + ([("cut", None)] if len(text) > MAX_BLOCK_CHARS else [])
    return None
