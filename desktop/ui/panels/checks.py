"""The 一致性检查 panel: the workspace's findings (figures that do not add up, scores that do not fit their
table, names that drift…), grouped by severity — 错误 / 警告 / 舍入差异 (/ 提示) — each with its rule, its
message with the arithmetic, and where it is.

The findings are computed by :func:`desktop.checks.queries.workspace_findings` on the jobs lane (never on
the GUI thread: the engine takes about 0.3 s per MB of report text), again whenever a change touches the
reports, claims, links, score tables or dismissals — and, at most once per ``EVIDENCE_INTERVAL_MS``,
when evidence changes (the evidence-date rule reads the linked files' dates); a run asked for while one is
going is made once it ends. After each run ``findings_changed`` hands the window the open findings by claim
and the counts (the claims list's marks, the dashboard's figure): nothing else computes them. Clicking a finding asks the window to show where it is: ``row_requested`` (a score-table row),
``claim_requested`` (its first claim) or ``report_requested`` (the report's text). 忽略 dismisses the
selected finding with a reason and 恢复 restores it, through :mod:`desktop.checks.service` (one audit event
each); dismissed findings are hidden, or shown struck through with 显示已忽略. ``summary_label`` is the
figure for the status bar (a link that opens the panel: ``open_requested``).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.text import checks as T
from desktop.ui.common import AMBER, GREY, RED, esc
from desktop.ui.session import Session

#: changes after which the findings are computed again
REFRESH_AREAS = ("report", "claim", "link", "score", "finding", "settings")
#: evidence changes (a file's text or date read, a new version…) count too — the evidence-date rule reads
#: the linked files' dates — but they come in streams while files are ingested: at most one run per interval
EVIDENCE_INTERVAL_MS = 2000
#: evidence changes that cannot change a finding
EVIDENCE_IGNORED = frozenset({"evidence.thumbnail"})
KeyRole = Qt.ItemDataRole.UserRole + 40
SEVERITY_COLOURS = {"error": RED, "warning": AMBER, "rounding": GREY, "info": GREY}
TABLE_KEY = re.compile(r"^表(\d+)/(indicator|budget|table):(.*)/[^/]*$")


def compute_findings(db) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every finding of the workspace as plain dicts (message worded), and the counts (jobs lane)."""
    from desktop.checks.files import finding_json
    from desktop.checks.queries import findings_summary, workspace_findings

    found = workspace_findings(db)
    return [finding_json(f) for f in found], findings_summary(found)


def open_findings_by_claim(findings: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """The open (not dismissed) findings each claim is involved in — ``{claim id: [{key, severity,
    message}, …]}``, most severe first — for the marks in the claims list."""
    from desktop.checks.model import SEVERITIES

    rank = {s: i for i, s in enumerate(SEVERITIES)}
    out: dict[int, list[dict[str, Any]]] = {}
    for f in findings:
        if f["dismissed"]:
            continue
        for cid in dict.fromkeys(f.get("claim_ids") or []):
            out.setdefault(int(cid), []).append(
                {"key": f["key"], "severity": f["severity"], "message": f["message"]})
    for marks in out.values():
        marks.sort(key=lambda m: rank.get(m["severity"], len(rank)))
    return out


def finding_place(f: dict[str, Any]) -> tuple[str, Any] | None:
    """Where a click on ``f`` goes: ``("row", (report_id, table_no, kind, name))`` for a finding about
    score-table cells, ``("claim", claim_id)``, or ``("report", report_id)``; None when it names none."""
    report_id = (f.get("where") or {}).get("report_id")
    for c in f.get("cells") or []:
        m = TABLE_KEY.match(c.get("key") or "")
        if m and report_id is not None:
            kind = m.group(2)
            return "row", (report_id, int(m.group(1)), None if kind == "table" else kind,
                           m.group(3) if kind != "table" else "")
    if f.get("claim_ids"):
        return "claim", f["claim_ids"][0]
    if report_id is not None:
        return "report", report_id
    return None


class ChecksPanel(QWidget):
    claim_requested = Signal(int)  # show this claim (select it in the claims list)
    row_requested = Signal(object)  # (report_id, table_no, kind, name): show this score-table row
    report_requested = Signal(int)  # show this report's text
    summary_changed = Signal(dict)  # open findings by severity, and dismissed
    open_requested = Signal()  # the status-bar figure was clicked
    #: after every run: {"summary": open findings by severity (as summary_changed), "claims": {claim id:
    #: [{key, severity, message}, …]} — the open findings each claim is involved in, most severe first}
    findings_changed = Signal(dict)

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.db = session.ws.db
        self.findings: list[dict[str, Any]] = []
        self.summary: dict[str, int] = {}
        self._running = False
        self._again = False
        self.runs = 0  # finished runs (tests wait on it)
        self._evidence_timer = QTimer(self)
        self._evidence_timer.setSingleShot(True)
        self._evidence_timer.setInterval(EVIDENCE_INTERVAL_MS)
        self._evidence_timer.timeout.connect(self.run)

        self.tree = QTreeWidget()
        self.tree.setObjectName("checksTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["问题", "规则", "位置"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 130)
        header.resizeSection(2, 300)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.itemClicked.connect(lambda item, _col: self._go_to(item))
        self.tree.itemActivated.connect(lambda item, _col: self._go_to(item))  # Enter (and double-click)

        self.state = QLabel()
        self.state.setObjectName("checksState")
        self.show_dismissed = QCheckBox("显示已忽略")
        self.show_dismissed.setObjectName("showDismissed")
        self.show_dismissed.toggled.connect(lambda *_: self._fill())
        self.btn_dismiss = QPushButton("忽略…")
        self.btn_dismiss.setToolTip("说明理由后忽略此问题（记入审计日志，审核人员可见）")
        self.btn_dismiss.clicked.connect(self.dismiss_current)
        self.btn_restore = QPushButton("恢复")
        self.btn_restore.setToolTip("撤销忽略，此问题重新计入")
        self.btn_restore.clicked.connect(self.restore_current)
        self.btn_rerun = QPushButton("重新检查")
        self.btn_rerun.clicked.connect(self.run)
        self.detail = QLabel()
        self.detail.setObjectName("checksDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.addWidget(self.state, 1)
        bar.addWidget(self.show_dismissed)
        bar.addWidget(self.btn_dismiss)
        bar.addWidget(self.btn_restore)
        bar.addWidget(self.btn_rerun)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addLayout(bar)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.detail)

        self.summary_label = QLabel()
        self.summary_label.setObjectName("checksSummary")
        self.summary_label.setToolTip("一致性检查发现的问题（点击查看，Ctrl+Shift+K）")
        self.summary_label.linkActivated.connect(lambda *_: self.open_requested.emit())

        session.changed.connect(self.on_changes)
        session.identity_changed.connect(self._update_buttons)
        self._update_buttons()
        self.run()

    # -- computing ----------------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches(*REFRESH_AREAS):
            self._evidence_timer.stop()  # this run reads the evidence too
            self.run()
        elif any(a.partition(".")[0] == "evidence" for a in changes.actions - EVIDENCE_IGNORED):
            if not self._evidence_timer.isActive():  # throttled, not postponed: a stream still gets runs
                self._evidence_timer.start()

    def run(self) -> None:
        """Compute the findings again in the background (once more after a run already going)."""
        if self.session.closed:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self.state.setText("正在检查…")
        db = self.db
        self.session.job("一致性检查", lambda: compute_findings(db), self._done)

    def _done(self, result) -> None:
        self._running = False
        self.runs += 1
        if result.error is not None:
            self.state.setText(f"<span style='color:#c62828'>检查未完成：{esc(result.error)}</span>")
        else:
            self.findings, self.summary = result.value
            self._fill()
            self.summary_changed.emit(dict(self.summary))
            self.announce()
        if self._again:
            self._again = False
            self.run()

    def announce(self) -> None:
        """Emit ``findings_changed`` with the last run's findings (nothing before the first run): after
        every run, and for whoever connects after one (a window wired after an inline first run)."""
        if self.runs and self.summary:
            self.findings_changed.emit({"summary": dict(self.summary),
                                        "claims": open_findings_by_claim(self.findings)})

    # -- showing ------------------------------------------------------------------------------------

    def visible_findings(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if self.show_dismissed.isChecked() or not f["dismissed"]]

    def _fill(self) -> None:
        current = self.current_key()
        self.tree.clear()
        shown = self.visible_findings()
        chosen = None
        for sev, name in T.PANEL_SEVERITIES:
            group = [f for f in shown if f["severity"] == sev]
            if not group:
                continue
            open_count = sum(1 for f in group if not f["dismissed"])
            top = QTreeWidgetItem([f"{name}（{open_count}）" + (f"，已忽略 {len(group) - open_count}"
                                                              if len(group) > open_count else "")])
            top.setData(0, KeyRole, None)
            font = QFont()
            font.setBold(True)
            top.setFont(0, font)
            top.setForeground(0, QBrush(SEVERITY_COLOURS.get(sev, GREY)))
            top.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(top)
            for f in group:
                item = QTreeWidgetItem([f["message"], f["rule_name"], T.where_text(f["where"], f["cells"])])
                item.setData(0, KeyRole, f["key"])
                tip = f["message"]
                if f.get("dismissal"):
                    tip += "\n" + T.dismissal_text(f["dismissal"])
                for col in range(3):
                    item.setToolTip(col, tip)
                if f["dismissed"]:
                    struck = QFont()
                    struck.setStrikeOut(True)
                    for col in range(3):
                        item.setFont(col, struck)
                        item.setForeground(col, QBrush(GREY))
                top.addChild(item)
                if f["key"] == current:
                    chosen = item
            top.setExpanded(True)
        self._show_state()
        if chosen is not None:
            blocked = self.tree.blockSignals(True)
            self.tree.setCurrentItem(chosen)
            self.tree.blockSignals(blocked)
        self._show_detail()
        self._update_buttons()
        self.summary_label.setText(self._summary_html())

    def _show_state(self) -> None:
        s = self.summary
        if not self.findings:
            self.state.setText("<span style='color:#2e7d32'>未发现不一致之处</span>")
            return
        parts = [f"<span style='color:{SEVERITY_COLOURS[sev].name()}'>{name} {s.get(sev, 0)}</span>"
                 for sev, name in T.PANEL_SEVERITIES if s.get(sev)]
        text = "　".join(parts) if parts else "<span style='color:#2e7d32'>所有问题均已处理</span>"
        if s.get("dismissed"):
            text += f"　<span style='color:#757575'>已忽略 {s['dismissed']}</span>"
        self.state.setText(text)

    def _summary_html(self) -> str:
        s = self.summary
        colour = "#c62828" if s.get("error") else "#b26a00" if s.get("warning") else "#2e7d32"
        return f"<a href='checks' style='color:{colour}; text-decoration:none'>{esc(T.summary_text(s))}</a>"

    def _show_detail(self) -> None:
        f = self.current_finding()
        if f is None:
            self.detail.setText("")
            return
        text = f"<b>{esc(T.severity_name(f['severity']))} · {esc(f['rule_name'])}</b>　{esc(f['message'])}"
        where = T.where_text(f["where"], f["cells"])
        if where:
            text += f"<br><span style='color:#757575'>{esc(where)}</span>"
        if f.get("dismissal"):
            text += f"<br><span style='color:#757575'>{esc(T.dismissal_text(f['dismissal']))}</span>"
        self.detail.setText(text)

    def _update_buttons(self, *_: Any) -> None:
        f = self.current_finding()
        writable = self.session.writable
        self.btn_dismiss.setEnabled(writable and f is not None and not f["dismissed"])
        self.btn_restore.setEnabled(writable and f is not None and f["dismissed"])

    # -- selection and jumps ------------------------------------------------------------------------

    def current_key(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, KeyRole) if item is not None else None

    def current_finding(self) -> dict[str, Any] | None:
        key = self.current_key()
        return self.finding(key) if key else None

    def finding(self, key: str) -> dict[str, Any] | None:
        return next((f for f in self.findings if f["key"] == key), None)

    def select_finding(self, key: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, KeyRole) == key:
                    self.tree.setCurrentItem(top.child(j))
                    self.tree.scrollToItem(top.child(j))
                    return True
        return False

    def shown_keys(self) -> list[str]:
        """The keys of the findings in the list, in order."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            out.extend(top.child(j).data(0, KeyRole) for j in range(top.childCount()))
        return out

    def _on_current(self, *_: Any) -> None:
        self._show_detail()
        self._update_buttons()

    def _go_to(self, item: QTreeWidgetItem | None) -> None:
        key = item.data(0, KeyRole) if item is not None else None
        f = self.finding(key) if key else None
        if f is not None:
            self.go_to(f)

    def go_to(self, f: dict[str, Any]) -> None:
        """Ask the window to show where ``f`` is."""
        place = finding_place(f)
        if place is None:
            return
        kind, value = place
        if kind == "row":
            self.row_requested.emit(value)
        elif kind == "claim":
            self.claim_requested.emit(value)
        else:
            self.report_requested.emit(value)

    # -- dismiss / restore --------------------------------------------------------------------------

    def dismiss_current(self) -> None:
        f = self.current_finding()
        if f is None or f["dismissed"]:
            return
        reason, ok = QInputDialog.getText(self, "忽略此问题", f"{f['message']}\n\n忽略的理由（必填，记入审计日志，审核人员可见）：")
        if ok and reason.strip():
            self.dismiss(f["key"], reason)

    def dismiss(self, key: str, reason: str) -> None:
        """Dismiss finding ``key`` with ``reason`` (writer lane; one audit event); Ctrl+Z restores it."""
        from desktop.checks.service import dismiss_finding, restore_finding

        db = self.db

        def done(row) -> None:
            self.session.show_message(f"已忽略：{row['message']}", 5000)
            self.session.undo.push("忽略一致性问题", lambda: self.session.write(
                "恢复一致性问题", lambda: restore_finding(db, key=key)))

        self.session.write("忽略一致性问题", lambda: dismiss_finding(db, key=key, reason=reason), done)

    def restore_current(self) -> None:
        f = self.current_finding()
        if f is not None and f["dismissed"]:
            self.restore(f["key"])

    def restore(self, key: str) -> None:
        from desktop.checks.service import restore_finding

        db = self.db
        self.session.write("恢复一致性问题", lambda: restore_finding(db, key=key),
                           lambda row: self.session.show_message(f"已恢复：{row['message']}", 5000))
