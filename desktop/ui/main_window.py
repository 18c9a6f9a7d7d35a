"""The main window: claims on the left, evidence on the right, completeness always in view."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import DeskError
from desktop.review import status
from desktop.review.links import link_evidence, unlink_evidence
from desktop.ui import audit_view, review_mode
from desktop.ui.evidence_library import EvidenceLibrary, EvidenceLibraryModel
from desktop.text.messages import ROLE_NAMES, error_text
from desktop.ui.models import ClaimsTreeModel
from desktop.ui.tasks import TaskResult, TaskRunner
from desktop.workspace import Workspace


class ClaimsView(QTreeView):
    """Claims tree; evidence can be dropped onto a claim to link it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("claimsView")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.LinkAction)
        self.setDropIndicatorShown(True)
        self.setAcceptDrops(True)
        self.setDragEnabled(True)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setAllColumnsShowFocus(True)


class MainWindow(QMainWindow):
    workspace_changed = Signal()
    links_changed = Signal(list)  # claim ids whose links changed
    evidence_changed = Signal(list)  # evidence ids added or changed (the folder watcher's bridge emits it too)

    def __init__(self, ws: Workspace, *, inline_tasks: bool = False, watch: bool | None = None, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.setObjectName("mainWindow")
        self.tasks = TaskRunner(self, inline=inline_tasks, on_thread_end=ws.db.close_thread_connection)
        self._undo: list[tuple[str, Callable[[], Any]]] = []
        self.setAcceptDrops(True)
        self.resize(1360, 820)
        self._shut_down = False
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

        self.claims_model = ClaimsTreeModel(ws.db, self)
        self.evidence_model = EvidenceLibraryModel(ws.db, self)
        # The evidence library watches the folder (unless told not to; inline test windows do not).
        self._watch = (not inline_tasks) if watch is None else watch
        self._build_widgets()
        self._build_actions()
        self._connect()
        review_mode.install(self)  # review and audit (issue 6)
        audit_view.install(self)
        self._refresh_title()
        self._refresh_completeness()
        self._update_actions()
        from desktop.ui.report_view import mount_report_view  # issue 3: the report text with its claims

        mount_report_view(self)
        from desktop.ui.linking import LinkingController  # dashboard, filters, suggestions (issue 5)

        self.linking = LinkingController(self)

    # -- construction ----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.claims_view = ClaimsView()
        self.claims_view.setModel(self.claims_model)
        header = self.claims_view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 130), (2, 50), (3, 110), (4, 110)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.claims_view.expandAll()

        self.library = EvidenceLibrary(self.ws, self.evidence_model, watch=self._watch, inline=self.tasks.inline)
        self.evidence_view = self.library.list_view

        self.claim_detail = QLabel()
        self.claim_detail.setObjectName("claimDetail")
        self.claim_detail.setWordWrap(True)
        self.claim_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.claim_detail.setMinimumHeight(64)
        self.claim_detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.claim_detail.setStyleSheet("QLabel#claimDetail { padding: 6px; background: palette(base); }")

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(6, 6, 3, 6)
        title = QLabel("<b>报告中的指标</b>　<span style='color:#757575'>把右侧的佐证材料拖到指标上即可关联</span>")
        lv.addWidget(title)
        lv.addWidget(self.claims_view, 1)
        lv.addWidget(self.claim_detail)

        # Left: the claims, as a tree or as the report text (tabs, F6 switches); right: the evidence.
        # Side by side is what linking needs; the report text is a second way to see the same claims.
        self.left_tabs = QTabWidget()
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.setDocumentMode(True)
        self.left_tabs.addTab(left, "指标列表")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left_tabs)
        self.splitter.addWidget(self.library)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        sb = self.statusBar()
        self.completeness_label = QLabel()
        self.completeness_label.setObjectName("completenessLabel")
        self.readonly_label = QLabel()
        self.head_label = QLabel()  # shown while the audit head file outside the database cannot be written
        self.head_label.setObjectName("headWarning")
        self.head_label.hide()
        self.identity_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        sb.addWidget(self.completeness_label)
        sb.addWidget(self.readonly_label)
        sb.addWidget(self.head_label)
        sb.addPermanentWidget(self.progress)
        self.library.install_status(sb)
        sb.addPermanentWidget(self.identity_label)

    def _action(self, text: str, slot, shortcut=None, tip: str | None = None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        self.act_new = self._action("新建工作区…", self._on_new_workspace, QKeySequence.StandardKey.New)
        self.act_open = self._action("打开工作区…", self._on_open_workspace, QKeySequence.StandardKey.Open)
        self.act_import = self._action("导入报告…", self._on_import_report, "Ctrl+I", "导入绩效自评报告并抽取指标")
        self.act_add = self._action("添加佐证…", self._on_add_evidence, "Ctrl+E", "把文件登记为佐证材料")
        self.act_link = self._action("关联", self.link_selected, "Ctrl+L", "把选中的佐证关联到选中的指标（Ctrl+L）")
        self.act_unlink = self._action("取消关联", self.unlink_selected, "Ctrl+Shift+L", "取消选中指标与选中佐证的关联")
        self.act_undo = self._action("撤销", self.undo, QKeySequence.StandardKey.Undo)
        self.act_next_gap = self._action("下一个缺佐证", self.select_next_missing, "F3", "跳到下一个缺佐证的指标（F3）")
        self.act_switch_tab = self._action("指标列表 / 报告原文", self._switch_left_tab, "F6",
                                           "在指标列表与报告原文之间切换（F6）")
        self.act_verify = self._action("校验完整性…", self._on_verify)
        self.act_actor = self._action("切换身份…", self._on_set_actor, tip="更换姓名或角色（编制 / 审核）")
        # the platform's Quit keys where it has them (none on a bare X11 session), else Ctrl+Q
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        self.act_quit = self._action("退出", self.close, quit_keys[0] if quit_keys else QKeySequence("Ctrl+Q"))

        menu = self.menuBar()
        m = menu.addMenu("文件(&F)")
        for a in (self.act_new, self.act_open, None, self.act_import, self.act_add, None, self.act_quit):
            m.addSeparator() if a is None else m.addAction(a)
        m = menu.addMenu("编辑(&E)")
        for a in (self.act_undo, None, self.act_link, self.act_unlink, None, self.act_next_gap, self.act_switch_tab):
            m.addSeparator() if a is None else m.addAction(a)
        m = menu.addMenu("工具(&T)")
        m.addAction(self.act_verify)
        m.addAction(self.act_actor)

        tb = QToolBar("主工具栏")
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.act_import, self.act_add, None, self.act_link, self.act_unlink, self.act_next_gap):
            tb.addSeparator() if a is None else tb.addAction(a)
        self.addToolBar(tb)
        self.toolbar = tb

    def _connect(self) -> None:
        self.claims_model.evidence_dropped.connect(self._on_evidence_dropped)
        self.evidence_model.claims_dropped.connect(self._on_claims_dropped)
        self.claims_view.selectionModel().selectionChanged.connect(self._on_claim_selection)
        self.evidence_view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.tasks.busy_changed.connect(self._on_busy)
        self.tasks.progress_changed.connect(self._on_progress)
        self.links_changed.connect(self._on_links_changed)
        self.library.evidence_changed.connect(self.evidence_changed)  # files the watcher brought in or changed
        # Writes happen on worker threads too (ingest, links); the head-file state is one attribute read.
        self._head_timer = QTimer(self)
        self._head_timer.timeout.connect(self._refresh_head_warning)
        self._head_timer.start(1000)

    # -- state display ---------------------------------------------------------------------------

    def _refresh_title(self) -> None:
        ro = "（只读）" if self.ws.readonly else ""
        self.setWindowTitle(f"佐证台 EvidenceDesk — {self.ws.name}{ro}")
        role = ROLE_NAMES.get(self.ws.role, self.ws.role)
        self.identity_label.setText(f"{self.ws.actor} · {role}")
        if self.ws.readonly:
            from desktop.text.messages import readonly_text

            badge, why = readonly_text(self.ws.info)
            self.readonly_label.setText(f"<span style='color:#b26a00'>{badge}</span>")
            self.readonly_label.setToolTip(why)
        else:
            self.readonly_label.setText("")

    def _refresh_head_warning(self) -> None:
        from desktop.text.messages import head_write_failed_text

        err = self.ws.db.head_error
        if err is None:
            self.head_label.hide()
            return
        badge, why = head_write_failed_text(err)
        self.head_label.setText(f"<span style='color:#c62828'>{badge}</span>")
        self.head_label.setToolTip(why)
        self.head_label.show()

    def _refresh_completeness(self) -> None:
        c = status.Completeness.of(self.claims_model.rows())  # the rows the tree shows, already fresh
        colour = "#2e7d32" if c.claims and c.without_evidence == 0 else "#c62828"
        self.completeness_label.setText(
            f"<b>已有佐证 {c.with_evidence}/{c.claims}</b>　"
            f"<span style='color:{colour}'>缺佐证 {c.without_evidence}</span>"
        )
        self.completeness_label.setProperty("covered", c.with_evidence)
        self.completeness_label.setProperty("total", c.claims)

    def _update_actions(self) -> None:
        writable = not self.ws.readonly and self.ws.role == "editor"
        has_pair = bool(self.selected_claim_ids()) and bool(self.selected_evidence_ids())
        for a in (self.act_import, self.act_add):
            a.setEnabled(writable)
        self.act_link.setEnabled(writable and has_pair)
        self.act_unlink.setEnabled(writable and has_pair)
        self.act_undo.setEnabled(writable and bool(self._undo))
        self.claims_view.setAcceptDrops(writable)
        self.evidence_view.setAcceptDrops(writable)

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)

    def _on_progress(self, name: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{name} {done}/{total}")

    # -- selection -------------------------------------------------------------------------------

    def selected_claim_ids(self) -> list[int]:
        sm = self.claims_view.selectionModel()
        ids = []
        for idx in sm.selectedRows(0) if sm else []:
            cid = self.claims_model.claim_id_at(idx)
            if cid is not None:
                ids.append(cid)
        return ids

    def selected_evidence_ids(self) -> list[int]:
        sm = self.evidence_view.selectionModel()
        ids = []
        for idx in sm.selectedRows(0) if sm else []:
            eid = self.evidence_model.evidence_id_at(idx.row())
            if eid is not None:
                ids.append(eid)
        return ids

    def select_claim(self, claim_id: int) -> None:
        idx = self.claims_model.index_for_claim(claim_id)
        if idx.isValid():
            self.claims_view.setCurrentIndex(idx)
            self.claims_view.selectionModel().select(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.claims_view.scrollTo(idx)

    def select_evidence(self, evidence_id: int) -> None:
        row = self.evidence_model.row_for(evidence_id)
        if row is not None:
            idx = self.evidence_model.index(row, 0)
            self.evidence_view.setCurrentIndex(idx)
            self.evidence_view.selectionModel().select(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_focused_once", False):  # start where the work is: the claims list
            self._focused_once = True
            self.claims_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _switch_left_tab(self) -> None:
        tabs = self.left_tabs
        tabs.setCurrentIndex((tabs.currentIndex() + 1) % max(tabs.count(), 1))

    def select_next_missing(self) -> None:
        ids = self.claims_model.claim_ids()
        if not ids:
            return
        current = self.selected_claim_ids()
        start = ids.index(current[0]) + 1 if current and current[0] in ids else 0
        for cid in ids[start:] + ids[:start]:
            c = self.claims_model.claim(cid)
            if c and "no_evidence" in c["flags"]:
                self.select_claim(cid)
                return
        self.statusBar().showMessage("所有指标都已有佐证。", 4000)

    def _on_claim_selection(self, *_: Any) -> None:
        self._update_actions()
        ids = self.selected_claim_ids()
        if len(ids) != 1:
            self.claim_detail.setText(f"已选 {len(ids)} 个指标" if ids else "")
            return
        c = self.claims_model.claim(ids[0])
        if c is None:
            return
        names = []
        for eid in c["evidence_ids"]:
            e = self.evidence_model.evidence(eid)
            where = c.get("locators", {}).get(eid)
            names.append((e["name"] if e else f"E{eid}") + (f"（{_esc(where)}）" if where else ""))
        ev = "、".join(names) if names else "<span style='color:#c62828'>尚无佐证</span>"
        page = f"第 {c['page']} 页 · " if c.get("page") else ""
        ctx = self.ws.db.query_one("SELECT context_before, context_after FROM claims WHERE id = ?", (c["id"],))
        before = (ctx["context_before"] or "") if ctx else ""
        after = (ctx["context_after"] or "") if ctx else ""
        before = before.replace("\n", " ")[-40:]
        after = after.replace("\n", " ")[:30]
        self.claim_detail.setText(
            f"<b>#{c['id']}</b> {page}{_esc(c.get('section') or '')}<br>"
            f"<span style='color:#555'>…{_esc(before)}</span><b>{_esc(c['quote'])}</b>"
            f"<span style='color:#555'>{_esc(after)}…</span><br>佐证：{ev}"
        )

    # -- linking ---------------------------------------------------------------------------------

    def link_selected(self) -> None:
        self.link(self.selected_claim_ids(), self.selected_evidence_ids())

    def unlink_selected(self) -> None:
        claims, evidence = self.selected_claim_ids(), self.selected_evidence_ids()
        pairs = [
            (c, e) for c in claims for e in evidence
            if (cl := self.claims_model.claim(c)) and e in cl["evidence_ids"]
        ]
        if not pairs:
            self.statusBar().showMessage("选中的指标与佐证之间没有关联。", 4000)
            return
        if not self._confirm(f"取消 {len(pairs)} 处关联？"):
            return
        self._run_links("取消关联", pairs, unlink=True)

    def link(self, claim_ids: list[int], evidence_ids: list[int], origin: str = "manual") -> None:
        pairs = [
            (c, e) for c in claim_ids for e in evidence_ids
            if not ((cl := self.claims_model.claim(c)) and e in cl["evidence_ids"])
        ]
        if not pairs:
            self.statusBar().showMessage("请先在左侧选中指标、在右侧选中佐证材料。" if not (claim_ids and evidence_ids)
                                         else "已经关联过了。", 4000)
            return
        self._run_links("关联", pairs, unlink=False, origin=origin)

    def _run_links(
        self, name: str, pairs: list[tuple[int, int]], *, unlink: bool, origin: str = "manual", undoable: bool = True
    ) -> None:
        db = self.ws.db

        def work() -> list[tuple[int, int]]:
            done = []
            for c, e in pairs:
                if unlink:
                    unlink_evidence(db, claim_id=c, evidence_id=e)
                else:
                    link_evidence(db, claim_id=c, evidence_id=e, origin=origin)
                done.append((c, e))
            return done

        def finished(result: TaskResult) -> None:
            if result.error is not None:
                self.show_error(result.error)
                self.links_changed.emit(sorted({c for c, _ in pairs}))
                return
            done = result.value
            if undoable:
                self._undo.append(
                    (name, lambda: self._run_links("撤销" + name, done, unlink=not unlink, origin=origin, undoable=False))
                )
            self.links_changed.emit(sorted({c for c, _ in done}))
            self.evidence_model.add_or_refresh({e for _, e in done})
            verb = "已取消" if unlink else "已关联"
            self.statusBar().showMessage(f"{verb} {len(done)} 处（Ctrl+Z 撤销）", 5000)

        self.tasks.submit(name, work, finished)

    def undo(self) -> None:
        if not self._undo:
            return
        _, fn = self._undo.pop()
        fn()
        self._update_actions()

    def _on_evidence_dropped(self, claim_id: int, evidence_ids: list[int]) -> None:
        self.link([claim_id], evidence_ids, origin="drag")

    def _on_claims_dropped(self, evidence_id: int, claim_ids: list[int]) -> None:
        self.link(claim_ids, [evidence_id], origin="drag")

    def _on_links_changed(self, claim_ids: list[int]) -> None:
        self.claims_model.refresh_claims(claim_ids)
        self._refresh_completeness()
        self._on_claim_selection()
        self._update_actions()

    # -- reports and evidence --------------------------------------------------------------------

    def _on_import_report(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "导入报告", str(Path.home()), "报告 (*.txt *.md *.docx *.pdf *.xlsx);;所有文件 (*)"
        )
        if path:
            self.import_report(path)

    def import_report(self, path: str | Path) -> None:
        from desktop.claims.service import import_report

        db = self.ws.db

        def finished(result: TaskResult) -> None:
            if result.error is not None:
                self.show_error(result.error)
                return
            self.reload()
            r = result.value
            self.statusBar().showMessage(f"已导入《{r.name}》：{r.claims} 个指标", 6000)

        self.tasks.submit("导入报告", lambda: import_report(db, path=path), finished)

    def _on_add_evidence(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "添加佐证材料", str(Path.home()))
        if paths:
            self.add_evidence(paths)

    def add_evidence(self, paths: list[str | Path]) -> None:
        """Register files and folders (in the background; progress in the status bar)."""
        n = self.library.add_paths(paths)
        if n:
            self.statusBar().showMessage(f"正在登记 {n} 项…", 4000)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and not self.ws.readonly and self.ws.role == "editor":
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        self.add_evidence(paths)
        event.acceptProposedAction()

    def reload(self) -> None:
        self.claims_model.reload()
        self.claims_view.expandAll()
        self.evidence_model.reload()
        self._refresh_completeness()
        self._update_actions()

    # -- workspace -------------------------------------------------------------------------------

    def _on_new_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择新工作区的文件夹（应为空文件夹）")
        if not folder:
            return
        watch = QFileDialog.getExistingDirectory(self, "选择佐证材料文件夹（将被监控，可取消）")
        try:
            ws = Workspace.create(folder, watch_dir=watch or None, actor=self.ws.actor)
        except DeskError as exc:
            self.show_error(exc)
            return
        self._switch_workspace(ws)

    def _on_open_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "打开工作区")
        if not folder:
            return
        from desktop.ui.identity_dialog import ask_identity

        chosen = ask_identity(self, self.ws.actor, self.ws.role, Path(folder).name)
        if not chosen:
            return
        try:
            ws = Workspace.open(folder, actor=chosen[0], role=chosen[1])
        except DeskError as exc:
            self.show_error(exc)
            return
        self._switch_workspace(ws)

    def _switch_workspace(self, ws: Workspace) -> None:
        from desktop import config

        config.save_config(last_workspace=str(ws.root))
        new = MainWindow(ws)
        new.show()
        self.close()

    def _on_set_actor(self) -> None:
        from desktop.ui.identity_dialog import ask_identity

        chosen = ask_identity(self, self.ws.actor, self.ws.role, self.ws.name)
        if chosen:
            self.set_identity(*chosen)

    def set_identity(self, actor: str, role: str) -> None:
        """Who acts from now on; the window follows the role (editing only for 编制)."""
        self.ws.set_identity(actor=actor, role=role)
        self.library.bridge.identity_changed()  # only 编制 registers files: watching follows the role
        self._refresh_title()
        self._update_actions()
        if getattr(self, "review_mode", None) is not None:
            self.review_mode.reload()

    def _on_verify(self) -> None:
        from desktop.ui.integrity_dialog import IntegrityDialog

        dlg = IntegrityDialog(self.ws, self, inline=self.tasks.inline)
        self.integrity_dialog = dlg
        dlg.show()
        dlg.start()

    # -- messages --------------------------------------------------------------------------------

    def _confirm(self, text: str) -> bool:
        if self.tasks.inline:  # tests and scripted runs: no modal dialogs
            return True
        return QMessageBox.question(self, "请确认", text) == QMessageBox.StandardButton.Yes

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, DeskError):
            text = error_text(exc.code, exc.params)
        elif isinstance(exc, OSError):
            text = f"文件操作失败：{exc.strerror or exc}"
        else:
            text = f"内部错误：{type(exc).__name__}: {exc}"
        self.statusBar().showMessage(text, 8000)
        if not self.tasks.inline:
            QMessageBox.warning(self, "佐证台", text)
        self.last_error = text

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the watcher, the ingest engine and every worker, then close the workspace (idempotent).

        Closing the window does it; so does the application quitting without a close (the session ending,
        the display going away): the engine's threads would otherwise keep the process alive for ever."""
        if self._shut_down:
            return
        self._shut_down = True
        for child in (getattr(self, "audit_window", None), getattr(self, "integrity_dialog", None)):
            if child is not None:
                child.close()
        if getattr(self, "audit_window", None) is not None:
            self.audit_window.shutdown()
        self.library.shutdown()
        self.linking.shutdown()
        self.tasks.shutdown()
        for timer in self.findChildren(QTimer):  # no refresh may reach for the closed workspace
            timer.stop()
        self.ws.close()  # the window owns its workspace: closing it releases the lock


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
