"""文件 → 导出佐证材料包…: the package, the binder or both (or a supplement), with progress and a cancel.

A thin caller of :func:`desktop.exchange.export.export_package` (and of
:func:`desktop.exchange.supplement.export_supplement` for a 增补包). The export runs on the session's jobs
lane; its progress reaches the dialog through the dispatcher's funnel, at most every
:data:`PROGRESS_INTERVAL` seconds (and at every change of stage); 取消 sets the token the core polls
between chunks, and the core removes its work folder, so nothing half-written is left under either name.
The core records the export as an audit event (``package.exported``) as the last step of the job, where
the workspace can be written. When done: a summary and 在文件夹中显示.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import DeskError
from desktop.exchange.cancel import ExportCancelled
from desktop.text import exchange as T
from desktop.text import inspection as _inspection_words  # noqa: F401 - registers the round trip's errors
from desktop.text.messages import error_text
from desktop.ui.dispatcher import TaskResult
from desktop.ui.session import Session

PROGRESS_INTERVAL = 0.1  # seconds between two progress deliveries of one stage, at most


def _safe(name: str) -> str:
    from desktop.exchange.names import safe_part

    return safe_part(name) or "工作区"


def failure_text(exc: BaseException) -> str:
    """An export's failure in words (a failed verification of ``--since`` names each member)."""
    if isinstance(exc, DeskError):
        text = error_text(exc.code, exc.params)
        problems = getattr(exc, "problems", None)
        if problems:
            text += "\n" + "\n".join(f"  - {T.problem_text(p)}" for p in problems)
        return text
    if isinstance(exc, OSError):
        return f"文件操作失败：{exc.strerror or exc}"
    return f"内部错误：{type(exc).__name__}: {exc}"


def _path_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit, 1)
    h.addWidget(button)
    return w


class ExportDialog(QDialog):
    export_finished = Signal(object)  # the result's JSON (dict), or None when cancelled or failed
    progress_shown = Signal(str, int, int)  # stage, done, total (as displayed)

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(T.EXPORT_DIALOG_TITLE)
        self.resize(720, 560)
        self.session = session
        self.ws = session.ws
        self.result: dict[str, Any] | None = None
        self.error_text = ""
        self.last_opened: Path | None = None  # the folder 在文件夹中显示 opened (tests read it)
        self._cancel = threading.Event()
        self._running = False
        self._run = 0
        self._keep_package = True
        self._supplement = False

        folder = self._default_folder()
        stamp = _dt.date.today().strftime("%Y%m%d")
        name = _safe(self.ws.name)
        self.zip_edit = QLineEdit(str(folder / T.EXPORT_DEFAULT_NAME.format(name=name, date=stamp)))
        self.zip_edit.setObjectName("exportZipPath")
        self.binder_edit = QLineEdit(str(folder / T.BINDER_DEFAULT_NAME.format(name=name, date=stamp)))
        self.binder_edit.setObjectName("exportBinderPath")
        zip_browse, binder_browse = QPushButton("浏览…"), QPushButton("浏览…")
        zip_browse.clicked.connect(lambda: self._browse(self.zip_edit, "材料包 (*.zip)"))
        binder_browse.clicked.connect(lambda: self._browse(self.binder_edit, "PDF (*.pdf)"))

        self.mode_buttons: dict[str, QRadioButton] = {}
        modes = QButtonGroup(self)
        mode_box = QGroupBox("导出内容")
        mv = QVBoxLayout(mode_box)
        for key, text in T.EXPORT_MODES:
            b = QRadioButton(text)
            b.setObjectName(f"exportMode_{key}")
            modes.addButton(b)
            mv.addWidget(b)
            self.mode_buttons[key] = b
            b.toggled.connect(self._update)
        self.mode_buttons["package"].setChecked(True)
        self.binder_note = QLabel(f"<span style='color:#757575'>{T.EXPORT_BINDER_ONLY_NOTE}</span>")
        self.binder_note.setWordWrap(True)
        mv.addWidget(self.binder_note)

        self.scope_buttons: dict[str, QRadioButton] = {}
        scopes = QButtonGroup(self)
        scope_box = QGroupBox("佐证材料")
        sv = QVBoxLayout(scope_box)
        for key, text in T.EXPORT_SCOPE:
            b = QRadioButton(text)
            b.setObjectName(f"exportScope_{key}")
            scopes.addButton(b)
            sv.addWidget(b)
            self.scope_buttons[key] = b
        self.scope_buttons["linked"].setChecked(True)

        self.supplement_check = QCheckBox(T.EXPORT_SUPPLEMENT)
        self.supplement_check.setObjectName("exportSupplement")
        self.supplement_check.toggled.connect(self._on_supplement)
        self.since_edit = QLineEdit()
        self.since_edit.setObjectName("exportSince")
        self.since_edit.setPlaceholderText(T.EXPORT_SUPPLEMENT_HINT)
        since_browse = QPushButton("浏览…")
        since_browse.clicked.connect(self._browse_since)
        self.since_row = _path_row(self.since_edit, since_browse)

        form = QFormLayout()
        form.addRow("材料包：", _path_row(self.zip_edit, zip_browse))
        form.addRow("汇编：", _path_row(self.binder_edit, binder_browse))
        form.addRow("", self.supplement_check)
        form.addRow("自：", self.since_row)
        self.form = form

        self.stage_label = QLabel(" ")
        self.stage_label.setObjectName("exportStage")
        # its text changes with every progress report: never let that re-lay out the dialog
        self.stage_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.stage_label.setFixedHeight(self.stage_label.sizeHint().height() + 4)
        self.bar = QProgressBar()
        self.bar.setObjectName("exportProgress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.summary = QTextBrowser()
        self.summary.setObjectName("exportSummary")
        self.summary.setMinimumHeight(120)

        self.buttons = QDialogButtonBox()
        self.export_button = QPushButton("导出")
        self.export_button.setObjectName("exportStart")
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setObjectName("exportCancel")
        self.reveal_button = QPushButton("在文件夹中显示")
        self.reveal_button.setObjectName("exportReveal")
        self.reveal_button.setEnabled(False)
        self.close_button = QPushButton("关闭")
        for b in (self.export_button, self.cancel_button, self.reveal_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.reveal_button.clicked.connect(self.reveal)
        self.close_button.clicked.connect(self.reject)

        v = QVBoxLayout(self)
        v.addLayout(form)
        opts = QHBoxLayout()
        opts.addWidget(mode_box, 1)
        opts.addWidget(scope_box, 1)
        self.options = QWidget()
        self.options.setLayout(opts)
        opts.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.options)
        v.addWidget(self.stage_label)
        v.addWidget(self.bar)
        v.addWidget(self.summary, 1)
        v.addWidget(self.buttons)
        self._on_supplement(False)

    # -- choices -----------------------------------------------------------------------------------

    def _default_folder(self) -> Path:
        """Beside the workspace folder — or the home folder for a workspace kept in the app's own data
        folder (the demo) — never inside the watched folder (the watcher would register the package)."""
        from desktop.config import data_dir

        folder = self.ws.root.parent
        watch = self.ws.watch_dir
        try:
            if (watch is not None and folder.resolve().is_relative_to(Path(watch).resolve())) \
                    or folder.resolve().is_relative_to(data_dir().resolve()):
                folder = Path.home()
        except OSError:
            folder = Path.home()
        return folder

    def _browse(self, edit: QLineEdit, filt: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.windowTitle(), edit.text(), filt)
        if path:
            edit.setText(path)

    def _browse_since(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, T.EXPORT_SUPPLEMENT_HINT, str(self._default_folder()),
                                              "材料包或审核意见回复 (*.zip)")
        if path:
            self.since_edit.setText(path)

    @property
    def mode(self) -> str:
        return next(k for k, b in self.mode_buttons.items() if b.isChecked())

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    def set_paths(self, zip_path: str | Path | None = None, binder: str | Path | None = None) -> None:
        if zip_path is not None:
            self.zip_edit.setText(str(zip_path))
        if binder is not None:
            self.binder_edit.setText(str(binder))

    def set_include_unlinked(self, on: bool) -> None:
        self.scope_buttons["all" if on else "linked"].setChecked(True)

    def set_supplement(self, since: str | Path | None) -> None:
        self.supplement_check.setChecked(since is not None)
        self.since_edit.setText("" if since is None else str(since))

    def _on_supplement(self, on: bool) -> None:
        self.since_row.setEnabled(on)
        if on:
            text = self.zip_edit.text()
            default = T.EXPORT_DEFAULT_NAME.split("_")[0]
            if Path(text).name.startswith(default):
                stamp = _dt.date.today().strftime("%Y%m%d")
                self.zip_edit.setText(str(Path(text).parent / T.SUPPLEMENT_DEFAULT_NAME.format(
                    name=_safe(self.ws.name), date=stamp)))
        self._update()

    def _update(self, *_: Any) -> None:
        if not hasattr(self, "close_button"):  # a radio button set while the dialog is being built
            return
        supplement = self.supplement_check.isChecked()
        mode = self.mode
        for key, b in self.mode_buttons.items():
            b.setEnabled(not self._running and (not supplement or key == "package"))
        for b in self.scope_buttons.values():
            b.setEnabled(not self._running and not supplement)
        if supplement and mode != "package":
            self.mode_buttons["package"].setChecked(True)
            mode = "package"
        self.zip_edit.setEnabled(not self._running and mode != "binder")
        self.binder_edit.setEnabled(not self._running and mode != "package")
        self.binder_note.setVisible(mode == "binder")
        self.supplement_check.setEnabled(not self._running)
        self.export_button.setEnabled(not self._running)
        self.cancel_button.setEnabled(self._running)
        self.close_button.setEnabled(not self._running)

    # -- the export --------------------------------------------------------------------------------

    def start(self) -> None:
        """Export with the choices shown (on the jobs lane)."""
        if self._running:
            return
        mode, supplement = self.mode, self.supplement_check.isChecked()
        since = self.since_edit.text().strip() if supplement else None
        if supplement and not since:
            self._fail_now(T.EXPORT_SUPPLEMENT_HINT)
            return
        zip_path = Path(self.zip_edit.text().strip()).expanduser() if mode != "binder" else None
        binder = Path(self.binder_edit.text().strip()).expanduser() if mode != "package" else None
        if (zip_path is not None and not zip_path.name) or (binder is not None and not binder.name):
            self._fail_now(T.EXPORT_NO_NAME)
            return
        unlinked = self.scope_buttons["all"].isChecked()
        ws, session = self.ws, self.session
        self._cancel.clear()
        self._run += 1
        run = self._run
        self._running = True
        self.result, self.error_text = None, ""
        self.reveal_button.setEnabled(False)
        self.summary.clear()
        self.bar.setRange(0, 0)
        self.stage_label.setText(T.stage_text("snapshot"))
        self._update()
        last = {"stage": None, "at": 0.0}

        def progress(stage: str, done: int, total: int) -> None:
            if self._cancel.is_set():
                raise ExportCancelled()
            now = time.monotonic()
            if stage == last["stage"] and done < total and now - last["at"] < PROGRESS_INTERVAL:
                return
            last["stage"], last["at"] = stage, now
            session.report_progress(lambda: self._on_progress(run, stage, done, total))

        cancel = self._cancel.is_set

        def job() -> dict[str, Any]:
            if supplement:
                from desktop.exchange.supplement import export_supplement

                return export_supplement(ws, zip_path, since=since, progress=progress).as_json()
            from desktop.exchange.export import export_package

            if zip_path is not None:
                return export_package(ws, zip_path, binder=binder, include_unlinked=unlinked, progress=progress,
                                      cancel=cancel).as_json()
            # only the binder: the package its cover names is written beside it and discarded
            if binder.suffix.lower() != ".pdf":
                raise DeskError("export.bad_suffix", suffix=".pdf", path=str(binder))
            if not binder.parent.is_dir():
                raise DeskError("export.target_folder_missing", path=str(binder.parent))
            tmp = Path(tempfile.mkdtemp(prefix=f".{binder.name}.", suffix=".package-tmp", dir=binder.parent))
            try:
                result = export_package(ws, tmp / "材料包.zip", binder=binder, include_unlinked=unlinked,
                                        progress=progress, cancel=cancel, record=False)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            result.path = binder  # the package was not kept: its record names the binder it went into
            if ws.readonly:
                result.not_recorded_reason = ws.info.reason or "readonly"
            else:
                from desktop.exchange.service import record_export

                row = record_export(ws.db, result=result)
                result.recorded, result.export_id, result.seq = True, row["id"], row["seq"]
            return result.as_json()

        self._keep_package = mode != "binder"
        self._supplement = supplement
        session.job(T.EXPORT_DIALOG_TITLE, job, lambda r: self._on_done(run, r))

    def cancel(self) -> None:
        """Stop the export at its next chunk; the core leaves no file behind."""
        if self._running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.stage_label.setText(T.EXPORT_CANCELLING)

    @property
    def running(self) -> bool:
        return self._running

    def _on_progress(self, run: int, stage: str, done: int, total: int) -> None:
        if run != self._run or not self._running:
            return
        if not self._cancel.is_set():
            self.stage_label.setText(T.progress_text(stage, done, total))
        if stage == "files" and total > 0:  # bytes: scale to a range an int holds
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * done / total))
        else:
            self.bar.setRange(0, max(total, 1))
            self.bar.setValue(done)
        self.progress_shown.emit(stage, done, total)

    def _on_done(self, run: int, result: TaskResult) -> None:
        if run != self._run:
            return
        self._running = False
        self._update()
        self.bar.setRange(0, 1)
        if result.error is not None:
            self.bar.setValue(0)
            if isinstance(result.error, ExportCancelled):
                text = error_text("export.cancelled")
                self.stage_label.setText(text)
            else:
                text = failure_text(result.error)
                self.stage_label.setText(f"<span style='color:#c62828'>{T.EXPORT_FAILED}</span>")
            self.error_text = text
            self.summary.setHtml(f"<p style='color:#c62828'>{_h(text)}</p>".replace("\n", "<br>"))
            self.export_finished.emit(None)
            return
        self.bar.setValue(1)
        self.result = result.value
        self.stage_label.setText(f"<span style='color:#2e7d32'><b>✓ {T.EXPORT_DONE}</b></span>")
        if not self._supplement:
            lines = T.export_summary(self.result, keep_package=self._keep_package)
        else:
            from desktop.text.inspection import supplement_text

            lines = supplement_text(self.result).splitlines()
            if not self.result.get("recorded"):
                lines.append(T.NOT_RECORDED.get(self.result.get("not_recorded_reason") or "", T.NOT_RECORDED["readonly"]))
        self.summary.setHtml("<br>".join(_h(line).replace("  ", "　") for line in lines))
        self.reveal_button.setEnabled(True)
        self.session.show_message(lines[0], 8000)
        self.export_finished.emit(self.result)

    def _fail_now(self, text: str) -> None:
        self.error_text = text
        self.summary.setHtml(f"<p style='color:#c62828'>{_h(text)}</p>")

    def exported_path(self) -> Path | None:
        """The file to show in its folder: the package, or the binder when only the binder was kept."""
        if not self.result:
            return None
        if self._keep_package:
            return Path(self.result["path"])
        return Path(self.result["binder"]) if self.result.get("binder") else None

    def reveal(self) -> None:
        """在文件夹中显示: the folder the export went to, in the system's file manager."""
        path = self.exported_path()
        if path is None:
            return
        self.last_opened = path.parent
        if self.session.interactive:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def reject(self) -> None:
        if self._running:  # closing while running cancels (the job ends at its next chunk)
            self.cancel()
            return
        super().reject()


def _h(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
