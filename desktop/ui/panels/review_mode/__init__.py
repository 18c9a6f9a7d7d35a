"""审核模式: an inspector walks the claims one by one and records a state for each.

Left: the claim, its sentence in the report (highlighted in context), its current review (and why it
lapsed, if it did) and its history. Right: the linked files, each previewed at its locator. Bottom: the
comment box and one key per state. Top: review progress.

Keys (inside the review page): ``1`` 已核实, ``2`` 存疑, ``3`` 需补充, ``4`` 无需佐证, ``0`` 待审核 (the
same with Ctrl while typing a comment); ``N`` / ``P`` next / previous claim (also Alt+→ / Alt+←);
``C`` puts the cursor in the comment box and ``Esc`` takes it out again; ``H`` opens the claim's history in
the audit trail. Only the reviewer role (审核) can record; the evaluation group sees the same page
read-only. Recording goes through ``review_claim`` on the session's writer lane.

The page refreshes from the session's changes: a review recorded (here or elsewhere) updates that claim's
state and the progress; claims, links or evidence changed re-read the walk (now if the page is showing,
else when it is next opened).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.claims.queries import report_text
from desktop.parsing import limits as parse_limits
from desktop.review import status
from desktop.review.preview import ingest_refusal
from desktop.review.queries import linked_evidence
from desktop.review.review import ReviewInfo, review_claim, review_history, review_overview, review_progress
from desktop.text.messages import REVIEW_STATES, local_time
from desktop.text.review import stale_reason_text
from desktop.ui.panels.review_mode.locator_preview import LocatorPreview
from desktop.ui.session import BatchedChanges, Session

STATE_KEYS = (("verified", "1"), ("questioned", "2"), ("needs_more", "3"), ("not_required", "4"), ("pending", "0"))
STATE_COLOURS = {"verified": "#2e7d32", "questioned": "#c62828", "needs_more": "#b26a00", "not_required": "#546e7a",
                 "pending": "#757575", "stale": "#c62828"}
WALKS = (
    ("all", "全部指标"),
    ("todo", "待审核和需复核"),
    ("stale", "已变更，需复核"),
    ("open", "存疑和需补充"),
    ("verified", "已核实"),
)
CONTEXT_CHARS = 220


SENTENCE_ENDS = "。！？；!?\n"


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``: from after the previous 。！？； or line break to the next
    one (inclusive)."""
    s = max((text.rfind(ch, 0, start) for ch in SENTENCE_ENDS), default=-1) + 1
    ends = [i for i in (text.find(ch, end) for ch in SENTENCE_ENDS) if i >= 0]
    e = min(ends) + 1 if ends else len(text)
    return s, max(e, end)


class ContextBox(QTextBrowser):
    """The 报告原文 box: calls ``on_resized`` when it is resized or shown (a box not laid out yet cannot
    scroll to the claim; it does so again once it has its size)."""

    def __init__(self, on_resized, parent=None):
        super().__init__(parent)
        self._on_resized = on_resized

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._on_resized()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._on_resized()


def _esc(text: Any) -> str:
    return html.escape("" if text is None else str(text))


class ReviewModePanel(QWidget):
    """The review page (shown in place of the main view)."""

    review_recorded = Signal(int)  # claim id
    leave_requested = Signal()
    history_requested = Signal(int)  # claim id

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.setObjectName("reviewMode")
        self.session = session
        self.ws = session.ws
        self.claims: list[dict[str, Any]] = []
        self.pos = -1
        self._reports: dict[int, str] = {}
        self._overview: dict[int, ReviewInfo] = {}
        self._evidence: list[dict[str, Any]] = []
        self._stale = False  # claims or evidence changed while the page was hidden
        self.last_message = ""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self._build_actions()
        self.reload()
        self.batched = BatchedChanges(session, self.on_changes, parent=self)
        session.identity_changed.connect(self.reload)

    # -- construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        top = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("reviewProgressBar")
        self.progress_bar.setMaximumWidth(260)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("reviewProgress")
        self.walk = QComboBox()
        self.walk.setObjectName("reviewWalk")
        for key, text in WALKS:
            self.walk.addItem(text, key)
        self.walk.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.walk.currentIndexChanged.connect(lambda _: self.reload(keep=False))
        self.back_button = QPushButton("返回指标列表")
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.leave_requested)
        top.addWidget(QLabel("<b>审核进度</b>"))
        top.addWidget(self.progress_bar)
        top.addWidget(self.progress_label, 1)
        top.addWidget(QLabel("逐条查看："))
        top.addWidget(self.walk)
        top.addWidget(self.back_button)

        self.role_banner = QLabel()
        self.role_banner.setObjectName("reviewRoleBanner")
        self.role_banner.setWordWrap(True)
        self.role_banner.setStyleSheet("QLabel { background: #fff3e0; color: #8d4b00; padding: 6px; }")

        # left: the claim
        self.position_label = QLabel()
        self.position_label.setObjectName("reviewPosition")
        self.claim_title = QLabel()
        self.claim_title.setObjectName("reviewClaimTitle")
        self.claim_title.setWordWrap(True)
        self.claim_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.context = ContextBox(self._scroll_to_claim)
        self.context.setObjectName("reviewContext")
        self.context.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._claim_span = (0, 0)
        self._sentence_start = 0
        self.state_label = QLabel()
        self.state_label.setObjectName("reviewState")
        self.state_label.setWordWrap(True)
        self.state_label.setTextFormat(Qt.TextFormat.RichText)
        self.history = QListWidget()
        self.history.setObjectName("reviewHistory")
        self.history.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.history.setMaximumHeight(130)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 4, 0)
        lv.addWidget(self.position_label)
        lv.addWidget(self.claim_title)
        lv.addWidget(QLabel("<b>报告原文</b>"))
        lv.addWidget(self.context, 2)
        lv.addWidget(self.state_label)
        lv.addWidget(QLabel("<b>审核历史</b>"))
        lv.addWidget(self.history, 1)

        # right: the evidence
        self.evidence_list = QListWidget()
        self.evidence_list.setObjectName("reviewEvidence")
        self.evidence_list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.evidence_list.setMaximumHeight(110)
        self.evidence_list.currentRowChanged.connect(self._on_evidence_row)
        # workbooks and .docx files are read on the reader lane, under the workspace's parsing ceilings
        self.preview = LocatorPreview(submit=self.session.read, limits=lambda: parse_limits.load(self.ws.db))
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(4, 0, 0, 0)
        rv.addWidget(QLabel("<b>佐证材料</b>（在关联的位置打开）"))
        rv.addWidget(self.evidence_list)
        rv.addWidget(self.preview, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        # bottom: comment, states, navigation
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("reviewComment")
        self.comment.setPlaceholderText("审核意见（可选）— 按 C 输入，Esc 结束输入；输入时用 Ctrl+1…4 标记")
        self.comment.setTabChangesFocus(True)
        self.comment.setMaximumHeight(64)
        self.comment.installEventFilter(self)
        # 补充材料 requests raised with a 需补充 review: one per line, with an optional due date
        self.requests_edit = QPlainTextEdit()
        self.requests_edit.setObjectName("reviewRequests")
        self.requests_edit.setPlaceholderText("补充材料请求（标记“需补充”时提出；每行一项，写明缺什么）")
        self.requests_edit.setTabChangesFocus(True)
        self.requests_edit.setMaximumHeight(52)
        self.requests_edit.installEventFilter(self)
        self.due_check = QCheckBox("截止日期")
        self.due_check.setObjectName("reviewDueCheck")
        self.due_check.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.due_edit = QDateEdit(QDate.currentDate().addDays(14))
        self.due_edit.setObjectName("reviewDue")
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setEnabled(False)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self.requests_row = QWidget()
        rq = QHBoxLayout(self.requests_row)
        rq.setContentsMargins(0, 0, 0, 0)
        rq.addWidget(self.requests_edit, 1)
        rq.addWidget(self.due_check)
        rq.addWidget(self.due_edit)
        self.state_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for state, key in STATE_KEYS:
            b = QPushButton(f"{key}  {REVIEW_STATES[state]}")
            b.setObjectName(f"reviewButton_{state}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setStyleSheet(f"QPushButton {{ color: {STATE_COLOURS[state]}; font-weight: bold; padding: 4px 12px; }}")
            b.clicked.connect(lambda _=False, s=state: self.record(s))
            buttons.addWidget(b)
            self.state_buttons[state] = b
        buttons.addStretch(1)
        self.auto_next = QCheckBox("标记后跳到下一条")
        self.auto_next.setChecked(True)
        self.auto_next.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.prev_button = QPushButton("◀ 上一条 (P)")
        self.next_button = QPushButton("下一条 (N) ▶")
        self.history_button = QPushButton("审计记录 (H)")
        for b in (self.prev_button, self.next_button, self.history_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.history_button.clicked.connect(self._on_history)
        buttons.addWidget(self.auto_next)
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.prev_button)
        buttons.addWidget(self.next_button)

        self.body = QStackedWidget()
        self.empty = QLabel("没有符合条件的指标。")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(split)
        self.body.addWidget(self.empty)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(self.role_banner)
        layout.addWidget(self.body, 1)
        layout.addWidget(line)
        layout.addWidget(self.comment)
        layout.addWidget(self.requests_row)
        layout.addLayout(buttons)

    def _add_action(self, text: str, keys: list[str], slot) -> QAction:
        act = QAction(text, self)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        self.state_actions: dict[str, QAction] = {}
        for state, key in STATE_KEYS:
            self.state_actions[state] = self._add_action(
                REVIEW_STATES[state], [key, f"Ctrl+{key}"], lambda _=False, s=state: self.record(s)
            )
        self.act_next = self._add_action("下一条", ["N", "Alt+Right"], self.next)
        self.act_prev = self._add_action("上一条", ["P", "Alt+Left"], self.previous)
        self.act_comment = self._add_action("输入意见", ["C"], self._focus_comment)
        self.act_history = self._add_action("审计记录", ["H"], self._on_history)

    def eventFilter(self, obj, event) -> bool:
        if obj in (self.comment, self.requests_edit) and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return super().eventFilter(obj, event)

    # -- data --------------------------------------------------------------------------------------

    def close_panel(self) -> None:
        """Before the session shuts down: the preview's parsing child ends (a slow read stops at once)."""
        self.preview.shutdown()

    @property
    def can_review(self) -> bool:
        return self.session.can_review

    def on_changes(self, changes: Changes) -> None:
        if changes.only("review"):
            self._overview.update(review_overview(self.ws.db, sorted(changes.claim_ids)))
            self._refresh_progress()
            if self.isVisible():
                self._show_state_of_current()
            return
        if changes.touches("claim", "link", "evidence", "report", "review"):
            if self.isVisible():
                self.reload()
            else:
                self._stale = True

    def _show_state_of_current(self) -> None:
        if 0 <= self.pos < len(self.claims):
            self._show_state(self.claims[self.pos])
            self._show_history(self.claims[self.pos])

    def show_page(self) -> None:
        """Being shown again: catch up with what changed meanwhile."""
        if self._stale:
            self.reload()

    def reload(self, keep: bool = True) -> None:
        """Re-read claims and reviews; stay on the same claim when ``keep`` and it is still listed."""
        self._stale = False
        current = self.current_claim_id() if keep else None
        rows = status.claim_rows(self.ws.db)
        self._overview = review_overview(self.ws.db)
        walk = self.walk.currentData()
        self.claims = [c for c in rows if self._in_walk(c, walk)]
        ids = [c["id"] for c in self.claims]
        if current in ids:
            self.pos = ids.index(current)
        else:
            self.pos = self._first_to_do()
        self._refresh_role()
        self._refresh_progress()
        self._show_current()

    def _display_state(self, claim_id: int) -> str:
        info = self._overview.get(claim_id)
        return info.display_state if info else "pending"

    def _in_walk(self, c: dict[str, Any], walk: str) -> bool:
        s = self._display_state(c["id"])
        return {
            "all": True,
            "todo": s in ("pending", "stale"),
            "stale": s == "stale",
            "open": s in ("questioned", "needs_more"),
            "verified": s == "verified",
        }.get(walk, True)

    def _first_to_do(self) -> int:
        if not self.claims:
            return -1
        for i, c in enumerate(self.claims):
            if self._display_state(c["id"]) in ("pending", "stale"):
                return i
        return 0

    def current_claim_id(self) -> int | None:
        return self.claims[self.pos]["id"] if 0 <= self.pos < len(self.claims) else None

    def _report_text(self, report_id: int) -> str:
        if report_id not in self._reports:
            self._reports[report_id] = report_text(self.ws.db, report_id) or ""
        return self._reports[report_id]

    # -- display -----------------------------------------------------------------------------------

    def _refresh_role(self) -> None:
        ok = self.can_review
        for state, act in self.state_actions.items():
            act.setEnabled(ok)
            self.state_buttons[state].setEnabled(ok)
        self.comment.setReadOnly(not ok)
        self.requests_row.setVisible(ok)
        if self.ws.readonly:
            self.role_banner.setText("工作区以只读方式打开：可以查看审核结果，不能记录审核。")
        elif not ok:
            self.role_banner.setText("当前角色为“编制”：可以查看审核结果和意见，不能记录审核。"
                                     "审核需以“审核”角色打开工作区（工具 → 切换身份）。")
        self.role_banner.setVisible(not ok)

    def _refresh_progress(self) -> None:
        p = review_progress(self.ws.db)
        self.progress = p
        total = max(p["total"], 1)
        done = p["total"] - p["pending"] - p["stale"]
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        self.progress_bar.setFormat(f"{done}/{p['total']}")
        parts = [f"<span style='color:{STATE_COLOURS[s]}'>{REVIEW_STATES[s]} {p[s]}</span>"
                 for s in ("verified", "questioned", "needs_more", "not_required", "stale", "pending") if p[s]]
        self.progress_label.setText("　".join(parts))

    def _show_current(self) -> None:
        has = 0 <= self.pos < len(self.claims)
        self.body.setCurrentIndex(0 if has else 1)
        self.prev_button.setEnabled(has and self.pos > 0)
        self.next_button.setEnabled(has and self.pos < len(self.claims) - 1)
        if not has:
            self.position_label.setText("")
            self.preview.clear("")
            return
        c = self.claims[self.pos]
        where = " · ".join(x for x in (c.get("part"), c.get("section"), f"第 {c['page']} 页" if c.get("page") else None) if x)
        self.position_label.setText(f"第 {self.pos + 1}/{len(self.claims)} 条　#{c['id']}　{_esc(where)}")
        value = f"{c.get('value_raw') or c.get('value') or ''}{c.get('unit') or ''}"
        self.claim_title.setText(f"<span style='font-size:15pt'><b>{_esc(c.get('subject') or '')}</b>　"
                                 f"<span style='color:#1565c0'>{_esc(value)}</span></span>")
        self._show_context(c)
        self._show_state(c)
        self._show_history(c)
        self._show_evidence(c)
        self.comment.clear()
        self.requests_edit.clear()
        self.due_check.setChecked(False)

    def _show_context(self, c: dict[str, Any]) -> None:
        """The claim's sentence in the report, highlighted (the value in bold), with some text either side;
        scrolled so that the sentence — not the text before it — is in view."""
        text = self._report_text(c["report_id"])
        start, end = c.get("start"), c.get("end")
        if start is None or end is None or not text:
            self.context.setHtml(f"<p>“{_esc(c['quote'])}”</p>")
            self._claim_span = (0, 0)
            return
        s_start, s_end = sentence_bounds(text, start, end)
        a, b = max(0, s_start - CONTEXT_CHARS), min(len(text), s_end + CONTEXT_CHARS)
        lead = "…" if a else ""

        def html_of(t: str) -> str:
            return _esc(t).replace("\n", "<br>")

        body = (lead + html_of(text[a:s_start])
                + "<span style='background:#fff3c4'>" + html_of(text[s_start:start])
                + "<span style='background:#ffe082; font-weight:bold'>" + html_of(text[start:end]) + "</span>"
                + html_of(text[end:s_end]) + "</span>"
                + html_of(text[s_end:b]) + ("…" if b < len(text) else ""))
        # pre-wrap: runs of spaces and tabs (a table's cells in the text) keep their width, so positions hold
        self.context.setHtml(f"<div style='line-height:150%; white-space:pre-wrap'>{body}</div>")
        # each character (a <br> too) is one position in the document: where the claim's value is
        self._claim_span = (len(lead) + start - a, len(lead) + end - a)
        self._sentence_start = len(lead) + s_start - a
        self._scroll_to_claim()

    def claim_cursor(self):
        """A text cursor over the claim's value in the 报告原文 box."""
        from PySide6.QtGui import QTextCursor

        cur = QTextCursor(self.context.document())
        a, b = getattr(self, "_claim_span", (0, 0))
        count = self.context.document().characterCount()
        cur.setPosition(min(a, count - 1))
        cur.setPosition(min(b, count - 1), QTextCursor.MoveMode.KeepAnchor)
        return cur

    def _scroll_to_claim(self) -> None:
        """Bring the claim's sentence to the upper third of the box (again whenever the box is resized:
        a box not laid out yet cannot scroll)."""
        from PySide6.QtGui import QTextCursor

        if getattr(self, "_claim_span", (0, 0)) == (0, 0):
            return
        doc_cursor = self.claim_cursor()
        sentence = QTextCursor(self.context.document())
        sentence.setPosition(min(getattr(self, "_sentence_start", 0), self.context.document().characterCount() - 1))
        bar = self.context.verticalScrollBar()
        view_h = self.context.viewport().height()
        # positions in document coordinates: the current scroll plus the rect in the viewport
        top = bar.value() + self.context.cursorRect(sentence).top()
        claim_bottom = bar.value() + self.context.cursorRect(doc_cursor).bottom()
        wanted = top - view_h // 4
        if claim_bottom - wanted > view_h - 8:  # a long sentence: the value itself must show
            wanted = claim_bottom - view_h + view_h // 4
        bar.setValue(max(0, min(wanted, bar.maximum())))

    def claim_visible(self) -> bool:
        """Whether the claim's value is inside the 报告原文 box's viewport now."""
        rect = self.context.cursorRect(self.claim_cursor())
        return self.context.viewport().rect().contains(rect.center())

    def _show_state(self, c: dict[str, Any]) -> None:
        info = self._overview.get(c["id"])
        if info is None:
            self.state_label.setText(f"审核状态：<b style='color:{STATE_COLOURS['pending']}'>待审核</b>")
            return
        s = info.display_state
        text = (f"审核状态：<b style='color:{STATE_COLOURS[s]}'>{REVIEW_STATES[s]}</b>"
                f"　{_esc(info.reviewer)}，{local_time(info.created_at)}")
        if info.comment:
            text += f"<br>意见：{_esc(info.comment)}"
        if info.stale:
            reasons = "；".join(stale_reason_text(r) for r in info.reasons)
            text += (f"<br><span style='color:#c62828'>签核后已变更：{_esc(reasons)}。"
                     f"请重新查看佐证后再次标记。</span>")
        self.state_label.setText(text)

    def _show_history(self, c: dict[str, Any]) -> None:
        self.history.clear()
        for h in review_history(self.ws.db, c["id"]):
            line = f"{local_time(h['created_at'])}　{h['reviewer']}　{REVIEW_STATES.get(h['state'], h['state'])}"
            if h["comment"]:
                line += f"：{h['comment']}"
            self.history.addItem(line)
        if not self.history.count():
            self.history.addItem("（尚未审核）")

    def _show_evidence(self, c: dict[str, Any]) -> None:
        self.evidence_list.blockSignals(True)
        self.evidence_list.clear()
        self._evidence = linked_evidence(self.ws.db, c["id"])
        for e in self._evidence:
            label = f"E{e['evidence_id']}《{e['name']}》" + (f" · {e['locator']}" if e["locator"] else "")
            if e["superseded"]:
                label += "　（有新版本）"
            item = QListWidgetItem(label)
            if e["superseded"]:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.evidence_list.addItem(item)
        self.evidence_list.blockSignals(False)
        if self._evidence:
            self.evidence_list.setCurrentRow(0)
            self._on_evidence_row(0)
        else:
            reason = c.get("no_evidence_reason")
            text = "这条指标没有关联佐证。"
            if not c.get("needs_evidence", 1):
                text = f"编制组标记为无需佐证{('：' + reason) if reason else ''}。"
            self.preview.clear(text)

    def _on_evidence_row(self, row: int) -> None:
        if not 0 <= row < len(self._evidence):
            return
        e = self._evidence[row]
        c = self.claims[self.pos]
        search = c.get("value_raw") or c.get("value")
        self.preview.show_file(self.ws.store.object_path(e["sha256"]), e["ext"], e["locator"], search,
                               caption=f"《{_esc(e['name'])}》　{_esc(e['locator'] or '')}",
                               refused=ingest_refusal(e["ext"], e.get("status"), e.get("error"), e.get("error_detail")))

    # -- walking and recording ---------------------------------------------------------------------

    def go_to(self, claim_id: int) -> bool:
        ids = [c["id"] for c in self.claims]
        if claim_id not in ids:
            self.walk.setCurrentIndex(0)  # show all, then look again
            ids = [c["id"] for c in self.claims]
        if claim_id in ids:
            self.pos = ids.index(claim_id)
            self._show_current()
            return True
        return False

    def next(self) -> None:
        if self.pos < len(self.claims) - 1:
            self.pos += 1
            self._show_current()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def previous(self) -> None:
        if self.pos > 0:
            self.pos -= 1
            self._show_current()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _focus_comment(self) -> None:
        if not self.comment.isReadOnly():
            self.comment.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_history(self) -> None:
        cid = self.current_claim_id()
        if cid is not None:
            self.history_requested.emit(cid)

    def record(self, state: str) -> None:
        """Record ``state`` (with the comment box's text) for the current claim, then move on."""
        cid = self.current_claim_id()
        if cid is None or not self.can_review:
            return
        comment = self.comment.toPlainText()
        requests, due = self.request_texts(), None
        if state != "needs_more":
            requests = []  # requests go with a 需补充 review only
        elif requests and self.due_check.isChecked():
            due = self.due_edit.date().toString("yyyy-MM-dd")
        db = self.ws.db

        def finished(_change) -> None:  # the state and the progress followed the change already
            self.review_recorded.emit(cid)
            if self.current_claim_id() == cid and self.auto_next.isChecked() and self.pos < len(self.claims) - 1:
                self.pos += 1
            self._show_current()
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.last_message = f"#{cid} 已标记为“{REVIEW_STATES[state]}”"
            if requests:
                self.last_message += f"，提出补充材料请求 {len(requests)} 项"
            self.session.show_message(self.last_message, 5000)

        self.session.write("审核", lambda: review_claim(db, claim_id=cid, state=state, comment=comment,
                                                       requests=requests or None, due=due), finished)

    def request_texts(self) -> list[str]:
        """The 补充材料 requests typed for this claim, one per non-empty line."""
        return [line.strip() for line in self.requests_edit.toPlainText().splitlines() if line.strip()]
