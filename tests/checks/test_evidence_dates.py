"""Evidence dates against the report's budget year (评价年度) and its date (填报日期), in a real workspace."""

from __future__ import annotations

from desktop.checks.dates import part_dates, text_dates
from desktop.checks.queries import workspace_findings
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence


def _claim(ws, value, unit):
    return ws.db.query_one("SELECT id FROM claims WHERE value = ? AND unit = ? ORDER BY id", (value, unit))["id"]


def _add(ws, path, text):
    path.write_text(text, encoding="utf-8")
    r = register_file(ws, path)
    index_evidence(ws, r.evidence_id)
    return r.evidence_id


def test_dates_read_from_reports_and_files():
    d = part_dates("评价年度：2024 年度\n\n填报日期：2025 年 5 月 12 日\n\n正文", 0, 40)
    assert (d.budget_year, d.budget_year_source, d.report_date.isoformat()) == (2024, "label", "2025-05-12")
    d = part_dates("2022年度共享工程项目自评表\n项目单位(盖章):黄石市图书馆\n填报日期:2023.6.28\n", 0, 60)
    assert (d.budget_year, d.report_date.isoformat()) == (2022, "2023-06-28")
    dates, years = text_dates("凭证日期：2024-03-05；期间 2024年1-12月；落款 2025年2月10日；上年 2023年度")
    assert [x.isoformat() for x in dates] == ["2024-03-05", "2025-02-10", "2024-12-01"]
    assert years == [2023, 2024, 2025]


def test_linked_files_dated_outside_the_year_or_after_the_report(imported_ws, tmp_path):
    ws = imported_ws
    old = _add(ws, tmp_path / "回单_旧.txt", "中国工商银行 业务回单\n日期：2022-03-05\n金额：¥6,588,300.00")
    late = _add(ws, tmp_path / "台账_补.txt", "疑点数据核查台账（2024年度）\n共 21099 条\n制表日期：2025年6月1日")
    fine = _add(ws, tmp_path / "决算.txt", "2024年度部门决算报表\n支出决算 9137.21 万元\n2025年2月10日")
    undated = _add(ws, tmp_path / "说明.txt", "情况说明：共 14 次党委会。")
    link_evidence(ws.db, claim_id=_claim(ws, "658.83", "万元"), evidence_id=old)
    link_evidence(ws.db, claim_id=_claim(ws, "21099", "条"), evidence_id=late)
    link_evidence(ws.db, claim_id=_claim(ws, "9137.21", "万元"), evidence_id=fine)
    link_evidence(ws.db, claim_id=_claim(ws, "14", "次"), evidence_id=undated)
    found = [f for f in workspace_findings(ws.db) if f.rule == "evidence_date"]
    assert sorted((f.code, f.params["evidence_id"]) for f in found) == [
        ("evidence_date.after_report", late), ("evidence_date.outside_year", old)]
    from desktop.text.checks import finding_message

    msgs = {f.code: finding_message(f.code, f.severity, f.params) for f in found}
    assert "2025-06-01" in msgs["evidence_date.after_report"] and "2025-05-12" in msgs["evidence_date.after_report"]
    assert "2022-03-05" in msgs["evidence_date.outside_year"] and "2024" in msgs["evidence_date.outside_year"]
    assert all(f.severity == "warning" and f.claim_ids for f in found)
