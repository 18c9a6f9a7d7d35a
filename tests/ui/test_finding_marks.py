"""Where the 一致性检查's findings show besides its panel (issue 17), in the window on the demo workspace (its
report and its 自评表 with planted mistakes): a mark on each claim of an open finding in the claims list (the
most severe, coloured, the messages in its tooltip) and the findings in the claim's detail pane with a link
to the panel; a dismissal taking the mark away; the dashboard's figure and its 有一致性问题 filter matching the
panel's counts; evidence changes running the checks again, throttled."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.checks.queries import findings_summary, workspace_findings
from desktop.text.checks import CLAIM_MARKS, severity_name, summary_text
from desktop.ui.panels.claims.model import MARK_COLOURS, MARK_COLUMN, FindingsRole

SEVERITY_RANK = {"error": 0, "warning": 1, "rounding": 2, "info": 3}


def _expected_marks(findings: list[dict]) -> dict[int, list[str]]:
    """Claim id → keys of the open findings naming it, from the panel's own findings."""
    out: dict[int, list[str]] = {}
    for f in findings:
        if not f["dismissed"]:
            for cid in set(f["claim_ids"]):
                out.setdefault(cid, []).append(f["key"])
    return out


def _mark(window, claim_id: int):
    idx = window.claims.model.index_for_claim(claim_id, MARK_COLUMN)
    return idx, idx.data(Qt.ItemDataRole.DisplayRole), idx.data(Qt.ItemDataRole.ToolTipRole)


def test_the_claims_of_open_findings_carry_a_mark(window, qtbot):
    checks, model = window.checks, window.claims.model
    assert checks.runs >= 1 and checks.findings
    expected = _expected_marks(checks.findings)
    assert expected, "the demo's findings name claims"
    severities = {f["severity"] for f in checks.findings if f["claim_ids"]}
    assert {"error", "rounding"} <= severities  # the sample's 0.01 totals and its real mistakes
    assert model.claims_with_findings() == frozenset(expected)
    by_key = {f["key"]: f for f in checks.findings}
    for cid in model.claim_ids():
        idx, text, tip = _mark(window, cid)
        if cid not in expected:
            assert not text and not idx.data(FindingsRole)
            continue
        found = [by_key[k] for k in expected[cid]]
        worst = min(found, key=lambda f: SEVERITY_RANK[f["severity"]])["severity"]
        assert text.startswith(CLAIM_MARKS[worst])
        assert idx.data(Qt.ItemDataRole.ForegroundRole).color() == MARK_COLOURS[worst]
        for f in found:
            assert f"{severity_name(f['severity'])}：{f['message']}" in tip
        assert {m["key"] for m in idx.data(FindingsRole)} == set(expected[cid])
    assert model.headerData(MARK_COLUMN, Qt.Orientation.Horizontal) == "一致性"

    # the detail pane lists the claim's findings, each with a link that opens the panel at it
    rounding = next(f for f in checks.findings if f["severity"] == "rounding" and f["claim_ids"])
    cid = rounding["claim_ids"][0]
    window.select_claim(cid)
    detail = window.claims.detail.text()
    assert rounding["message"] in detail and f"finding:{rounding['key']}" in detail
    window.checks_dock.hide()
    window.claims.detail.linkActivated.emit(f"finding:{rounding['key']}")
    assert window.checks_dock.isVisible() and checks.current_key() == rounding["key"]


def test_dismissing_a_finding_takes_its_mark_away(window, qtbot):
    checks, model = window.checks, window.claims.model
    # a finding whose claim no other open finding names
    counts: dict[int, int] = {}
    for f in checks.findings:
        for cid in set(f["claim_ids"]):
            counts[cid] = counts.get(cid, 0) + (not f["dismissed"])
    target = next(f for f in checks.findings if f["claim_ids"] and not f["dismissed"]
                  and all(counts[c] == 1 for c in f["claim_ids"]))
    cid = target["claim_ids"][0]
    window.select_claim(cid)
    assert _mark(window, cid)[1] and target["message"] in window.claims.detail.text()

    runs = checks.runs
    checks.dismiss(target["key"], "口径不同，已核实")
    qtbot.waitUntil(lambda: checks.runs > runs, timeout=10000)
    assert next(f for f in checks.findings if f["key"] == target["key"])["dismissed"]
    for c in target["claim_ids"]:
        assert not _mark(window, c)[1] and c not in model.claims_with_findings()
    assert target["message"] not in window.claims.detail.text()

    window.act_undo.trigger()  # restored: the mark is back
    qtbot.waitUntil(lambda: bool(_mark(window, cid)[1]), timeout=10000)
    assert target["message"] in _mark(window, cid)[2]


def test_the_dashboard_figure_and_filter_match_the_panel(window, qtbot):
    checks, dash, claims = window.checks, window.dashboard, window.claims
    core = findings_summary(workspace_findings(window.ws.db))  # computed again here, outside the GUI
    assert dash.findings_summary == checks.summary == core
    assert summary_text(core) in dash.checks_figure.text()
    for sev, short in (("error", "错误"), ("warning", "警告"), ("rounding", "舍入")):
        if core[sev]:
            assert f"{short} {core[sev]}" in dash.checks_figure.text()

    marked = set(_expected_marks(checks.findings))
    assert dash.buttons["has_findings"].text() == f"有一致性问题 {len(marked)}"
    dash.buttons["has_findings"].click()
    assert claims.filter.flag == "has_findings"
    assert set(claims.visible_claim_ids()) == marked
    assert "有一致性问题" in dash.filter_label.text()
    dash.buttons[None].click()
    assert len(claims.visible_claim_ids()) == len(claims.claim_ids())

    # a dismissal changes the figure with the panel's counts
    target = next(f for f in checks.findings if f["severity"] == "warning" and not f["dismissed"])
    checks.dismiss(target["key"], "已核实")
    assert dash.findings_summary == checks.summary and dash.findings_summary["warning"] == core["warning"] - 1
    assert summary_text(checks.summary) in dash.checks_figure.text()

    # clicking the figure opens the panel
    window.checks_dock.hide()
    dash.checks_figure.linkActivated.emit("checks")
    assert window.checks_dock.isVisible()


def test_evidence_changes_run_the_checks_again_throttled(window, qtbot):
    from db.changes import Changes

    checks = window.checks
    checks._evidence_timer.setInterval(150)
    runs = checks.runs
    checks.on_changes(Changes.of("evidence.thumbnail", evidence=[1]))  # cannot change a finding
    qtbot.wait(300)
    assert checks.runs == runs
    for _ in range(5):  # a stream of evidence changes: one run, not five
        checks.on_changes(Changes.of("evidence.indexed", evidence=[1]))
    qtbot.waitUntil(lambda: checks.runs == runs + 1, timeout=5000)
    qtbot.wait(300)
    assert checks.runs == runs + 1
