"""Linking what is selected in the claims list with what is selected in the evidence library: 关联 (Ctrl+L),
取消关联 (Ctrl+Shift+L), 修改关联位置/备注 (Ctrl+Shift+E), and drops of one onto the other.

Not a panel: a group of actions over two panels' selections, made by the main window. Every change is a
write on the session's writer lane and goes on the undo stack; the panels refresh from its changes.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QWidget

from desktop.evidence.queries import evidence_name
from desktop.review.links import UNSET, link_evidence, unlink_evidence, update_link
from desktop.review.queries import link_detail
from desktop.text.library import edit_link_hint
from desktop.ui.common import undo_words
from desktop.ui.session import Session


class LinkEditDialog(QDialog):
    def __init__(self, parent, claim_text: str, evidence_name: str, locator: str | None, note: str | None):
        super().__init__(parent)
        self.setWindowTitle("修改关联")
        form = QFormLayout(self)
        form.addRow(QLabel(f"指标：{claim_text}\n佐证：{evidence_name}"))
        self.locator = QLineEdit(locator or "")
        self.locator.setPlaceholderText("页码、工作表!单元格或一段引文，如：第 3 页、台账!D12")
        self.note = QLineEdit(note or "")
        self.note.setPlaceholderText("备注（可空）")
        form.addRow("位置：", self.locator)
        form.addRow("备注：", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 160)


class LinkActions(QObject):
    def __init__(self, session: Session, window: QWidget, *, claim_ids: Callable[[], list[int]],
                 evidence_ids: Callable[[], list[int]], claim_row: Callable[[int], dict[str, Any] | None]):
        """``claim_ids()`` / ``evidence_ids()``: what is selected now; ``claim_row(id)``: a claim as listed."""
        super().__init__(window)
        self.session = session
        self.window = window
        self.db = session.ws.db
        self._claim_ids, self._evidence_ids, self._claim_row = claim_ids, evidence_ids, claim_row
        self.act_link = self._action("关联", self.link_selected, "Ctrl+L", "把选中的佐证关联到选中的指标（Ctrl+L）")
        self.act_unlink = self._action("取消关联", self.unlink_selected, "Ctrl+Shift+L", "取消选中指标与选中佐证的关联")
        self.act_edit_link = self._action("修改关联位置/备注…", self.edit_selected_link, "Ctrl+Shift+E",
                                          "修改选中指标与选中佐证之间关联的位置和备注")
        self.act_edit_link.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.update_actions()

    def _action(self, text: str, slot, shortcut: str, tip: str) -> QAction:
        act = QAction(text, self.window)
        act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        return act

    def _linked(self, claim_id: int, evidence_id: int) -> bool:
        c = self._claim_row(claim_id)
        return bool(c) and evidence_id in c["evidence_ids"]

    def _selected_link(self) -> tuple[int, int] | None:
        claims, evidence = self._claim_ids(), self._evidence_ids()
        if len(claims) != 1 or len(evidence) != 1:
            return None
        return (claims[0], evidence[0]) if self._linked(claims[0], evidence[0]) else None

    def update_actions(self) -> None:
        writable = self.session.writable
        has_pair = bool(self._claim_ids()) and bool(self._evidence_ids())
        self.act_link.setEnabled(writable and has_pair)
        self.act_unlink.setEnabled(writable and has_pair)
        # enabled whenever editing is allowed: with nothing to edit, Ctrl+Shift+E says why in the status bar
        self.act_edit_link.setEnabled(writable)

    def why_no_link_to_edit(self) -> str:
        """Why 修改关联 has nothing to edit now, and what to select."""
        claims = self._claim_ids()
        c = self._claim_row(claims[0]) if len(claims) == 1 else None
        return edit_link_hint(claims, self._evidence_ids(), list(c["evidence_ids"]) if c else [])

    # -- link and unlink -------------------------------------------------------------------------

    def link_selected(self) -> None:
        self.link(self._claim_ids(), self._evidence_ids())

    def link(self, claim_ids: list[int], evidence_ids: list[int], origin: str = "manual") -> None:
        pairs = [(c, e) for c in claim_ids for e in evidence_ids if not self._linked(c, e)]
        if not pairs:
            self.session.show_message("请先在左侧选中指标、在右侧选中佐证材料。" if not (claim_ids and evidence_ids)
                                      else "已经关联过了。", 4000)
            return
        self._run("关联", pairs, unlink=False, origin=origin)

    def unlink_selected(self) -> None:
        pairs = [(c, e) for c in self._claim_ids() for e in self._evidence_ids() if self._linked(c, e)]
        if not pairs:
            self.session.show_message("选中的指标与佐证之间没有关联。", 4000)
            return
        if self.session.interactive and QMessageBox.question(
                self.window, "请确认", f"取消 {len(pairs)} 处关联？") != QMessageBox.StandardButton.Yes:
            return
        self._run("取消关联", pairs, unlink=True)

    def _run(self, name: str, pairs: list[tuple[int, int]], *, unlink: bool, origin: str = "manual",
             undoable: bool = True) -> None:
        db, session, done_pairs = self.db, self.session, []

        def work() -> None:
            for c, e in pairs:
                if unlink:
                    unlink_evidence(db, claim_id=c, evidence_id=e)
                else:
                    link_evidence(db, claim_id=c, evidence_id=e, origin=origin)
                done_pairs.append((c, e))

        def done(_: Any) -> None:
            if undoable:
                kept = list(done_pairs)
                session.undo.push(name, lambda: self._run("撤销" + name, kept, unlink=not unlink,
                                                          origin=origin, undoable=False),
                                  redo=lambda: self._run(name, kept, unlink=unlink, origin=origin, undoable=False),
                                  **self.undo_words("link.removed" if unlink else "link.added", kept))
            verb = "已取消" if unlink else "已关联"
            session.show_message(f"{verb} {len(done_pairs)} 处（Ctrl+Z 撤销）", 5000)

        session.write(name, work, done)

    def undo_words(self, action: str, pairs: list[tuple[int, int]]) -> dict[str, Any]:
        """What :meth:`UndoStack.push` needs to word 撤销 / 重做 for these (claim, evidence) pairs."""
        return undo_words(self.db, self._claim_row, action, pairs)

    # -- locator and note ------------------------------------------------------------------------

    def edit_selected_link(self) -> None:
        pair = self._selected_link()
        if pair is None:
            self.session.show_message(self.why_no_link_to_edit(), 6000)
            return
        claim_id, evidence_id = pair
        row = link_detail(self.db, claim_id, evidence_id) or {"locator": None, "note": None}
        c = self._claim_row(claim_id)
        dlg = LinkEditDialog(self.window, f"#{claim_id} {c['quote'] if c else ''}",
                             evidence_name(self.db, evidence_id) or f"E{evidence_id}", row["locator"], row["note"])
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.edit_link(claim_id, evidence_id, dlg.locator.text(), dlg.note.text())

    def edit_link(self, claim_id: int, evidence_id: int, locator: str | None, note: str | None) -> None:
        db, session = self.db, self.session
        before = link_detail(db, claim_id, evidence_id)

        def again() -> None:
            session.write("重做修改关联", lambda: update_link(db, claim_id=claim_id, evidence_id=evidence_id,
                                                          locator=UNSET if locator is None else locator,
                                                          note=UNSET if note is None else note))

        def done(_: Any) -> None:
            if before is not None:
                session.undo.push("修改关联", lambda: session.write(
                    "撤销修改关联", lambda: update_link(db, claim_id=claim_id, evidence_id=evidence_id,
                                                      locator=before["locator"], note=before["note"])),
                                  redo=again, **self.undo_words("link.updated", [(claim_id, evidence_id)]))
            session.show_message("已修改关联的位置和备注（Ctrl+Z 撤销）", 5000)

        session.write("修改关联", lambda: update_link(db, claim_id=claim_id, evidence_id=evidence_id,
                                                    locator=UNSET if locator is None else locator,
                                                    note=UNSET if note is None else note), done)

