"""The suggestions panel: for the selected claim, the files that may back it, best first, each with why.

Suggestions are computed on the session's suggest lane (:meth:`~desktop.ui.session.Session.suggest`): asking
for another claim's supersedes the previous request, and until the answer for the claim selected now is
painted the panel says 正在计算建议… and nothing can be accepted or rejected. Enter (or 接受, Ctrl+Enter from
anywhere in the window) links the chosen suggestion; Delete (or 拒绝) rejects it for good; Ctrl+Shift+Enter
accepts the strong suggestion of every selected claim. Every change is a write on the writer lane, undoable.

It refreshes from the session's changes: a link, a rejection, a claim or its evidence changed → the
selected claim's suggestions again; new files → which claims they may back ("新到的佐证可能佐证 …").
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.evidence.queries import evidence_name
from desktop.review.bulk_accept import BulkAcceptPlan, accept_planned, plan_bulk_accept
from desktop.review.links import (
    UNSET,
    link_suggestion,
    reject_suggestion,
    unlink_evidence,
    unreject_suggestion,
    update_link,
)
from desktop.review.suggest import Suggestion, SuggestionEngine
from desktop.text.library import place_text
from desktop.text.messages import STRENGTH_NAMES, suggestion_reason_text
from desktop.ui.common import esc, undo_words
from desktop.ui.session import BatchedChanges, Session

SUGGESTION_LIMIT = 8
MAX_PLACES = 12  # places listed under one suggestion (the rest counted)

STRONG_COLOUR = QColor("#2e7d32")
POSSIBLE_COLOUR = QColor("#757575")
EvidenceRole = Qt.ItemDataRole.UserRole + 20
PlaceRole = Qt.ItemDataRole.UserRole + 21  # a place under a suggestion: its locator


class SuggestionList(QTreeWidget):
    accept_pressed = Signal()
    reject_pressed = Signal()

    def keyPressEvent(self, event) -> None:
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self.accept_pressed.emit()
            return
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Backspace:
            self.reject_pressed.emit()
            return
        super().keyPressEvent(event)


class SuggestionsPanel(QWidget):
    accept_requested = Signal(int, int)  # claim id, evidence id
    reject_requested = Signal(int, int)
    evidence_activated = Signal(int)  # show this file in the evidence list
    suggestions_shown = Signal(int)  # claim id (-1: none)

    COLUMNS = ("强度", "佐证材料", "理由", "位置")

    def __init__(self, session: Session, claim_row: Callable[[int], dict[str, Any] | None], parent=None):
        """``claim_row(claim_id)``: the claim as the claims list shows it (subject, value, 无需佐证)."""
        super().__init__(parent)
        self.setObjectName("suggestionsPanel")
        self.session = session
        self.db = session.ws.db
        self._claim_row = claim_row
        self.claim_id: int | None = None
        self.selected: list[int] = []  # the claims selected in the claims list
        # the claim whose suggestions were asked for and have not been painted yet
        self._pending_claim: int | None = None
        self._editable = True
        self._suggestions: list[Suggestion] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(4)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("suggestionsTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.title, 1)
        # the keys the buttons say are the keys that work from anywhere in the window (as the guide says)
        self.accept_button = QPushButton("接受 (Ctrl+Enter)")
        self.accept_button.setObjectName("acceptSuggestion")
        self.accept_button.setToolTip("把选中的建议（默认最佳的）关联到指标；选中下面的某个位置则以该位置为准。"
                                      "Ctrl+Enter 在窗口任何地方都可用，列表中也可按 Enter")
        self.accept_all_button = QPushButton("接受全部强建议… (Ctrl+Shift+Enter)")
        self.accept_all_button.setObjectName("acceptStrongSuggestions")
        self.accept_all_button.setToolTip("对左侧选中的每个指标，列出其最佳的强建议，确认后一次关联（可撤销）")
        self.reject_button = QPushButton("拒绝 (Del)")
        self.reject_button.setObjectName("rejectSuggestion")
        self.reject_button.setToolTip("这份材料不能佐证该指标，以后不再建议")
        top.addWidget(self.accept_button)
        top.addWidget(self.accept_all_button)
        top.addWidget(self.reject_button)
        lay.addLayout(top)

        self.list = SuggestionList()
        self.list.setObjectName("suggestionList")
        self.list.setColumnCount(len(self.COLUMNS))
        self.list.setHeaderLabels(list(self.COLUMNS))
        self.list.setRootIsDecorated(True)  # a file's other places are listed under it
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(False)
        h = self.list.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(1, 260)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(3, 110)
        lay.addWidget(self.list, 1)

        self.accept_button.clicked.connect(self._accept_current)
        self.accept_all_button.clicked.connect(lambda: self.accept_strong_for_selection())
        self.reject_button.clicked.connect(self._reject_current)
        self.list.accept_pressed.connect(self._accept_current)
        self.list.reject_pressed.connect(self._reject_current)
        self.list.itemDoubleClicked.connect(lambda *_: self._accept_current())
        self.list.currentItemChanged.connect(self._on_current)
        self.show_suggestions(None, "", [], {})

        self.act_accept = self._action("接受建议", self.accept_current, "Ctrl+Return",
                                       "把“关联建议”中选中的（默认最佳的）佐证关联到指标（Ctrl+Enter）")
        self.act_accept_strong = self._action("接受全部强建议…", self.accept_strong_for_selection,
                                              "Ctrl+Shift+Return", "对选中的每个指标，列出其最佳的强建议，确认后一次关联"
                                              "（可取消勾选跳过；没有强建议的不列出）")
        self.bulk_dialog = None  # the confirmation list of a bulk accept, while it is open
        # Return and the keypad's Enter alike: what the buttons and the guide call Ctrl+Enter
        self.act_accept.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.act_accept_strong.setShortcuts([QKeySequence("Ctrl+Shift+Return"), QKeySequence("Ctrl+Shift+Enter")])
        self.act_reject = self._action("拒绝建议", self.reject_current, "Ctrl+Shift+Delete",
                                       "这份材料不能佐证该指标，以后不再建议")
        self.accept_requested.connect(self._accept_from_panel)
        self.reject_requested.connect(self._reject_from_panel)
        self.evidence_activated.connect(lambda _: self._update_actions())
        self.batched = BatchedChanges(session, self.on_changes, parent=self)
        session.identity_changed.connect(self._update_actions)
        self._update_actions()

    def _action(self, text: str, slot, shortcut: str, tip: str) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        return act

    # -- content ---------------------------------------------------------------------------------

    def show_suggestions(self, claim_id: int | None, claim_text: str, suggestions: list[Suggestion],
                         names: dict[int, str], *, note: str | None = None) -> None:
        keep = self.current_evidence_id() if claim_id == self.claim_id else None
        self.claim_id = claim_id
        self._suggestions = list(suggestions)
        self.list.clear()
        if claim_id is None:
            self.title.setText("<b>关联建议</b>　<span style='color:#757575'>选中一个指标查看可能的佐证</span>")
        elif not suggestions:
            self.title.setText(f"<b>关联建议</b>　#{claim_id} {esc(claim_text)}　"
                               f"<span style='color:#757575'>{note or '没有找到可能的佐证'}</span>")
        else:
            strong = sum(1 for s in suggestions if s.strength == "strong")
            self.title.setText(f"<b>关联建议</b>　#{claim_id} {esc(claim_text)}　"
                               f"<span style='color:#757575'>{len(suggestions)} 条，其中强建议 {strong} 条</span>")
        for s in suggestions:
            item = QTreeWidgetItem([
                f"● {STRENGTH_NAMES[s.strength]}",
                names.get(s.evidence_id, f"E{s.evidence_id}"),
                suggestion_reason_text(s.reasons),
                s.locator or "",
            ])
            item.setData(0, EvidenceRole, s.evidence_id)
            item.setForeground(0, QBrush(STRONG_COLOUR if s.strength == "strong" else POSSIBLE_COLOUR))
            item.setToolTip(2, suggestion_reason_text(s.reasons))
            item.setToolTip(1, f"E{s.evidence_id} · 得分 {s.score:.2f}")
            self.list.addTopLevelItem(item)
            # every place in the file that states the value, exact ones above rounded ones (the best file's
            # places shown, the others' a click away)
            places = sorted_places(s.places)
            for place in places[:MAX_PLACES]:
                child = QTreeWidgetItem(["", "", place_text(place), place.get("locator") or ""])
                child.setData(0, EvidenceRole, s.evidence_id)
                child.setData(0, PlaceRole, place.get("locator"))
                child.setToolTip(2, place.get("context") or place_text(place))
                if not place.get("exact"):
                    child.setForeground(2, QBrush(POSSIBLE_COLOUR))
                item.addChild(child)
            if len(places) > MAX_PLACES:
                more = QTreeWidgetItem(["", "", f"……另有 {len(places) - MAX_PLACES} 处", ""])
                more.setData(0, EvidenceRole, s.evidence_id)
                more.setForeground(2, QBrush(POSSIBLE_COLOUR))
                item.addChild(more)
            item.setExpanded(len(places) > 1 and self.list.topLevelItemCount() == 1)
        if suggestions:
            row = next((i for i, s in enumerate(suggestions) if s.evidence_id == keep), 0)
            self.list.setCurrentItem(self.list.topLevelItem(row))
        self._update_buttons()

    def suggestions(self) -> list[Suggestion]:
        return list(self._suggestions)

    def current_evidence_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else item.data(0, EvidenceRole)

    def current_place(self) -> str | None:
        """The locator of the place chosen under a suggestion (None: the suggestion itself, its best place)."""
        item = self.list.currentItem()
        return None if item is None or item.parent() is None else item.data(0, PlaceRole)

    def shown_locators(self) -> list[tuple[str | None, list[str]]]:
        """What the list shows, top to bottom: each suggestion's locator and the places listed under it."""
        out = []
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            out.append((item.text(3) or None, [item.child(j).text(3) for j in range(item.childCount())]))
        return out

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = self._editable and self.current_evidence_id() is not None
        self.accept_button.setEnabled(enabled)
        self.reject_button.setEnabled(enabled)

    def _on_current(self, *_) -> None:
        self._update_buttons()
        eid = self.current_evidence_id()
        if eid is not None:
            self.evidence_activated.emit(eid)

    def _accept_current(self) -> None:
        eid = self.current_evidence_id()
        if self.claim_id is not None and eid is not None and self._editable:
            self.accept_requested.emit(self.claim_id, eid)

    def _reject_current(self) -> None:
        eid = self.current_evidence_id()
        if self.claim_id is not None and eid is not None and self._editable:
            self.reject_requested.emit(self.claim_id, eid)

    # -- which claim -----------------------------------------------------------------------------

    def set_selected_claims(self, claim_ids: list[int]) -> None:
        """The claims list's selection changed."""
        self.selected = list(claim_ids)
        self.show_suggestions_for_selection()

    @property
    def writable(self) -> bool:
        return self.session.writable

    def _update_actions(self) -> None:
        writable = self.writable
        current = self._is_current()
        self.act_accept.setEnabled(writable and current and bool(self.suggestions()))
        self.act_accept_strong.setEnabled(writable and bool(self.selected))
        self.act_reject.setEnabled(writable and current and self.current_evidence_id() is not None)
        self.set_editable(writable and current)

    def _is_current(self) -> bool:
        """The panel shows the answer for a claim that is selected now (not a previous claim's, and not
        while the newly selected claim's answer is still being computed)."""
        cid = self.claim_id
        return cid is not None and cid != self._pending_claim and cid in self.selected

    # -- refresh ---------------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("evidence") and changes.evidence_ids:
            ids = sorted(changes.evidence_ids)
            self.session.suggest("new_evidence", lambda engine: engine.for_evidence(ids),
                                 self._on_new_evidence_suggestions)
        if changes.touches("link", "suggestion", "claim", "evidence", "report"):
            self.show_suggestions_for_selection()

    def _on_new_evidence_suggestions(self, found, error) -> None:
        if error is not None or not found:
            return
        strong = sorted(cid for cid, ss in found.items() if any(s.strength == "strong" for s in ss))
        if strong:
            shown = "、".join(f"#{c}" for c in strong[:6]) + ("…" if len(strong) > 6 else "")
            self.session.show_message(
                f"新到的佐证可能佐证 {len(strong)} 个指标：{shown}（选中指标后按 Ctrl+Enter 接受）", 10000)

    def show_suggestions_for_selection(self) -> None:
        ids = self.selected
        if len(ids) != 1:
            self._pending_claim = None
            self.show_suggestions(None, "", [], {})
            self.suggestions_shown.emit(-1)
            self._update_actions()
            return
        cid = ids[0]
        c = self._claim_row(cid)
        text = f"{c['subject'] or ''} {c['value_raw'] or c['value'] or ''}{c['unit'] or ''}".strip() if c else ""
        note = None
        if c and not c["needs_evidence"]:
            note = f"已标记无需佐证：{c['no_evidence_reason'] or ''}"
        if cid != self.claim_id or self._pending_claim is not None:
            # Another claim: never leave the previous claim's suggestions on show (Ctrl+Enter would link
            # them) while this one's are computed; a refresh of the same claim keeps its list meanwhile.
            self._pending_claim = cid
            self.show_suggestions(cid, text, [], {}, note="正在计算建议…")
            self._update_actions()

        def job(engine: SuggestionEngine):
            found = engine.for_claims([cid], limit=SUGGESTION_LIMIT).get(cid, [])
            return found, {s.evidence_id: engine.evidence_name(s.evidence_id) or f"E{s.evidence_id}" for s in found}

        def show(value, error) -> None:
            if self.selected != [cid]:
                return  # the user moved on: a stale answer is dropped (the newer request paints the panel)
            self._pending_claim = None
            if error is not None:
                self.show_suggestions(cid, text, [], {}, note="无法计算关联建议")
                self._update_actions()
                self.session.show_error(error)
                return
            found, names = value
            self.show_suggestions(cid, text, found, names, note=note)
            self.suggestions_shown.emit(cid)
            self._update_actions()

        self.session.suggest("selection", job, show)

    # -- accepting and rejecting -----------------------------------------------------------------

    def accept_current(self) -> None:
        """Ctrl+Enter: the suggestion chosen in the panel (the best one unless another is selected)."""
        if self.claim_id is None or self.claim_id not in self.selected:
            self.session.show_message("请先选中一个指标。", 4000)
            return
        if self.claim_id == self._pending_claim:
            self.session.show_message("正在计算这个指标的关联建议，请稍候。", 4000)
            return
        eid = self.current_evidence_id()
        if eid is None:
            self.session.show_message("这个指标没有关联建议。", 4000)
            return
        self.accept(self.claim_id, eid, locator=self.current_place())

    def reject_current(self) -> None:
        eid = self.current_evidence_id()
        if eid is not None and self._is_current():
            self.reject(self.claim_id, eid)

    def _accept_from_panel(self, claim_id: int, evidence_id: int) -> None:
        """The panel's 接受 button, Enter or double click: only for the claim selected now."""
        if claim_id == self.claim_id and self._is_current():
            self.accept(claim_id, evidence_id, locator=self.current_place())

    def _reject_from_panel(self, claim_id: int, evidence_id: int) -> None:
        if claim_id == self.claim_id and self._is_current():
            self.reject(claim_id, evidence_id)

    def accept(self, claim_id: int, evidence_id: int, *, locator: str | None = None) -> None:
        """Link as an accepted suggestion (at the place the value was found, or at ``locator``: a place
        chosen under the suggestion)."""
        db, session = self.db, self.session

        def work():
            ch = link_suggestion(db, claim_id=claim_id, evidence_id=evidence_id)
            if locator and locator != ch.locator:
                update_link(db, claim_id=claim_id, evidence_id=evidence_id, locator=locator, note=UNSET)
                ch.locator = locator
            return ch

        def done(ch) -> None:
            session.undo.push("接受建议", lambda: session.write(
                "撤销接受建议", lambda: unlink_evidence(db, claim_id=ch.claim_id, evidence_id=ch.evidence_id)),
                redo=lambda: session.write("重做接受建议", work),
                **undo_words(db, self._claim_row, "link.added", [(claim_id, evidence_id)]))
            where = f"（{ch.locator}）" if ch.locator else ""
            session.show_message(f"已按建议关联：指标 #{claim_id} ← {self._name(evidence_id)}{where}（Ctrl+Z 撤销）", 6000)

        def failed(error: BaseException) -> None:
            session.show_error(error)
            self.show_suggestions_for_selection()

        session.write("接受建议", work, done, failed=failed)

    def accept_strong_for_selection(self) -> None:
        """Ctrl+Shift+Enter: the best suggestion of each selected claim, when strong — first as a
        confirmation list (claims × files, untick to skip), then linked in one undoable write."""
        claims = list(self.selected)
        if not claims:
            self.session.show_message("请先在左侧选中指标（可多选），再接受它们的强建议。", 5000)
            return
        self.session.suggest("accept_strong", lambda engine: plan_bulk_accept(engine, claims), self._confirm_bulk)

    def _confirm_bulk(self, plan: BulkAcceptPlan | None, error) -> None:
        session = self.session
        if error is not None:
            session.show_error(error)
            return
        if not plan.links:
            session.show_message(f"选中的 {len(plan.without_strong)} 个指标都没有强建议。", 5000)
            return
        from desktop.ui.dialogs.bulk_accept import BulkAcceptDialog

        if self.bulk_dialog is not None:
            self.bulk_dialog.close()
        dialog = BulkAcceptDialog(self.window(), plan, self._claim_row)
        dialog.confirmed.connect(self.accept_pairs)
        dialog.finished.connect(lambda *_: setattr(self, "bulk_dialog", None))
        self.bulk_dialog = dialog
        dialog.open()  # window-modal, returns at once (tests drive it as a user would)

    def accept_pairs(self, pairs: list[tuple[int, int]]) -> None:
        """Link the (claim, evidence) pairs kept in the confirmation list: one write, one undo."""
        if not pairs:
            self.session.show_message("没有勾选任何建议，未作关联。", 4000)
            return
        db, session = self.db, self.session

        def done(result) -> None:
            linked = [(ch.claim_id, ch.evidence_id) for ch in result.linked]
            if linked:
                session.undo.push("接受强建议", lambda: session.write(
                    "撤销接受强建议", lambda: [unlink_evidence(db, claim_id=c, evidence_id=e) for c, e in linked]),
                    redo=lambda: session.write("重做接受强建议", lambda: accept_planned(db, linked)),
                    **undo_words(db, self._claim_row, "link.added", linked))
            text = f"已按强建议关联 {len(linked)} 处（Ctrl+Z 撤销）"
            if result.failed:
                text += f"；{len(result.failed)} 处已不能接受（其间已关联、已拒绝或文件已有新版本）"
            session.show_message(text, 8000)

        session.write("接受强建议", lambda: accept_planned(db, pairs), done)

    def reject(self, claim_id: int, evidence_id: int) -> None:
        db, session = self.db, self.session

        def done(_: Any) -> None:
            session.undo.push("拒绝建议", lambda: session.write(
                "撤销拒绝", lambda: unreject_suggestion(db, claim_id=claim_id, evidence_id=evidence_id)),
                redo=lambda: session.write("重做拒绝建议", lambda: reject_suggestion(
                    db, claim_id=claim_id, evidence_id=evidence_id)),
                **undo_words(db, self._claim_row, "suggestion.rejected", [(claim_id, evidence_id)]))
            session.show_message(f"已拒绝：{self._name(evidence_id)} 不再建议给指标 #{claim_id}（Ctrl+Z 撤销）", 6000)

        session.write("拒绝建议", lambda: reject_suggestion(db, claim_id=claim_id, evidence_id=evidence_id), done)

    def _name(self, evidence_id: int) -> str:
        return evidence_name(self.db, evidence_id) or f"E{evidence_id}"


def sorted_places(places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A file's places, exact ones above rounded ones (the engine's order within each)."""
    return sorted(places, key=lambda p: not p.get("exact"))

