"""审计日志: every event, newest first, filterable by claim, file, person, action and date; export to XLSX/CSV.

``AuditTableModel`` is lazy: on a filter change it reads only the matching sequence numbers (one indexed
query; 100,000 of them take a few tens of milliseconds), and rows are read a page at a time when the view
asks for them, so a large trail opens at once and scrolls smoothly. Words come from
``desktop.text.audit`` (shared with ``evidence-desk log``). The window reads the trail when it is opened
(and on 刷新, F5); exports run on the session's jobs lane.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.review import audit_log
from desktop.review.audit_log import EventFilter
from desktop.text.audit import (
    action_name,
    claim_label,
    describe,
    detail_fields,
    evidence_label,
    export_events,
    role_name,
    target,
)
from desktop.text.messages import local_time
from desktop.ui.dispatcher import TaskResult
from desktop.ui.geometry import RememberedWindow
from desktop.ui.session import Session
from desktop.ui.table_model import TableModel

SeqRole = Qt.ItemDataRole.UserRole + 1
FAMILIES = (("review.", "审核"), ("link.", "关联"), ("claim.", "指标"), ("evidence.", "佐证"), ("report.", "报告"),
            ("settings.", "设置"), ("workspace.", "工作区"))


class AuditTableModel(TableModel):
    """Events in display order; holds sequence numbers, reads rows in pages, keeps a bounded page cache."""

    COLUMNS = ("序号", "时间", "操作人", "角色", "操作", "对象", "内容")
    PAGE = 200
    MAX_PAGES = 64

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        self.filter = EventFilter()
        self._keys = self._seqs = array("q")
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self.pages_loaded = 0  # how many page reads so far (the benchmark and tests look at it)
        self.set_filter(EventFilter())

    def set_filter(self, flt: EventFilter) -> None:
        self.beginResetModel()
        self.filter = flt
        self._keys = self._seqs = audit_log.event_seqs(self.db, flt)
        self._pages.clear()
        self.endResetModel()

    def refresh(self) -> None:
        self.set_filter(self.filter)

    # -- rows ----------------------------------------------------------------------------------------

    def _page(self, page: int) -> list[dict[str, Any]]:
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
            return rows
        seqs = list(self._seqs[page * self.PAGE : (page + 1) * self.PAGE])
        events = audit_log.events_by_seq(self.db, seqs)
        claims, evidence = audit_log.target_names(
            self.db, [e["claim_id"] for e in events.values()], [e["evidence_id"] for e in events.values()]
        )
        rows = []
        for seq in seqs:
            e = events.get(seq)
            if e is None:  # vanished between the two reads (cannot happen to an append-only table)
                rows.append({"seq": seq, "cells": (str(seq), "", "", "", "", "", "（已不存在）"), "event": None})
                continue
            rows.append({
                "seq": seq,
                "event": e,
                "cells": (str(seq), local_time(e["ts"]), e["actor"], role_name(e["role"]), action_name(e["action"]),
                          target(e, claims, evidence), describe(e, claims, evidence)),
                "claims": claims,
                "evidence": evidence,
            })
        self._pages[page] = rows
        self.pages_loaded += 1
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        return rows

    def row(self, row: int) -> dict[str, Any] | None:
        if not 0 <= row < len(self._seqs):
            return None
        return self._page(row // self.PAGE)[row % self.PAGE]

    def seq_at(self, row: int) -> int | None:
        return self._seqs[row] if 0 <= row < len(self._seqs) else None

    def row_of(self, seq: int) -> int | None:
        # newest first: a binary search on the descending array
        lo, hi = 0, len(self._seqs)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._seqs[mid] > seq:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self._seqs) and self._seqs[lo] == seq else None

    # -- Qt ------------------------------------------------------------------------------------------

    def flags(self, index: QModelIndex):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._seqs):
            return None
        if role == SeqRole:
            return self._seqs[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if index.column() == 0 else None
        r = self.row(index.row())
        if r is None:
            return None
        text = r["cells"][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if index.column() in (5, 6) and len(text) > 30 else None
        return text


class AuditLogWindow(QMainWindow):
    """The audit trail viewer (a window of its own, so it can sit beside the main window)."""

    exported = Signal(str, int)  # path, rows

    def __init__(self, session: Session, parent=None, *, claim_id: int | None = None):
        super().__init__(parent)
        self.setObjectName("auditWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.session = session
        self.ws = ws = session.ws
        self.setWindowTitle(f"审计日志 — {ws.name}")
        self.model = AuditTableModel(ws.db, self)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(250)
        self._filter_timer.timeout.connect(self.apply_filter)
        self._build()
        self._fill_choices()
        self._placement = RememberedWindow(self, "audit", QSize(1200, 760))  # fits the screen, remembered
        if claim_id is not None:
            self.show_claim(claim_id)
        else:
            self._after_filter()

    # -- construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.claim_edit = QLineEdit()
        self.claim_edit.setObjectName("auditClaimFilter")
        self.claim_edit.setPlaceholderText("指标编号")
        self.claim_edit.setMaximumWidth(90)
        self.evidence_edit = QLineEdit()
        self.evidence_edit.setObjectName("auditEvidenceFilter")
        self.evidence_edit.setPlaceholderText("佐证编号")
        self.evidence_edit.setMaximumWidth(90)
        self.actor_combo = QComboBox()
        self.actor_combo.setObjectName("auditActorFilter")
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("auditActionFilter")
        self.since_check = QCheckBox("从")
        self.since_date = QDateEdit(QDate.currentDate().addMonths(-1))
        self.until_check = QCheckBox("到")
        self.until_date = QDateEdit(QDate.currentDate())
        for d in (self.since_date, self.until_date):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.clear_button = QPushButton("清除筛选")
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")

        for edit in (self.claim_edit, self.evidence_edit):
            edit.textChanged.connect(lambda _: self._filter_timer.start())
            edit.returnPressed.connect(self.apply_filter)
        for combo in (self.actor_combo, self.action_combo):
            combo.currentIndexChanged.connect(lambda _: self.apply_filter())
        for w in (self.since_check, self.until_check):
            w.toggled.connect(lambda _: self.apply_filter())
        for d in (self.since_date, self.until_date):
            d.dateChanged.connect(lambda _: self.apply_filter())
        self.clear_button.clicked.connect(self.clear_filter)

        bar = QHBoxLayout()
        for label, w in (("指标", self.claim_edit), ("佐证", self.evidence_edit), ("人员", self.actor_combo),
                         ("操作", self.action_combo)):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addSpacing(8)
        for w in (self.since_check, self.since_date, self.until_check, self.until_date, self.clear_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.count_label)

        self.view = QTableView()
        self.view.setObjectName("auditTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(24)
        h = self.view.horizontalHeader()
        for col, width in enumerate((64, 150, 90, 48, 116, 260)):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            h.resizeSection(col, width)
        h.setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._on_current)

        self.detail = QTextBrowser()
        self.detail.setObjectName("auditDetail")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)

        central = QWidget()
        v = QVBoxLayout(central)
        v.setContentsMargins(6, 6, 6, 6)
        v.addLayout(bar)
        v.addWidget(split, 1)
        self.setCentralWidget(central)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)

        tb = self.addToolBar("审计日志")
        tb.setObjectName("auditToolBar")
        tb.setMovable(False)
        self.act_refresh = QAction("刷新", self)
        self.act_refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.act_refresh.triggered.connect(self.refresh)
        self.act_export_xlsx = QAction("导出 XLSX…", self)
        self.act_export_xlsx.triggered.connect(lambda: self._ask_export(".xlsx"))
        self.act_export_csv = QAction("导出 CSV…", self)
        self.act_export_csv.triggered.connect(lambda: self._ask_export(".csv"))
        self.act_close = QAction("关闭", self)
        self.act_close.setShortcut(QKeySequence.StandardKey.Close)
        self.act_close.triggered.connect(self.close)
        for a in (self.act_refresh, self.act_export_xlsx, self.act_export_csv):
            tb.addAction(a)
        self.addAction(self.act_close)

    def _fill_choices(self) -> None:
        self.actor_combo.blockSignals(True)
        self.action_combo.blockSignals(True)
        current_actor, current_action = self.actor_combo.currentData(), self.action_combo.currentData()
        self.actor_combo.clear()
        self.actor_combo.addItem("全部", None)
        for a in audit_log.actors(self.ws.db):
            self.actor_combo.addItem(a, a)
        self.action_combo.clear()
        self.action_combo.addItem("全部", None)
        present = audit_log.actions(self.ws.db)
        for prefix, name in FAMILIES:
            if any(a.startswith(prefix) for a in present):
                self.action_combo.addItem(f"{name}（全部）", prefix)
        for a in present:
            self.action_combo.addItem(f"　{action_name(a)}", a)
        for combo, value in ((self.actor_combo, current_actor), (self.action_combo, current_action)):
            i = combo.findData(value)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

    # -- filtering ---------------------------------------------------------------------------------

    @staticmethod
    def _int(text: str) -> int | None:
        t = text.strip().lstrip("#EeＥ＃").strip()
        return int(t) if t.isdigit() else None

    def current_filter(self) -> EventFilter:
        since = until = None
        if self.since_check.isChecked():
            since = audit_log.local_day_start(self.since_date.date().toString("yyyy-MM-dd"))
        if self.until_check.isChecked():
            until = audit_log.local_day_end(self.until_date.date().toString("yyyy-MM-dd"))
        return EventFilter(
            claim_id=self._int(self.claim_edit.text()),
            evidence_id=self._int(self.evidence_edit.text()),
            actor=self.actor_combo.currentData(),
            action=self.action_combo.currentData(),
            since=since,
            until=until,
        )

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        flt = self.current_filter()
        if flt != self.model.filter:
            self.model.set_filter(flt)
            self._after_filter()

    def set_filter(self, flt: EventFilter) -> None:
        """Show ``flt`` (and put it in the filter widgets)."""
        widgets = (self.claim_edit, self.evidence_edit, self.actor_combo, self.action_combo, self.since_check,
                   self.until_check)
        for w in widgets:
            w.blockSignals(True)
        self.claim_edit.setText(str(flt.claim_id) if flt.claim_id is not None else "")
        self.evidence_edit.setText(str(flt.evidence_id) if flt.evidence_id is not None else "")
        self.actor_combo.setCurrentIndex(max(self.actor_combo.findData(flt.actor), 0))
        self.action_combo.setCurrentIndex(max(self.action_combo.findData(flt.action), 0))
        self.since_check.setChecked(False)
        self.until_check.setChecked(False)
        for w in widgets:
            w.blockSignals(False)
        self.model.set_filter(flt)
        self._after_filter()

    def show_claim(self, claim_id: int) -> None:
        self.set_filter(EventFilter(claim_id=claim_id))

    def clear_filter(self) -> None:
        self.set_filter(EventFilter())

    def refresh(self) -> None:
        self._fill_choices()
        self.model.refresh()
        self._after_filter()

    def _after_filter(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"共 {n:,} 条" + ("" if self.model.filter.empty else "（已筛选）"))
        if n:
            self.view.selectRow(0)
        else:
            self.detail.setHtml("<p style='color:#757575'>没有符合条件的审计事件。</p>")

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        r = self.model.row(current.row()) if current.isValid() else None
        if not r or not r["event"]:
            return
        e = r["event"]
        parts = [f"<b>#{e['seq']}</b>　{local_time(e['ts'])}　{_h(e['actor'])}（{role_name(e['role'])}）　"
                 f"<b>{_h(action_name(e['action']))}</b>"]
        if e.get("claim_id") is not None:
            parts.append(f"指标：{_h(claim_label(e['claim_id'], r['claims']))}")
        if e.get("evidence_id") is not None:
            parts.append(f"佐证：{_h(evidence_label(e['evidence_id'], r['evidence']))}")
        parts.append(f"<b>变更：</b>{_h(r['cells'][6])}")
        fields = detail_fields(e, r["claims"], r["evidence"])  # the whole record, every field in words
        if fields:
            rows = "".join(f"<tr><td style='color:#757575; padding-right:12px'>{_h(k)}</td><td>{_h(v)}</td></tr>"
                           for k, v in fields)
            parts.append(f"<b>记录内容：</b><table style='color:#455a64'>{rows}</table>")
        parts.append(f"<span style='color:#757575'>哈希 {e['hash']}<br>前一事件 {e['prev_hash']}</span>")
        self.detail.setHtml("<br>".join(parts))

    # -- export ------------------------------------------------------------------------------------

    def _ask_export(self, suffix: str) -> None:
        kind = "Excel 工作簿 (*.xlsx)" if suffix == ".xlsx" else "CSV 文件 (*.csv)"
        default = str(Path.home() / f"审计日志-{self.ws.name}{suffix}")
        path, _ = QFileDialog.getSaveFileName(self, "导出审计日志", default, kind)
        if path:
            if not path.lower().endswith(suffix):
                path += suffix
            self.export(path)

    def export(self, path: str | Path) -> None:
        """Export the events the current filter shows (all of them, not only the rows seen)."""
        db, flt, session = self.ws.db, self.model.filter, self.session
        total = self.model.rowCount()

        def names(batch):
            return audit_log.target_names(db, [e["claim_id"] for e in batch], [e["evidence_id"] for e in batch])

        def work() -> int:
            return export_events(audit_log.iter_events(db, flt), path, names, total=total,
                                 progress=lambda d, t: session.report_progress(lambda: self._on_progress("导出", d, t)))

        def finished(result: TaskResult) -> None:
            self.progress.hide()
            if result.error is not None:
                text = f"导出失败：{getattr(result.error, 'strerror', None) or result.error}"
                self.statusBar().showMessage(text, 8000)
                self.last_error = text
                if self.session.interactive:
                    QMessageBox.warning(self, "导出审计日志", text)
                return
            self.show_status(f"已导出 {result.value:,} 条到 {path}", 8000)
            self.exported.emit(str(path), result.value)

        self.session.job("导出审计日志", work, finished)

    def show_status(self, text: str, ms: int = 0) -> None:
        """A status-bar message that fits: a long path is shortened in the middle (the file name and the
        start of the folder stay), the whole text is the tooltip."""
        bar = self.statusBar()
        room = max(bar.width() - (self.progress.width() if self.progress.isVisible() else 0) - 40, 200)
        shown = bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, room)
        bar.setToolTip(text)
        self.last_status = text
        bar.showMessage(shown, ms)

    def _on_progress(self, name: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{name} {done}/{total}")


def _h(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
