"""文件 → 打开佐证材料包…: verify a package, say exactly which files fail, then make a review workspace.

A thin caller of :func:`desktop.exchange.archive.open_package` (the check) and
:func:`desktop.exchange.receive.receive_package` (the review workspace), both on the session's jobs lane.
A package with files that fail is refused by default; 仍然打开 (``force``) is offered when only evidence files
fail, and opens it with those files flagged 校验失败. When the review workspace is made, ``received(path,
actor)`` asks the window to open it in the 审核 role.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.text import inspection as T
from desktop.ui.dialogs.export import failure_text
from desktop.ui.dispatcher import TaskResult
from desktop.ui.session import Session


def _h(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def check_package(path: Path, progress) -> dict[str, Any]:
    """The check the dialog shows (Qt-free work, run on the jobs lane): ok, or the problems and whether a
    forced open is possible. Refusals that cannot be forced (not a zip, unsafe names…) raise."""
    from desktop.exchange.archive import VerificationFailed, forceable, open_package

    try:
        archive = open_package(path, progress=progress)
    except VerificationFailed as exc:
        failed = forceable(exc.problems)
        return {"ok": False, "problems": exc.problems, "force": all(p.get("path") in failed for p in exc.problems),
                "kind": None}
    return {"ok": True, "problems": [], "force": False, "members": len(archive.members),
            "kind": archive.manifest.get("kind"), "workspace_name": (archive.manifest.get("workspace") or {}).get("name"),
            "created_by": (archive.manifest.get("created_by") or {}).get("name")}


class ReceiveDialog(QDialog):
    checked = Signal(object)  # the check's dict, or None when it could not be made
    received = Signal(object, str)  # the review workspace's folder (Path), the reviewer's name
    failed = Signal(str)

    def __init__(self, session: Session, parent=None, *, actor: str | None = None):
        super().__init__(parent)
        self.setObjectName("receiveDialog")
        self.setWindowTitle(T.RECEIVE_TITLE)
        self.resize(760, 520)
        self.session = session
        self.check: dict[str, Any] | None = None
        self.error_text = ""
        self.result: dict[str, Any] | None = None
        self._busy = False
        self._run = 0

        self.package_edit = QLineEdit()
        self.package_edit.setObjectName("receivePackage")
        self.package_edit.setPlaceholderText("佐证材料包（.zip）")
        self.package_edit.editingFinished.connect(self._on_package_edited)
        self.dest_edit = QLineEdit()
        self.dest_edit.setObjectName("receiveDest")
        self.dest_edit.setPlaceholderText(T.RECEIVE_DEST_HINT)
        self.name_edit = QLineEdit(actor if actor is not None else session.ws.actor)
        self.name_edit.setObjectName("receiveActor")
        pkg_browse, dest_browse = QPushButton("浏览…"), QPushButton("浏览…")
        pkg_browse.clicked.connect(self._browse_package)
        dest_browse.clicked.connect(self._browse_dest)

        form = QFormLayout()
        form.addRow("材料包：", _row(self.package_edit, pkg_browse))
        form.addRow("审核工作区：", _row(self.dest_edit, dest_browse))
        form.addRow("审核人：", self.name_edit)

        intro = QLabel(T.RECEIVE_INTRO)
        intro.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("receiveProgress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.report = QTextBrowser()
        self.report.setObjectName("receiveReport")

        self.buttons = QDialogButtonBox()
        self.check_button = QPushButton("校验")
        self.check_button.setObjectName("receiveCheck")
        self.open_button = QPushButton("打开")
        self.open_button.setObjectName("receiveOpen")
        self.force_button = QPushButton("仍然打开")
        self.force_button.setObjectName("receiveForce")
        self.force_button.setToolTip("校验失败的佐证文件标记为“校验失败”，不保存其内容")
        self.close_button = QPushButton("取消")
        for b in (self.check_button, self.force_button, self.open_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.check_button.clicked.connect(self.start_check)
        self.open_button.clicked.connect(lambda: self.receive(force=False))
        self.force_button.clicked.connect(lambda: self.receive(force=True))
        self.close_button.clicked.connect(self.reject)

        v = QVBoxLayout(self)
        v.addWidget(intro)
        v.addLayout(form)
        v.addWidget(self.bar)
        v.addWidget(self.report, 1)
        v.addWidget(self.buttons)
        self._update()

    # -- choices -----------------------------------------------------------------------------------

    def _browse_package(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, T.RECEIVE_TITLE, str(Path.home()), "佐证材料包 (*.zip)")
        if path:
            self.set_package(path)

    def _browse_dest(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, T.RECEIVE_DEST_HINT)
        if folder:
            self.dest_edit.setText(folder)

    def set_package(self, path: str | Path, dest: str | Path | None = None) -> None:
        """Choose the package (and the review workspace folder; default: beside it), then check it."""
        p = Path(path)
        self.package_edit.setText(str(p))
        if dest is not None:
            self.dest_edit.setText(str(dest))
        elif not self.dest_edit.text().strip():
            self.dest_edit.setText(str(p.parent / f"{p.stem}_审核"))
        self.start_check()

    def _on_package_edited(self) -> None:
        if self.package_edit.text().strip() and (self.check is None or self.check.get("path") != self.package_edit.text()):
            self.set_package(self.package_edit.text().strip())

    def _update(self) -> None:
        c = self.check
        self.check_button.setEnabled(not self._busy and bool(self.package_edit.text().strip()))
        self.open_button.setEnabled(not self._busy and bool(c and c["ok"] and c.get("kind") == "package"))
        self.force_button.setVisible(bool(c and not c["ok"]))
        self.force_button.setEnabled(not self._busy and bool(c and not c["ok"] and c["force"]))
        self.close_button.setEnabled(not self._busy)

    # -- check ---------------------------------------------------------------------------------------

    def start_check(self) -> None:
        path = Path(self.package_edit.text().strip()).expanduser()
        self._run += 1
        run = self._run
        self._busy = True
        self.check, self.error_text = None, ""
        self.report.setHtml(f"<p style='color:#757575'>{T.RECEIVE_CHECKING}</p>")
        self.bar.setRange(0, 0)
        self._update()

        def progress(done: int, total: int) -> None:
            self.session.report_progress(lambda: self._on_progress(run, done, total))

        self.session.job(T.RECEIVE_TITLE, lambda: check_package(path, progress), lambda r: self._on_checked(run, path, r))

    def _on_progress(self, run: int, done: int, total: int) -> None:
        if run == self._run:
            self.bar.setRange(0, max(total, 1))
            self.bar.setValue(done)

    def _on_checked(self, run: int, path: Path, result: TaskResult) -> None:
        if run != self._run:
            return
        self._busy = False
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        if result.error is not None:
            self.error_text = failure_text(result.error)
            self.report.setHtml(f"<p style='color:#c62828'>{_h(self.error_text)}</p>".replace("\n", "<br>"))
            self._update()
            self.checked.emit(None)
            return
        c = {**result.value, "path": str(path)}
        self.check = c
        if c["ok"]:
            text = f"<p style='color:#2e7d32'><b>{_h(T.RECEIVE_OK.format(members=c['members']))}</b></p>"
            if c.get("workspace_name"):
                text += f"<p>《{_h(c['workspace_name'])}》，{_h(c.get('created_by') or '')} 导出。</p>"
            if c.get("kind") == "supplement":
                text += f"<p style='color:#b26a00'>{_h(T.RECEIVE_SUPPLEMENT)}</p>"
        else:
            items = "".join(f"<li>{_h(line)}</li>" for line in T.verification_lines(c["problems"]))
            text = (f"<p style='color:#c62828'><b>{_h(T.RECEIVE_FAILED.format(n=len(c['problems'])))}</b></p>"
                    f"<ul>{items}</ul>"
                    f"<p>{_h(T.RECEIVE_FORCE_HINT if c['force'] else T.RECEIVE_NO_FORCE)}</p>")
        self.report.setHtml(text)
        self._update()
        self.checked.emit(c)

    # -- receive -----------------------------------------------------------------------------------

    def receive(self, force: bool = False) -> None:
        """Make the review workspace (``force``: the files that failed are flagged 校验失败)."""
        from desktop.exchange.receive import receive_package

        if self._busy or self.check is None:
            return
        path = Path(self.check["path"])
        dest = Path(self.dest_edit.text().strip()).expanduser()
        actor = self.name_edit.text().strip() or self.session.ws.actor
        self._busy = True
        self._run += 1
        run = self._run
        self.bar.setRange(0, 0)
        self.report.append(f"<p style='color:#757575'>{T.RECEIVE_WORKING}</p>")
        self._update()
        self.session.job(T.RECEIVE_TITLE, lambda: receive_package(path, dest, actor=actor, force=force).as_json(),
                         lambda r: self._on_received(run, dest, actor, r))

    def _on_received(self, run: int, dest: Path, actor: str, result: TaskResult) -> None:
        if run != self._run:
            return
        self._busy = False
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self._update()
        if result.error is not None:
            self.error_text = failure_text(result.error)
            self.report.append(f"<p style='color:#c62828'>{_h(self.error_text)}</p>".replace("\n", "<br>"))
            self.failed.emit(self.error_text)
            return
        self.result = result.value
        self.report.append("<p style='color:#2e7d32'>" + _h(T.received_text(self.result)).replace("\n", "<br>") + "</p>")
        self.received.emit(dest, actor)
        self.accept()


def _row(edit: QLineEdit, button: QPushButton) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit, 1)
    h.addWidget(button)
    return w
