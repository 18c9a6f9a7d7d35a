"""接受全部强建议: the confirmation list shown before a bulk accept.

One row per selected claim that has a strong suggestion — the claim, the file, where the value is, why — each
ticked; the user unticks what to skip and confirms. Built from :func:`desktop.review.bulk_accept.
plan_bulk_accept` (nothing is written until 确认); ``confirmed(pairs)`` carries the (claim, evidence) pairs
kept. Claims without a strong suggestion are named below the list.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from desktop.review.bulk_accept import BulkAcceptPlan
from desktop.text.messages import suggestion_reason_text
from desktop.ui.common import format_value

PairRole = Qt.ItemDataRole.UserRole + 30


class BulkAcceptDialog(QDialog):
    confirmed = Signal(list)  # [(claim_id, evidence_id)] kept ticked

    COLUMNS = ("指标", "佐证材料", "位置", "理由")

    def __init__(self, parent, plan: BulkAcceptPlan, claim_row: Callable[[int], dict[str, Any] | None]):
        super().__init__(parent)
        self.setObjectName("bulkAcceptDialog")
        self.setWindowTitle("接受全部强建议")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.plan = plan
        lay = QVBoxLayout(self)
        self.intro = QLabel(f"将为 {len(plan.links)} 个指标各关联一份佐证材料。取消勾选即跳过该条；确认后一次完成，"
                            "可用 Ctrl+Z 整体撤销。")
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        self.list = QTreeWidget()
        self.list.setObjectName("bulkAcceptList")
        self.list.setColumnCount(len(self.COLUMNS))
        self.list.setHeaderLabels(list(self.COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        h = self.list.header()
        h.setStretchLastSection(True)
        for col, width in ((0, 250), (1, 240), (2, 100)):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            h.resizeSection(col, width)
        for link in plan.links:
            c = claim_row(link.claim_id)
            label = f"#{link.claim_id} {(c or {}).get('subject') or ''} {format_value(c) if c else ''}".strip()
            reason = suggestion_reason_text(link.reasons)
            item = QTreeWidgetItem([label, link.evidence_name or f"E{link.evidence_id}", link.locator or "", reason])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
            item.setData(0, PairRole, (link.claim_id, link.evidence_id))
            item.setToolTip(3, reason)
            item.setToolTip(0, (c or {}).get("quote") or label)
            self.list.addTopLevelItem(item)
        lay.addWidget(self.list, 1)
        self.skipped = QLabel()
        self.skipped.setWordWrap(True)
        self.skipped.setStyleSheet("color: #757575")
        if plan.without_strong:
            shown = "、".join(f"#{c}" for c in plan.without_strong[:12]) + ("…" if len(plan.without_strong) > 12 else "")
            self.skipped.setText(f"没有强建议（或已标记无需佐证），不在列表中：{shown}")
        self.skipped.setVisible(bool(plan.without_strong))
        lay.addWidget(self.skipped)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.list.itemChanged.connect(lambda *_: self._update_ok())
        self._update_ok()
        self.resize(900, min(560, 200 + 28 * len(plan.links)))

    def items(self) -> list[QTreeWidgetItem]:
        return [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]

    def set_checked(self, claim_id: int, checked: bool) -> None:
        for item in self.items():
            if item.data(0, PairRole)[0] == claim_id:
                item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def kept_pairs(self) -> list[tuple[int, int]]:
        return [tuple(item.data(0, PairRole)) for item in self.items()
                if item.checkState(0) == Qt.CheckState.Checked]

    def _update_ok(self) -> None:
        n = len(self.kept_pairs())
        self.ok_button.setText(f"关联勾选的 {n} 项")
        self.ok_button.setEnabled(n > 0)

    def _confirm(self) -> None:
        pairs = self.kept_pairs()
        self.accept()
        self.confirmed.emit(pairs)
