"""The claims list: a # column (the number the status bar, the suggestions and the audit log use), and
names that say something on their own (the nearest noun phrase, desktop.claims.subjects)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.panels.claims.model import ClaimsTreeModel


def test_the_claims_table_has_a_number_column_second(window):
    view, model = window.claims_view, window.claims_model
    col = ClaimsTreeModel.NUMBER_COLUMN
    assert model.headerData(col, Qt.Orientation.Horizontal) == "#"
    assert view.header().visualIndex(col) == 1 and not view.isColumnHidden(col)
    for cid in model.claim_ids():
        assert model.index_for_claim(cid, col).data() == f"#{cid}"
    cid = model.claim_ids()[9]
    window.select_claim(cid)
    assert f"#{cid}" in window.suggestions.title.text()  # the same number as the other panels say


def test_claim_names_are_noun_phrases_not_lone_verbs(window):
    names = [c["subject"] for c in window.claims_model.rows()]
    for weak in ("同比增长", "设有", "召开", "支出"):
        assert weak not in names
    assert "基金总收入同比增长" in names  # the issue's own example


def test_a_claim_needing_no_evidence_is_counted_apart_and_says_so(window, qtbot):
    label = window.completeness_label
    covered, total = label.property("covered"), label.property("total")
    target = next(c for c in window.claims_model.rows() if "no_evidence" in c["flags"])
    window.claims.mark_not_required([target["id"]], "引用的政策门槛")
    assert label.property("covered") == covered and label.property("total") == total - 1
    assert f"已有佐证 {covered}/{total - 1}" in label.text() and "无需佐证 1" in label.text()
    idx = window.claims_model.index_for_claim(target["id"])
    group = idx.parent().siblingAtColumn(3).data()
    assert "（无需 1）" in group
    window.select_claim(target["id"])
    detail = window.claims.detail.text()
    assert "无需佐证：引用的政策门槛" in detail and "尚无佐证" not in detail
    assert window.act_undo.text().startswith(f"撤销“标记无需佐证 #{target['id']}")
