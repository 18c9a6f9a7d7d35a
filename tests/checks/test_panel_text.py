"""The words the 一致性检查 panel and the status bar use (Qt-free): where a finding is, the counts, a
dismissal — on the sample's real findings."""

from __future__ import annotations

from desktop.checks.files import finding_json
from desktop.checks.queries import findings_summary, workspace_findings
from desktop.checks.service import dismiss_finding
from desktop.text.checks import dismissal_text, summary_text, where_text


def test_where_summary_and_dismissal_words(imported_ws):
    found = [finding_json(f) for f in workspace_findings(imported_ws.db)]
    for f in found:
        text = where_text(f["where"], f["cells"])
        assert text.startswith(f"《{f['where']['report']}》")
        if f["where"].get("section"):
            assert f["where"]["section"] in text
    summary = findings_summary(workspace_findings(imported_ws.db))
    line = summary_text(summary)
    assert line.startswith("一致性 ") and f"错误 {summary['error']}" in line and f"舍入 {summary['rounding']}" in line
    assert summary_text({"total": 0, "error": 0, "warning": 0, "rounding": 0, "dismissed": 2}) == "一致性：未发现问题（已忽略 2）"

    pair = next(f for f in found if f["rule"] == "unit_pair")
    dismiss_finding(imported_ws.db, key=pair["key"], reason="口径不同")
    again = next(f for f in workspace_findings(imported_ws.db) if f.key == pair["key"])
    words = dismissal_text(again.dismissal)
    assert words.startswith("已忽略（测试员，") and words.endswith("）：口径不同")
    assert dismissal_text({**again.dismissal, "stale": True}).startswith("曾忽略，但数字已变化")
    assert dismissal_text(None) == ""


def test_where_names_the_table_and_its_rows():
    where = {"report_id": 2, "report": "自评表.xlsx", "section": "绩效自评表", "table": "绩效自评表", "page": 3}
    cells = [{"row": "资金到位率", "field": "score"}, {"row": "资金到位率", "field": "weight"},
             {"row": "", "field": "total_score"}]
    assert where_text(where, cells) == "《自评表.xlsx》 · 表《绩效自评表》 · “资金到位率”、“总分” · 第 3 页"
