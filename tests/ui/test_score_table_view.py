"""The 自评表 view on real workspaces: an imported xlsx 自评表's rows and totals, a row selecting its claim (and
back), evidence state per row following a link, files dropped on a row."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from desktop.claims.service import import_report
from desktop.review.links import link_evidence
from desktop.text.score_tables import EVIDENCE_STATES, VIEW_COLUMNS
from desktop.ui.panels.score_table import ScoreTablePanel
from desktop.ui.session import Session
from tests.claims import scoretable_files as F
from tests.ui.dnd import drop_on_index

COL = {name: i for i, name in enumerate(VIEW_COLUMNS)}
SIGNS = {">=": "≥", "<=": "≤", "=": "=", ">": ">"}


def _cell(model, row: int, col: str) -> str:
    return model.index(row, COL[col]).data()


def test_view_shows_the_rows_and_totals_of_an_imported_table(qtbot, ws, tmp_path):
    rows = F.spec_rows(12)
    path = tmp_path / "自评表.xlsx"
    F.write_xlsx(path, rows)
    import_report(ws.db, path=path)
    session = Session(ws, inline=True, watch=False)
    panel = ScoreTablePanel(session)
    qtbot.addWidget(panel)
    try:
        m = panel.model
        budget = F.expected_budget()
        assert m.rowCount() == len(budget) + len(rows) + 1  # budget block, indicators, 合计
        indicator_rows = range(len(budget), len(budget) + len(rows))
        for r, spec in zip(indicator_rows, rows):
            assert _cell(m, r, "三级指标") == spec.name
            assert _cell(m, r, "分值") == spec.weight and _cell(m, r, "得分") == spec.score
            if spec.target_value is not None:  # direction, value and unit, whatever the cell looked like
                assert _cell(m, r, "年度指标值") == f"{SIGNS.get(spec.op, '')}{spec.target_value}{spec.target_unit}"
                assert _cell(m, r, "实际完成值") == f"{spec.actual_value}{spec.actual_unit}"
                assert _cell(m, r, "佐证") == EVIDENCE_STATES["missing"]
            else:
                assert _cell(m, r, "年度指标值") == spec.target and _cell(m, r, "佐证") == EVIDENCE_STATES[None]
            assert _cell(m, r, "偏差原因") == (spec.deviation or "")
        assert _cell(m, 0, "三级指标") == "年度资金总额" and "执行率 96.00%" in _cell(m, 0, "实际完成值")

        total = m.rowCount() - 1
        budget_weight = Decimal(F.BUDGET[0][4])
        budget_score = Decimal(F.BUDGET[0][6])
        assert _cell(m, total, "一级指标") == "合计"
        assert Decimal(_cell(m, total, "分值")) == sum(Decimal(s.weight) for s in rows) + budget_weight
        assert Decimal(_cell(m, total, "得分")) == sum(Decimal(s.score) for s in rows) + budget_score
        assert m.index(total, 0).data(Qt.ItemDataRole.FontRole).bold()
        assert f"表中总分 {F._total(rows)}" in panel.foot.text()
        assert not panel.empty.isVisible()
    finally:
        session.shutdown()


def test_empty_workspace_says_what_the_view_is_for(qtbot, ws):
    session = Session(ws, inline=True, watch=False)
    panel = ScoreTablePanel(session)
    qtbot.addWidget(panel)
    panel.show()
    try:
        assert panel.model.rowCount() == 0 and panel.empty.isVisible() and "自评表" in panel.empty.text()
    finally:
        session.shutdown()


def _indicator_row(window, name_part: str) -> tuple[int, dict]:
    m = window.score_table.model
    i, row = next((i, r) for i, r in enumerate(m.rows) if r["kind"] == "indicator" and name_part in r["name"])
    return i, row


def test_selecting_a_row_selects_its_claim_and_back(window, qtbot):
    window.left_tabs.setCurrentWidget(window.score_table)
    view, m = window.score_table.view, window.score_table.model
    i, row = _indicator_row(window, "当期发放待遇人数")
    actual = next(c for c in row["claims"] if c["role"] == "actual")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(m.index(i, 2)).center())
    assert window.selected_claim_ids() == [actual["claim_id"]]
    claim = window.claims.claim(actual["claim_id"])
    assert claim["value_raw"] == row["cells"]["actual"]["value_text"] and claim["unit"] == row["cells"]["actual"]["unit"]
    assert window.suggestions is not None and window.report_view is not None

    # a claim chosen in the list selects its row
    j, other = _indicator_row(window, "资金到位率")
    window.select_claim(next(c["claim_id"] for c in other["claims"] if c["role"] == "actual"))
    assert window.score_table.selected_row_id() == other["id"]
    assert window.selected_claim_ids() == [next(c["claim_id"] for c in other["claims"] if c["role"] == "actual")]


def test_a_link_turns_the_row_covered_and_a_drop_on_a_row_links(window, qtbot):
    window.left_tabs.setCurrentWidget(window.score_table)
    m = window.score_table.model
    i, row = _indicator_row(window, "当期缴费人数")
    claim_id = next(c["claim_id"] for c in row["claims"] if c["role"] == "actual")
    evidence_id = window.library.model.key_at(0)
    before = window.score_table.model.totals["covered"]
    window.session.write("关联", lambda: link_evidence(window.ws.db, claim_id=claim_id, evidence_id=evidence_id))
    assert _cell(m, i, "佐证") == EVIDENCE_STATES["covered"]
    assert m.index(i, COL["佐证"]).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#2e7d32"
    assert window.score_table.model.totals["covered"] == before + 1
    assert f"有佐证 {before + 1}/" in window.score_table.foot.text()

    # a file dragged from the library onto another row links it to that row's claim
    j, other = _indicator_row(window, "资金到位率")
    other_claim = next(c["claim_id"] for c in other["claims"] if c["role"] == "actual")
    mime = window.library.model.mimeData([window.library.model.index(0, 0)])
    assert drop_on_index(window.score_table.view, m.index(j, 2), mime)
    assert window.claims.claim(other_claim)["evidence_ids"] == [evidence_id]
    assert _cell(m, j, "佐证") == EVIDENCE_STATES["covered"]


def test_model_passes_the_model_tester(qtmodeltester, demo_ws):
    session = Session(demo_ws, inline=True, watch=False)
    try:
        panel = ScoreTablePanel(session)
        qtmodeltester.check(panel.model)
        panel.deleteLater()
    finally:
        session.shutdown()
