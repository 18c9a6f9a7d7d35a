"""``完整性报告.pdf``: completeness at a glance (figures and bars per report and section, as the dashboard
shows them), then the lists: 缺佐证, 数值未找到, 证据有新版本, 存疑 / 需补充, then the 一致性检查's findings (the open ones by
severity, each with its arithmetic and where it is; then the dismissed ones with who dismissed them and why)."""

from __future__ import annotations

from pathlib import Path

from desktop.exchange.pdfdraw import A4, MARGIN, draw_pdf, fit_text, wrap_lines
from desktop.exchange.plan import ClaimEntry, Plan
from desktop.text import exchange as T

GREEN = (46, 139, 87)
RED = (200, 40, 40)
AMBER = (220, 150, 30)
GREY = (225, 225, 225)
BOTTOM = A4[1] - MARGIN


def list_members(plan: Plan) -> dict[str, list[ClaimEntry]]:
    lists: dict[str, list[ClaimEntry]] = {code: [] for code, _ in T.COMPLETENESS_LISTS}
    for e in plan.claims:
        flags = e.claim["flags"]
        for code in ("no_evidence", "value_not_found", "evidence_superseded"):
            if code in flags:
                lists[code].append(e)
        if e.review in ("questioned", "needs_more"):
            lists["questioned_or_needs_more"].append(e)
    return lists


def write_completeness(plan: Plan, dest: Path, *, created_at: str) -> None:
    draw_pdf(lambda pdf: _draw(pdf, plan, created_at), dest)


def _draw(pdf, plan: Plan, created_at: str) -> None:
    width = A4[0] - 2 * MARGIN
    pdf.add_page()
    y = MARGIN

    def need(h: float) -> None:
        nonlocal y
        if y + h > BOTTOM:
            pdf.add_page()
            y = MARGIN

    pdf.set_font_size(18)
    pdf.text(MARGIN, y + 18, T.COMPLETENESS_TITLE)
    y += 30
    pdf.set_font_size(10)
    pdf.text(MARGIN, y + 10, f"{plan.workspace_name}　{plan.unit or ''}　{plan.year or ''}　{created_at}")
    y += 24
    t = plan.totals
    figures = {"claims": t.claims, "with_evidence": t.with_evidence, "without_evidence": t.without_evidence,
               "value_not_found": t.value_not_found, "evidence_superseded": t.evidence_superseded}
    box = width / len(T.FIGURES)
    for i, (key, label) in enumerate(T.FIGURES):
        x = MARGIN + i * box
        pdf.set_font_size(22)
        color = RED if key == "without_evidence" and figures[key] else (0, 0, 0)
        pdf.set_text_color(*color)
        pdf.text(x, y + 22, str(figures[key]))
        pdf.set_text_color(0, 0, 0)
        pdf.set_font_size(9)
        pdf.text(x, y + 36, label)
    y += 52

    # bars per report and section
    label_w, bar_w = width * 0.46, width * 0.36
    for s in plan.sections:
        need(20)
        c = s.counts
        pdf.set_font_size(10 if s.section is None else 9)
        label = s.report if s.section is None else "　" + s.section
        pdf.text(MARGIN, y + 11, fit_text(pdf, label, label_w - 6))
        x0 = MARGIN + label_w
        pdf.set_fill_color(*GREY)
        pdf.rect(x0, y + 3, bar_w, 10, style="F")
        if c.claims:
            done = bar_w * c.with_evidence / c.claims
            nf = bar_w * min(c.value_not_found, c.with_evidence) / c.claims
            pdf.set_fill_color(*GREEN)
            pdf.rect(x0, y + 3, done, 10, style="F")
            if nf:
                pdf.set_fill_color(*AMBER)
                pdf.rect(x0 + done - nf, y + 3, nf, 10, style="F")
        pdf.text(x0 + bar_w + 6, y + 11, f"{c.with_evidence}/{c.claims}"
                 + (f"　缺 {c.without_evidence}" if c.without_evidence else ""))
        y += 17
    y += 10

    # the lists
    lists = list_members(plan)
    for code, title in T.COMPLETENESS_LISTS:
        entries = lists[code]
        need(40)
        pdf.set_font_size(13)
        pdf.text(MARGIN, y + 14, f"{title}（{len(entries)}）")
        y += 22
        pdf.set_font_size(9)
        if not entries:
            pdf.text(MARGIN + 10, y + 10, T.NONE_IN_LIST)
            y += 16
        for e in entries:
            c = e.claim
            head = f"{e.seq}. [{c.get('part') or ''} · {c.get('section') or ''}] {c.get('value_raw') or ''}{c.get('unit') or ''}"
            if code == "questioned_or_needs_more":
                head += f"　{T.review_text(e.review)}" + (f"：{e.comment}" if e.comment else "")
            lines = [fit_text(pdf, head, width - 10)] + wrap_lines(pdf, e.text, width - 24)[:3]
            need(12 * len(lines) + 4)
            for j, line in enumerate(lines):
                pdf.text(MARGIN + (10 if j == 0 else 24), y + 10, line)
                y += 12
            y += 4
        y += 10
    _draw_findings(pdf, plan, y, width)


FINDING_GREY = (110, 110, 110)
#: signs of the findings' arithmetic that the quick font (GB 2312) lacks, and what stands for them: one of
#: them would have the whole document drawn again with the full font (2 s instead of 0.4 s on the demo)
PDF_SIGNS = str.maketrans({"\u2212": "-"})


def pdf_safe(text: str) -> str:
    return text.translate(PDF_SIGNS)

FINDING_COLOURS = {"error": RED, "warning": AMBER, "rounding": FINDING_GREY, "info": FINDING_GREY}


def _draw_findings(pdf, plan: Plan, y: float, width: float) -> None:
    """The 一致性检查 section: the open findings by severity, then the dismissed ones with their reasons."""
    from desktop.text import checks as CT

    def need(h: float) -> None:
        nonlocal y
        if y + h > BOTTOM:
            pdf.add_page()
            y = MARGIN

    def heading(text: str) -> None:
        nonlocal y
        need(40)
        pdf.set_font_size(13)
        pdf.set_text_color(0, 0, 0)
        pdf.text(MARGIN, y + 14, fit_text(pdf, text, width))
        y += 22

    def finding(head: str, colour, f: dict, note: str | None) -> None:
        nonlocal y
        pdf.set_font_size(9)
        lines = wrap_lines(pdf, pdf_safe(f["message"]), width - 24)[:4]
        where = CT.where_text(f["where"], f["cells"])
        extra = [fit_text(pdf, where, width - 24)] if where else []
        if note:
            extra += wrap_lines(pdf, note, width - 24)[:2]
        need(12 * (1 + len(lines) + len(extra)) + 4)
        pdf.set_text_color(*colour)
        pdf.text(MARGIN + 10, y + 10, fit_text(pdf, head, width - 10))
        y += 12
        pdf.set_text_color(0, 0, 0)
        for line in lines:
            pdf.text(MARGIN + 24, y + 10, line)
            y += 12
        pdf.set_text_color(*FINDING_GREY)
        for line in extra:
            pdf.text(MARGIN + 24, y + 10, line)
            y += 12
        pdf.set_text_color(0, 0, 0)
        y += 4

    found = plan.findings
    open_ = [f for f in found if not f["dismissed"]]
    dismissed = [f for f in found if f["dismissed"]]
    summary = {sev: sum(1 for f in open_ if f["severity"] == sev) for sev, _ in CT.PANEL_SEVERITIES}
    heading(f"{T.FINDINGS_TITLE}　{CT.summary_text({**summary, 'dismissed': len(dismissed)})}")
    if not found:
        pdf.set_font_size(9)
        pdf.text(MARGIN + 10, y + 10, T.FINDINGS_NONE)
        return
    n = 0
    for sev, name in CT.PANEL_SEVERITIES:
        for f in open_:
            if f["severity"] == sev:
                n += 1
                finding(f"{n}. [{name}] {f['rule_name']}", FINDING_COLOURS[sev], f, None)
    if dismissed:
        y += 6
        heading(f"{T.FINDINGS_DISMISSED_TITLE}（{len(dismissed)}）")
        for f in dismissed:
            n += 1
            finding(f"{n}. [{CT.severity_name(f['severity'])}] {f['rule_name']}", FINDING_GREY, f,
                    CT.dismissal_text(f.get("dismissal")))
