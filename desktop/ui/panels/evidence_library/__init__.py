"""The evidence library: every file as a thumbnail grid or a list, filters, search, preview, progress.

The panel shows :class:`~desktop.ui.panels.evidence_library.model.EvidenceLibraryModel` in two views (one
selection), filters 全部 / 未关联 / 出错 / 已有新版本 with their counts, search over names and extracted text
(FTS5 trigram for three characters or more, ``LIKE`` for one or two), the preview pane, "用默认程序打开" /
"在文件夹中显示", and the status-bar widgets (progress "正在处理 37/120", the watcher's state).

It refreshes from the session's ``changed`` (rows of the files a change names: new, new version, text
extracted, linked or unlinked) and from the ingest lane (thumbnails, files that could not be registered,
progress, watcher state). Searches, thumbnails and previews load on the reader lane; registering,
retrying and the watcher's settings go through the ingest lane, on the writer lane.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.evidence.queries import EVIDENCE_FILTERS as FILTERS
from desktop.errors import DeskError
from desktop.evidence.queries import present_paths
from desktop.evidence.risky import may_open
from desktop.review.search import search_evidence
from desktop.text.library import executable_refused_text
from desktop.text.messages import WATCH_STATE_NAMES
from desktop.text.search import empty_text, searched_text, summary_text
from desktop.ui.panels.evidence_library.model import EvidenceLibraryModel
from desktop.ui.panels.evidence_library.preview_pane import PreviewPane
from desktop.ui.panels.evidence_library.views import (
    EvidenceGridView,
    HIT_ROW_HEIGHT,
    ROW_HEIGHT,
    EvidenceListView,
    ThumbnailCache,
    reveal_in_file_manager,
)
from desktop.ui.session import Session

LIBRARY_MIN_WIDTH = 400  # px: names and a page or sheet in the preview stay readable beside the claims
PREVIEW_MIN_HEIGHT = 220  # px: a page or a sheet can still be read at the smallest
LAYOUT_FILE = "layout.ini"
SPLITTER_KEY = "library/splitter"  # QSettings: the list / preview split, as the user left it
FILTER_NAMES = {"all": "全部", "unlinked": "未关联", "error": "出错", "superseded": "已有新版本"}
PHASE_NAMES = {"register": "正在处理", "index": "正在提取文字", "thumb": "正在生成缩略图"}


class EvidenceLibrary(QWidget):
    """The right-hand side of the main window: the evidence library."""

    selection_changed = Signal()

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.setObjectName("evidenceLibrary")
        self.setMinimumWidth(LIBRARY_MIN_WIDTH)
        self.session = session
        self.ws = session.ws
        self.ingest = session.ingest
        self.model = EvidenceLibraryModel(self.ws.db, self)
        self._search_token = 0
        self._select_first_hit = False
        self.searching = False
        self.closed = False
        self.model.thumbs = ThumbnailCache(self.ws.thumbs, self.run_in_background, self._on_thumb_loaded)
        self._build()
        self._connect()
        self.model.set_problems(self.ingest.problems())
        self._refresh_counts()

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[str, QToolButton] = {}
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(2)
        title = QLabel("<b>佐证材料</b>")
        bar.addWidget(title)
        bar.addSpacing(6)
        for name in FILTERS:
            b = QToolButton()
            b.setText(FILTER_NAMES[name])
            b.setCheckable(True)
            b.setAutoRaise(True)
            b.setObjectName(f"filter_{name}")
            b.setToolTip({"all": "所有佐证材料（含无法登记的文件）", "unlinked": "尚未关联任何指标的材料",
                          "error": "读取或登记出错的文件", "superseded": "文件夹中已有新版本的旧文件"}[name])
            self.filter_group.addButton(b)
            self.filter_buttons[name] = b
            bar.addWidget(b)
        self.filter_buttons["all"].setChecked(True)
        bar.addStretch(1)
        tools = QHBoxLayout()  # second row: search, then grid / list and the watcher menu
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(2)
        self.grid_button = QToolButton()
        self.grid_button.setText("网格")
        self.grid_button.setCheckable(True)
        self.grid_button.setAutoRaise(True)
        self.list_button = QToolButton()
        self.list_button.setText("列表")
        self.list_button.setCheckable(True)
        self.list_button.setAutoRaise(True)
        self.list_button.setChecked(True)
        views = QButtonGroup(self)
        views.addButton(self.grid_button)
        views.addButton(self.list_button)
        self.more_button = QToolButton()
        self.more_button.setText("监控")
        self.more_button.setAutoRaise(True)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(self._watch_menu())

        self.search = QLineEdit()
        self.search.setObjectName("evidenceSearch")
        self.search.setPlaceholderText("搜索文件名和文件中的文字（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        tools.addWidget(self.search, 1)
        for b in (self.grid_button, self.list_button, self.more_button):
            tools.addWidget(b)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)

        self.search_note = QLabel()  # what a search found, or (nothing found) what was searched and what to try
        self.search_note.setObjectName("searchNote")
        self.search_note.setWordWrap(True)
        self.search_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.search_note.setStyleSheet("QLabel#searchNote { color: #455a64; padding: 2px 4px; }")
        self.search_note.hide()
        self.search_result = None  # the last SearchResult shown

        self.list_view = EvidenceListView()
        self.list_view.setModel(self.model)
        header = self.list_view.horizontalHeader()
        header.setStretchLastSection(False)
        for col, width in ((0, 260), (1, 44), (2, 62), (3, 36), (4, 82), (5, 72), (6, 130), (7, 260)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setSectionHidden(self.model.MATCH_COLUMN, True)  # shown while a search is on
        self.grid_view = EvidenceGridView()
        self.grid_view.setModel(self.model)
        self.grid_view.setSelectionModel(self.list_view.selectionModel())  # one selection, two views
        self.views = QStackedWidget()
        self.views.addWidget(self.list_view)
        self.views.addWidget(self.grid_view)

        self.preview = PreviewPane(self.ws.db, self.ws.store, self.run_in_background)
        self.preview.setMinimumHeight(PREVIEW_MIN_HEIGHT)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("librarySplitter")
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(self.preview)
        self.splitter.setChildrenCollapsible(False)
        # the preview must be large enough to read a page or a sheet: it gets the larger share by default
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([200, 300])
        self._restore_splitter()
        self.splitter.splitterMoved.connect(lambda *_: self._save_splitter())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 6, 6, 6)
        layout.addLayout(bar)
        layout.addLayout(tools)
        layout.addWidget(self.search_note)
        layout.addWidget(self.splitter, 1)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("ingestProgress")
        self.progress_bar.setMaximumWidth(240)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.watch_label = QLabel()
        self.watch_label.setObjectName("watchState")
        self._show_state(self.ingest.state, self.ingest.state_detail)

        self.act_open = QAction("用默认程序打开", self)
        self.act_open.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.act_open.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_reveal = QAction("在文件夹中显示", self)
        self.act_retry = QAction("重试", self)
        self.act_copy_path = QAction("复制路径", self)
        self.act_versions = QAction("比较新旧版本 / 改用新版本…", self)
        self.act_versions.triggered.connect(lambda: self.show_versions(self.selected_evidence_ids()[0])
                                            if self.selected_evidence_ids() else None)
        self.version_dialog = None  # the old / new comparison, while open
        self.act_dismiss = QAction("不再显示此错误", self)
        self.act_dismiss.setToolTip("从列表中去掉这条无法登记的记录（文件再有变化时会重新登记）")
        self.act_find = QAction("搜索", self)
        self.act_find.setShortcut(QKeySequence.StandardKey.Find)
        self.act_find.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.act_rescan = QAction("立即扫描文件夹", self)
        self.act_rescan.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.act_rescan.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.act_toggle_view = QAction("网格 / 列表", self)
        self.act_toggle_view.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.act_toggle_view.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.act_toggle_view.triggered.connect(
            lambda: self.set_view_mode("list" if self.view_mode == "grid" else "grid"))
        self.grid_button.setToolTip("缩略图网格，名称写在缩略图下（Ctrl+Shift+G 切换）")
        self.list_button.setToolTip("列表：名称、类型、大小、关联指标、状态（Ctrl+Shift+G 切换）")
        for a in (self.act_open, self.act_find, self.act_rescan, self.act_toggle_view):
            self.addAction(a)

    def eventFilter(self, obj, event) -> bool:
        """Enter or Down in the search box goes to the first result (Enter must not open a file here).

        Only the bare keys (the keypad's Enter counts as bare): with Ctrl, Shift or Alt held the key is left
        alone, so Ctrl+Enter (接受建议) and the window's other shortcuts work from the search box too."""
        if obj is self.search and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()  # deliver it as a key press to the box, not to the 打开 shortcut
                return False
            if self._search_timer.isActive():
                self._search_timer.stop()
                self._run_search()
            self._select_first_hit = True  # now, or when the background search answers
            if not self.searching:
                self._go_to_first_hit()
            return True
        return super().eventFilter(obj, event)

    def _watch_menu(self) -> QMenu:
        menu = QMenu(self)
        self.act_scan_menu = menu.addAction("立即扫描文件夹（F5）", self.scan_now)
        menu.addSeparator()
        self.mode_actions = {}
        for mode, text in (("auto", "自动（网络盘用轮询）"), ("events", "文件系统事件"), ("polling", "轮询")):
            act = menu.addAction(text, lambda m=mode: self.set_watch_mode(m))
            act.setCheckable(True)
            self.mode_actions[mode] = act
        menu.addSeparator()
        self.act_ignore = menu.addAction("忽略规则…", self.edit_ignore_list)
        menu.aboutToShow.connect(self._sync_mode_menu)
        return menu

    def _connect(self) -> None:
        self.filter_group.buttonClicked.connect(self._on_filter_clicked)
        self.grid_button.toggled.connect(lambda on: self.set_view_mode("grid" if on else "list"))
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.installEventFilter(self)
        self._search_timer.timeout.connect(self._run_search)
        self.list_view.selectionModel().selectionChanged.connect(self._on_selection)
        for view in (self.list_view, self.grid_view):
            view.doubleClicked.connect(lambda idx: self.open_selected())
            view.customContextMenuRequested.connect(lambda pos, v=view: self._context_menu(v, pos))
        self.model.modelReset.connect(self._on_selection)
        self.model.view_changed.connect(self._refresh_counts_soon)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(300)
        self._counts_timer.timeout.connect(self._refresh_counts)
        for signal, slot in ((self.session.changed, self._on_changed),
                             (self.ingest.thumbnails_ready, self._on_thumbnails_ready),
                             (self.ingest.problems_changed, self._on_problems_changed),
                             (self.ingest.progress_changed, self._on_progress),
                             (self.ingest.state_changed, self._show_state)):
            signal.connect(self._unless_closed(slot))
        self.preview.open_requested.connect(self.open_evidence)
        self.preview.reveal_requested.connect(self.reveal)
        self.preview.retry_requested.connect(self.retry)
        self.preview.versions_requested.connect(self.show_versions)
        self.act_open.triggered.connect(self.open_selected)
        self.act_reveal.triggered.connect(self.reveal_selected)
        self.act_retry.triggered.connect(self.retry_selected)
        self.act_copy_path.triggered.connect(self._copy_paths)
        self.act_dismiss.triggered.connect(self.dismiss_selected)
        self.act_find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.act_rescan.triggered.connect(self.scan_now)

    def _unless_closed(self, slot: Callable[..., None]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            if not self.closed:
                slot(*args)

        return call

    def status_widgets(self) -> tuple[QWidget, ...]:
        """What the library shows in the window's status bar: ingest progress and the watcher's state."""
        return (self.progress_bar, self.watch_label)

    def _settings(self):
        """The window's layout settings, in the data folder (EVIDENCE_DESK_HOME moves them with the rest)."""
        from PySide6.QtCore import QSettings

        from desktop import config

        return QSettings(str(config.data_dir() / LAYOUT_FILE), QSettings.Format.IniFormat)

    def _restore_splitter(self) -> None:
        if not self.session.interactive:  # tests and scripted runs start from the default split
            return
        state = self._settings().value(SPLITTER_KEY)
        if state is not None:
            self.splitter.restoreState(state)

    def _save_splitter(self) -> None:
        if self.session.interactive:
            self._settings().setValue(SPLITTER_KEY, self.splitter.saveState())

    # -- background reads ------------------------------------------------------------------------

    def run_in_background(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``work`` on the session's reader lane; ``done(result)`` on the GUI thread (not once closed)."""
        self.session.read(work, lambda value: None if self.closed else done(value))

    def close_panel(self) -> None:
        """Stop the timers (before the session shuts down)."""
        self.closed = True
        for timer in (self._counts_timer, self._search_timer):
            timer.stop()

    # -- filters, search, views ------------------------------------------------------------------

    def set_filter(self, name: str) -> None:
        self.filter_buttons[name].setChecked(True)
        self.model.set_filter(name)

    def _on_filter_clicked(self, button) -> None:
        for name, b in self.filter_buttons.items():
            if b is button:
                self.model.set_filter(name)

    def set_view_mode(self, mode: str) -> None:
        grid = mode == "grid"
        self.grid_button.setChecked(grid)
        self.list_button.setChecked(not grid)
        self.views.setCurrentWidget(self.grid_view if grid else self.list_view)

    @property
    def view_mode(self) -> str:
        return "grid" if self.views.currentWidget() is self.grid_view else "list"

    def set_search_text(self, text: str) -> None:
        """Search now (the field's own typing waits 250 ms for the user to pause)."""
        self.search.setText(text)
        self._search_timer.stop()
        self._run_search()

    def _run_search(self) -> None:
        text = self.search.text()
        self._search_token += 1
        token = self._search_token
        if not text.strip():
            self.searching = False
            self.search_result = None
            self.model.set_search("", None)
            self._show_search_note()
            return
        self.searching = True
        db = self.ws.db

        def done(result) -> None:
            if token == self._search_token:
                self.searching = False
                self.search_result = result
                self.model.set_search(text, result.ids, result.results)
                self._show_search_note()
                if self._select_first_hit:
                    self._go_to_first_hit()

        # number-aware: 21099 finds 21,099, 658.83万 finds 6,588,300.00 元 (desktop.review.search)
        self.run_in_background(lambda: search_evidence(db, text, limit=None), done)

    def _show_search_note(self) -> None:
        """Under the search box: what was found (the list shows where), or what was searched and what to try."""
        result = self.search_result
        searching = result is not None
        # where each file matched: under its name (any width), and in its own column for a wide pane
        self.list_view.horizontalHeader().setSectionHidden(self.model.MATCH_COLUMN, not searching)
        self.list_view.verticalHeader().setDefaultSectionSize(HIT_ROW_HEIGHT if searching else ROW_HEIGHT)
        self.list_view.fit_name_column()
        if not searching:
            self.search_note.hide()
            return
        if self.model.rowCount() == 0:
            self.search_note.setText(empty_text(result))
            self.search_note.setToolTip("")
        else:
            self.search_note.setText(summary_text(result))
            self.search_note.setToolTip(searched_text(result))
        self.search_note.show()

    def _go_to_first_hit(self) -> None:
        self._select_first_hit = False
        view = self.views.currentWidget()
        if self.model.rowCount() > 0:
            first = self.model.index(0, 0)
            view.setCurrentIndex(first)
            view.selectionModel().select(
                first, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _refresh_counts_soon(self) -> None:
        self._counts_timer.start()

    def _refresh_counts(self) -> None:
        counts = self.model.counts()
        for name, b in self.filter_buttons.items():
            n = counts.get(name, 0)
            b.setText(f"{FILTER_NAMES[name]} {n}" if n or name == "all" else FILTER_NAMES[name])
        self.filter_counts = counts

    # -- selection and preview -------------------------------------------------------------------

    def current_view(self) -> QAbstractItemView:
        return self.grid_view if self.view_mode == "grid" else self.list_view

    def selected_rows(self) -> list[int]:
        sm = self.list_view.selectionModel()
        return sorted({i.row() for i in sm.selectedIndexes()}) if sm else []

    def selected_evidence_ids(self) -> list[int]:
        return [e for e in (self.model.evidence_id_at(r) for r in self.selected_rows()) if e is not None]

    def selected_problems(self) -> list[dict[str, Any]]:
        return [p for p in (self.model.problem_at(r) for r in self.selected_rows()) if p is not None]

    def select_row(self, row: int) -> None:
        idx = self.model.index(row, 0)
        self.current_view().setCurrentIndex(idx)
        self.list_view.selectionModel().select(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _on_selection(self, *_: Any) -> None:
        rows = self.selected_rows()
        self.act_open.setEnabled(bool(self.openable_ids()))
        self.selection_changed.emit()
        if len(rows) != 1:
            self.preview.clear(f"已选 {len(rows)} 项" if rows else "选中一份佐证材料即可在此预览")
            return
        p = self.model.problem_at(rows[0])
        if p is not None:
            self.preview.show_problem(p)
            return
        eid = self.model.evidence_id_at(rows[0])
        e = self.model.evidence(eid) if eid else None
        if e is None:
            self.preview.clear()
            return
        self.ingest.bump([eid])
        self.preview.show_evidence(e)

    def _refresh_preview_if(self, ids: Iterable[int]) -> None:
        cur = self.preview.current
        if cur and "id" in cur and cur["id"] in set(ids):
            self._on_selection()

    # -- what changed (GUI thread) ---------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        """Files arrived or changed (new versions, text extracted), or links to them did."""
        if not changes.touches("evidence", "link"):
            return
        ids = sorted(changes.evidence_ids)
        self.model.add_or_refresh(ids)
        if changes.touches("evidence") and (self.searching or self.search.text().strip()):
            self._search_timer.start()  # new text may match the search
        self._refresh_preview_if(ids)

    def _on_thumbnails_ready(self, ids: list[int]) -> None:
        for eid in ids:
            e = self.model.peek(eid)
            if e is not None and self.model.thumbs is not None:
                self.model.thumbs.forget(e["sha256"])
            self._on_thumb_loaded(eid)

    def _on_thumb_loaded(self, evidence_id: int) -> None:
        row = self.model.row_for(evidence_id)
        if row is not None:
            idx = self.model.index(row, 0)
            self.model.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    def _on_problems_changed(self) -> None:
        self.model.set_problems(self.ingest.problems())
        cur = self.preview.current
        if cur and "problem" in cur:
            self._on_selection()

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        if phase == "idle" or total <= 0:
            self.progress_bar.hide()
            return
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        self.progress_bar.setFormat(f"{PHASE_NAMES.get(phase, '正在处理')} {done}/{total}")
        self.progress_bar.show()

    def _show_state(self, state: str, detail: str) -> None:
        text = WATCH_STATE_NAMES.get(state, state)
        colour = {"watching": "#2e7d32", "polling": "#1565c0", "restarting": "#b26a00"}.get(state, "#757575")
        if state == "off" and detail == "readonly":
            text = "只读：不监控"
        elif state == "off" and detail == "no_folder":
            text = "未设置监控文件夹"
        elif state == "off" and detail == "reviewer":
            text = "审核角色：不登记新文件"
        watched = self.ws.watch_dir
        where = f"：{watched.name or watched}" if watched and state != "off" else ""  # the folder, not only in a tooltip
        self.watch_label.setText(f"<span style='color:{colour}'>● {text}{_html(where)}</span>")
        self.watch_label.setProperty("state", state)
        folder = str(watched) if watched else "（无）"
        self.watch_label.setToolTip(f"佐证材料文件夹：{folder}（文件 → 监控文件夹… 可更换）")

    # -- actions ---------------------------------------------------------------------------------

    def add_paths(self, paths: Iterable[str | os.PathLike[str]], done: Callable[[int], None] | None = None) -> None:
        """Register files and folders (in the background); ``done(how many)``."""
        self.ingest.add_paths(paths, done)

    def scan_now(self) -> None:
        self.ingest.scan_now()

    def set_watch_mode(self, mode: str) -> None:
        self.ingest.set_mode(mode)

    def edit_ignore_list(self, text: str | None = None) -> None:
        """The temp and lock files never registered: one glob pattern a line (a workspace setting)."""
        from PySide6.QtWidgets import QInputDialog

        from desktop.evidence import ignore

        current = "\n".join(ignore.load(self.ws.db).patterns)
        if text is None:
            text, ok = QInputDialog.getMultiLineText(
                self, "忽略规则", "这些文件不会登记为佐证材料（每行一个，如 ~$* 、*.tmp；也匹配文件夹名）：", current)
            if not ok:
                return
        self.ingest.set_ignore_patterns(text.splitlines())

    def _sync_mode_menu(self) -> None:
        current = self.ingest.mode
        for mode, act in self.mode_actions.items():
            act.setChecked(mode == current)
            act.setEnabled(self.ingest.writable)
        self.act_scan_menu.setEnabled(self.ingest.engine is not None)
        self.act_ignore.setEnabled(self.ingest.writable)

    def retry(self, task_ids: list[int], evidence_ids: list[int]) -> None:
        self.ingest.retry(task_ids, evidence_ids)

    def retry_selected(self) -> None:
        tasks = [p["id"] for p in self.selected_problems()]
        evidence = [e for e in self.selected_evidence_ids()
                    if (row := self.model.evidence(e)) and row["status"] == "error"]
        if tasks or evidence:
            self.retry(tasks, evidence)

    def dismiss_selected(self) -> None:
        tasks = [p["id"] for p in self.selected_problems()]
        if tasks:
            self.ingest.dismiss(tasks)

    def openable_ids(self) -> list[int]:
        """The selected files the app may open (not programs or scripts)."""
        return [e for e in self.selected_evidence_ids() if (row := self.model.evidence(e)) and may_open(row)]

    def open_selected(self) -> None:
        for eid in self.selected_evidence_ids()[:5]:
            self.open_evidence(eid)

    def open_evidence(self, evidence_id: int) -> None:
        """Open with the default program: the file in the folder, or a copy of the stored bytes.
        Never a program or a script (it would run): the status bar says why."""
        e = self.model.evidence(evidence_id)
        if e is None:
            return
        if not may_open(e):
            self.session.show_message(executable_refused_text(e["name"]), 8000)
            return
        target = self._original(e)
        if target is None:
            target = self._export_copy(e)
        QDesktopServices.openUrl(QUrl.fromLocalFile(target))

    def _original(self, e: dict[str, Any]) -> str | None:
        paths = present_paths(self.ws.db, e["id"])
        return paths[0] if paths else None

    def _export_copy(self, e: dict[str, Any]) -> str:
        """A copy of the stored bytes under the file's name, in a temp folder (never the user's folder)."""
        folder = Path(tempfile.gettempdir()) / "EvidenceDesk" / f"E{e['id']}"
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / (e["name"].replace("/", "_").replace("\\", "_") or f"E{e['id']}")
        if not dest.exists():
            shutil.copyfile(self.ws.store.object_path(e["sha256"]), dest)
        return str(dest)

    def reveal_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            eid = self.model.evidence_id_at(rows[0])
            p = self.model.problem_at(rows[0])
            self.reveal(eid if eid is not None else -p["id"] if p else 0)

    def reveal(self, key: int) -> None:
        """Show the file in the system's file manager (negative key: a file that could not be registered)."""
        if key < 0:
            p = self.model.problems.get(-key)
            path = p["os_path"] if p else None
        else:
            e = self.model.evidence(key)
            path = self._original(e) if e else None
        if not path:
            return
        reveal_in_file_manager(path)

    def _copy_paths(self) -> None:
        from PySide6.QtWidgets import QApplication

        paths = []
        for eid in self.selected_evidence_ids():
            e = self.model.evidence(eid)
            if e and e["paths"]:
                paths.append(e["paths"][0])
        paths += [p["path"] for p in self.selected_problems()]
        if paths:
            QApplication.clipboard().setText("\n".join(paths))

    # -- a new version: compare, 改用新版本 ----------------------------------------------------------

    def show_versions(self, evidence_id: int) -> None:
        """Compare a file with its newest version; the dialog offers 改用新版本 for the claims linked to it."""
        from desktop.review import status
        from desktop.review.versions import compare_versions, newest_version
        from desktop.ui.dialogs.versions import VersionDialog

        db = self.ws.db
        try:
            new_id = newest_version(db, evidence_id)
        except DeskError as exc:  # versions that branch
            self.session.show_error(exc)
            return
        if new_id == evidence_id:
            self.session.show_message(f"E{evidence_id} 没有新版本。", 4000)
            return
        cmp = compare_versions(db, evidence_id, new_id)
        rows = {c["id"]: c for c in status.claim_rows(db, cmp.claims_kept + cmp.claims_lost)}
        names = {i: (self.model.evidence(i) or {}).get("name", "") for i in (evidence_id, new_id)}

        def label(cid: int) -> str:
            c = rows.get(cid)
            if not c:
                return f"#{cid}"
            return f"#{cid} {c.get('subject') or ''} {c.get('value_raw') or c.get('value') or ''}{c.get('unit') or ''}".strip()

        if self.version_dialog is not None:
            self.version_dialog.close()
        dialog = VersionDialog(self.window(), cmp, names, label, writable=self.session.writable)
        dialog.switch_requested.connect(self.switch_to_new_version)
        dialog.finished.connect(lambda *_: setattr(self, "version_dialog", None))
        self.version_dialog = dialog
        dialog.open()
        self._version_claims = rows

    def switch_to_new_version(self, evidence_id: int) -> None:
        """改用新版本: the links of the old version move to the newest (one write, one undo)."""
        from desktop.review.links import link_evidence, unlink_evidence
        from desktop.review.versions import switch_to_new_version

        db, session = self.ws.db, self.session
        rows = getattr(self, "_version_claims", {})

        def undo(switches) -> None:
            def work() -> None:
                for sw in switches:
                    if sw.added.action == "linked":
                        unlink_evidence(db, claim_id=sw.claim_id, evidence_id=sw.new_evidence_id)
                    link_evidence(db, claim_id=sw.claim_id, evidence_id=sw.old_evidence_id,
                                  locator=sw.removed.locator, note=sw.removed.note,
                                  origin=sw.removed.origin or "manual", auto_locator=False)

            session.write("撤销改用新版本", work)

        def done(switches) -> None:
            if not switches:
                session.show_message("没有指标关联到旧版本。", 4000)
                return
            claim_ids = [sw.claim_id for sw in switches]
            new_id = switches[0].new_evidence_id
            session.undo.push("改用新版本", lambda: undo(switches),
                              redo=lambda: session.write("重做改用新版本", lambda: switch_to_new_version(
                                  db, evidence_id=evidence_id, claim_ids=claim_ids)),
                              events=[{"action": "改用新版本", "claim_id": c, "evidence_id": new_id} for c in claim_ids],
                              claims=rows, evidence={new_id: (self.model.evidence(new_id) or {}).get("name", "")})
            session.show_message(f"已把 {len(switches)} 个指标改为关联新版本 E{new_id}（Ctrl+Z 撤销）", 6000)

        session.write("改用新版本", lambda: switch_to_new_version(db, evidence_id=evidence_id), done)

    def _context_menu(self, view: QAbstractItemView, pos) -> None:
        idx = view.indexAt(pos)
        if not idx.isValid():
            return
        if idx.row() not in self.selected_rows():
            self.select_row(idx.row())
        menu = QMenu(self)
        self.act_open.setEnabled(bool(self.openable_ids()))
        menu.addAction(self.act_open)
        menu.addAction(self.act_reveal)
        menu.addAction(self.act_copy_path)
        errors = self.selected_problems() or [
            e for e in self.selected_evidence_ids() if (r := self.model.evidence(e)) and r["status"] == "error"
            and r.get("error") != "pdf_encrypted"]  # trying an encrypted PDF again cannot help
        if errors:
            menu.addSeparator()
            menu.addAction(self.act_retry)
        if self.selected_problems():
            menu.addAction(self.act_dismiss)
        superseded = [e for e in self.selected_evidence_ids() if (r := self.model.evidence(e)) and r["superseded_by"]]
        if len(superseded) == 1 and len(self.selected_evidence_ids()) == 1:
            menu.addSeparator()
            menu.addAction(self.act_versions)
        menu.popup(view.viewport().mapToGlobal(pos))


__all__ = ["EvidenceLibrary", "EvidenceLibraryModel", "FILTERS", "FILTER_NAMES"]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
