"""First steps in a new workspace: what to do next, in the panes that are still empty, and the watched folder.

* :class:`NextSteps` lies over an empty pane (the claims list and the report text before a report is
  imported, the evidence library before a file is registered) and says 下一步 with buttons for the
  window's own actions: 导入报告（Ctrl+I）, 选择监控文件夹…, 添加佐证（Ctrl+E）. It goes as soon as the pane
  has something to show, and comes back if it is emptied again.
* the watched folder is set, changed or cleared in :mod:`desktop.ui.dialogs.watch_folder` (文件 → 监控文件夹…).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

NEXT_TITLE = "下一步"
NO_REPORT = "这个工作区还没有报告。"
NO_EVIDENCE = "还没有佐证材料。"
NO_REPORT_STATUS = "<b>尚未导入报告</b>　导入报告：Ctrl+I"
NO_DASHBOARD = "导入报告（Ctrl+I）后，这里按报告和章节显示已有佐证、缺佐证的指标数。"
REVIEWER_NOTE = "当前角色为“审核”：导入报告和登记材料需由编制人员完成（工具 → 切换身份）。"


class NextSteps(QFrame):
    """下一步 over an empty pane: a line saying what is missing and buttons for the actions that fill it."""

    def __init__(self, target: QWidget, message: str, actions: list[tuple[str, QAction]],
                 is_empty: Callable[[], bool], name: str):
        super().__init__(target)
        self.setObjectName(name)
        self.target, self.is_empty, self.actions = target, is_empty, actions
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"QFrame#{name} {{ background: palette(base); }}")
        title = QLabel(f"<b style='font-size:15px'>{NEXT_TITLE}</b>")
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.note = QLabel(f"<span style='color:#757575'>{REVIEWER_NOTE}</span>")
        self.note.setWordWrap(True)
        box = QVBoxLayout()
        box.setSpacing(8)
        box.addWidget(title)
        box.addWidget(self.message)
        self.buttons: list[QPushButton] = []
        for i, (text, act) in enumerate(actions, 1):
            b = QPushButton(f"{i}. {text}")
            b.setObjectName(f"{name}_{i}")
            b.setStyleSheet("text-align: left; padding: 6px 12px;")
            b.clicked.connect(act.trigger)
            self.buttons.append(b)
            box.addWidget(b)
        box.addWidget(self.note)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(box, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        target.installEventFilter(self)
        for _, act in actions:
            act.changed.connect(self._update_buttons)
        self.refresh()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.target and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.setGeometry(self.target.rect())
        return False

    def _update_buttons(self) -> None:
        enabled = [act.isEnabled() for _, act in self.actions]
        for b, on in zip(self.buttons, enabled):
            b.setEnabled(on)
        self.note.setVisible(not all(enabled))  # a reviewer: say why importing and adding are off

    def refresh(self) -> None:
        """Shown while the pane is empty (call after every change that may fill or empty it)."""
        empty = self.is_empty()
        if empty:
            self._update_buttons()
            self.setGeometry(self.target.rect())
            self.raise_()
        self.setVisible(empty)


def install(window) -> list[NextSteps]:
    """下一步 over the main window's empty panes (the claims list, the report text, the evidence library, the
    completeness dashboard)."""
    from desktop.evidence.queries import evidence_count

    db = window.ws.db
    steps = [("导入报告（Ctrl+I）", window.act_import), ("选择监控文件夹…", window.act_watch_dir),
             ("添加佐证（Ctrl+E）", window.act_add)]
    no_claims = lambda: not window.claims.rows()  # noqa: E731
    no_evidence = lambda: evidence_count(db, "all") == 0  # noqa: E731
    panes = [
        NextSteps(window.claims.view, NO_REPORT + "先导入《绩效自评报告》，再收集佐证材料：", steps, no_claims,
                  "nextStepsClaims"),
        NextSteps(window.report_view, NO_REPORT + "先导入《绩效自评报告》，再收集佐证材料：", steps, no_claims,
                  "nextStepsReport"),
        NextSteps(window.library.views, NO_EVIDENCE + "选择监控文件夹，或把文件拖到窗口上：", steps[1:], no_evidence,
                  "nextStepsEvidence"),
        NextSteps(window.dashboard, NO_DASHBOARD, [], no_claims, "nextStepsDashboard"),
    ]

    def refresh(*_) -> None:
        for pane in panes:
            pane.refresh()
        if no_claims():  # the status bar says what to do rather than 已有佐证 0/0
            window.completeness_label.setText(NO_REPORT_STATUS)

    refresh()

    window.claims.refreshed.connect(refresh)
    window.session.changed.connect(refresh)
    window.session.identity_changed.connect(refresh)
    return panes
