"""A file with a new version offers 比较新旧版本 / 改用新版本 in the library (desktop.review.versions)."""

from __future__ import annotations

import os

import openpyxl


def _links_of(window, evidence_id: int) -> list[int]:
    return [r[0] for r in window.ws.db.query("SELECT claim_id FROM links WHERE evidence_id = ? ORDER BY claim_id",
                                             (evidence_id,))]


def test_compare_and_switch_to_the_new_version_then_undo(window, qtbot, tmp_path):
    lib, m = window.library, window.evidence_model
    name = "疑点数据核查台账2024.xlsx"
    ledger = window.ws.watch_dir / name
    old_id = next(m.evidence_id_at(r) for r in range(m.rowCount()) if m.index(r, 0).data() == name)
    linked = _links_of(window, old_id)
    assert linked, "the demo links the ledger"
    book = openpyxl.load_workbook(ledger)
    sheet = book["台账"]
    sheet["B3"] = 777777  # a figure only the new version states
    new = tmp_path / "新版.xlsx"
    book.save(new)
    os.replace(new, ledger)
    window.add_evidence([ledger])
    qtbot.waitUntil(lambda: bool((m.evidence(old_id) or {}).get("superseded_by")), timeout=10000)
    new_id = m.evidence(old_id)["superseded_by"][0]

    lib.select_row(m.row_for(old_id))
    assert lib.preview.version_button.isVisibleTo(lib.preview)
    lib.preview.version_button.click()
    dialog = lib.version_dialog
    assert dialog is not None and dialog.isVisible()
    assert f"新版本 E{new_id} 与 E{old_id} 相比" in dialog.summary.text()
    assert any("777,777" in dialog.added.item(i).text() or "777777" in dialog.added.item(i).text()
               for i in range(dialog.added.count()))
    assert dialog.switch_button.isEnabled()
    dialog.switch_button.click()
    assert _links_of(window, new_id) == linked and _links_of(window, old_id) == []
    assert window.act_undo.text().startswith("撤销“改用新版本")
    window.act_undo.trigger()
    assert _links_of(window, old_id) == linked and _links_of(window, new_id) == []
    window.act_redo.trigger()
    assert _links_of(window, new_id) == linked
