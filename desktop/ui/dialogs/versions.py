"""改用新版本: a file's old and new version compared, and the links moved to the new one.

Shows :func:`desktop.review.versions.compare_versions` in words (:mod:`desktop.text.versions`): the figures
the new version dropped and added, with where they are, and which linked claims' values the new version
still states. 改用新版本 (only for 编制, and only when claims are linked to the old version) emits
``switch_requested(old evidence id)``; the library runs the write.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.review.versions import VersionComparison
from desktop.text.versions import comparison_text


def _places(items: list[tuple[str, str | None]]) -> list[str]:
    return [f"{raw}　{loc}" if loc else raw for raw, loc in items]


class VersionDialog(QDialog):
    switch_requested = Signal(int)  # the old version's evidence id

    def __init__(self, parent, cmp: VersionComparison, names: dict[int, str], claim_label: Callable[[int], str],
                 *, writable: bool):
        super().__init__(parent)
        self.setObjectName("versionDialog")
        self.setWindowTitle("比较新旧版本")
        self.cmp = cmp
        lay = QVBoxLayout(self)
        head = QLabel(f"旧版本：E{cmp.old_id}《{names.get(cmp.old_id, '')}》<br>"
                      f"新版本：E{cmp.new_id}《{names.get(cmp.new_id, '')}》")
        head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(head)
        self.summary = QLabel(comparison_text(cmp, claim_label))
        self.summary.setObjectName("versionSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)
        columns = QHBoxLayout()
        self.removed = self._column(columns, f"只在旧版本中（{cmp.removed_count}）", _places(cmp.removed))
        self.added = self._column(columns, f"只在新版本中（{cmp.added_count}）", _places(cmp.added))
        lay.addLayout(columns, 1)
        linked = cmp.claims_kept + cmp.claims_lost
        lines = [f"✓ {claim_label(c)}：新版本中仍有此数值" for c in cmp.claims_kept]
        lines += [f"✗ {claim_label(c)}：新版本中找不到此数值" for c in cmp.claims_lost]
        self.claims = self._column(lay, f"关联到旧版本的指标（{len(linked)}）", lines or ["（没有指标关联到旧版本）"])
        buttons = QDialogButtonBox()
        self.switch_button = QPushButton("改用新版本")
        self.switch_button.setObjectName("switchToNewVersion")
        self.switch_button.setToolTip("把关联到旧版本的指标改为关联新版本（位置按新版本重新查找），可撤销")
        self.switch_button.setEnabled(writable and bool(linked))
        if not writable:
            self.switch_button.setToolTip("只有“编制”角色可以改用新版本")
        buttons.addButton(self.switch_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        self.switch_button.clicked.connect(self._switch)
        lay.addWidget(buttons)
        self.resize(760, 520)

    @staticmethod
    def _column(layout, title: str, lines: list[str]) -> QListWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(QLabel(f"<b>{title}</b>"))
        lst = QListWidget()
        lst.addItems(lines or ["（无）"])
        v.addWidget(lst)
        layout.addWidget(box)
        return lst

    def _switch(self) -> None:
        self.accept()
        self.switch_requested.emit(self.cmp.old_id)
