"""The round trip's actions in the window: 导出佐证材料包…, 打开佐证材料包…, 接收增补材料…, 应用审核意见… (文件) and
导出审核意见… (审核). Thin callers of ``desktop.exchange``; long work on the session's lanes.

* export — :class:`~desktop.ui.dialogs.export.ExportDialog` (jobs lane, progress, 取消);
* open a package — :class:`~desktop.ui.dialogs.receive.ReceiveDialog`, then the review workspace opens in the
  审核 role (``open_workspace``, the window's own way to switch workspace);
* receive a supplement into the open review workspace, write the return (reply) — writes to this
  workspace: the writer lane;
* apply a return — verified and counted first on the jobs lane (:func:`~desktop.exchange.apply.preview_return`),
  shown, then applied on the writer lane; a second time says 已应用过，无变化.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.text import inspection as T
from desktop.ui.dialogs.export import failure_text
from desktop.ui.session import Session
from desktop.workspace import Workspace


class ExchangeActions(QObject):
    done = Signal(str, str)  # what (apply, reply, supplement, receive), the text shown

    def __init__(self, session: Session, window, *, open_workspace: Callable[[Workspace], None]):
        super().__init__(window)
        self.session = session
        self.window = window
        self._open_workspace = open_workspace
        self.export_dialog = None
        self.receive_dialog = None
        self.last_text = ""
        self.last_preview: dict[str, Any] | None = None
        self.act_export = self._action("导出佐证材料包…", self.open_export, "导出佐证材料包（.zip）和 / 或佐证材料汇编（.pdf）")
        self.act_open_package = self._action("打开佐证材料包…", self.open_receive,
                                             "校验评价小组的佐证材料包，生成审核工作区并以审核角色打开")
        self.act_receive_supplement = self._action("接收增补材料…", self._choose_supplement,
                                                   "把评价小组发回的补充材料包并入当前审核工作区")
        self.act_apply_return = self._action("应用审核意见…", self._choose_return,
                                             "校验审核方发回的审核意见回复，应用到本工作区")
        self.act_reply = self._action("导出审核意见…", self._choose_reply,
                                      "生成审核意见回复（.zip）：审核意见、补充材料请求、审核意见书、补充材料通知单")
        session.identity_changed.connect(self.update_actions)
        self.update_actions()
        window.installEventFilter(self)  # the window closing stops a running export first

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.cancel_running()
        return False

    def cancel_running(self) -> None:
        """Cancel an export still running (the window is closing: its lanes wait for their jobs)."""
        if self.export_dialog is not None and self.export_dialog.running:
            self.export_dialog.cancel()

    def _action(self, text: str, slot, tip: str) -> QAction:
        act = QAction(text, self.window)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        return act

    @property
    def ws(self) -> Workspace:
        return self.session.ws

    def update_actions(self) -> None:
        review = self.ws.review_only
        self.act_receive_supplement.setEnabled(review and self.session.can_review)
        self.act_reply.setEnabled(review and self.session.can_review)
        self.act_apply_return.setEnabled(not review and self.session.writable)

    def _say(self, what: str, title: str, text: str, *, warn: bool = False) -> None:
        self.last_text = text
        self.session.show_message(text.splitlines()[0], 8000)
        if self.session.interactive:
            (QMessageBox.warning if warn else QMessageBox.information)(self.window, title, text)
        self.done.emit(what, text)

    # -- export --------------------------------------------------------------------------------------

    def open_export(self):
        from desktop.ui.dialogs.export import ExportDialog

        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.session, self.window)
        self.export_dialog.show()
        self.export_dialog.raise_()
        return self.export_dialog

    # -- receive a package: a review workspace ---------------------------------------------------------

    def open_receive(self):
        from desktop.ui.dialogs.receive import ReceiveDialog

        if self.receive_dialog is None:
            self.receive_dialog = ReceiveDialog(self.session, self.window)
            self.receive_dialog.received.connect(self._open_review_workspace)
        self.receive_dialog.show()
        self.receive_dialog.raise_()
        return self.receive_dialog

    def _open_review_workspace(self, root: Path, actor: str) -> None:
        try:
            ws = Workspace.open(root, actor=actor, role="reviewer")
        except Exception as exc:  # noqa: BLE001 - shown, never raised into Qt
            self.session.show_error(exc)
            return
        self._open_workspace(ws)

    # -- a supplement into this review workspace -------------------------------------------------------

    def _choose_supplement(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, T.SUPPLEMENT_TITLE, str(Path.home()), "补充材料包 (*.zip)")
        if path:
            self.receive_supplement(path)

    def receive_supplement(self, path: str | Path) -> None:
        from desktop.exchange.receive import receive_supplement

        ws = self.ws
        self.session.write(T.SUPPLEMENT_TITLE, lambda: receive_supplement(ws, path).as_json(),
                           lambda r: self._say("supplement", T.SUPPLEMENT_TITLE, T.received_text(r)),
                           failed=lambda e: self._say("supplement", T.SUPPLEMENT_TITLE, failure_text(e), warn=True))

    # -- the inspector's return --------------------------------------------------------------------------

    def _choose_reply(self) -> None:
        default = Path.home() / f"审核意见回复_{self.ws.name}.zip"
        path, _ = QFileDialog.getSaveFileName(self.window, T.REPLY_TITLE, str(default), "审核意见回复 (*.zip)")
        if path:
            self.reply(path)

    def reply(self, out: str | Path) -> None:
        from desktop.exchange.reply import reply

        ws = self.ws

        def done(r: dict[str, Any]) -> None:
            self._say("reply", T.REPLY_TITLE, T.reply_text(r))
            if self.session.interactive:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(r["path"]).parent)))

        self.session.write(T.REPLY_TITLE, lambda: reply(ws, out).as_json(), done,
                           failed=lambda e: self._say("reply", T.REPLY_TITLE, failure_text(e), warn=True))

    # -- apply a return at the group's ---------------------------------------------------------------------

    def _choose_return(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, T.APPLY_TITLE, str(Path.home()), "审核意见回复 (*.zip)")
        if path:
            self.apply_return(path)

    def apply_return(self, path: str | Path, *, confirm: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Verify and count (jobs lane), show what will be applied, then apply (writer lane). ``confirm``
        decides instead of the question box (tests; default: ask when interactive, else yes)."""
        from desktop.exchange.apply import preview_return

        ws = self.ws

        def previewed(result) -> None:
            if result.error is not None:
                self._say("apply", T.APPLY_TITLE, failure_text(result.error), warn=True)
                return
            p = self.last_preview = result.value
            text = T.apply_preview_text(p)
            if p["already"]:
                self._say("apply", T.APPLY_TITLE, text)
                return
            ok = confirm(p) if confirm is not None else (
                not self.session.interactive or QMessageBox.question(
                    self.window, T.APPLY_TITLE, text + "\n\n现在应用吗？") == QMessageBox.StandardButton.Yes)
            if ok:
                self._apply(path)

        self.session.job(T.APPLY_TITLE, lambda: preview_return(ws, path), previewed)

    def _apply(self, path: str | Path) -> None:
        from desktop.exchange.apply import apply_return

        ws = self.ws

        def done(r: dict[str, Any]) -> None:
            text = T.APPLY_ALREADY.format(path=r["path"]) if r.get("already") else T.applied_text(r)
            self._say("apply", T.APPLY_TITLE, text)

        self.session.write(T.APPLY_TITLE, lambda: apply_return(ws, path).as_json(), done,
                           failed=lambda e: self._say("apply", T.APPLY_TITLE, failure_text(e), warn=True))
