"""补充材料清单: every 补充材料 request — its claim, what is missing, due date, state, answers, history — and
the moves the role allows: the group (编制) marks a request 已答复 after linking the files; the inspector
(审核) accepts it or sends it back (退回) with a comment. Requests are raised with a 需补充 review (审核模式).

Reads through :func:`desktop.review.requests.list_requests` and :func:`desktop.claims.queries.claim_labels`;
moves through the request services on the session's writer lane. Refreshes from the session's Changes when
they touch ``request`` (a move here or in another window, a return applied, a supplement received).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.claims.queries import claim_labels
from desktop.review.requests import accept_request, answer_request, list_requests, reopen_request
from desktop.text import requests as T
from desktop.text.messages import error_text
from desktop.ui.session import Session


def _h(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RequestsPanel(QWidget):
    claim_chosen = Signal(int)  # the user asked to see a request's claim
    refreshed = Signal()

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.setObjectName("requestsPanel")
        self.session = session
        self.rows: list[dict[str, Any]] = []
        self.labels: dict[int, dict[str, Any]] = {}
        self.last_error = ""
        #: asks for a move's comment: (state, request) → text, or None to give up. Default: an input box
        #: when the session is interactive, else no comment.
        self.ask_comment: Callable[[str, dict[str, Any]], str | None] = self._ask_comment

        self.filter = QComboBox()
        self.filter.setObjectName("requestsFilter")
        for key, text, _states in T.PANEL_FILTERS:
            self.filter.addItem(text, key)
        self.filter.currentIndexChanged.connect(lambda _: self.refresh())
        self.counts_label = QLabel()
        self.counts_label.setObjectName("requestsCounts")
        self.role_label = QLabel()
        self.role_label.setStyleSheet("color: #757575")

        self.tree = QTreeWidget()
        self.tree.setObjectName("requestsList")
        self.tree.setColumnCount(len(T.PANEL_COLUMNS))
        self.tree.setHeaderLabels(list(T.PANEL_COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        for col, width in enumerate((44, 180, 230, 84, 58, 64)):
            self.tree.setColumnWidth(col, width)
        self.tree.currentItemChanged.connect(lambda *_: self._on_current())
        self.tree.itemDoubleClicked.connect(lambda *_: self._goto())
        self.detail = QTextBrowser()
        self.detail.setObjectName("requestsDetail")

        self.answer_button = QPushButton(T.PANEL_ANSWER)
        self.answer_button.setObjectName("requestAnswer")
        self.accept_button = QPushButton(T.PANEL_ACCEPT)
        self.accept_button.setObjectName("requestAccept")
        self.reopen_button = QPushButton(T.PANEL_REOPEN)
        self.reopen_button.setObjectName("requestReopen")
        self.goto_button = QPushButton(T.PANEL_GOTO)
        self.answer_button.clicked.connect(lambda: self.move_current("answered"))
        self.accept_button.clicked.connect(lambda: self.move_current("accepted"))
        self.reopen_button.clicked.connect(lambda: self.move_current("reopened"))
        self.goto_button.clicked.connect(self._goto)

        top = QHBoxLayout()
        top.addWidget(QLabel("显示："))
        top.addWidget(self.filter)
        top.addWidget(self.counts_label, 1)
        top.addWidget(self.role_label)
        buttons = QVBoxLayout()
        for b in (self.answer_button, self.accept_button, self.reopen_button, self.goto_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        right = QWidget()
        rh = QHBoxLayout(right)
        rh.setContentsMargins(0, 0, 0, 0)
        rh.addWidget(self.detail, 1)
        rh.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        v = QVBoxLayout(self)
        v.setContentsMargins(4, 2, 4, 2)
        v.addLayout(top)
        v.addWidget(split, 1)

        session.changed.connect(self.on_changes)
        session.identity_changed.connect(self._update_actions)
        self.refresh()

    # -- data --------------------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("request") or (self.rows and changes.touches("claim")):
            self.refresh()

    def refresh(self) -> None:
        db = self.session.ws.db
        current = self.current_request_id()
        every = list_requests(db)
        counts = {s: 0 for s in ("open", "answered", "accepted", "reopened")}
        for r in every:
            counts[r["state"]] = counts.get(r["state"], 0) + 1
        self.counts_label.setText(T.COUNTS_LINE.format(total=len(every), **counts))
        states = dict((k, s) for k, _t, s in T.PANEL_FILTERS)[self.filter.currentData() or "all"]
        self.rows = [r for r in every if states is None or r["state"] in states]
        self.labels = claim_labels(db, [r["claim_id"] for r in self.rows])
        self.tree.clear()
        for r in self.rows:
            item = QTreeWidgetItem([
                f"#{r['id']}", T.claim_label(self.labels.get(r["claim_id"]), r["claim_id"]), r["text"], r["due"] or "",
                T.state_name(r["state"]), "、".join(f"E{e}" for e in r["answers"]), r["comment"] or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, r["id"])
            item.setForeground(4, QBrush(QColor(T.STATE_COLOURS.get(r["state"], "#000000"))))
            item.setToolTip(2, r["text"])
            self.tree.addTopLevelItem(item)
        if not self.rows:
            self.detail.setHtml(f"<p style='color:#757575'>{_h(T.PANEL_EMPTY)}</p>")
        self.select_request(current if current is not None else (self.rows[0]["id"] if self.rows else None))
        self._update_actions()
        self.refreshed.emit()

    def request(self, request_id: int) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["id"] == request_id), None)

    def current_request_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def select_request(self, request_id: int | None) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == request_id:
                self.tree.setCurrentItem(item)
                return
        self._on_current()

    def state_of(self, request_id: int) -> str | None:
        r = self.request(request_id)
        return r["state"] if r else None

    # -- display -----------------------------------------------------------------------------------

    def _on_current(self) -> None:
        self._update_actions()
        rid = self.current_request_id()
        r = self.request(rid) if rid is not None else None
        if r is None:
            return
        colour = T.STATE_COLOURS.get(r["state"], "#000")
        parts = [f"<p><b>补充材料请求 #{r['id']}</b>　<span style='color:{colour}'><b>{T.state_name(r['state'])}</b></span>"
                 + (f"　截止 {_h(r['due'])}" if r["due"] else "") + "</p>",
                 f"<p>指标：{_h(T.claim_label(self.labels.get(r['claim_id']), r['claim_id']))}</p>",
                 f"<p>需补充：{_h(r['text'])}</p>"]
        if r["answers"]:
            parts.append(f"<p>答复佐证：{'、'.join(f'E{e}' for e in r['answers'])}</p>")
        if r["comment"]:
            parts.append(f"<p>意见：{_h(r['comment'])}</p>")
        history = "".join(f"<li>{_h(T.history_line(h))}</li>" for h in r.get("history", []))
        parts.append(f"<p><b>历史</b></p><ul>{history}</ul>")
        self.detail.setHtml("".join(parts))

    def _update_actions(self) -> None:
        rid = self.current_request_id()
        state = self.state_of(rid) if rid is not None else None
        s = self.session
        self.answer_button.setVisible(s.ws.role == "editor")
        self.accept_button.setVisible(s.ws.role == "reviewer")
        self.reopen_button.setVisible(s.ws.role == "reviewer")
        self.answer_button.setEnabled(s.writable and state in ("open", "reopened"))
        self.accept_button.setEnabled(s.can_review and state == "answered")
        self.reopen_button.setEnabled(s.can_review and state == "answered")
        self.goto_button.setEnabled(rid is not None)
        self.role_label.setText(T.PANEL_ROLE_EDITOR if s.ws.role == "editor" else T.PANEL_ROLE_REVIEWER)

    # -- moves -------------------------------------------------------------------------------------

    def _ask_comment(self, state: str, r: dict[str, Any]) -> str | None:
        if not self.session.interactive:
            return ""
        text, ok = QInputDialog.getMultiLineText(self, f"补充材料请求 #{r['id']}", T.PANEL_COMMENT_PROMPT[state])
        return text if ok else None

    def move_current(self, state: str) -> None:
        rid = self.current_request_id()
        r = self.request(rid) if rid is not None else None
        if r is None:
            return
        comment = self.ask_comment(state, r)
        if comment is None:
            return
        self.move(rid, state, comment=comment)

    def move(self, request_id: int, state: str, *, comment: str | None = None,
             evidence_ids: list[int] | None = None, done: Callable[[Any], None] | None = None) -> None:
        """答复 (编制), 接受 / 退回 (审核) one request, on the writer lane."""
        db = self.session.ws.db
        if state == "answered":
            fn = lambda: answer_request(db, request_id=request_id, evidence_ids=evidence_ids, comment=comment)  # noqa: E731
        elif state == "accepted":
            fn = lambda: accept_request(db, request_id=request_id, comment=comment)  # noqa: E731
        else:
            fn = lambda: reopen_request(db, request_id=request_id, comment=comment)  # noqa: E731

        def finished(change) -> None:
            self.last_error = ""
            self.session.show_message(T.MOVED.format(id=request_id, before=T.state_name(change.before),
                                                     after=T.state_name(change.state)), 5000)
            if done is not None:
                done(change)

        def failed(exc: BaseException) -> None:
            code, params = getattr(exc, "code", None), getattr(exc, "params", {})
            self.last_error = error_text(code, params) if code else str(exc)
            self.session.show_error(exc)

        self.session.write(f"补充材料请求 #{request_id}", fn, finished, failed=failed)

    def _goto(self) -> None:
        rid = self.current_request_id()
        r = self.request(rid) if rid is not None else None
        if r is not None:
            self.claim_chosen.emit(r["claim_id"])
