"""The claims list: every claim of the imported reports as a tree (report → section → claim), the selected
claim's sentence and evidence below it, the claim filter, F3 to the next gap, and 无需佐证.

It refreshes from the session's changes (:class:`~desktop.ui.session.BatchedChanges`): a new or revised
report, or claims added, ignored, restored, confirmed or dismissed, reload the tree (the selection stays);
anything else re-reads just the claims a change names — those of its events, and those linked to the files
it names (a new version of a linked file flags them). ``refreshed`` then tells the window (completeness,
dashboard) that :meth:`ClaimsPanel.rows` are current.

The column 一致性 marks the claims of open 一致性检查 findings (✖ 错误 red, ▲ 警告 amber, ≈ 舍入 grey: the most
severe; the messages in its tooltip); the detail pane lists them, each with a link (``finding_requested``)
that opens the panel at it. The findings come from the checks panel's last run, which the window passes to
:meth:`ClaimsPanel.set_findings`; the filter 有一致性问题 shows just those claims.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.claims.queries import claim_context
from desktop.evidence.queries import evidence_name
from desktop.review.links import mark_not_required, unmark_not_required
from desktop.review.queries import claims_linked_to
from desktop.ui.claim_filter import CLAIM_FLAG_FILTERS, ClaimFilter
from desktop.text import checks as CT
from desktop.ui.common import esc, undo_words
from desktop.ui.panels.claims.model import MARK_COLOURS, MARK_COLUMN, ClaimsTreeModel
from desktop.ui.session import BatchedChanges, Session

#: changes that add, remove or move claims in the tree (anything else only changes rows in place)
RESHAPING = ("report", "claim.added", "claim.ignored", "claim.restored", "claim.confirmed", "claim.dismissed",
             "claim.edited")
GAP_DONE = {"no_evidence": "所有指标都已有佐证。", "value_not_found": "没有数值未找到的指标。",
            "evidence_superseded": "没有证据有新版本的指标。"}


class ClaimsView(QTreeView):
    """Claims tree; evidence can be dropped onto a claim to link it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("claimsView")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.LinkAction)
        self.setDropIndicatorShown(True)
        self.setAcceptDrops(True)
        self.setDragEnabled(True)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setAllColumnsShowFocus(True)


class ClaimsPanel(QWidget):
    selection_changed = Signal(list)  # the selected claim ids
    refreshed = Signal()  # rows() are current again (after a change, a reload)
    evidence_dropped = Signal(int, list)  # claim id, evidence ids dropped on it
    finding_requested = Signal(str)  # a finding's key: show it in the 一致性检查 panel

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.db = session.ws.db
        self.filter = ClaimFilter()
        self.visible_claims = 0
        self._last_claim: int | None = None
        self.model = ClaimsTreeModel(self.db, self)
        self.view = ClaimsView()
        self.view.setModel(self.model)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # narrow enough that the claim's name keeps most of the width at 1366×768 (the dashboard and the library
        # beside it); each column can still be dragged wider
        for col, width in ((1, 104), (2, 40), (3, 92), (4, 72), (ClaimsTreeModel.NUMBER_COLUMN, 44), (MARK_COLUMN, 52)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.moveSection(header.visualIndex(ClaimsTreeModel.NUMBER_COLUMN), 1)  # 指标 | # | 数值 …
        self.view.expandAll()

        self.detail = QLabel()
        self.detail.setObjectName("claimDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.detail.setOpenExternalLinks(False)
        self.detail.linkActivated.connect(self._on_detail_link)
        self.detail.setMinimumHeight(64)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setStyleSheet("QLabel#claimDetail { padding: 6px; background: palette(base); }")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 3, 6)
        lay.addWidget(QLabel("<b>报告中的指标</b>　<span style='color:#757575'>把右侧的佐证材料拖到指标上即可关联</span>"))
        lay.addWidget(self.view, 1)
        lay.addWidget(self.detail)

        self.act_not_required = self._action("标记为无需佐证…", self.mark_selected_not_required, "Ctrl+Shift+N",
                                             "说明理由后，该指标不再计入缺佐证")
        self.act_needs_evidence = self._action("恢复为需要佐证", self.unmark_selected, None, "撤销“无需佐证”标记")

        self.model.evidence_dropped.connect(self.evidence_dropped)
        self.model.modelReset.connect(self.apply_filter)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.batched = BatchedChanges(session, self.on_changes, parent=self)
        session.identity_changed.connect(self._update_actions)
        self._update_actions()

    def _action(self, text: str, slot, shortcut, tip: str) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        return act

    # -- rows ------------------------------------------------------------------------------------

    def claim(self, claim_id: int) -> dict[str, Any] | None:
        return self.model.claim(claim_id)

    def claim_ids(self) -> list[int]:
        return self.model.claim_ids()

    def set_findings(self, by_claim: dict[int, list[dict[str, Any]]]) -> None:
        """The open 一致性检查 findings by claim (the checks panel's last run, passed on by the window):
        the marks, the detail pane's list and the 有一致性问题 filter follow."""
        self.model.set_findings(by_claim)
        if self.filter.flag == "has_findings":
            self.apply_filter()
        self._show_detail()

    def findings(self, claim_id: int) -> list[dict[str, Any]]:
        return self.model.findings(claim_id)

    def rows(self) -> list[dict[str, Any]]:
        return self.model.rows()

    def on_changes(self, changes: Changes) -> None:
        """Refresh what ``changes`` can have altered (see the module docstring)."""
        if not changes.touches("report", "claim", "link", "evidence", "review"):
            return
        if changes.touches(*RESHAPING):
            self.reload()
            return
        ids = set(changes.claim_ids)
        if changes.touches("evidence"):
            ids.update(claims_linked_to(self.db, changes.evidence_ids))
        self.model.refresh_claims(ids)
        self.apply_filter()
        self._show_detail()
        self._update_actions()
        self.refreshed.emit()

    def reload(self) -> None:
        """Read every claim again (the selection stays where its claims still are)."""
        selected = self.selected_claim_ids()
        self.model.reload()
        self.view.expandAll()
        for i, cid in enumerate(c for c in selected if self.model.index_for_claim(c).isValid()):
            self.select_claim(cid, add=i > 0)
        self._show_detail()
        self._update_actions()
        self.refreshed.emit()

    # -- selection -------------------------------------------------------------------------------

    def selected_claim_ids(self) -> list[int]:
        sm = self.view.selectionModel()
        ids = []
        for idx in sm.selectedRows(0) if sm else []:
            cid = self.model.claim_id_at(idx)
            if cid is not None:
                ids.append(cid)
        return ids

    def select_claim(self, claim_id: int, *, add: bool = False) -> None:
        idx = self.model.index_for_claim(claim_id)
        if not idx.isValid():
            return
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select if add else QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if not add:
            self.view.setCurrentIndex(idx)
        self.view.selectionModel().select(idx, flags)
        self.view.scrollTo(idx)

    def _on_selection(self, *_: Any) -> None:
        ids = self.selected_claim_ids()
        if ids:
            self._last_claim = ids[0]
        self._show_detail()
        self._update_actions()
        self.selection_changed.emit(ids)

    def _show_detail(self) -> None:
        ids = self.selected_claim_ids()
        if len(ids) != 1:
            self.detail.setText(f"已选 {len(ids)} 个指标" if ids else "")
            return
        c = self.model.claim(ids[0])
        if c is None:
            return
        names = []
        for eid in c["evidence_ids"]:
            where = c.get("locators", {}).get(eid)
            names.append((evidence_name(self.db, eid) or f"E{eid}") + (f"（{esc(where)}）" if where else ""))
        if not c["needs_evidence"]:  # not 尚无佐证: it needs none, and says why
            reason = c.get("no_evidence_reason")
            ev = ("、".join(names) + "；" if names else "") + \
                f"<span style='color:#546e7a'>无需佐证{('：' + esc(reason)) if reason else ''}</span>"
        else:
            ev = "、".join(names) if names else "<span style='color:#c62828'>尚无佐证</span>"
        page = f"第 {c['page']} 页 · " if c.get("page") else ""
        before, after = claim_context(self.db, c["id"])
        before = before.replace("\n", " ")[-40:]
        after = after.replace("\n", " ")[:30]
        findings = "".join(
            f"<br><span style='color:{MARK_COLOURS.get(m['severity'], MARK_COLOURS['info']).name()}'>"
            f"{esc(CT.severity_name(m['severity']))}</span>：{esc(m['message'])}　"
            f"<a href='finding:{html.escape(m['key'], quote=True)}'>{CT.OPEN_FINDING_LINK}</a>"
            for m in self.model.findings(c["id"]))
        self.detail.setText(
            f"<b>#{c['id']}</b> {page}{esc(c.get('section') or '')}<br>"
            f"<span style='color:#555'>…{esc(before)}</span><b>{esc(c['quote'])}</b>"
            f"<span style='color:#555'>{esc(after)}…</span><br>佐证：{ev}{findings}"
        )

    def _on_detail_link(self, href: str) -> None:
        if href.startswith("finding:"):
            self.finding_requested.emit(href.partition(":")[2])

    # -- the filter ------------------------------------------------------------------------------

    def set_filter(self, claim_filter: ClaimFilter) -> None:
        self.filter = claim_filter
        self.apply_filter()

    def apply_filter(self) -> None:
        """Hide the claims (and emptied sections and reports) the filter leaves out."""
        model, view = self.model, self.view
        marked = model.claims_with_findings()
        visible = 0
        for r in range(model.rowCount()):
            ridx = model.index(r, 0)
            any_r = False
            for s in range(model.rowCount(ridx)):
                sidx = model.index(s, 0, ridx)
                any_s = False
                for c in range(model.rowCount(sidx)):
                    claim = model.claim(model.claim_id_at(model.index(c, 0, sidx)))
                    show = claim is not None and self.filter.matches(claim, marked)
                    view.setRowHidden(c, sidx, not show)
                    any_s = any_s or show
                    visible += show
                view.setRowHidden(s, ridx, not any_s)
                any_r = any_r or any_s
            view.setRowHidden(r, QModelIndex(), not any_r)
        self.visible_claims = visible
        if self.filter.active and not visible:
            self.session.show_message("没有符合筛选条件的指标。", 5000)

    def visible_claim_ids(self) -> list[int]:
        out = []
        for cid in self.model.claim_ids():
            idx = self.model.index_for_claim(cid)
            if not self.view.isRowHidden(idx.row(), idx.parent()):
                out.append(cid)
        return out

    def select_next_gap(self) -> None:
        """F3: the next claim (after the current one, wrapping) with the gap the filter is about."""
        flag = self.filter.flag if self.filter.flag in CLAIM_FLAG_FILTERS else "no_evidence"
        order = self.model.claim_ids()
        if not order:
            return
        visible = set(self.visible_claim_ids())
        current = self.selected_claim_ids()
        anchor = current[0] if current else self._last_claim
        start = order.index(anchor) + 1 if anchor in order else 0
        for cid in order[start:] + order[:start]:
            c = self.model.claim(cid)
            if cid in visible and c and flag in c["flags"]:
                self.select_claim(cid)
                return
        self.session.show_message(GAP_DONE[flag], 4000)

    # -- 无需佐证 ----------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        writable = self.session.writable
        rows = [self.model.claim(c) for c in self.selected_claim_ids()]
        self.act_not_required.setEnabled(writable and any(r and r["needs_evidence"] for r in rows))
        self.act_needs_evidence.setEnabled(writable and any(r and not r["needs_evidence"] for r in rows))
        self.view.setAcceptDrops(writable)

    def mark_selected_not_required(self) -> None:
        ids = [c for c in self.selected_claim_ids() if (r := self.model.claim(c)) and r["needs_evidence"]]
        if not ids or not self.session.interactive:
            return
        reason, ok = QInputDialog.getText(self.window(), "标记为无需佐证",
                                          f"为什么这 {len(ids)} 个指标无需佐证？（理由会记入审计日志）")
        if ok:
            self.mark_not_required(ids, reason)

    def mark_not_required(self, claim_ids: list[int], reason: str) -> None:
        db, session = self.db, self.session

        def done(marked: list[int]) -> None:
            session.undo.push("标记无需佐证", lambda: session.write(
                "撤销无需佐证", lambda: [unmark_not_required(db, claim_id=c) for c in marked]),
                redo=lambda: session.write("重做无需佐证", lambda: [
                    mark_not_required(db, claim_id=c, reason=reason) for c in marked]),
                **undo_words(db, self.model.claim, "claim.marked_not_required", [(c, 0) for c in marked]))
            session.show_message(f"已标记 {len(marked)} 个指标为无需佐证（Ctrl+Z 撤销）", 6000)

        session.write("标记无需佐证",
                      lambda: [mark_not_required(db, claim_id=c, reason=reason).claim_id for c in claim_ids], done)

    def unmark_selected(self) -> None:
        ids = [c for c in self.selected_claim_ids() if (r := self.model.claim(c)) and not r["needs_evidence"]]
        if not ids:
            return
        db, session = self.db, self.session
        reasons = {c: self.model.claim(c)["no_evidence_reason"] for c in ids}

        def done(_: Any) -> None:
            session.undo.push("恢复需要佐证", lambda: session.write(
                "撤销恢复", lambda: [mark_not_required(db, claim_id=c, reason=r or "（恢复）")
                                   for c, r in reasons.items()]),
                redo=lambda: session.write("重做恢复", lambda: [unmark_not_required(db, claim_id=c) for c in ids]),
                **undo_words(db, self.model.claim, "claim.unmarked_not_required", [(c, 0) for c in ids]))

        session.write("恢复需要佐证", lambda: [unmark_not_required(db, claim_id=c) for c in ids], done)


__all__ = ["ClaimsPanel", "ClaimsTreeModel", "ClaimsView"]
