"""The suggestions panel: for the selected claim, the files that may back it, best first, each with why.

Enter (or the 接受 button) links the chosen suggestion; Delete (or 拒绝) rejects it for good. The panel only
shows and asks; the controller (:mod:`desktop.ui.linking`) does the work.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
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

from desktop.review.suggest import Suggestion
from desktop.text.messages import STRENGTH_NAMES, suggestion_reason_text

STRONG_COLOUR = QColor("#2e7d32")
POSSIBLE_COLOUR = QColor("#757575")
EvidenceRole = Qt.ItemDataRole.UserRole + 20


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

    COLUMNS = ("强度", "佐证材料", "理由", "位置")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("suggestionsPanel")
        self.claim_id: int | None = None
        self._suggestions: list[Suggestion] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(4)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("suggestionsTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.title, 1)
        self.accept_button = QPushButton("接受 (Enter)")
        self.accept_button.setObjectName("acceptSuggestion")
        self.accept_button.setToolTip("把选中的建议关联到指标（Ctrl+Enter 接受最佳建议）")
        self.reject_button = QPushButton("拒绝 (Del)")
        self.reject_button.setObjectName("rejectSuggestion")
        self.reject_button.setToolTip("这份材料不能佐证该指标，以后不再建议")
        top.addWidget(self.accept_button)
        top.addWidget(self.reject_button)
        lay.addLayout(top)

        self.list = SuggestionList()
        self.list.setObjectName("suggestionList")
        self.list.setColumnCount(len(self.COLUMNS))
        self.list.setHeaderLabels(list(self.COLUMNS))
        self.list.setRootIsDecorated(False)
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
        self.reject_button.clicked.connect(self._reject_current)
        self.list.accept_pressed.connect(self._accept_current)
        self.list.reject_pressed.connect(self._reject_current)
        self.list.itemDoubleClicked.connect(lambda *_: self._accept_current())
        self.list.currentItemChanged.connect(self._on_current)
        self.show_suggestions(None, "", [], {})

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
            self.title.setText(f"<b>关联建议</b>　#{claim_id} {_esc(claim_text)}　"
                               f"<span style='color:#757575'>{note or '没有找到可能的佐证'}</span>")
        else:
            strong = sum(1 for s in suggestions if s.strength == "strong")
            self.title.setText(f"<b>关联建议</b>　#{claim_id} {_esc(claim_text)}　"
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
        if suggestions:
            row = next((i for i, s in enumerate(suggestions) if s.evidence_id == keep), 0)
            self.list.setCurrentItem(self.list.topLevelItem(row))
        self._update_buttons()

    def suggestions(self) -> list[Suggestion]:
        return list(self._suggestions)

    def current_evidence_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else item.data(0, EvidenceRole)

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = getattr(self, "_editable", True) and self.current_evidence_id() is not None
        self.accept_button.setEnabled(enabled)
        self.reject_button.setEnabled(enabled)

    def _on_current(self, *_) -> None:
        self._update_buttons()
        eid = self.current_evidence_id()
        if eid is not None:
            self.evidence_activated.emit(eid)

    def _accept_current(self) -> None:
        eid = self.current_evidence_id()
        if self.claim_id is not None and eid is not None and getattr(self, "_editable", True):
            self.accept_requested.emit(self.claim_id, eid)

    def _reject_current(self) -> None:
        eid = self.current_evidence_id()
        if self.claim_id is not None and eid is not None and getattr(self, "_editable", True):
            self.reject_requested.emit(self.claim_id, eid)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
