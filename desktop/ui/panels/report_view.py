"""The report as the user wrote it, with every claim highlighted by evidence status.

- click a highlight ↔ the claim is selected in the claims tree (and the other way round);
- select any text → 标记为指标 (Ctrl+M) adds a manual claim;
- 编辑指标 (F2) changes subject, value, unit; 忽略 / 恢复 (Ctrl+Del / Ctrl+Shift+R);
- the 待确认 list holds the unclassified numbers: Y / Enter confirms, N / Delete dismisses;
- 导入新版本 re-anchors the claims of a revised report and says what changed, moved or vanished.

Every change goes through a service function in :mod:`desktop.claims.service` on the session's writer
lane. The view refreshes from the session's changes: a report imported or revised → the reports and the
text again; claims or links changed → the highlights and the 待确认 list.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.claims import service
from desktop.claims.lexicon import BASE_UNITS
from desktop.claims.queries import active_reports, claim_report_id, report_claims, report_text
from desktop.review import status
from desktop.text.messages import CLAIM_STATES, warning_text
from desktop.ui.common import esc as _esc
from desktop.ui.session import Session

COLOURS = {
    "covered": QColor("#c8e6c9"),  # green: has evidence
    "missing": QColor("#ffcdd2"),  # red: no evidence yet
    "exempt": QColor("#e0e0e0"),  # no evidence needed
    "candidate": QColor("#ffe0b2"),  # amber: 待确认
    "ignored": QColor("#f5f5f5"),
}
SELECTED = QColor("#1565c0")
COMMON_UNITS = ["万元", "亿元", "元", "%", "个百分点", "人", "人次", "万人次", "户", "家", "个", "项", "次", "条", "件",
                "份", "名", "批次", "天", "分", "等奖"]
ClaimIdProperty = QTextFormat.Property.UserProperty + 1


class ClaimEditDialog(QDialog):
    """Subject, value and unit of one claim."""

    def __init__(self, claim: dict[str, Any], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"编辑指标 #{claim.get('id', '')}")
        form = QFormLayout(self)
        quote = QLabel(f"“{claim.get('quote') or ''}”")
        quote.setWordWrap(True)
        form.addRow("原文：", quote)
        self.subject = QLineEdit(claim.get("subject") or "")
        self.value = QLineEdit(claim.get("value") or "")
        self.value.setPlaceholderText("数字，如 658.83")
        self.unit = QComboBox()
        self.unit.setEditable(True)
        units = list(dict.fromkeys(COMMON_UNITS + sorted(BASE_UNITS, key=len)))
        self.unit.addItems(units)
        self.unit.setCurrentText(claim.get("unit") or "")
        form.addRow("指标（主语）：", self.subject)
        form.addRow("数值：", self.value)
        form.addRow("单位：", self.unit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, str]:
        return {"subject": self.subject.text(), "value": self.value.text(), "unit": self.unit.currentText()}


class ReportTextEdit(QPlainTextEdit):
    """Read-only report text; claims are extra selections carrying their id."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("reportText")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)


class _CandidateKeys(QObject):
    """Y / Enter confirms, N / Delete dismisses the current 待确认 item."""

    def __init__(self, view: "ReportView"):
        super().__init__(view)
        self.view = view

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Y, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.view.confirm_current_candidate()
                return True
            if key in (Qt.Key.Key_N, Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.view.dismiss_current_candidate()
                return True
        return False


class ReportView(QWidget):
    """One report's text with its claims, and the 待确认 list beside it."""

    claim_activated = Signal(int)  # the user clicked a claim in the text (or marked a new one)

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.interactive = session.interactive  # False in tests and scripted runs: no modal dialogs
        self.setObjectName("reportView")
        self.ws = session.ws
        self.report_id: int | None = None
        self.current_claim_id: int | None = None
        self._claims: list[dict[str, Any]] = []
        self._by_id: dict[int, dict[str, Any]] = {}
        self._starts: list[int] = []
        self._qpos: list[int] | None = None  # code point → UTF-16 offset, when the text needs it
        self._quiet = False
        self.last_revision = None
        self.revision_summary = ""
        self._build()
        session.changed.connect(self.on_changes)
        session.identity_changed.connect(self._update_actions)

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.report_combo = QComboBox()
        self.report_combo.setObjectName("reportCombo")
        # long report names must not make the whole window wider than a laptop screen
        self.report_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.report_combo.setMinimumContentsLength(14)
        self.report_combo.currentIndexChanged.connect(self._on_report_chosen)
        self.text = ReportTextEdit()
        self.text.cursorPositionChanged.connect(self._on_cursor)
        self.text.selectionChanged.connect(self._update_actions)
        self.legend = QLabel(
            "<span style='background:#c8e6c9'>&nbsp;有佐证&nbsp;</span> "
            "<span style='background:#ffcdd2'>&nbsp;缺佐证&nbsp;</span> "
            "<span style='background:#ffe0b2'>&nbsp;待确认&nbsp;</span> "
            "<span style='background:#f5f5f5;text-decoration:line-through'>&nbsp;已忽略&nbsp;</span>")
        self.detail = QLabel()
        self.detail.setObjectName("reportClaimDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.act_mark = self._action("标记为指标", self.mark_selection, "Ctrl+M", "把选中的文字标记为指标（Ctrl+M）")
        self.act_edit = self._action("编辑指标…", self.edit_current, "F2", "修改指标的主语、数值、单位（F2）")
        self.act_ignore = self._action("忽略", self.ignore_current, "Ctrl+Delete", "这不是需要佐证的指标（Ctrl+Del）")
        self.act_restore = self._action("恢复", self.restore_current, "Ctrl+Shift+R", "恢复已忽略的指标（Ctrl+Shift+R）")
        self.act_revise = self._action("导入新版本…", self._on_import_revision, None,
                                       "导入本报告的修订稿：指标按原文与上下文重新定位，关联保留")
        for a in (self.act_mark, self.act_edit, self.act_ignore, self.act_restore):
            self.text.addAction(a)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("<b>报告原文</b>"))
        bar.addWidget(self.report_combo, 1)
        for a in (self.act_mark, self.act_edit, self.act_ignore, self.act_restore):
            b = QToolButton()
            b.setDefaultAction(a)
            bar.addWidget(b)

        self.candidates = QListWidget()
        self.candidates.setObjectName("candidatesList")
        self.candidates.currentItemChanged.connect(self._on_candidate_current)
        self.candidates.installEventFilter(_CandidateKeys(self))
        self.btn_confirm = QPushButton("是指标 (Y)")
        self.btn_dismiss = QPushButton("不是 (N)")
        self.btn_confirm.clicked.connect(self.confirm_current_candidate)
        self.btn_dismiss.clicked.connect(self.dismiss_current_candidate)
        self.candidates_title = QLabel()
        side = QWidget()
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.addWidget(self.candidates_title)
        sv.addWidget(QLabel("<span style='color:#757575'>未能归类的数字：确认为指标或排除</span>"))
        sv.addWidget(self.candidates, 1)
        row = QHBoxLayout()
        row.addWidget(self.btn_confirm)
        row.addWidget(self.btn_dismiss)
        sv.addLayout(row)

        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tv = QVBoxLayout(top)
        tv.setContentsMargins(0, 0, 0, 0)
        tv.addWidget(self.text, 1)
        tv.addWidget(self.legend)
        tv.addWidget(self.detail)
        split.addWidget(top)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(3, 6, 3, 6)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        self.reload_reports()

    def _action(self, text: str, slot, shortcut, tip: str) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        return act

    @property
    def writable(self) -> bool:
        return self.session.writable

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("report"):
            self.reload_reports()
        elif changes.touches("claim", "link"):
            self.refresh_claims()

    # -- loading ---------------------------------------------------------------------------------

    def reload_reports(self) -> None:
        rows = active_reports(self.ws.db)
        keep = self.report_id
        self._quiet = True
        self.report_combo.clear()
        for r in rows:
            self.report_combo.addItem(f"{r['name']}（#{r['id']}）", r["id"])
        self._quiet = False
        ids = [r["id"] for r in rows]
        target = keep if keep in ids else (ids[-1] if ids else None)
        if target is None:
            self.report_id = None
            self.text.setPlainText("（尚未导入报告：文件 → 导入报告…）")
            self._claims = []
            self._refresh_candidates()
            self._update_actions()
            return
        self.report_combo.setCurrentIndex(ids.index(target))
        self.show_report(target)

    def _on_report_chosen(self, index: int) -> None:
        if self._quiet or index < 0:
            return
        rid = self.report_combo.itemData(index)
        if rid is not None and rid != self.report_id:
            self.show_report(rid)

    def show_report(self, report_id: int) -> None:
        text = report_text(self.ws.db, report_id)
        if text is None:
            return
        self.report_id = report_id
        self._qpos = None
        if any(ord(ch) > 0xFFFF for ch in text):  # Qt counts UTF-16 units
            acc, pos = [], 0
            for ch in text:
                acc.append(pos)
                pos += 2 if ord(ch) > 0xFFFF else 1
            acc.append(pos)
            self._qpos = acc
        self._quiet = True
        self.text.setPlainText(text)
        self._quiet = False
        self.refresh_claims()

    def refresh_claims(self) -> None:
        """Re-read this report's claims and their evidence status; repaint the highlights."""
        if self.report_id is None:
            return
        claims = [c for c in report_claims(self.ws.db, self.report_id)
                  if c["state"] != "vanished" and c["start"] is not None]
        active_ids = [c["id"] for c in claims if c["state"] == "active"]
        flags = {r["id"]: r["flags"] for r in status.claim_rows(self.ws.db, active_ids)} if active_ids else {}
        for c in claims:
            c["status_flags"] = flags.get(c["id"], [])
        self._claims = claims
        self._by_id = {c["id"]: c for c in claims}
        self._starts = [c["start"] for c in claims]
        self._paint()
        self._refresh_candidates()
        self._show_detail()
        self._update_actions()

    def refresh(self) -> None:
        """After any change elsewhere (an import, a link): reports list, claims and colours."""
        self.reload_reports()

    # -- painting --------------------------------------------------------------------------------

    def _q(self, offset: int) -> int:
        return self._qpos[offset] if self._qpos is not None else offset

    def _from_q(self, qpos: int) -> int:
        if self._qpos is None:
            return qpos
        return max(0, bisect.bisect_right(self._qpos, qpos) - 1)

    def status_of(self, claim: dict[str, Any]) -> str:
        if claim["state"] == "candidate":
            return "candidate"
        if claim["state"] in ("ignored", "dismissed"):
            return "ignored"
        if not claim["needs_evidence"]:
            return "exempt"
        return "missing" if "no_evidence" in claim.get("status_flags", []) else "covered"

    def _paint(self) -> None:
        sels = []
        doc = self.text.document()
        for c in self._claims:
            if c["state"] == "dismissed":
                continue
            st = self.status_of(c)
            fmt = QTextCharFormat()
            fmt.setBackground(QBrush(COLOURS[st]))
            fmt.setProperty(ClaimIdProperty, c["id"])
            if st == "candidate":
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(QColor("#b26a00"))
            if st == "ignored":
                fmt.setFontStrikeOut(True)
                fmt.setForeground(QBrush(QColor("#9e9e9e")))
            if c["id"] == self.current_claim_id:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(SELECTED)
                fmt.setFontWeight(700)
            cur = QTextCursor(doc)
            cur.setPosition(self._q(c["start"]))
            cur.setPosition(self._q(c["end"]), QTextCursor.MoveMode.KeepAnchor)
            sel = QTextEdit.ExtraSelection()
            sel.cursor = cur
            sel.format = fmt
            sels.append(sel)
        self.text.setExtraSelections(sels)

    def highlights(self) -> list[tuple[int, int, int, str]]:
        """(claim id, start, end, colour name) of every highlight, for tests and screenshots."""
        out = []
        for sel in self.text.extraSelections():
            cid = sel.format.property(ClaimIdProperty)
            out.append((int(cid), self._from_q(sel.cursor.selectionStart()), self._from_q(sel.cursor.selectionEnd()),
                        sel.format.background().color().name()))
        return out

    # -- selection -------------------------------------------------------------------------------

    def claim_at(self, offset: int) -> int | None:
        """The claim whose highlight covers ``offset`` (the innermost, i.e. latest-starting, one)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        for j in range(i, max(-1, i - 30), -1):
            c = self._claims[j]
            if c["start"] <= offset < c["end"] and c["state"] != "dismissed":
                return c["id"]
        return None

    def _on_cursor(self) -> None:
        if self._quiet:
            return
        cur = self.text.textCursor()
        if cur.hasSelection():
            return
        cid = self.claim_at(self._from_q(cur.position()))
        if cid is not None and cid != self.current_claim_id:
            self.current_claim_id = cid
            self._paint()
            self._show_detail()
            self._update_actions()
            self.claim_activated.emit(cid)

    def show_claim(self, claim_id: int | None, *, force: bool = False) -> None:
        """Scroll to and mark a claim (the tree's selection changed); switches report if needed."""
        if claim_id is None or (claim_id == self.current_claim_id and not force):
            return
        if claim_id not in self._by_id:
            report_id = claim_report_id(self.ws.db, claim_id)
            if report_id is None:
                return
            if report_id != self.report_id:
                idx = self.report_combo.findData(report_id)
                if idx < 0:
                    return
                self._quiet = True
                self.report_combo.setCurrentIndex(idx)
                self._quiet = False
                self.show_report(report_id)
            if claim_id not in self._by_id:
                return
        c = self._by_id[claim_id]
        self.current_claim_id = claim_id
        self._quiet = True
        cur = self.text.textCursor()
        cur.setPosition(self._q(c["start"]))
        self.text.setTextCursor(cur)
        self.text.ensureCursorVisible()
        self._quiet = False
        self._paint()
        self._show_detail()
        self._update_actions()

    def _show_detail(self) -> None:
        c = self._by_id.get(self.current_claim_id) if self.current_claim_id else None
        if c is None:
            self.detail.setText("<span style='color:#757575'>点击高亮的数字查看指标；选中文字后按 Ctrl+M 标记为指标。</span>")
            return
        state = CLAIM_STATES.get(c["state"], c["state"])
        ev = f"佐证 {len(c['evidence_ids'])} 份" if c["evidence_ids"] else "尚无佐证"
        page = f"第 {c['page']} 页 · " if c.get("page") else ""
        self.detail.setText(
            f"<b>#{c['id']}</b> {_esc(c['subject'] or '')} = <b>{_esc((c['value'] or '') + (c['unit'] or ''))}</b>"
            f"　{page}{_esc(c['section'] or '')}　[{state} · {ev}]")

    def _update_actions(self) -> None:
        w = self.writable and self.report_id is not None
        c = self._by_id.get(self.current_claim_id) if self.current_claim_id else None
        self.act_mark.setEnabled(w and self.text.textCursor().hasSelection())
        self.act_edit.setEnabled(w and c is not None)
        self.act_ignore.setEnabled(w and c is not None and c["state"] == "active")
        self.act_restore.setEnabled(w and c is not None and c["state"] in ("ignored", "dismissed"))
        self.act_revise.setEnabled(w)
        has = self.candidates.count() > 0
        self.btn_confirm.setEnabled(w and has)
        self.btn_dismiss.setEnabled(w and has)

    # -- candidates ------------------------------------------------------------------------------

    def _refresh_candidates(self) -> None:
        item = self.candidates.currentItem()
        current = item.data(Qt.ItemDataRole.UserRole) if item else None
        blocked = self.candidates.blockSignals(True)  # repopulating must not move the text's selection
        self.candidates.clear()
        for c in self._claims:
            if c["state"] != "candidate":
                continue
            before = (c["context_before"] or "").replace("\n", " ")[-12:]
            after = (c["context_after"] or "").replace("\n", " ")[:12]
            item = QListWidgetItem(f"{c['quote']}　…{before}【{c['quote']}】{after}…")
            item.setData(Qt.ItemDataRole.UserRole, c["id"])
            item.setToolTip(f"#{c['id']} {c.get('section') or ''}")
            self.candidates.addItem(item)
            if c["id"] == current:
                self.candidates.setCurrentItem(item)
        n = self.candidates.count()
        self.candidates_title.setText(f"<b>待确认</b>　{n} 个数字" if n else "<b>待确认</b>　（没有）")
        if n and self.candidates.currentItem() is None:
            self.candidates.setCurrentRow(0)
        self.candidates.blockSignals(blocked)

    def _on_candidate_current(self, item, _prev=None) -> None:
        if item is not None:
            self.show_claim(item.data(Qt.ItemDataRole.UserRole))

    def current_candidate_id(self) -> int | None:
        item = self.candidates.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def confirm_current_candidate(self) -> None:
        cid = self.current_candidate_id()
        if cid is not None and self.writable:
            self._mutate("确认指标", lambda: service.confirm_candidate(self.ws.db, claim_id=cid), next_candidate=True)

    def dismiss_current_candidate(self) -> None:
        cid = self.current_candidate_id()
        if cid is not None and self.writable:
            self._mutate("排除数字", lambda: service.dismiss_candidate(self.ws.db, claim_id=cid), next_candidate=True)

    # -- mutations -------------------------------------------------------------------------------

    def _mutate(self, name: str, fn: Callable[[], Any], *, next_candidate: bool = False,
                done: Callable[[Any], None] | None = None) -> None:
        row = self.candidates.currentRow()

        def finished(change) -> None:  # the view has refreshed from the change already
            if next_candidate and self.candidates.count():
                self.candidates.setCurrentRow(min(row, self.candidates.count() - 1))
            if done is not None:
                done(change)

        self.session.write(name, fn, finished)

    def mark_selection(self, *, subject: str | None = None, value: str | None = None, unit: str | None = None) -> None:
        """标记为指标: the selected text becomes a manual claim (asks for a value if it holds none)."""
        cur = self.text.textCursor()
        if not cur.hasSelection() or self.report_id is None or not self.writable:
            return
        start, end = self._from_q(cur.selectionStart()), self._from_q(cur.selectionEnd())
        rid = self.report_id
        quote = self.text.toPlainText()[cur.selectionStart():cur.selectionEnd()]
        if value is None and service.guess_claim(quote) is None:
            if not self.interactive:
                return
            dlg = ClaimEditDialog({"quote": quote, "subject": "", "value": "", "unit": ""}, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            v = dlg.values()
            subject, value, unit = v["subject"], v["value"], v["unit"]

        def select_new(change) -> None:
            self.current_claim_id = change.claim_id
            self._paint()
            self._show_detail()
            self._update_actions()
            self.claim_activated.emit(change.claim_id)

        self._mutate("标记为指标", lambda: service.add_manual_claim(
            self.ws.db, report_id=rid, start=start, end=end, subject=subject, value=value, unit=unit),
            done=select_new)

    def edit_current(self, values: dict[str, str] | None = None) -> None:
        c = self._by_id.get(self.current_claim_id) if self.current_claim_id else None
        if c is None or not self.writable:
            return
        if not isinstance(values, dict):
            dlg = ClaimEditDialog(c, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            values = dlg.values()
        changes = {k: v for k, v in values.items() if (v or "") != (c.get(k) or "")}
        if not changes:
            return
        cid = c["id"]
        self._mutate("编辑指标", lambda: service.edit_claim(self.ws.db, claim_id=cid, **changes))

    def ignore_current(self) -> None:
        cid = self.current_claim_id
        if cid is not None and self.writable:
            self._mutate("忽略指标", lambda: service.ignore_claim(self.ws.db, claim_id=cid))

    def restore_current(self) -> None:
        cid = self.current_claim_id
        if cid is not None and self.writable:
            self._mutate("恢复指标", lambda: service.restore_claim(self.ws.db, claim_id=cid))

    def _on_import_revision(self) -> None:
        if self.report_id is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "导入新版本", str(Path.home()),
                                              "报告 (*.txt *.md *.docx *.pdf *.xlsx);;所有文件 (*)")
        if path:
            self.import_revision(path)

    def import_revision(self, path: str | Path) -> None:
        rid = self.report_id
        if rid is None:
            return

        def done(rev) -> None:
            self.report_id = rev.report_id
            self.reload_reports()
            self.last_revision = rev
            lines = [f"未变 {len(rev.unchanged)} 个，位置变化 {len(rev.moved)} 个，数值变化 {len(rev.changed)} 个，"
                     f"已删除 {len(rev.vanished)} 个，新增 {len(rev.added)} 个。"]
            for ch in rev.changed[:20]:
                lines.append(f"#{ch['claim_id']}：{ch['old']['value']}{ch['old']['unit'] or ''} → "
                             f"{ch['new']['value']}{ch['new']['unit'] or ''}")
            for cid in rev.vanished[:20]:
                lines.append(f"#{cid}：新版本中已找不到")
            lines += [warning_text(w) for w in rev.warnings]
            self.revision_summary = "\n".join(lines)
            if self.interactive:
                QMessageBox.information(self, "导入新版本", self.revision_summary)

        self._mutate("导入新版本", lambda: service.import_revised_report(self.ws.db, report_id=rid, path=path),
                     done=done)
