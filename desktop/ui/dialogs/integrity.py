"""校验完整性: the integrity check with a progress bar per stage and a report of what is wrong, where,
since when. The check runs on a worker thread with its own read connection; the dialog stays responsive
and can cancel between steps."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from desktop.integrity import STAGES, IntegrityReport, verify_workspace
from desktop.text.integrity import (
    STAGE_NAMES,
    anchor_text,
    note_text,
    problem_text,
    problem_when,
    problem_where,
    report_plain,
    stage_of,
)
from desktop.text.messages import local_time
from desktop.ui.dispatcher import TaskResult
from desktop.ui.session import Session

class Cancelled(Exception):
    """The user stopped the check."""


def _anchor_html(report: IntegrityReport) -> str:
    """The audit head, selectable, with what it is for; then any leftovers of an interrupted run."""
    notes = "".join(f"<li>{_h(note_text(n))}</li>" for n in report.notes)
    html = f"<p style='color:#b26a00'>注意：</p><ul>{notes}</ul>" if notes else ""
    if report.anchor:
        html += (f"<p><b>{_h(anchor_text(report.anchor))}</b><br><span style='color:#757575'>请与交出的材料包清单、"
                 f"汇编承诺书上记录的审计链头比对：一致（或该事件仍有同一哈希），说明此后没有整体改写审计记录。</span></p>")
    return html


def report_html(report: IntegrityReport) -> str:
    when = local_time(report.checked_at)
    if report.ok:
        return (f"<h3 style='color:#2e7d32'>✓ 校验通过</h3><p>{report.events:,} 条审计事件、{report.objects:,} 个存储对象、"
                f"{report.reviews:,} 条审核记录均完好；{report.rows:,} 行数据与审计记录逐行一致；"
                f"数据库结构（含防篡改触发器）与本软件建立的一致；数据库文件结构正常。</p>"
                + _anchor_html(report) + f"<p style='color:#757575'>校验时间：{when}</p>")
    rows = "".join(
        f"<tr><td>{_h(problem_text(p))}</td><td>{_h(problem_where(p))}</td><td>{_h(problem_when(p))}</td></tr>"
        for p in report.problems
    )
    return (f"<h3 style='color:#c62828'>✗ 发现 {len(report.problems)} 个问题</h3>"
            f"<p>已检查 {report.events:,} 条审计事件、{report.objects:,} 个存储对象、{report.reviews:,} 条审核记录。"
            f"以下位置的记录或文件在记录之后被改动；请保留现场并联系工作区的负责人。</p>"
            f"<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr><th>问题</th><th>位置</th><th>发生时间</th></tr>{rows}</table>"
            + _anchor_html(report) + f"<p style='color:#757575'>校验时间：{when}</p>")


class IntegrityDialog(QDialog):
    check_finished = Signal(object)  # IntegrityReport, or None when cancelled / failed

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.setObjectName("integrityDialog")
        self.setWindowTitle("校验完整性")
        self.resize(760, 560)
        self.session = session
        self.ws = session.ws
        self.report: IntegrityReport | None = None
        self._cancel = False
        self._run = 0  # which check is the current one (a closed dialog's check stops at its next step)

        grid = QGridLayout()
        self.stage_marks: dict[str, QLabel] = {}
        for i, stage in enumerate(STAGES):
            mark = QLabel("○")
            mark.setFixedWidth(18)
            self.stage_marks[stage] = mark
            grid.addWidget(mark, i, 0)
            grid.addWidget(QLabel(STAGE_NAMES[stage]), i, 1)
        self.bar = QProgressBar()
        self.bar.setObjectName("integrityProgress")
        self.result = QTextBrowser()
        self.result.setObjectName("integrityResult")
        self.buttons = QDialogButtonBox()
        self.rerun_button = QPushButton("重新校验")
        self.cancel_button = QPushButton("停止")
        self.copy_button = QPushButton("复制报告")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText("关闭")
        for b in (self.rerun_button, self.cancel_button, self.copy_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        self.rerun_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button.clicked.connect(self._copy)
        self.buttons.rejected.connect(self.reject)
        self.close_button.clicked.connect(self.reject)

        v = QVBoxLayout(self)
        v.addWidget(QLabel("<b>重新计算审计链、核对链头文件，按审计记录重建数据逐行核对，逐一重算存储对象的哈希，"
                           "并检查数据库本身。</b>"))
        v.addLayout(grid)
        v.addWidget(self.bar)
        v.addWidget(self.result, 1)
        v.addWidget(self.buttons)

    def start(self) -> None:
        self._cancel = False
        self.report = None
        for mark in self.stage_marks.values():
            mark.setText("○")
        self.result.setHtml("<p style='color:#757575'>正在校验…</p>")
        self.rerun_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.copy_button.setEnabled(False)
        ws, session = self.ws, self.session
        self._run += 1
        run = self._run

        def progress(stage: str, done: int, total: int) -> None:
            if self._cancel or run != self._run:
                raise Cancelled()
            session.report_progress(lambda: self._on_progress(run, stage, done, total))

        session.job("校验完整性", lambda: verify_workspace(ws, progress), lambda result: self._on_done(run, result))

    def cancel(self) -> None:
        self._cancel = True
        self.cancel_button.setEnabled(False)

    def _on_progress(self, run: int, stage: str, done: int, total: int) -> None:
        if run != self._run:
            return
        i = STAGES.index(stage) if stage in STAGES else -1
        for j, s in enumerate(STAGES):
            if j < i:
                self.stage_marks[s].setText("✓")
        if stage in self.stage_marks:
            self.stage_marks[stage].setText("✓" if total and done >= total else "…")
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{STAGE_NAMES.get(stage, stage).split('：')[0].split('（')[0]} {done:,}/{total:,}")

    def _on_done(self, run: int, result: TaskResult) -> None:
        if run != self._run:
            return
        self.rerun_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if isinstance(result.error, Cancelled):
            self.result.setHtml("<p style='color:#b26a00'>校验已停止，结果不完整。</p>")
            self.check_finished.emit(None)
            return
        if result.error is not None:
            self.result.setHtml(f"<p style='color:#c62828'>校验未能完成：{_h(result.error)}</p>")
            self.check_finished.emit(None)
            return
        self.report = result.value
        for s in STAGES:
            self.stage_marks[s].setText("✓")
        bad_stages = {stage_of(p) for p in self.report.problems}
        for s in bad_stages:
            if s in self.stage_marks:
                self.stage_marks[s].setText("<span style='color:#c62828'>✗</span>")
        self.result.setHtml(report_html(self.report))
        self.copy_button.setEnabled(True)
        self.check_finished.emit(self.report)

    def _copy(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(report_plain(self.report))

    def done(self, r: int) -> None:  # closing: stop the check (it stops at its next step)
        self._cancel = True
        self._run += 1
        super().done(r)


def _h(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
