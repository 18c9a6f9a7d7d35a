"""A head file that cannot be written is said in the status bar, not swallowed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.review.status import workspace_status


def test_a_failed_head_write_shows_in_the_status_bar_until_repaired(window, qtbot):
    st = workspace_status(window.ws.db)
    claim = next(c for c in st["claims"] if "no_evidence" in c["flags"])
    evidence = next(e for e in st["evidence"] if "unlinked" in e["flags"])
    head = window.ws.db.head_path
    blocker = head.with_name(head.name + ".tmp")
    blocker.mkdir()  # the atomic rewrite of the head file goes through this name: now it fails
    try:
        window.select_claim(claim["id"])
        window.select_evidence(evidence["id"])
        qtbot.keyClick(window.claims_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        # the link's own 5-second status message hides the status bar's widgets while it shows; the user
        # sees the warning once it is gone: end it now rather than wait it out
        window.statusBar().clearMessage()
        qtbot.waitUntil(lambda: window.head_label.isVisible(), timeout=10000)  # shown with the write's changes
        assert "审计链头文件" in window.head_label.text()
        assert "已保存" in window.head_label.toolTip()
        assert claim["id"] in [c["id"] for c in workspace_status(window.ws.db)["claims"]
                               if evidence["id"] in c["evidence_ids"]]  # the link itself was kept
    finally:
        blocker.rmdir()
    # the next write moves the head on
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.head_label.isVisible(), timeout=10000)
