"""Score tables in a workspace: the same findings as checking the file, claim ids instead of indexes, and a
dismissed table finding that survives a revised report."""

from __future__ import annotations

from pathlib import Path

from desktop.checks.files import check_file, finding_json
from desktop.checks.queries import workspace_findings
from desktop.checks.service import dismiss_finding
from desktop.claims.service import import_report, import_revised_report

TABLE = Path(__file__).resolve().parent / "score_tables" / "yongde_mingliang.txt"


def test_workspace_and_file_agree(ws):
    r = import_report(ws.db, path=TABLE)
    in_ws = [finding_json(f) for f in workspace_findings(ws.db)]
    in_file, claims = check_file(TABLE)
    in_file = [finding_json(f) for f in in_file]
    assert [(f["rule"], f["message"]) for f in in_ws] == [(f["rule"], f["message"]) for f in in_file]
    assert [f["key"] for f in in_ws] == [f["key"] for f in in_file]
    assert {f["rule"] for f in in_ws} >= {"table_met_marked_down", "table_missed_no_deviation"}
    for a, b in zip(in_ws, in_file):  # the same claims: workspace ids for extractor indexes
        quotes = {ws.db.scalar("SELECT quote FROM claims WHERE id = ?", (i,)) for i in a["claim_ids"]}
        assert quotes == {claims[i].quote for i in b["claim_ids"]} and a["where"]["report_id"] == r.report_id
        assert a["cells"] and all(c["key"].startswith("表1/") for c in a["cells"])


def test_table_dismissal_survives_a_revision(ws, tmp_path):
    import_report(ws.db, path=TABLE)
    f = next(f for f in workspace_findings(ws.db) if f.rule == "table_met_marked_down")
    dismiss_finding(ws.db, key=f.key, reason="到位略迟，按规定扣分")
    revised = tmp_path / "yongde_revised.txt"
    text = TABLE.read_text(encoding="utf-8")
    revised.write_text(text.replace("2022年度项目支出绩效自评表", "2022年度项目支出绩效自评表（修订）", 1), encoding="utf-8")
    import_revised_report(ws.db, report_id=1, path=revised)
    again = next(x for x in workspace_findings(ws.db) if x.rule == "table_met_marked_down")
    assert again.key == f.key and again.dismissed and again.where["report_id"] == 2
