"""The package's 完整性报告.pdf carries the 一致性检查's findings (issue 17, "where it shows"): every open finding
under its severity with its arithmetic, the counts in the heading, and a dismissed one with its reason (the
inspector sees it) — read back from the PDF the export wrote, on the demo workspace with its planted mistakes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from desktop.checks.queries import findings_json, findings_summary, workspace_findings
from desktop.checks.service import dismiss_finding
from desktop.exchange.export import export_package
from desktop.text.checks import summary_text
from desktop.workspace import Workspace


def _pdf_text(package: Path) -> str:
    from pypdf import PdfReader

    with zipfile.ZipFile(package) as z:
        name = next(n for n in z.namelist() if n.endswith("完整性报告.pdf"))
        data = z.read(name)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)  # lines are wrapped character by character


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("\u2212", "-")  # the PDF writes a minus as a hyphen


def build_plan_of(ws):
    from desktop.exchange.export import plan_for

    return plan_for(ws)


def missing_glyphs_of(plan) -> list[int]:
    from desktop.exchange.completeness_pdf import _draw
    from desktop.exchange.pdfdraw import missing_glyphs, open_pages, quick_font

    with open_pages(quick_font()) as pdf:
        _draw(pdf, plan, "2026-12-07 20:00")
        return missing_glyphs(pdf)


def test_the_completeness_report_lists_the_findings(demo_ws: Path, tmp_path: Path):
    with Workspace.open(demo_ws, actor="测试员") as ws:
        found = findings_json(ws.db)
        assert any(f["severity"] == "error" for f in found) and any(f["severity"] == "rounding" for f in found)
        target = next(f for f in found if f["rule"] == "unit_pair")
        dismiss_finding(ws.db, key=target["key"], reason="人数为在册人数，人次为全年发放人次")
        summary = findings_summary(workspace_findings(ws.db))
        found = findings_json(ws.db)
        out = tmp_path / "材料包.zip"
        export_package(ws, out)
        plan = build_plan_of(ws)
    assert not missing_glyphs_of(plan)  # drawn with the quick font: nothing it lacks

    text = _pdf_text(out)
    assert _squash("一致性检查") in text and _squash(summary_text(summary)) in text
    open_ = [f for f in found if not f["dismissed"]]
    assert open_ and len(open_) == summary["total"]
    for f in open_:
        # the message's first line at least (a long one is wrapped over up to four lines)
        assert _squash(f["message"])[:30] in text, f["message"]
    # the dismissed one, in its own list, with the reason
    assert _squash("已忽略的一致性问题（附忽略理由）（1）") in text
    after = text.split(_squash("已忽略的一致性问题"), 1)[1]
    assert _squash(target["message"])[:30] in after and "人数为在册人数" in after
    # the open findings come under their severities, 错误 before 警告 before 舍入差异
    firsts = [text.find(f"[{name}]") for name in ("错误", "警告", "舍入差异") if f"[{name}]" in text]
    assert len(firsts) >= 2 and firsts == sorted(firsts)
