"""佐证材料汇编: one PDF with a cover, a 承诺书, a 目录 whose page numbers are links, then every linked
file in report order, each starting on a new page, every page stamped ``第 p 页 共 N 页`` and each
evidence page with its number (E12); bookmarks part → section → claim → file.

Two steps, so that ``目录.xlsx`` (inside the package) can carry the binder's page numbers while the
binder's cover carries the package's hash: :meth:`BinderBuilder.prepare` turns every file into pages and
fixes the layout (returns the page each file starts on), :meth:`BinderBuilder.assemble` writes the front
matter with the hashes, merges (pikepdf), bookmarks, links and stamps.
"""

from __future__ import annotations

import io
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from desktop.exchange import render as R
from desktop.exchange.pdfdraw import A4, MARGIN, NO_LINE_START, draw_pdf, fit_text, wrap_lines
from desktop.exchange.plan import FileEntry, Plan
from desktop.parsing.guarded import GuardedParser, Refused, RunnerClosed, unsafe_after_ingest
from desktop.parsing.limits import Limits
from desktop.text import exchange as T

MAX_FILE_BYTES = 300 << 20  # larger files are listed, not inserted (the original is in the package)
MAX_PDF_PAGES = 2000
# While merging, every source PDF stays open until the binder is saved. Sources are read into memory up to
# MEMORY_BUDGET (no file handle held); beyond it they stay open as files, and past OPEN_FILES of those
# (Windows allows 512 per process) what is merged so far is written to an intermediate file first.
MEMORY_BUDGET = 512 << 20
IN_MEMORY_MAX = 64 << 20
OPEN_FILES = 400
BLOCKS_KEPT = 20_000_000  # characters of read files kept for a second drawing (draw_pdf may draw twice)
TOC_ROW = 17.0
TOC_TOP = MARGIN + 40
TOC_ROWS_PER_PAGE = int((A4[1] - MARGIN - TOC_TOP) // TOC_ROW)
PLEDGE_LINE = 24.0
PLEDGE_SIZE = 13.0
PLEDGE_TOP = MARGIN + 70
PLEDGE_ROOM = A4[1] - MARGIN - PLEDGE_TOP - 190  # below: signatures and hashes


@dataclass
class BinderFile:
    entry: FileEntry
    pdf: Path | None = None  # a PDF whose pages are inserted as they are (original or converted)
    first: int = 0  # first page in the generated document (``pdf`` None)
    count: int = 0
    notice: dict[str, Any] | None = None
    converted: bool = False  # through LibreOffice
    start: int = 0  # 1-based page in the binder
    sizes: list[tuple[float, float]] = field(default_factory=list)  # each page as displayed (w, h), points


@dataclass
class BinderInfo:
    pages: int
    starts: dict[int, int]
    notices: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class TocRow:
    level: int  # 0 part, 1 section, 2 claim, 3 file
    text: str
    target: int | None = None  # evidence id whose start page the row links to
    right: str = ""  # 缺佐证 / 无需佐证 (rows without a target)


def page_sizes(pdf) -> list[tuple[float, float]]:
    """Each page's size as displayed: its trim box, turned by its /Rotate."""
    import pikepdf

    out = []
    for page in pdf.pages:
        box = page.trimbox
        w, h = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
        if int(page.obj.get(pikepdf.Name.Rotate, 0)) % 180 == 90:
            w, h = h, w
        out.append((w, h))
    return out


def draw_stamp(pdf, w: float, h: float, page: int, total: int, label: str | None) -> None:
    """``第 p 页 共 N 页`` centred in the bottom margin; the evidence number in the top right corner."""
    size = max(6.0, min(9.0, w / 66))
    pdf.set_font_size(size)
    pdf.set_text_color(60, 60, 60)
    text = T.PAGE_STAMP.format(page=page, total=total)
    pdf.text((w - pdf.get_string_width(text)) / 2, h - max(8.0, min(20.0, h / 42)), text)
    if label:
        pdf.set_font_size(size + 2)
        pdf.text(w - pdf.get_string_width(label) - max(8.0, min(24.0, w / 25)), max(12.0, min(24.0, h / 35)), label)
    pdf.set_text_color(0, 0, 0)


def wrap_em(text: str, width_em: float) -> list[str]:
    """``text`` in lines of at most ``width_em`` (a wide character 1 em, a narrow one ½)."""
    import unicodedata

    out = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for ch in para:
            w = 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5
            if line and used + w > width_em and ch not in NO_LINE_START:
                out.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        out.append(line)
    return out


def _chars(blocks: list[tuple[str, Any]]) -> int:
    n = 0
    for kind, content in blocks:
        if kind == "table":
            n += sum(len(c) for row in content for c in row)
        elif isinstance(content, str):
            n += len(content)
    return n


def _ext(f: FileEntry) -> str:
    return (f.ext or Path(f.name).suffix.lstrip(".")).lower()


class BinderBuilder:
    def __init__(self, plan: Plan, store, workdir: Path, *, progress: Callable[[str, int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None, soffice: str | None | bool = True,
                 pledge_text: str | None = None, limits: Limits | None = None):
        self.plan = plan
        self.store = store
        self.work = Path(workdir)
        self.work.mkdir(parents=True, exist_ok=True)
        self.progress = progress or (lambda *a: None)
        self.cancel = cancel
        self.soffice = R.find_soffice() if soffice is True else (soffice or None)
        self.pledge_text = (pledge_text or "").strip() or T.DEFAULT_PLEDGE
        self.files: list[BinderFile] = []
        self._starts: dict[int, int] = {}
        self.toc: list[TocRow] = []
        self.front_pages = 0
        self.pledge_pages = 1
        self.total = 0
        # Files are parsed under the same ceilings as the ingest (the workspace's limits): checked before
        # opening, read in a parsing child with the memory and time limits (desktop.parsing.guarded)
        self.parser = GuardedParser(limits)
        self._read: dict[int, Any] = {}  # evidence id → read_blocks' answer or a Refused, kept for a redraw
        self._kept = 0

    # -- step 1 ----------------------------------------------------------------------------------

    def _check_cancel(self) -> None:
        if self.cancel and self.cancel():
            from desktop.exchange.cancel import ExportCancelled

            raise ExportCancelled()

    def prepare(self) -> dict[int, int]:
        """Turn every linked file into pages and fix the layout; return evidence id → start page."""
        import pikepdf

        entries = self.plan.linked_files
        self.progress("binder_render", 0, len(entries))
        try:
            converted = self._convert_office(entries, pikepdf) if self.soffice else {}
            draw_pdf(lambda pdf: self._render_all(R.PageWriter(pdf), pikepdf, converted),
                     self.work / "generated.pdf")
        finally:
            self.parser.close()
            self._read.clear()
        with pikepdf.open(self.work / "generated.pdf") as generated:
            sizes = page_sizes(generated)
        for bf in self.files:
            if bf.pdf is None:
                bf.sizes = sizes[bf.first:bf.first + bf.count]
        self._layout()
        return {bf.entry.evidence_id: bf.start for bf in self.files}

    def _render_all(self, writer: R.PageWriter, pikepdf, converted: dict[int, tuple[Path, int, list]]) -> None:
        self.files = []  # drawn again from the start if the quick font lacked a character
        entries = self.plan.linked_files
        total = len(entries)
        self.progress("binder_render", 0, total)
        for done, f in enumerate(entries, 1):
            self._check_cancel()
            bf = BinderFile(f)
            self.files.append(bf)
            src = self.store.object_path(f.sha256)
            ext = _ext(f)
            title = f"{f.number}　{f.name}"
            refused = self._read.get(f.evidence_id)
            if f.size > MAX_FILE_BYTES:
                self._generated(bf, R.render_notice(writer, title, "too_large", f.path, size=T.size_text(f.size)))
            elif f.evidence_id in converted:
                bf.pdf, bf.count, bf.sizes = converted[f.evidence_id]
                bf.converted = True
            elif isinstance(refused, Refused) and refused.code != "corrupt":  # by the checks, or in the child
                self._generated(bf, R.render_notice(writer, title, "refused", f.path, reason=refused.code,
                                                    detail=refused.detail))
            elif ext == "pdf" and (unsafe := unsafe_after_ingest(f.status, f.error)):
                # its parse crashed, hung or ran out of memory in the ingest's child: not merged (by qpdf,
                # in this process) on the strength of a second try
                self._generated(bf, R.render_notice(writer, title, "refused", f.path, reason=f.error, detail=unsafe))
            elif ext == "pdf":
                self._pdf(bf, src, writer, title, pikepdf)
            elif ext in ("docx", "docm", "xlsx", "xlsm") or ext in R.TEXT_EXTS:
                self._generated(bf, R.render_extracted(writer, src, ext, title, f.path,
                                                       self._parse(f, R.read_blocks, src, ext)))
            elif ext in R.IMAGE_EXTS:  # decoded in the parsing child, its pixels checked first
                self._generated(bf, R.render_image(writer, src, title, f.path, self._parse(f, R.read_image, src, ext,
                                                                                        keep=False)))
            elif ext in R.OFFICE_EXTS:
                code = "broken" if self.soffice else "legacy_office"  # LibreOffice tried and failed, or absent
                self._generated(bf, R.render_notice(writer, title, code, f.path, ext=f".{ext}"))
            else:
                self._generated(bf, R.render_notice(writer, title, "unsupported", f.path,
                                                    ext=f".{ext}" if ext else "无扩展名"))
            self.progress("binder_render", done, total)

    def _parse(self, f: FileEntry, fn: Callable[..., Any], src: Path, ext: str, keep: bool = True) -> Any:
        """``fn(src, ext)`` in the parsing child under the ceilings (checked first), or why not (a
        :class:`Refused`). Kept for a second drawing: refusals always, text and tables up to
        :data:`BLOCKS_KEPT` characters (``keep``), images never (their pixels are read again)."""
        if f.evidence_id in self._read:
            return self._read[f.evidence_id]
        try:
            value = self.parser.run(fn, src, ext, cancel=self.cancel)
        except RunnerClosed:  # the export was cancelled while the child was parsing
            self._check_cancel()
            raise
        if isinstance(value, Refused):
            self._read[f.evidence_id] = value
        elif keep and value is not None and self._kept + _chars(value) <= BLOCKS_KEPT:
            self._read[f.evidence_id] = value
            self._kept += _chars(value)
        return value

    def _generated(self, bf: BinderFile, r: R.Rendered) -> None:
        bf.pdf, bf.first, bf.count, bf.notice = None, r.first, r.count, r.notice

    def _pdf(self, bf: BinderFile, src: Path, writer: R.PageWriter, title: str, pikepdf) -> None:
        try:
            with pikepdf.open(src) as pdf:
                n = len(pdf.pages)
                sizes = page_sizes(pdf) if 0 < n <= MAX_PDF_PAGES else []
        except pikepdf.PasswordError:
            self._generated(bf, R.render_notice(writer, title, "encrypted", bf.entry.path))
            return
        except Exception:  # pikepdf.PdfError and whatever a damaged file raises
            self._generated(bf, R.render_notice(writer, title, "broken", bf.entry.path))
            return
        if n == 0:
            self._generated(bf, R.render_notice(writer, title, "broken", bf.entry.path))
        elif n > MAX_PDF_PAGES:
            self._generated(bf, R.render_notice(writer, title, "too_large", bf.entry.path, size=f"{n} 页"))
        else:
            bf.pdf, bf.count, bf.sizes = src, n, sizes

    def _convert_office(self, entries: list[FileEntry], pikepdf) -> dict[int, tuple[Path, int, list]]:
        """Office files through LibreOffice, in batches: evidence id → (PDF, pages, page sizes) for each
        that converted (the others are rendered from their text, or shown as a notice)."""
        office = []
        for f in entries:
            if _ext(f) not in R.OFFICE_EXTS or f.size > MAX_FILE_BYTES:
                continue
            # a bomb is not handed to LibreOffice either (it runs without a memory limit): the same checks
            refused = self.parser.check(self.store.object_path(f.sha256), _ext(f))
            if refused is not None:
                self._read[f.evidence_id] = refused
            else:
                office.append(f)
        if not office:
            return {}
        inbox = self.work / "office-in"
        inbox.mkdir(exist_ok=True)
        sources = {}
        for f in office:
            dst = inbox / f"E{f.evidence_id}.{_ext(f)}"
            shutil.copyfile(self.store.object_path(f.sha256), dst)
            sources[f.evidence_id] = dst
        self.progress("binder_convert", 0, len(office))
        done = R.convert_with_soffice(
            self.soffice, list(sources.values()), self.work / "office-out", self.work / "lo-profile",
            cancel=self.cancel, on_batch=lambda n: self.progress("binder_convert", n, len(office)))
        out = {}
        for f in office:
            pdf = done.get(sources[f.evidence_id])
            if pdf is None:
                continue
            try:
                with pikepdf.open(pdf) as doc:
                    n, sizes = len(doc.pages), page_sizes(doc)
            except Exception:  # LibreOffice wrote something pikepdf cannot read
                continue
            if 0 < n <= MAX_PDF_PAGES:
                out[f.evidence_id] = (pdf, n, sizes)
        return out

    def _layout(self) -> None:
        self.toc = self._toc_rows()
        lines = self._pledge_lines()
        self.pledge_pages = max(1, math.ceil(len(lines) / self._pledge_per_page()))
        toc_pages = max(1, math.ceil(len(self.toc) / TOC_ROWS_PER_PAGE))
        self.front_pages = 1 + self.pledge_pages + toc_pages
        page = self.front_pages + 1
        for bf in self.files:
            bf.start = page
            page += bf.count
        self.total = page - 1

    @staticmethod
    def _pledge_per_page() -> int:
        return max(1, int(PLEDGE_ROOM // PLEDGE_LINE))

    def _pledge_lines(self) -> list[str]:
        """The pledge wrapped by character widths in em (CJK 1, others ½): the same lines whichever font
        draws them, so its page count is fixed before the fonts are chosen."""
        return wrap_em("　　" + self.pledge_text.replace("\n", "\n　　"), (A4[0] - 2 * MARGIN) / PLEDGE_SIZE)

    def _toc_rows(self) -> list[TocRow]:
        rows: list[TocRow] = []
        part = section = None
        placed: set[int] = set()
        for entry in self.plan.claims:
            c = entry.claim
            p, s = c.get("part") or "", c.get("section") or "（无标题）"
            if p != part:
                part, section = p, None
                if p:
                    rows.append(TocRow(0, p))
            if s != section:
                section = s
                rows.append(TocRow(1, s))
            head = f"{entry.seq}. {entry.text}"
            if not entry.evidence:
                right = T.MISSING if c["needs_evidence"] else T.NOT_REQUIRED
                rows.append(TocRow(2, head, None, right))
                continue
            rows.append(TocRow(2, head, entry.evidence[0][0]))
            for eid, _loc in entry.evidence:
                f = self.plan.files[eid]
                suffix = "" if eid not in placed else "（同上）"
                placed.add(eid)
                rows.append(TocRow(3, f"{f.number}　{f.name}{suffix}", eid))
        return rows

    # -- step 2 ----------------------------------------------------------------------------------

    def assemble(self, dest: Path, *, package_sha256: str, manifest_sha256: str, created_at: str) -> BinderInfo:
        import pikepdf

        starts = {bf.entry.evidence_id: bf.start for bf in self.files}
        self.progress("binder_front", 0, self.total)
        # one fpdf2 document: the front matter (stamped as drawn), then one stamp page per evidence page
        links = self._front_and_stamps(self.work / "front.pdf", package_sha256, manifest_sha256, created_at, starts)
        partial = self.work / "partial.pdf"
        drawn = pikepdf.open(self.work / "front.pdf")
        if len(drawn.pages) != self.total:
            raise RuntimeError(f"drew {len(drawn.pages)} front and stamp pages, laid out for {self.total}")
        generated = pikepdf.open(self.work / "generated.pdf")
        held: list[Any] = []
        final = pikepdf.new()
        self.progress("binder_assemble", 0, len(self.files))
        in_memory = open_files = 0
        try:
            final.pages.extend(list(drawn.pages)[:self.front_pages])
            for i, bf in enumerate(self.files, 1):
                self._check_cancel()
                if bf.pdf is not None:
                    size = bf.pdf.stat().st_size
                    if size <= IN_MEMORY_MAX and in_memory + size <= MEMORY_BUDGET:
                        src = pikepdf.open(io.BytesIO(bf.pdf.read_bytes()))
                        in_memory += size
                    else:
                        src = pikepdf.open(bf.pdf)
                        open_files += 1
                    held.append(src)
                    final.pages.extend(src.pages)
                else:
                    for k in range(bf.first, bf.first + bf.count):
                        final.pages.append(generated.pages[k])
                if open_files >= OPEN_FILES and i < len(self.files):
                    final = self._checkpoint(final, held, partial, pikepdf)
                    in_memory = open_files = 0
                self.progress("binder_assemble", i, len(self.files))
            if len(final.pages) != self.total:
                raise RuntimeError(f"binder has {len(final.pages)} pages, laid out for {self.total}")
            self._outline(final, pikepdf)
            self._links(final, links, starts, pikepdf)
            n = self.total
            for i in range(self.front_pages, n):
                final.pages[i].add_overlay(drawn.pages[i])
                if i % 50 == 0:
                    self._check_cancel()
                    self.progress("binder_stamp", i, n)
            self.progress("binder_stamp", n, n)
            self.progress("binder_save", 0, 100)
            final.save(dest, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                       progress=lambda percent: self.progress("binder_save", percent, 100))
        finally:
            final.close()
            drawn.close()
            generated.close()
            for src in held:
                src.close()
        notices = [{"evidence_id": bf.entry.evidence_id, "name": bf.entry.name, **bf.notice}
                   for bf in self.files if bf.notice]
        return BinderInfo(self.total, starts, notices)

    def _checkpoint(self, final, held: list[Any], partial: Path, pikepdf):
        tmp = partial.with_name(f"partial-{len(list(self.work.glob('partial-*.pdf')))}.pdf")
        final.save(tmp, progress=lambda percent: self.progress("binder_save", percent, 100))
        final.close()
        for src in held:
            src.close()
        held.clear()
        reopened = pikepdf.open(tmp)
        held.append(reopened)  # closed with the others at the end; the merged file is built on a copy
        out = pikepdf.new()
        out.pages.extend(reopened.pages)
        return out

    def _front_and_stamps(self, dest: Path, package_sha256: str, manifest_sha256: str, created_at: str,
                          starts: dict[int, int]) -> list[tuple[int, tuple[float, float, float, float], int]]:
        """Cover, 承诺书 and 目录, each stamped, then a stamp page for every evidence page (one fpdf2
        document); returns (toc page index, rect in PDF points, evidence id) for every 目录 row that links
        to a page."""
        return draw_pdf(lambda pdf: self._draw_front_and_stamps(pdf, package_sha256, manifest_sha256, created_at,
                                                                starts), dest)

    def _draw_front_and_stamps(self, pdf, package_sha256: str, manifest_sha256: str, created_at: str,
                               starts: dict[int, int]) -> list[tuple[int, tuple[float, float, float, float], int]]:
        width = A4[0] - 2 * MARGIN
        plan = self.plan
        # cover
        pdf.add_page()
        pdf.set_font_size(30)
        title = T.BINDER_TITLE
        pdf.text((A4[0] - pdf.get_string_width(title)) / 2, 250, title)
        pdf.set_font_size(12)
        y = 360
        reports = [Path(r.name).stem for r in plan.reports]
        for label, value in T.cover_lines(plan.unit, plan.year, reports, created_at[:10], package_sha256):
            pdf.set_font_size(11)
            pdf.text(MARGIN + 20, y, f"{label}：")
            for line in wrap_lines(pdf, value, width - 160):
                pdf.text(MARGIN + 150, y, line)
                y += 18
            y += 8
        # 承诺书
        lines = self._pledge_lines()
        per_page = self._pledge_per_page()
        for k in range(self.pledge_pages):
            pdf.add_page()
            pdf.set_font_size(20)
            pdf.text((A4[0] - pdf.get_string_width(T.PLEDGE_TITLE)) / 2, MARGIN + 40, T.PLEDGE_TITLE)
            pdf.set_font_size(PLEDGE_SIZE)
            y = PLEDGE_TOP
            for line in lines[k * per_page:(k + 1) * per_page]:
                pdf.text(MARGIN, y + 13, line)
                y += PLEDGE_LINE
        y = A4[1] - MARGIN - 180
        pdf.set_font_size(12)
        for label in T.PLEDGE_SIGN:
            pdf.text(A4[0] / 2 - 20, y, label)
            y += 26
        y += 6
        pdf.set_font_size(8.5)
        for label, value in T.pledge_footer(manifest_sha256, plan.audit_head, plan.audit_seq):
            pdf.text(MARGIN, y, f"{label}：{value}")
            y += 14
        # 目录
        links = []
        first_toc = 1 + self.pledge_pages
        for k in range(0, max(len(self.toc), 1), TOC_ROWS_PER_PAGE):
            pdf.add_page()
            pdf.set_font_size(18)
            pdf.text((A4[0] - pdf.get_string_width(T.TOC_TITLE)) / 2, MARGIN + 22, T.TOC_TITLE)
            y = TOC_TOP
            for row in self.toc[k:k + TOC_ROWS_PER_PAGE]:
                indent = (0, 10, 20, 38)[row.level]
                pdf.set_font_size((12, 11, 10, 9.5)[row.level])
                right = str(starts[row.target]) if row.target is not None else row.right
                rw = pdf.get_string_width(right)
                text = fit_text(pdf, row.text, width - indent - rw - 24)
                pdf.text(MARGIN + indent, y + 12, text)
                if row.target is not None:
                    tw = pdf.get_string_width(text)
                    pdf.set_draw_color(170, 170, 170)
                    pdf.set_dash_pattern(1, 2)
                    pdf.line(MARGIN + indent + tw + 4, y + 11, A4[0] - MARGIN - rw - 4, y + 11)
                    pdf.set_dash_pattern()
                    page_index = first_toc + k // TOC_ROWS_PER_PAGE
                    links.append((page_index, (MARGIN + indent, A4[1] - y - TOC_ROW + 2, A4[0] - MARGIN,
                                               A4[1] - y), row.target))
                elif row.right == T.MISSING:
                    pdf.set_text_color(200, 40, 40)
                pdf.text(A4[0] - MARGIN - rw, y + 12, right)
                pdf.set_text_color(0, 0, 0)
                y += TOC_ROW
        if pdf.pages_count != self.front_pages:
            raise RuntimeError(f"front matter has {pdf.pages_count} pages, laid out for {self.front_pages}")
        for page in range(1, self.front_pages + 1):
            pdf.page = page
            draw_stamp(pdf, A4[0], A4[1], page, self.total, None)
        pdf.page = self.front_pages
        for bf in self.files:
            for k, (w, h) in enumerate(bf.sizes):
                pdf.add_page(format=(w, h))
                draw_stamp(pdf, w, h, bf.start + k, self.total, bf.entry.number)
            self.progress("binder_front", bf.start + bf.count - 1, self.total)
        return links

    def _outline(self, final, pikepdf) -> None:
        """Bookmarks: 封面, 承诺书, 目录, then part → section → claim → file."""
        from pikepdf import OutlineItem

        with final.open_outline() as outline:
            outline.root.extend([OutlineItem("封面", 0), OutlineItem(T.PLEDGE_TITLE, 1),
                                 OutlineItem(T.TOC_TITLE, 1 + self.pledge_pages)])
            part_item = section_item = None
            part = section = object()
            for entry in self.plan.claims:
                if not entry.evidence:
                    continue
                c = entry.claim
                p, s = c.get("part") or "", c.get("section") or "（无标题）"
                first = self.plan.files[entry.evidence[0][0]]
                page = self._start(first.evidence_id) - 1
                if p != part:
                    part, section = p, object()
                    part_item = OutlineItem(p or "（未分部分）", page)
                    outline.root.append(part_item)
                if s != section:
                    section = s
                    section_item = OutlineItem(s, page)
                    part_item.children.append(section_item)
                claim_item = OutlineItem(f"{entry.seq}. {entry.text}"[:120], page)
                section_item.children.append(claim_item)
                for eid, _loc in entry.evidence:
                    f = self.plan.files[eid]
                    claim_item.children.append(OutlineItem(f"{f.number} {f.name}"[:120], self._start(eid) - 1))

    def _start(self, evidence_id: int) -> int:
        if len(self._starts) != len(self.files):
            self._starts = {bf.entry.evidence_id: bf.start for bf in self.files}
        return self._starts[evidence_id]

    def _links(self, final, links, starts: dict[int, int], pikepdf) -> None:
        from pikepdf import Array, Dictionary, Name

        for page_index, rect, eid in links:
            page = final.pages[page_index]
            target = final.pages[starts[eid] - 1]
            annot = final.make_indirect(Dictionary(
                Type=Name.Annot, Subtype=Name.Link, Rect=Array(list(rect)), Border=Array([0, 0, 0]),
                Dest=Array([target.obj, Name.Fit])))
            if Name.Annots not in page.obj:
                page.obj.Annots = final.make_indirect(Array())
            page.obj.Annots.append(annot)
