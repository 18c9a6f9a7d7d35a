"""The main window on a demo workspace, driven through its real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.review.status import workspace_status
from desktop.ui.panels.claims.model import ClaimsTreeModel
from desktop.ui.panels.evidence_library.model import EvidenceLibraryModel
from tests.ui.dnd import drop_on_index


def _first_uncovered(window):
    for cid in window.claims_model.claim_ids():
        c = window.claims_model.claim(cid)
        if "no_evidence" in c["flags"]:
            return c
    raise AssertionError("demo has no uncovered claim")


def _unlinked_evidence(window):
    st = workspace_status(window.ws.db)
    unlinked = [e for e in st["evidence"] if "unlinked" in e["flags"]]
    # a file without text first (the photo): linking it cannot raise 数值未找到 for an unrelated claim
    return next((e for e in unlinked if e["text_status"] != "done"), unlinked[0])


def test_window_is_chinese_and_shows_completeness(window):
    assert window.windowTitle().startswith("佐证台")
    st = workspace_status(window.ws.db)["summary"]
    text = window.completeness_label.text()
    assert f"已有佐证 {st['with_evidence']}/{st['claims']}" in text
    assert 0 < st["with_evidence"] < st["claims"]  # demo: some covered, most not


def test_link_through_the_ui_action_turns_the_flag_green(window, qtbot):
    claim = _first_uncovered(window)
    evidence = _unlinked_evidence(window)
    before = window.completeness_label.property("covered")
    idx = window.claims_model.index_for_claim(claim["id"], 3)
    assert "缺佐证" in idx.data()
    assert idx.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"

    window.select_claim(claim["id"])
    window.select_evidence(evidence["id"])
    assert window.links.act_link.isEnabled()
    # the 关联 action's shortcut
    qtbot.keyClick(window.claims_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    idx = window.claims_model.index_for_claim(claim["id"], 3)
    assert "已有佐证" in idx.data()
    assert idx.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#2e7d32"
    assert window.completeness_label.property("covered") == before + 1
    st = workspace_status(window.ws.db)
    assert next(c for c in st["claims"] if c["id"] == claim["id"])["evidence_ids"] == [evidence["id"]]

    qtbot.keyClick(window.claims_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo
    assert window.completeness_label.property("covered") == before
    assert "缺佐证" in window.claims_model.index_for_claim(claim["id"], 3).data()


def test_drag_evidence_onto_a_claim_links_it(window, qtbot):
    claim = _first_uncovered(window)
    evidence = _unlinked_evidence(window)
    row = window.evidence_model.row_for(evidence["id"])
    mime = window.evidence_model.mimeData([window.evidence_model.index(row, 0)])

    target = window.claims_model.index_for_claim(claim["id"])
    assert drop_on_index(window.claims_view, target, mime)

    c = window.claims_model.claim(claim["id"])
    assert c["evidence_ids"] == [evidence["id"]]
    assert "no_evidence" not in c["flags"]


def test_next_missing_walks_the_gaps(window, qtbot):
    qtbot.keyClick(window.claims_view, Qt.Key.Key_F3)
    first = window.selected_claim_ids()
    assert first and "no_evidence" in window.claims_model.claim(first[0])["flags"]
    qtbot.keyClick(window.claims_view, Qt.Key.Key_F3)
    second = window.selected_claim_ids()
    assert second and second != first


def test_readonly_window_disables_editing(qtbot, demo_ws):
    from desktop.ui.main_window import MainWindow
    from desktop.workspace import Workspace

    other = Workspace.open(demo_ws.root)
    assert other.readonly
    w = MainWindow(other, inline_tasks=True)
    qtbot.addWidget(w)
    assert "只读" in w.windowTitle()
    assert not w.act_import.isEnabled() and not w.act_add.isEnabled()
    assert not w.claims_view.acceptDrops()
    w.close()


def test_models_pass_the_model_tester(qtmodeltester, demo_ws):
    qtmodeltester.check(ClaimsTreeModel(demo_ws.db))
    qtmodeltester.check(EvidenceLibraryModel(demo_ws.db))
