"""The main window: the panels, composed and wired in one place.

Claims on the left (the list, or the report text: F6 switches), evidence on the right, completeness in
the left dock, suggestions in the bottom dock; 审核模式 takes the place of the main view; the audit log and
the integrity check are windows of their own. Every panel is built from the :class:`~desktop.ui.session.
Session` and refreshes itself from its changes; this module only lays them out, gives them their menus and
keys, and connects one panel's signals to another's slots (:meth:`MainWindow._wire`). docs/architecture.md
says how to add a panel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
)

from db.changes import Changes
from desktop.errors import DeskError
from desktop.review import status
from desktop.text.messages import ROLE_NAMES, error_text, head_write_failed_text, readonly_text, warning_text
from desktop.ui import first_steps
from desktop.ui.geometry import MainWindowDocks
from desktop.ui.exchange_actions import ExchangeActions
from desktop.ui.link_actions import LinkActions
from desktop.ui.panels.audit_log import AuditLogWindow
from desktop.ui.panels.checks import ChecksPanel
from desktop.ui.panels.claims import ClaimsPanel
from desktop.ui.panels.dashboard import FILTERS as DASHBOARD_FILTERS
from desktop.ui.panels.dashboard import CompletenessDashboard
from desktop.ui.panels.evidence_library import EvidenceLibrary
from desktop.ui.panels.report_view import ReportView
from desktop.ui.panels.requests import RequestsPanel
from desktop.ui.panels.review_mode import ReviewModePanel
from desktop.ui.panels.score_table import ScoreTablePanel
from desktop.ui.panels.suggestions import SuggestionsPanel
from desktop.ui.session import Session
from desktop.workspace import Workspace


class MainWindow(QMainWindow):
    def __init__(self, ws: Workspace, *, inline_tasks: bool = False, watch: bool | None = None, parent=None):
        """``inline_tasks``: every background job runs at once (tests); ``watch``: watch the evidence folder
        (default: unless inline)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.session = Session(ws, inline=inline_tasks, watch=(not inline_tasks) if watch is None else watch,
                               parent=self)
        self.last_error = ""
        self._shut_down = False
        self._focused_once = False

        # the panels
        self.claims = ClaimsPanel(self.session)
        self.report_view = ReportView(self.session)
        self.library = EvidenceLibrary(self.session)
        self.dashboard = CompletenessDashboard(self.session)
        self.suggestions = SuggestionsPanel(self.session, claim_row=self.claims.claim)
        self.score_table = ScoreTablePanel(self.session)
        self.checks = ChecksPanel(self.session)
        self.links = LinkActions(self.session, self, claim_ids=self.claims.selected_claim_ids,
                                 evidence_ids=self.library.selected_evidence_ids, claim_row=self.claims.claim)
        self.requests = RequestsPanel(self.session)  # 补充材料清单
        self.exchange = ExchangeActions(self.session, self, open_workspace=self._switch_workspace)
        self.review_mode: ReviewModePanel | None = None  # made when first opened
        self.audit_window: AuditLogWindow | None = None
        self.integrity_dialog = None  # IntegrityDialog, made when first opened

        self._layout()
        self._actions_and_menus()
        self._status_bar()
        self._wire()
        # sized to the screen, remembered per role; 关联建议 hidden for 审核 and in 审核模式
        self.docks = MainWindowDocks(self, self.suggestions_dock, role=self.ws.role, preferred=QSize(1360, 820))
        self.central_stack.currentChanged.connect(
            lambda i: self.docks.set_review_mode(self.central_stack.widget(i) is not self.splitter))
        self.session.identity_changed.connect(lambda: self.docks.role_changed(self.ws.role))
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._refresh_title()
        self._refresh_completeness()
        self.dashboard.refresh(self.claims.rows())
        self._update_actions()
        self.next_steps = first_steps.install(self)  # 下一步 in the panes (and the status bar) a new workspace leaves empty
        self.session.start()

    @property
    def ws(self) -> Workspace:
        return self.session.ws

    # -- layout ----------------------------------------------------------------------------------

    def _layout(self) -> None:
        # Left: the claims, as a tree or as the report text (tabs, F6 switches); right: the evidence.
        # Side by side is what linking needs; the report text is a second way to see the same claims.
        self.left_tabs = QTabWidget()
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.setDocumentMode(True)
        self.left_tabs.addTab(self.claims, "指标列表")
        self.left_tabs.addTab(self.report_view, "报告原文")
        self.left_tabs.addTab(self.score_table, "自评表")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left_tabs)
        self.splitter.addWidget(self.library)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.central_stack = QStackedWidget()  # the main view, or 审核模式 in its place
        self.central_stack.setObjectName("centralStack")
        self.central_stack.addWidget(self.splitter)
        self.setCentralWidget(self.central_stack)

        self.dashboard_dock = self._dock("完成情况", "dashboardDock", self.dashboard,
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.resizeDocks([self.dashboard_dock], [300], Qt.Orientation.Horizontal)
        self.suggestions_dock = self._dock("关联建议", "suggestionsDock", self.suggestions,
                                           Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.suggestions_dock], [170], Qt.Orientation.Vertical)
        self.requests_dock = self._dock("补充材料清单", "requestsDock", self.requests,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.checks_dock = self._dock("一致性检查", "checksDock", self.checks, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.suggestions_dock, self.requests_dock)
        self.tabifyDockWidget(self.suggestions_dock, self.checks_dock)
        (self.requests_dock if self.ws.review_only else self.suggestions_dock).raise_()

    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str | None = None, *, window_wide: bool = False) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if window_wide:
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(act)
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        return act

    def _actions_and_menus(self) -> None:
        self.act_new = self._action("新建工作区…", self._on_new_workspace, QKeySequence.StandardKey.New)
        self.act_open = self._action("打开工作区…", self._on_open_workspace, QKeySequence.StandardKey.Open)
        self.act_import = self._action("导入报告…", self._on_import_report, "Ctrl+I", "导入绩效自评报告并抽取指标")
        self.act_add = self._action("添加佐证…", self._on_add_evidence, "Ctrl+E", "把文件登记为佐证材料")
        self.act_undo = self._action("撤销", self.session.undo.undo, QKeySequence.StandardKey.Undo)
        self.act_redo = self._action("重做", self.session.undo.redo, "Ctrl+Shift+Z")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_next_gap = self._action("下一个缺佐证", self.claims.select_next_gap, "F3",
                                         "跳到下一个缺佐证的指标（F3）")
        self.act_switch_tab = self._action("指标列表 / 报告原文 / 自评表", self._switch_left_tab, "F6",
                                           "在指标列表、报告原文与自评表之间切换（F6）")
        self.act_verify = self._action("校验完整性…", self._on_verify)
        self.act_actor = self._action("切换身份…", self._on_set_actor, tip="更换姓名或角色（编制 / 审核）")
        self.act_audit = self._action("审计日志…", self.open_audit_view, "Ctrl+Shift+A", "查看全部操作记录（Ctrl+Shift+A）")
        self.act_checks = self._action("一致性检查", self.open_checks, "Ctrl+Shift+K",
                                       "数字、得分与名称前后是否一致（Ctrl+Shift+K）", window_wide=True)
        self.act_review_mode = QAction("审核模式", self)
        self.act_review_mode.setCheckable(True)
        self.act_review_mode.setShortcut(QKeySequence("Ctrl+R"))
        self.act_review_mode.setToolTip("逐条审核指标（Ctrl+R）")
        self.act_review_mode.setStatusTip("逐条审核指标：1 已核实，2 存疑，3 需补充，4 无需佐证，N/P 下一条/上一条")
        self.act_review_mode.toggled.connect(lambda on: self.open_review_mode() if on else self.close_review_mode())
        # the platform's Quit keys where it has them (none on a bare X11 session), else Ctrl+Q
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        self.act_quit = self._action("退出", self.close, quit_keys[0] if quit_keys else QKeySequence("Ctrl+Q"))
        self.filter_actions: dict[str | None, QAction] = {}
        for i, (flag, text) in enumerate([(None, "显示全部指标"), ("no_evidence", "只看缺佐证"),
                                          ("value_not_found", "只看数值未找到"),
                                          ("evidence_superseded", "只看证据有新版本"),
                                          ("unlinked", "只看未关联证据")]):
            self.filter_actions[flag] = self._action(text, lambda f=flag: self.dashboard.request_filter(f),
                                                     f"Alt+{i}", window_wide=True)
        assert set(self.filter_actions) == {flag for flag, _ in DASHBOARD_FILTERS}
        links, sug, claims, report = self.links, self.suggestions, self.claims, self.report_view
        for act in (sug.act_accept, sug.act_accept_strong, sug.act_reject, links.act_edit_link,
                    claims.act_not_required, claims.act_needs_evidence):
            self.addAction(act)  # their keys work wherever the focus is in the window

        menus = (
            ("文件(&F)", (self.act_new, self.act_open, None, self.act_import, self.act_add, None,
                        *self._exchange_file_actions(), None, self.act_quit)),
            ("编辑(&E)", (self.act_undo, self.act_redo, None, links.act_link, links.act_unlink, None, self.act_next_gap,
                        self.act_switch_tab, None, sug.act_accept, sug.act_accept_strong, sug.act_reject, None,
                        links.act_edit_link, claims.act_not_required, claims.act_needs_evidence)),
            ("工具(&T)", (self.act_verify, self.act_actor, self.act_audit, self.act_checks)),
            ("审核(&A)", (self.act_review_mode, None, self.exchange.act_reply)),
            ("报告(&P)", (report.act_mark, report.act_edit, report.act_ignore, report.act_restore, None,
                        report.act_revise)),
            ("查看(&V)", (*self.filter_actions.values(), None, self.dashboard_dock.toggleViewAction(),
                        self.suggestions_dock.toggleViewAction(), self.requests_dock.toggleViewAction(),
                        self.checks_dock.toggleViewAction())),
        )
        for title, actions in menus:
            menu = self.menuBar().addMenu(title)
            for a in actions:
                menu.addSeparator() if a is None else menu.addAction(a)

        tb = QToolBar("主工具栏")
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.act_import, self.act_add, None, links.act_link, links.act_unlink, self.act_next_gap, None,
                  self.act_review_mode, None, sug.act_accept):
            tb.addSeparator() if a is None else tb.addAction(a)
        self.addToolBar(tb)
        self.toolbar = tb

        self.claims.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for a in (links.act_link, links.act_unlink, links.act_edit_link, claims.act_not_required,
                  claims.act_needs_evidence):
            self.claims.view.addAction(a)
        self._first_steps_and_help_menu()

    def _exchange_file_actions(self) -> tuple[QAction, ...]:
        x = self.exchange
        return (x.act_export, x.act_open_package, x.act_receive_supplement, x.act_apply_return)

    def _status_bar(self) -> None:
        sb = self.statusBar()
        self.completeness_label = QLabel()
        self.completeness_label.setObjectName("completenessLabel")
        self.readonly_label = QLabel()
        self.head_label = QLabel()  # shown while the audit head file outside the database cannot be written
        self.head_label.setObjectName("headWarning")
        self.head_label.hide()
        self.identity_label = QLabel()
        self.progress = QProgressBar()  # while the writer lane is busy
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        sb.addWidget(self.completeness_label)
        sb.addWidget(self.readonly_label)
        sb.addWidget(self.head_label)
        sb.addPermanentWidget(self.progress)
        for widget in self.library.status_widgets():
            sb.addPermanentWidget(widget)
        sb.addPermanentWidget(self.identity_label)

    # -- the one place where panels are connected ------------------------------------------------

    def _wire(self) -> None:
        s, claims, library, report = self.session, self.claims, self.library, self.report_view
        s.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        s.error.connect(self.show_error)
        s.changed.connect(self._on_changed)
        s.identity_changed.connect(self._on_identity_changed)
        s.undo.changed.connect(self._update_actions)
        s.dispatcher.writer_busy_changed.connect(self._on_busy)

        # selection: the claims list drives the report text, the suggestions and the link actions
        claims.selection_changed.connect(self.suggestions.set_selected_claims)
        claims.selection_changed.connect(self._on_claim_selection)
        library.selection_changed.connect(self._update_actions)
        report.claim_activated.connect(self._on_claim_activated)
        self.requests.claim_chosen.connect(self._on_claim_activated)
        self.left_tabs.currentChanged.connect(self._on_tab_shown)

        # refresh: the dashboard and the status bar follow the claims list's rows
        claims.refreshed.connect(self._refresh_completeness)
        claims.refreshed.connect(lambda: self.dashboard.refresh(claims.rows()))

        # filters: the dashboard asks, the claims list and the library show
        self.dashboard.claim_filter_requested.connect(claims.set_filter)
        self.dashboard.evidence_filter_requested.connect(library.set_filter)

        # drag and drop between the two lists links
        claims.evidence_dropped.connect(lambda cid, eids: self.links.link([cid], eids, origin="drag"))
        library.model.claims_dropped.connect(lambda eid, cids: self.links.link(cids, [eid], origin="drag"))

        # 自评表: a row stands for its claim, both ways; files dropped on a row link to its claim
        self.score_table.claim_selected.connect(self.select_claim)
        claims.selection_changed.connect(self.score_table.show_claims)
        self.score_table.evidence_dropped.connect(lambda cid, eids: self.links.link([cid], eids, origin="drag"))

        # 一致性检查: a finding clicked shows its place; its figure in the status bar opens the panel
        self.checks.row_requested.connect(lambda place: self._show_place("row", place))
        self.checks.claim_requested.connect(lambda cid: self._show_place("claim", cid))
        self.checks.report_requested.connect(lambda rid: self._show_place("report", rid))
        self.checks.open_requested.connect(self.open_checks)
        self.statusBar().addWidget(self.checks.summary_label)
        # … its last run marks the claims of the open findings and gives the dashboard its figure
        self.checks.findings_changed.connect(lambda found: claims.set_findings(found["claims"]))
        self.checks.findings_changed.connect(self.dashboard.set_findings)
        self.dashboard.checks_requested.connect(self.open_checks)
        claims.finding_requested.connect(lambda key: (self.open_checks(), self.checks.select_finding(key)))
        self.checks.announce()  # a run already made (inline tasks) before these were connected

    # -- state display ---------------------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        self._refresh_head_warning()

    def _refresh_title(self) -> None:
        ro = "（只读）" if self.ws.readonly else ""
        self.setWindowTitle(f"佐证台 EvidenceDesk — {self.ws.name}{ro}")
        self.identity_label.setText(f"{self.ws.actor} · {ROLE_NAMES.get(self.ws.role, self.ws.role)}")
        if self.ws.readonly:
            badge, why = readonly_text(self.ws.info)
            self.readonly_label.setText(f"<span style='color:#b26a00'>{badge}</span>")
            self.readonly_label.setToolTip(why)
        else:
            self.readonly_label.setText("")

    def _refresh_head_warning(self) -> None:
        err = self.ws.db.head_error
        if err is None:
            self.head_label.hide()
            return
        badge, why = head_write_failed_text(err)
        self.head_label.setText(f"<span style='color:#c62828'>{badge}</span>")
        self.head_label.setToolTip(why)
        self.head_label.show()

    def _refresh_completeness(self) -> None:
        c = status.Completeness.of(self.claims.rows())  # the rows the tree shows, already fresh
        colour = "#2e7d32" if c.needing and c.without_evidence == 0 else "#c62828"
        apart = f"　<span style='color:#757575'>无需佐证 {c.not_required}</span>" if c.not_required else ""
        self.completeness_label.setText(  # a 无需佐证 claim is counted apart, never as having evidence
            f"<b>已有佐证 {c.with_evidence}/{c.needing}</b>　"
            f"<span style='color:{colour}'>缺佐证 {c.without_evidence}</span>{apart}"
        )
        self.completeness_label.setProperty("covered", c.with_evidence)
        self.completeness_label.setProperty("total", c.needing)

    def _update_actions(self, *_: Any) -> None:
        writable = self.session.writable
        for a in (self.act_import, self.act_add):
            a.setEnabled(writable)
        self.act_undo.setEnabled(writable and bool(self.session.undo))
        self.act_redo.setEnabled(writable and self.session.undo.can_redo())
        for act, words in ((self.act_undo, self.session.undo.undo_text()), (self.act_redo, self.session.undo.redo_text())):
            act.setText(words)  # 撤销“关联 #12 … ← E3《…》”: says what it undoes
            act.setToolTip(words)
            act.setStatusTip(words)
        self.links.update_actions()
        self.library.list_view.setAcceptDrops(writable)

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)

    def _on_identity_changed(self) -> None:
        self._refresh_title()
        self._update_actions()

    # -- selection -------------------------------------------------------------------------------

    @property
    def claims_view(self):
        return self.claims.view

    @property
    def claims_model(self):
        return self.claims.model

    @property
    def evidence_view(self):
        return self.library.list_view

    @property
    def evidence_model(self):
        return self.library.model

    def selected_claim_ids(self) -> list[int]:
        return self.claims.selected_claim_ids()

    def selected_evidence_ids(self) -> list[int]:
        return self.library.selected_evidence_ids()

    def select_claim(self, claim_id: int) -> None:
        self.claims.select_claim(claim_id)

    def select_evidence(self, evidence_id: int) -> None:
        row = self.library.model.row_for(evidence_id)
        if row is not None:
            self.library.select_row(row)

    def _on_claim_selection(self, ids: list[int]) -> None:
        self._update_actions()
        if len(ids) == 1:
            self.report_view.show_claim(ids[0])

    def _on_claim_activated(self, claim_id: int) -> None:
        """A claim clicked (or marked) in the report text: select it in the claims list too."""
        if claim_id not in self.selected_claim_ids():
            self.select_claim(claim_id)

    def _on_tab_shown(self, index: int) -> None:
        # a hidden text view cannot scroll: bring the selected claim into view when the tab appears
        if self.left_tabs.widget(index) is self.report_view:
            ids = self.selected_claim_ids()
            if len(ids) == 1:
                self.report_view.show_claim(ids[0], force=True)

    def _switch_left_tab(self) -> None:
        tabs = self.left_tabs
        tabs.setCurrentIndex((tabs.currentIndex() + 1) % max(tabs.count(), 1))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._focused_once:  # start where the work is: the claims list
            self._focused_once = True
            self.claims.view.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- review mode and the other windows -------------------------------------------------------

    def open_review_mode(self, claim_id: int | None = None) -> None:
        """审核模式 in place of the main view (at ``claim_id``, else at the selected claim)."""
        if self.review_mode is None:
            self.review_mode = ReviewModePanel(self.session)
            self.review_mode.leave_requested.connect(self.close_review_mode)
            self.review_mode.history_requested.connect(lambda cid: self.open_audit_view(claim_id=cid))
            self.central_stack.addWidget(self.review_mode)
        else:
            self.review_mode.show_page()
        if claim_id is None:
            ids = self.selected_claim_ids()
            claim_id = ids[0] if len(ids) == 1 else None
        if claim_id is not None:
            self.review_mode.go_to(claim_id)
        self.central_stack.setCurrentWidget(self.review_mode)
        _set_checked(self.act_review_mode, True)
        self.review_mode.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_review_mode(self) -> None:
        page = self.review_mode
        self.central_stack.setCurrentIndex(0)
        _set_checked(self.act_review_mode, False)
        if page is not None and page.current_claim_id() is not None:
            self.select_claim(page.current_claim_id())

    def open_audit_view(self, claim_id: int | None = None) -> AuditLogWindow:
        if self.audit_window is None:
            self.audit_window = AuditLogWindow(self.session, self)
        else:
            self.audit_window.refresh()
        if claim_id is not None:
            self.audit_window.show_claim(claim_id)
        self.audit_window.show()
        self.audit_window.raise_()
        self.audit_window.activateWindow()
        return self.audit_window

    def open_checks(self) -> None:
        self.checks_dock.show()
        self.checks_dock.raise_()
        if self.checks_dock.height() < 240:
            self.resizeDocks([self.checks_dock], [280], Qt.Orientation.Vertical)
        self.checks.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_place(self, kind: str, value) -> None:
        """A finding's place: a score-table row (自评表 tab), a claim (the list, or the text if shown), a report."""
        if kind == "row":
            self.left_tabs.setCurrentWidget(self.score_table)
            self.score_table.show_cell(*value)
        elif kind == "claim":
            if self.left_tabs.currentWidget() is self.score_table:
                self.left_tabs.setCurrentWidget(self.claims)
            self.select_claim(value)
        else:
            self.left_tabs.setCurrentWidget(self.report_view)
            combo = self.report_view.report_combo  # as if chosen there: the list and the text agree
            combo.setCurrentIndex(combo.findData(value))

    def _on_verify(self) -> None:
        from desktop.ui.dialogs.integrity import IntegrityDialog

        if self.integrity_dialog is None:
            self.integrity_dialog = IntegrityDialog(self.session, self)
        self.integrity_dialog.show()
        self.integrity_dialog.start()

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

        def done(r) -> None:
            self.statusBar().showMessage(f"已导入《{r.name}》：{r.claims} 个指标", 6000)
            if r.warnings:  # scanned pages, GBK decoding: say so after the import
                text = "；".join(warning_text(w) for w in r.warnings)
                self.statusBar().showMessage(f"已导入，注意：{text}", 12000)
                self.report_view.last_warnings = text
                if self.session.interactive:
                    QMessageBox.information(self, "导入报告", text)

        def progress(stage: str, details: dict) -> None:  # writer lane → the status bar, through the funnel
            from desktop.text.limits import import_stage_text

            line = import_stage_text(stage, details)
            self.session.report_progress(lambda: self.statusBar().showMessage(line))

        self.session.write("导入报告", lambda: import_report(db, path=path, progress=progress), done)

    def _on_add_evidence(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "添加佐证材料", str(Path.home()))
        if paths:
            self.add_evidence(paths)

    def add_evidence(self, paths: list[str | Path]) -> None:
        """Register files and folders (in the background; progress in the status bar)."""
        def done(n: int) -> None:
            if n:
                self.statusBar().showMessage(f"正在登记 {n} 项…", 4000)

        self.library.add_paths(paths, done)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and self.session.writable:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        self.add_evidence(paths)
        event.acceptProposedAction()

    # -- first steps and 帮助 ---------------------------------------------------------------------

    def _first_steps_and_help_menu(self) -> None:
        """文件 → 监控文件夹…, and the 帮助 menu: 使用指南 (F1), 键盘快捷键, 关于佐证台."""
        self.act_watch_dir = self._action("监控文件夹…", self.open_watch_folder, tip="查看、设置或更换监控的佐证材料文件夹")
        file_menu = self.menuBar().actions()[0].menu()
        file_menu.insertAction(self.act_add, self.act_watch_dir)
        self.act_guide = self._action("使用指南", self.open_user_guide, QKeySequence.StandardKey.HelpContents)
        self.act_shortcuts = self._action("键盘快捷键", self.open_shortcuts)
        self.act_about = self._action("关于佐证台", self.open_about)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        for a in (self.act_guide, self.act_shortcuts, None, self.act_about):
            help_menu.addSeparator() if a is None else help_menu.addAction(a)
        self.user_guide = None

    def open_watch_folder(self):
        from desktop.ui.dialogs.watch_folder import WatchFolderDialog

        dlg = WatchFolderDialog(self.session, self)
        if self.session.interactive:
            dlg.exec()
        return dlg

    def open_user_guide(self):
        from desktop.resources import user_guide_path
        from desktop.ui.dialogs.help import UserGuideWindow

        if self.user_guide is None:
            self.user_guide = UserGuideWindow(user_guide_path(), self)
        self.user_guide.show()
        self.user_guide.raise_()
        return self.user_guide

    def open_shortcuts(self):
        from desktop.ui.dialogs.help import ShortcutsDialog

        dlg = ShortcutsDialog(self)
        if self.session.interactive:
            dlg.exec()
        return dlg

    def open_about(self):
        from desktop.ui.dialogs.help import AboutDialog

        dlg = AboutDialog(self.ws, self)
        if self.session.interactive:
            dlg.exec()
        return dlg

    # -- workspace and identity ------------------------------------------------------------------

    def _on_new_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择新工作区的文件夹（应为空文件夹）")
        if not folder:
            return
        from desktop.ui.dialogs.identity import ask_identity

        chosen = ask_identity(self, self.ws.actor, self.ws.role, Path(folder).name)  # who works in it
        if not chosen:
            return
        watch = QFileDialog.getExistingDirectory(self, "选择佐证材料文件夹（将被监控，可取消，以后可在“文件 → 监控文件夹”中设置）")
        try:
            if watch:
                from desktop.evidence.watch_dir import check_watch_dir

                check_watch_dir(folder, watch)
            ws = Workspace.create(folder, watch_dir=watch or None, actor=chosen[0])
            ws.set_identity(role=chosen[1])
        except DeskError as exc:
            self.show_error(exc)
            return
        self._switch_workspace(ws)

    def _on_open_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "打开工作区")
        if not folder:
            return
        from desktop.ui.dialogs.identity import ask_identity

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
        from desktop.ui.dialogs.identity import ask_identity

        chosen = ask_identity(self, self.ws.actor, self.ws.role, self.ws.name)
        if chosen:
            self.set_identity(*chosen)

    def set_identity(self, actor: str, role: str) -> None:
        """Who acts from now on; the window follows the role (editing only for 编制)."""
        self.session.set_identity(actor, role)

    # -- messages and the end --------------------------------------------------------------------

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, DeskError):
            text = error_text(exc.code, exc.params)
        elif isinstance(exc, OSError):
            text = f"文件操作失败：{exc.strerror or exc}"
        else:  # a bug in a background job: logged, and the crash dialog rather than a bare message
            text = f"内部错误：{type(exc).__name__}: {exc}"
            self.statusBar().showMessage(text, 8000)
            self.last_error = text
            from desktop.ui.dialogs.crash import report_crash

            if self.session.interactive:
                report_crash(type(exc), exc, exc.__traceback__, "gui: background job")
            return
        self.statusBar().showMessage(text, 8000)
        if self.session.interactive:
            QMessageBox.warning(self, "佐证台", text)
        self.last_error = text

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Close the other windows, stop the panels' timers, then the session: the watcher, the ingest
        engine, every lane, the workspace (idempotent). Closing the window does it; so does the
        application quitting without a close (the session ending, the display going away): the engine's
        threads would otherwise keep the process alive for ever."""
        if self._shut_down:
            return
        self._shut_down = True
        for child in (self.audit_window, self.integrity_dialog, getattr(self, "user_guide", None)):
            if child is not None:
                child.close()
        self.library.close_panel()
        if self.review_mode is not None:
            self.review_mode.close_panel()
        self.session.shutdown()
        for timer in self.findChildren(QTimer):  # no refresh may reach for the closed workspace
            timer.stop()


def _set_checked(action: QAction, checked: bool) -> None:
    blocked = action.blockSignals(True)
    action.setChecked(checked)
    action.blockSignals(blocked)
