"""The documents a return carries: ``审核意见书.xlsx`` and ``审核意见书.pdf`` (per section: claim, value,
evidence, state, comment, requests; totals; the fingerprints of the sign-offs) and ``补充材料通知单.pdf``
(the open requests). Drawn with the export's PDF helpers (:mod:`desktop.exchange.pdfdraw`: fpdf2, the CJK
font embedded and subset) from one :class:`Opinion` read from the review workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.exchange.pdfdraw import A4, MARGIN, fit_text, missing_glyphs, open_pages, quick_font, wrap_lines
from desktop.text import inspection as T

BOTTOM = A4[1] - MARGIN


@dataclass
class OpinionClaim:
    seq: int
    claim_id: int
    part: str
    section: str
    text: str
    value: str
    evidence: list[str]  # "E12《名称》 第3页"
    state: str  # review display state (stale included)
    comment: str | None
    reviewer: str | None
    reviewed_at: str | None
    fingerprint: str | None
    requests: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Opinion:
    title: str
    unit: str | None
    year: str | None
    workspace_name: str
    package_id: str
    package_manifest: str
    reviewer: str
    created_at: str
    claims: list[OpinionClaim]
    requests: list[dict[str, Any]]
    totals: dict[str, int]
    request_totals: dict[str, int]

    @property
    def sections(self) -> list[tuple[str, list[OpinionClaim]]]:
        out: dict[str, list[OpinionClaim]] = {}
        for c in self.claims:
            out.setdefault(c.section, []).append(c)
        return list(out.items())

    @property
    def signed(self) -> list[OpinionClaim]:
        return [c for c in self.claims if c.state == "verified" and c.fingerprint]

    @property
    def open_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["state"] in ("open", "reopened")]


def read_opinion(ws, *, created_at: str) -> Opinion:
    """Everything the documents show, from one snapshot of the review workspace."""
    from desktop.exchange.export import plan_for
    from desktop.review.requests import list_requests
    from desktop.review.review import review_overview
    from desktop.review.status import section_title

    plan = plan_for(ws)
    db = ws.db
    reviews = review_overview(db)
    names = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM evidence")}
    requests = list_requests(db, history=False)
    seq_of = {e.id: e.seq for e in plan.claims}
    by_claim: dict[int, list[dict[str, Any]]] = {}
    for r in requests:
        r["claim_seq"] = seq_of.get(r["claim_id"])
        by_claim.setdefault(r["claim_id"], []).append(r)
    claims = []
    totals: dict[str, int] = {}
    for e in plan.claims:
        c = e.claim
        info = reviews.get(e.id)
        ev = [f"E{eid}《{names.get(eid, '')}》" + (f" {loc}" if loc else "") for eid, loc in e.evidence]
        claims.append(OpinionClaim(
            e.seq, e.id, c.get("part") or "", section_title(c), e.text,
            f"{c.get('value_raw') or c.get('value') or ''}{c.get('unit') or ''}", ev, e.review,
            info.comment if info else None, info.reviewer if info else None, info.created_at if info else None,
            info.fingerprint if info and e.review == "verified" else None, by_claim.get(e.id, [])))
        totals[e.review] = totals.get(e.review, 0) + 1
    totals["total"] = len(claims)
    rtotals = {s: sum(1 for r in requests if r["state"] == s) for s in ("open", "answered", "accepted", "reopened")}
    rtotals["total"] = len(requests)
    name = db.get_setting("source_workspace_name") or plan.workspace_name
    return Opinion(T.OPINION_TITLE, plan.unit, plan.year, name, db.get_setting("package_id") or "",
                   _received_manifest(db), ws.actor, created_at, claims, requests, totals, rtotals)


def _received_manifest(db) -> str:
    row = db.query_one("SELECT manifest_sha256 FROM received WHERE kind = 'package' ORDER BY id LIMIT 1")
    return row["manifest_sha256"] if row else ""


# --- 审核意见书.xlsx ------------------------------------------------------------------------------


def write_xlsx(op: Opinion, dest: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheet = wb.active
    sheet.title = T.SHEET_OPINION
    sheet.append(list(T.OPINION_HEADER))
    for c in op.claims:
        sheet.append([c.seq, c.part, c.section, c.text, c.value, "\n".join(c.evidence) or T.NO_EVIDENCE,
                      T.review_state(c.state), c.comment or "", "\n".join(T.request_brief(r) for r in c.requests),
                      c.reviewer or "", T.local(c.reviewed_at), c.fingerprint or ""])
    widths = (6, 10, 24, 48, 14, 36, 12, 30, 40, 10, 18, 66)
    for i, w in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = w
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.print_title_rows = "1:1"

    req = wb.create_sheet(T.SHEET_REQUESTS)
    req.append(list(T.REQUEST_HEADER))
    for r in op.requests:
        req.append([r["id"], r.get("claim_seq"), r["claim_id"], r["text"], r.get("due") or "",
                    T.request_state(r["state"]), "、".join(f"E{e}" for e in r["answers"]), r.get("comment") or "",
                    r["created_by"], T.local(r["created_at"])])
    for i, w in enumerate((8, 6, 8, 48, 12, 10, 16, 30, 10, 18), 1):
        req.column_dimensions[get_column_letter(i)].width = w
    req.freeze_panes = "A2"

    tot = wb.create_sheet(T.SHEET_TOTALS)
    tot.append([T.TOTALS_ITEM, T.TOTALS_COUNT])
    for key, label in T.TOTAL_ROWS:
        tot.append([label, op.totals.get(key, 0)])
    for key, label in T.REQUEST_TOTAL_ROWS:
        tot.append([label, op.request_totals.get(key, 0)])
    tot.append([])
    tot.append([T.META_PACKAGE, op.package_id])
    tot.append([T.META_MANIFEST, op.package_manifest])
    tot.append([T.META_REVIEWER, op.reviewer])
    tot.append([T.META_DATE, T.local(op.created_at)])
    tot.column_dimensions["A"].width = 28
    tot.column_dimensions["B"].width = 70
    wb.save(dest)


# --- the PDFs -------------------------------------------------------------------------------


class _Writer:
    """Top-to-bottom text on A4 pages. Several documents share one fpdf2 document (the CJK font is loaded
    once); :meth:`save` splits them into their own files with pikepdf."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.width = A4[0] - 2 * MARGIN
        self.y = MARGIN
        self.parts: list[tuple[Path, int, int]] = []  # (file, first page, last page)
        self._start = 1

    def begin(self) -> None:
        self.pdf.add_page()
        self._start = self.pdf.pages_count
        self.y = MARGIN

    def end(self, dest: Path) -> None:
        self.parts.append((dest, self._start, self.pdf.pages_count))

    def need(self, h: float) -> None:
        if self.y + h > BOTTOM:
            self.pdf.add_page()
            self.y = MARGIN

    def line(self, text: str, size: float = 10, indent: float = 0, gap: float = 3, bold_color=None) -> None:
        self.pdf.set_font_size(size)
        for part in wrap_lines(self.pdf, text, self.width - indent):
            self.need(size + gap)
            if bold_color:
                self.pdf.set_text_color(*bold_color)
            self.pdf.text(MARGIN + indent, self.y + size, part)
            self.pdf.set_text_color(0, 0, 0)
            self.y += size + gap

    def space(self, h: float) -> None:
        self.y += h

    def save(self) -> None:
        """Stamp 第 p 页 共 N 页 per document, then write each document's pages to its own file."""
        import io

        import pikepdf

        pdf = self.pdf
        pdf.set_font_size(8)
        for _dest, first, last in self.parts:
            for p in range(first, last + 1):
                pdf.page = p
                stamp = T.PAGE_STAMP.format(page=p - first + 1, total=last - first + 1)
                pdf.text(A4[0] / 2 - pdf.get_string_width(stamp) / 2, A4[1] - MARGIN / 2, stamp)
        whole = pikepdf.open(io.BytesIO(bytes(pdf.output())))
        try:
            for dest, first, last in self.parts:
                part = pikepdf.new()
                part.pages.extend(whole.pages[first - 1:last])
                part.docinfo["/Title"] = dest.stem
                part.docinfo["/Creator"] = "EvidenceDesk"
                part.save(dest)
        finally:
            whole.close()


def _head(w: _Writer, op: Opinion, title: str) -> None:
    w.line(title, size=18, gap=10)
    for label, value in T.meta_lines(op):
        w.line(f"{label}：{value}", size=9)
    w.space(8)


def write_documents(op: Opinion, opinion_pdf: Path, notice_pdf: Path) -> None:
    """``审核意见书.pdf`` and ``补充材料通知单.pdf``: drawn with the export's quick font, or again with the
    full one when a comment or request uses a character the quick font lacks."""
    quick = quick_font()
    for font in ([quick] if quick else []) + [None]:
        with open_pages(font) as pdf:
            w = _Writer(pdf)
            w.begin()
            _opinion_pages(w, op)
            w.end(opinion_pdf)
            w.begin()
            _notice_pages(w, op)
            w.end(notice_pdf)
            if font is not None and missing_glyphs(pdf):
                continue
            w.save()
            return


def _opinion_pages(w: _Writer, op: Opinion) -> None:
    _head(w, op, op.title)
    w.line(T.TOTALS_TITLE, size=13, gap=6)
    w.line("　".join(f"{label} {op.totals.get(key, 0)}" for key, label in T.TOTAL_ROWS), size=10)
    w.line("　".join(f"{label} {op.request_totals.get(key, 0)}" for key, label in T.REQUEST_TOTAL_ROWS), size=10)
    w.space(10)
    for section, claims in op.sections:
        w.need(40)
        w.line(section, size=12, gap=6)
        for c in claims:
            color = T.STATE_COLORS.get(c.state)
            w.need(36)
            w.line(f"{c.seq}. {c.text}", size=9.5, indent=6)
            w.line(f"{T.LABEL_VALUE}：{c.value}　{T.LABEL_STATE}：{T.review_state(c.state)}"
                   + (f"（{c.reviewer}）" if c.reviewer else ""), size=9, indent=18, bold_color=color)
            w.line(f"{T.LABEL_EVIDENCE}：{'；'.join(c.evidence) or T.NO_EVIDENCE}", size=9, indent=18)
            if c.comment:
                w.line(f"{T.LABEL_COMMENT}：{c.comment}", size=9, indent=18)
            for r in c.requests:
                w.line(f"{T.LABEL_REQUEST}：{T.request_brief(r)}", size=9, indent=18)
            w.space(4)
        w.space(6)
    w.need(60)
    w.line(T.SIGNOFF_TITLE, size=13, gap=6)
    w.line(T.SIGNOFF_NOTE, size=8.5)
    if not op.signed:
        w.line(T.NONE, size=9, indent=6)
    for c in op.signed:
        w.line(f"{c.seq}. #{c.claim_id} {fit_text(w.pdf, c.text, 200)}", size=9, indent=6)
        w.line(c.fingerprint or "", size=8, indent=18)


def _notice_pages(w: _Writer, op: Opinion) -> None:
    _head(w, op, T.NOTICE_TITLE)
    w.line(T.NOTICE_INTRO.format(n=len(op.open_requests)), size=10, gap=6)
    w.space(6)
    if not op.open_requests:
        w.line(T.NONE, size=10, indent=6)
    for i, r in enumerate(op.open_requests, 1):
        w.need(50)
        claim = next((c for c in op.claims if c.claim_id == r["claim_id"]), None)
        head = f"{i}. {T.LABEL_REQUEST_NO} #{r['id']}　{T.request_state(r['state'])}"
        if r.get("due"):
            head += f"　{T.LABEL_DUE}：{r['due']}"
        w.line(head, size=10.5, gap=5)
        if claim is not None:
            w.line(f"{T.LABEL_CLAIM}：{claim.seq}. {claim.text}（{claim.value}）", size=9, indent=14)
            w.line(f"{T.LABEL_SECTION}：{claim.section}", size=9, indent=14)
        w.line(f"{T.LABEL_MISSING}：{r['text']}", size=9.5, indent=14)
        if r.get("comment"):
            w.line(f"{T.LABEL_COMMENT}：{r['comment']}", size=9, indent=14)
        w.space(6)
    w.space(10)
    w.line(T.NOTICE_HOWTO, size=9)
