"""Linking in the main window: the completeness dashboard, claim filters, the suggestions panel, link edits.

:class:`LinkingController` mounts its widgets and actions on a :class:`~desktop.ui.main_window.MainWindow`
(the window creates it with one line) and keeps them current:

* after any link change (``window.links_changed``) and whenever files arrive or change
  (``window.evidence_changed`` — the slot the folder watcher's bridge calls with the evidence ids), the
  dashboard, the claim flags, the filters and the suggestions are refreshed, without a restart;
* every change goes through the window's :class:`~desktop.ui.tasks.TaskRunner` (the one writer) and is
  undoable with Ctrl+Z where that is cheap (accept, reject, 无需佐证, link edits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
)

from desktop.review import status
from desktop.review.links import (
    UNSET,
    link_suggestion,
    mark_not_required,
    reject_suggestion,
    unmark_not_required,
    unreject_suggestion,
    update_link,
)
from desktop.review.suggest import SuggestionEngine
from desktop.ui.suggest_worker import SuggestionWorker
from desktop.ui.dashboard import KEY_FLAG, CompletenessDashboard
from desktop.text.messages import FLAG_NAMES
from desktop.ui.suggestions import SuggestionsPanel
from desktop.ui.tasks import TaskResult

SUGGESTION_LIMIT = 8
CLAIM_FLAG_FILTERS = ("no_evidence", "value_not_found", "evidence_superseded")


@dataclass
class ClaimFilter:
    flag: str | None = None  # no_evidence / value_not_found / evidence_superseded / has_evidence / not_required
    report_id: int | None = None
    section: str | None = None

    @property
    def active(self) -> bool:
        return self.flag is not None or self.report_id is not None

    def matches(self, claim: dict[str, Any]) -> bool:
        if self.report_id is not None and claim["report_id"] != self.report_id:
            return False
        if self.section is not None and status.section_title(claim) != self.section:
            return False
        flag = self.flag
        if flag is None:
            return True
        if flag == "has_evidence":
            return "no_evidence" not in claim["flags"]
        if flag == "not_required":
            return not claim["needs_evidence"]
        return flag in claim["flags"]

    def describe(self, reports: dict[int, str]) -> str | None:
        if not self.active:
            return None
        where = self.section or (reports.get(self.report_id, "") if self.report_id is not None else "")
        what = {"has_evidence": "已有佐证", "not_required": "无需佐证"}.get(self.flag or "",
                                                                       FLAG_NAMES.get(self.flag or "", "全部指标"))
        return f"{where} · {what}" if where else what


class LinkEditDialog(QDialog):
    def __init__(self, parent, claim_text: str, evidence_name: str, locator: str | None, note: str | None):
        super().__init__(parent)
        self.setWindowTitle("修改关联")
        form = QFormLayout(self)
        form.addRow(QLabel(f"指标：{claim_text}\n佐证：{evidence_name}"))
        self.locator = QLineEdit(locator or "")
        self.locator.setPlaceholderText("页码、工作表!单元格或一段引文，如：第 3 页、台账!D12")
        self.note = QLineEdit(note or "")
        self.note.setPlaceholderText("备注（可空）")
        form.addRow("位置：", self.locator)
        form.addRow("备注：", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 160)


class LinkingController(QObject):
    """Mounts the dashboard, filters and suggestions on the main window and keeps them current."""

    refreshed = Signal()  # dashboard and suggestions were brought up to date
    suggestions_shown = Signal(int)  # claim id (-1: none)

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.ws = window.ws
        # suggestions are computed on their own thread; inline (tests) when the window's tasks are
        self.worker = SuggestionWorker(self.ws.db, self, inline=window.tasks.inline)
        self.filter = ClaimFilter()
        self.unlinked_evidence_only = False
        self._unlinked_shown = False
        self._last_claim: int | None = None
        # the claim whose suggestions were asked for and have not been painted yet (the panel then shows
        # 正在计算建议… and nothing can be accepted or rejected)
        self._pending_claim: int | None = None
        self._reports: dict[int, str] = {}
        self._build()
        self._connect()
        self.refresh_dashboard()
        self.apply_filter()
        self.show_suggestions_for_selection()

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        w = self.w
        self.dashboard = CompletenessDashboard()
        self.dashboard_dock = QDockWidget("完成情况", w)
        self.dashboard_dock.setObjectName("dashboardDock")
        self.dashboard_dock.setWidget(self.dashboard)
        self.dashboard_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                        | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dashboard_dock)
        w.resizeDocks([self.dashboard_dock], [300], Qt.Orientation.Horizontal)

        self.panel = SuggestionsPanel()
        self.suggestions_dock = QDockWidget("关联建议", w)
        self.suggestions_dock.setObjectName("suggestionsDock")
        self.suggestions_dock.setWidget(self.panel)
        self.suggestions_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                          | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.suggestions_dock)
        w.resizeDocks([self.suggestions_dock], [170], Qt.Orientation.Vertical)

        def action(text: str, slot: Callable, shortcut=None, tip: str | None = None) -> QAction:
            act = QAction(text, w)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if tip:
                act.setToolTip(tip)
                act.setStatusTip(tip)
            act.triggered.connect(slot)
            w.addAction(act)
            return act

        self.act_accept = action("接受建议", self.accept_current, "Ctrl+Return",
                                 "把“关联建议”中选中的（默认最佳的）佐证关联到指标（Ctrl+Enter）")
        self.act_accept_strong = action("接受所选指标的强建议", self.accept_strong_for_selection, "Ctrl+Shift+Return",
                                        "对选中的每个指标，接受其最佳的强建议（没有强建议的跳过）")
        self.act_reject = action("拒绝建议", self.reject_current, "Ctrl+Shift+Delete", "这份材料不能佐证该指标，以后不再建议")
        self.act_edit_link = action("修改关联位置/备注…", self.edit_selected_link, "Ctrl+Shift+E",
                                    "修改选中指标与选中佐证之间关联的位置和备注")
        self.act_not_required = action("标记为无需佐证…", self.mark_selected_not_required, "Ctrl+Shift+N",
                                       "说明理由后，该指标不再计入缺佐证")
        self.act_needs_evidence = action("恢复为需要佐证", self.unmark_selected, None, "撤销“无需佐证”标记")
        self.filter_actions: dict[str | None, QAction] = {}
        for i, (flag, text) in enumerate([(None, "显示全部指标"), ("no_evidence", "只看缺佐证"),
                                          ("value_not_found", "只看数值未找到"),
                                          ("evidence_superseded", "只看证据有新版本"),
                                          ("unlinked", "只看未关联证据")]):
            self.filter_actions[flag] = action(text, lambda _=False, f=flag: self.set_flag_filter(f), f"Alt+{i}")

        edit = next((a.menu() for a in w.menuBar().actions() if a.text().startswith("编辑")), None)
        if edit is not None:
            edit.addSeparator()
            for a in (self.act_accept, self.act_accept_strong, self.act_reject, None, self.act_edit_link,
                      self.act_not_required,
                      self.act_needs_evidence):
                edit.addSeparator() if a is None else edit.addAction(a)
        view = w.menuBar().addMenu("查看(&V)")
        for a in self.filter_actions.values():
            view.addAction(a)
        view.addSeparator()
        view.addAction(self.dashboard_dock.toggleViewAction())
        view.addAction(self.suggestions_dock.toggleViewAction())
        w.toolbar.addSeparator()
        w.toolbar.addAction(self.act_accept)

        for v in (w.claims_view,):
            v.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            for a in (w.act_link, w.act_unlink, self.act_edit_link, self.act_not_required, self.act_needs_evidence):
                v.addAction(a)

    def _connect(self) -> None:
        w = self.w
        # F3 "下一个缺佐证" walks the gaps of the current filter, skipping hidden claims
        w.act_next_gap.triggered.disconnect()
        w.act_next_gap.triggered.connect(self.next_gap)
        w.links_changed.connect(self.on_links_changed)
        w.evidence_changed.connect(self.on_evidence_changed)
        w.claims_model.modelReset.connect(self._on_claims_reset)
        w.evidence_model.modelReset.connect(self.apply_evidence_filter)
        w.evidence_model.rowsInserted.connect(lambda *_: self.apply_evidence_filter())
        w.claims_view.selectionModel().selectionChanged.connect(self._on_claim_selection)
        w.evidence_view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.dashboard.filter_requested.connect(self.set_flag_filter)
        self.dashboard.figure_clicked.connect(self.on_figure_clicked)
        self.dashboard.clear_requested.connect(lambda: self.set_flag_filter(None))
        self.panel.accept_requested.connect(self._accept_from_panel)
        self.panel.reject_requested.connect(self._reject_from_panel)
        self.panel.evidence_activated.connect(self._on_suggestion_current)
        self._update_actions()

    # -- state -----------------------------------------------------------------------------------

    @property
    def writable(self) -> bool:
        return not self.ws.readonly and self.ws.role == "editor"

    def _update_actions(self) -> None:
        writable = self.writable
        claims = self.w.selected_claim_ids()
        pair = self._selected_link()
        current = self._panel_is_current()
        self.act_accept.setEnabled(writable and current and bool(self.panel.suggestions()))
        self.act_accept_strong.setEnabled(writable and bool(claims))
        self.act_reject.setEnabled(writable and current and self.panel.current_evidence_id() is not None)
        self.act_edit_link.setEnabled(writable and pair is not None)
        rows = [self.w.claims_model.claim(c) for c in claims]
        self.act_not_required.setEnabled(writable and any(r and r["needs_evidence"] for r in rows))
        self.act_needs_evidence.setEnabled(writable and any(r and not r["needs_evidence"] for r in rows))
        self.panel.set_editable(writable and current)

    def _panel_is_current(self) -> bool:
        """The panel shows the answer for a claim that is selected now (not a previous claim's, and not
        while the newly selected claim's answer is still being computed)."""
        cid = self.panel.claim_id
        return cid is not None and cid != self._pending_claim and cid in self.w.selected_claim_ids()

    def _selected_link(self) -> tuple[int, int] | None:
        claims, evidence = self.w.selected_claim_ids(), self.w.selected_evidence_ids()
        if len(claims) != 1 or len(evidence) != 1:
            return None
        c = self.w.claims_model.claim(claims[0])
        return (claims[0], evidence[0]) if c and evidence[0] in c["evidence_ids"] else None

    # -- refresh ---------------------------------------------------------------------------------

    def refresh_dashboard(self) -> None:
        db = self.ws.db
        claims = self.w.claims_model.rows()  # refreshed by the window for exactly the claims that changed
        with db.snapshot():
            rows = status.completeness_by_section(db, claims)
            unlinked = db.scalar(
                "SELECT count(*) FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.evidence_id = e.id)"
            )
        self._reports = {r.report_id: r.report for r in rows if r.section is None}
        c = status.Completeness.of(claims)
        self.dashboard.set_data(rows, {"all": c.claims, "no_evidence": c.without_evidence,
                                       "value_not_found": c.value_not_found,
                                       "evidence_superseded": c.evidence_superseded, "unlinked": unlinked})
        self._show_filter_state()
        self.refreshed.emit()

    def on_links_changed(self, claim_ids: list[int]) -> None:
        """After links changed (the window has refreshed those claims' rows)."""
        self.refresh_dashboard()
        self.apply_filter()
        self.apply_evidence_filter()
        self.show_suggestions_for_selection()

    def on_evidence_changed(self, evidence_ids: list[int]) -> None:
        """Files arrived or changed (new versions, ingest results): the slot the watcher bridge calls."""
        ids = sorted(set(evidence_ids))
        self.w.evidence_model.add_or_refresh(ids)
        # Only claims linked to these files (or to the files they supersede) can change their flags.
        self.w.claims_model.refresh_claims(self.claims_touching(ids))
        self.w._refresh_completeness()
        self.refresh_dashboard()
        self.apply_filter()
        self.apply_evidence_filter()
        if ids:
            self.worker.submit("new_evidence", lambda engine: engine.for_evidence(ids), self._on_new_evidence_suggestions)
        self.show_suggestions_for_selection()

    def _on_new_evidence_suggestions(self, found, error) -> None:
        if error is not None or not found:
            return
        strong = sorted(cid for cid, ss in found.items() if any(s.strength == "strong" for s in ss))
        if strong:
            shown = "、".join(f"#{c}" for c in strong[:6]) + ("…" if len(strong) > 6 else "")
            self.w.statusBar().showMessage(
                f"新到的佐证可能佐证 {len(strong)} 个指标：{shown}（选中指标后按 Ctrl+Enter 接受）", 10000)

    def claims_touching(self, evidence_ids: list[int]) -> list[int]:
        """Claims linked to these files or to the files they supersede (in chunks: a bulk ingest passes
        thousands of ids, and most new files are linked to nothing yet)."""
        db = self.ws.db
        ids = list(evidence_ids)
        if not ids or db.scalar("SELECT count(*) FROM links") == 0:
            return []
        targets: set[int] = set(ids)
        out: set[int] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            targets.update(r[0] for r in db.query(
                f"SELECT supersedes FROM evidence WHERE id IN ({marks}) AND supersedes IS NOT NULL", chunk))
        ordered = sorted(targets)
        for i in range(0, len(ordered), 500):
            chunk = ordered[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(r[0] for r in db.query(f"SELECT DISTINCT claim_id FROM links WHERE evidence_id IN ({marks})",
                                              chunk))
        return sorted(out)

    def _on_claims_reset(self) -> None:
        self.refresh_dashboard()
        self.apply_filter()

    # -- filters ---------------------------------------------------------------------------------

    def set_flag_filter(self, flag: str | None) -> None:
        """A filter button: 全部 / 缺佐证 / 数值未找到 / 证据有新版本 (claims) or 未关联证据 (evidence)."""
        if flag == "unlinked":
            self.unlinked_evidence_only = True
            self.filter = ClaimFilter()
        else:
            self.unlinked_evidence_only = False
            self.filter = ClaimFilter(flag)
        self.apply_filter()
        self.apply_evidence_filter()
        self._show_filter_state()

    def on_figure_clicked(self, report_id: int, section: str | None, key: str) -> None:
        """A figure or bar of the dashboard: show just those claims."""
        self.unlinked_evidence_only = False
        self.filter = ClaimFilter(KEY_FLAG[key], report_id, section)
        self.apply_filter()
        self.apply_evidence_filter()
        self._show_filter_state()

    def _show_filter_state(self) -> None:
        if self.unlinked_evidence_only:
            self.dashboard.show_filter("unlinked", "未关联证据（右侧佐证列表）")
            self.dashboard.chart.set_active(None, None, None)
            return
        f = self.filter
        button = f.flag if f.report_id is None and f.flag in (None, *CLAIM_FLAG_FILTERS) else "__none__"
        self.dashboard.show_filter(button, f.describe(self._reports))
        key = next((k for k, v in KEY_FLAG.items() if v == f.flag), None)
        self.dashboard.chart.set_active(f.report_id, f.section, key if f.report_id is not None else None)

    def apply_filter(self) -> None:
        """Hide the claims (and emptied sections and reports) the filter leaves out."""
        model, view = self.w.claims_model, self.w.claims_view
        visible = 0
        for r in range(model.rowCount()):
            ridx = model.index(r, 0)
            any_r = False
            for s in range(model.rowCount(ridx)):
                sidx = model.index(s, 0, ridx)
                any_s = False
                for c in range(model.rowCount(sidx)):
                    claim = model.claim(model.claim_id_at(model.index(c, 0, sidx)))
                    show = claim is not None and self.filter.matches(claim)
                    view.setRowHidden(c, sidx, not show)
                    any_s = any_s or show
                    visible += show
                view.setRowHidden(s, ridx, not any_s)
                any_r = any_r or any_s
            view.setRowHidden(r, QModelIndex(), not any_r)
        self.visible_claims = visible
        if self.filter.active and not visible:
            self.w.statusBar().showMessage("没有符合筛选条件的指标。", 5000)

    def apply_evidence_filter(self) -> None:
        library = getattr(self.w, "library", None)
        if library is not None:  # the evidence library filters in its model (issue 4): follow 未关联 there
            if self.unlinked_evidence_only != self._unlinked_shown:
                library.set_filter("unlinked" if self.unlinked_evidence_only else "all")
                self._unlinked_shown = self.unlinked_evidence_only
            return
        model, view = self.w.evidence_model, self.w.evidence_view
        for row in range(model.rowCount()):
            hide = False
            if self.unlinked_evidence_only:
                e = model.evidence(model.evidence_id_at(row))
                hide = e is None or "unlinked" not in e["flags"]
            view.setRowHidden(row, hide)

    def visible_claim_ids(self) -> list[int]:
        model, view = self.w.claims_model, self.w.claims_view
        out = []
        for cid in model.claim_ids():
            idx = model.index_for_claim(cid)
            if not view.isRowHidden(idx.row(), idx.parent()):
                out.append(cid)
        return out

    def next_gap(self) -> None:
        """F3: the next claim (after the current one, wrapping) with the gap the filter is about."""
        flag = self.filter.flag if self.filter.flag in CLAIM_FLAG_FILTERS else "no_evidence"
        order = self.w.claims_model.claim_ids()
        if not order:
            return
        visible = set(self.visible_claim_ids())
        current = self.w.selected_claim_ids()
        anchor = current[0] if current else self._last_claim
        start = order.index(anchor) + 1 if anchor in order else 0
        for cid in order[start:] + order[:start]:
            c = self.w.claims_model.claim(cid)
            if cid in visible and c and flag in c["flags"]:
                self.w.select_claim(cid)
                return
        self.w.statusBar().showMessage(
            {"no_evidence": "所有指标都已有佐证。", "value_not_found": "没有数值未找到的指标。",
             "evidence_superseded": "没有证据有新版本的指标。"}[flag], 4000)

    # -- suggestions -----------------------------------------------------------------------------

    def _on_claim_selection(self, *_: Any) -> None:
        ids = self.w.selected_claim_ids()
        if ids:
            self._last_claim = ids[0]
        self.show_suggestions_for_selection()
        self._update_actions()

    def show_suggestions_for_selection(self) -> None:
        ids = self.w.selected_claim_ids()
        if len(ids) != 1:
            self._pending_claim = None
            self.panel.show_suggestions(None, "", [], {})
            self.suggestions_shown.emit(-1)
            self._update_actions()
            return
        cid = ids[0]
        c = self.w.claims_model.claim(cid)
        text = f"{c['subject'] or ''} {c['value_raw'] or c['value'] or ''}{c['unit'] or ''}".strip() if c else ""
        note = None
        if c and not c["needs_evidence"]:
            note = f"已标记无需佐证：{c['no_evidence_reason'] or ''}"
        if cid != self.panel.claim_id or self._pending_claim is not None:
            # Another claim: never leave the previous claim's suggestions on show (Ctrl+Enter would link
            # them) while this one's are computed; a refresh of the same claim keeps its list meanwhile.
            self._pending_claim = cid
            self.panel.show_suggestions(cid, text, [], {}, note="正在计算建议…")
            self._update_actions()

        def job(engine: SuggestionEngine):
            found = engine.for_claims([cid], limit=SUGGESTION_LIMIT).get(cid, [])
            return found, {s.evidence_id: engine.evidence_name(s.evidence_id) or f"E{s.evidence_id}" for s in found}

        def show(value, error) -> None:
            if self.w.selected_claim_ids() != [cid]:
                return  # the user moved on: a stale answer is dropped (the newer request paints the panel)
            self._pending_claim = None
            if error is not None:
                self.panel.show_suggestions(cid, text, [], {}, note="无法计算关联建议")
                self._update_actions()
                self.w.show_error(error)
                return
            found, names = value
            self.panel.show_suggestions(cid, text, found, names, note=note)
            self.suggestions_shown.emit(cid)
            self._update_actions()

        self.worker.submit("selection", job, show)

    def _on_suggestion_current(self, evidence_id: int) -> None:
        self._update_actions()

    def accept_current(self) -> None:
        """Ctrl+Enter: the suggestion chosen in the panel (the best one unless another is selected)."""
        if self.panel.claim_id is None or self.panel.claim_id not in self.w.selected_claim_ids():
            self.w.statusBar().showMessage("请先选中一个指标。", 4000)
            return
        if self.panel.claim_id == self._pending_claim:
            self.w.statusBar().showMessage("正在计算这个指标的关联建议，请稍候。", 4000)
            return
        eid = self.panel.current_evidence_id()
        if eid is None:
            self.w.statusBar().showMessage("这个指标没有关联建议。", 4000)
            return
        self.accept(self.panel.claim_id, eid)

    def reject_current(self) -> None:
        eid = self.panel.current_evidence_id()
        if eid is not None and self._panel_is_current():
            self.reject(self.panel.claim_id, eid)

    def _accept_from_panel(self, claim_id: int, evidence_id: int) -> None:
        """The panel's 接受 button, Enter or double click: only for the claim selected now."""
        if claim_id == self.panel.claim_id and self._panel_is_current():
            self.accept(claim_id, evidence_id)

    def _reject_from_panel(self, claim_id: int, evidence_id: int) -> None:
        if claim_id == self.panel.claim_id and self._panel_is_current():
            self.reject(claim_id, evidence_id)

    def accept(self, claim_id: int, evidence_id: int) -> None:
        db = self.ws.db

        def finished(result: TaskResult) -> None:
            if result.error is not None:
                self.w.show_error(result.error)
                self.show_suggestions_for_selection()
                return
            ch = result.value
            self._push_undo("接受建议", lambda: self.w._run_links("撤销接受建议", [(ch.claim_id, ch.evidence_id)],
                                                                 unlink=True, undoable=False))
            self.w.links_changed.emit([claim_id])
            self.w.evidence_model.add_or_refresh([evidence_id])
            where = f"（{ch.locator}）" if ch.locator else ""
            self.w.statusBar().showMessage(f"已按建议关联：指标 #{claim_id} ← {self._name(evidence_id)}{where}"
                                           "（Ctrl+Z 撤销）", 6000)

        self.w.tasks.submit("接受建议", lambda: link_suggestion(db, claim_id=claim_id, evidence_id=evidence_id),
                            finished)

    def accept_strong_for_selection(self) -> None:
        """Multi-select: each selected claim gets its best suggestion, when that one is strong."""
        claims = self.w.selected_claim_ids()
        self.worker.submit("accept_strong", lambda engine: engine.for_claims(claims, limit=1),
                           lambda found, error: self._accept_strong(found, error))

    def _accept_strong(self, found, error) -> None:
        if error is not None:
            self.w.show_error(error)
            return
        pairs = [(cid, ss[0].evidence_id) for cid, ss in found.items() if ss and ss[0].strength == "strong"]
        claims = list(found)
        if not pairs:
            self.w.statusBar().showMessage("选中的指标没有强建议。", 4000)
            return
        db = self.ws.db

        def work() -> list[tuple[int, int]]:
            done = []
            for cid, eid in pairs:
                link_suggestion(db, claim_id=cid, evidence_id=eid)
                done.append((cid, eid))
            return done

        def finished(result: TaskResult) -> None:
            done = result.value if result.error is None else []
            if result.error is not None:
                self.w.show_error(result.error)
            if done:
                self._push_undo("接受强建议", lambda: self.w._run_links("撤销接受强建议", done, unlink=True,
                                                                     undoable=False))
                self.w.links_changed.emit(sorted({c for c, _ in done}))
                self.w.evidence_model.add_or_refresh({e for _, e in done})
                self.w.statusBar().showMessage(
                    f"已按强建议关联 {len(done)} 个指标，{len(claims) - len(done)} 个没有强建议（Ctrl+Z 撤销）", 6000)

        self.w.tasks.submit("接受强建议", work, finished)

    def reject(self, claim_id: int, evidence_id: int) -> None:
        db = self.ws.db

        def undo() -> None:
            self._run("撤销拒绝", lambda: unreject_suggestion(db, claim_id=claim_id, evidence_id=evidence_id),
                      lambda _: self.show_suggestions_for_selection())

        def done(_: Any) -> None:
            self._push_undo("拒绝建议", undo)
            self.show_suggestions_for_selection()
            self.w.statusBar().showMessage(f"已拒绝：{self._name(evidence_id)} 不再建议给指标 #{claim_id}"
                                           "（Ctrl+Z 撤销）", 6000)

        self._run("拒绝建议", lambda: reject_suggestion(db, claim_id=claim_id, evidence_id=evidence_id), done)

    # -- 无需佐证, link edits ----------------------------------------------------------------------

    def mark_selected_not_required(self) -> None:
        ids = [c for c in self.w.selected_claim_ids() if (r := self.w.claims_model.claim(c)) and r["needs_evidence"]]
        if not ids:
            return
        reason, ok = QInputDialog.getText(self.w, "标记为无需佐证",
                                          f"为什么这 {len(ids)} 个指标无需佐证？（理由会记入审计日志）")
        if ok:
            self.mark_not_required(ids, reason)

    def mark_not_required(self, claim_ids: list[int], reason: str) -> None:
        db = self.ws.db

        def work() -> list[int]:
            return [mark_not_required(db, claim_id=c, reason=reason).claim_id for c in claim_ids]

        def done(marked: list[int]) -> None:
            self._push_undo("标记无需佐证", lambda: self._run(
                "撤销无需佐证", lambda: [unmark_not_required(db, claim_id=c) for c in marked],
                lambda _: self.w.links_changed.emit(marked)))
            self.w.links_changed.emit(marked)
            self.w.statusBar().showMessage(f"已标记 {len(marked)} 个指标为无需佐证（Ctrl+Z 撤销）", 6000)

        self._run("标记无需佐证", work, done)

    def unmark_selected(self) -> None:
        ids = [c for c in self.w.selected_claim_ids()
               if (r := self.w.claims_model.claim(c)) and not r["needs_evidence"]]
        if not ids:
            return
        db = self.ws.db
        reasons = {c: self.w.claims_model.claim(c)["no_evidence_reason"] for c in ids}

        def done(_: Any) -> None:
            self._push_undo("恢复需要佐证", lambda: self._run(
                "撤销恢复", lambda: [mark_not_required(db, claim_id=c, reason=r or "（恢复）") for c, r in reasons.items()],
                lambda _: self.w.links_changed.emit(ids)))
            self.w.links_changed.emit(ids)

        self._run("恢复需要佐证", lambda: [unmark_not_required(db, claim_id=c) for c in ids], done)

    def edit_selected_link(self) -> None:
        pair = self._selected_link()
        if pair is None:
            self.w.statusBar().showMessage("请选中一个指标和一份已关联的佐证。", 4000)
            return
        claim_id, evidence_id = pair
        row = self.ws.db.query_one("SELECT locator, note FROM links WHERE claim_id = ? AND evidence_id = ?", pair)
        c = self.w.claims_model.claim(claim_id)
        dlg = LinkEditDialog(self.w, f"#{claim_id} {c['quote'] if c else ''}", self._name(evidence_id),
                             row["locator"], row["note"])
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.edit_link(claim_id, evidence_id, dlg.locator.text(), dlg.note.text())

    def edit_link(self, claim_id: int, evidence_id: int, locator: str | None, note: str | None) -> None:
        db = self.ws.db
        before = db.query_one("SELECT locator, note FROM links WHERE claim_id = ? AND evidence_id = ?",
                              (claim_id, evidence_id))

        def done(_: Any) -> None:
            if before is not None:
                self._push_undo("修改关联", lambda: self._run(
                    "撤销修改关联", lambda: update_link(db, claim_id=claim_id, evidence_id=evidence_id,
                                                      locator=before["locator"], note=before["note"]),
                    lambda _: self.w.links_changed.emit([claim_id])))
            self.w.links_changed.emit([claim_id])
            self.w.statusBar().showMessage("已修改关联的位置和备注（Ctrl+Z 撤销）", 5000)

        self._run("修改关联", lambda: update_link(db, claim_id=claim_id, evidence_id=evidence_id,
                                                locator=UNSET if locator is None else locator,
                                                note=UNSET if note is None else note), done)

    # -- plumbing --------------------------------------------------------------------------------

    def _run(self, name: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def finished(result: TaskResult) -> None:
            if result.error is not None:
                self.w.show_error(result.error)
                return
            done(result.value)

        self.w.tasks.submit(name, work, finished)

    def _push_undo(self, name: str, fn: Callable[[], Any]) -> None:
        self.w._undo.append((name, fn))
        self.w._update_actions()

    def _name(self, evidence_id: int) -> str:
        e = self.w.evidence_model.evidence(evidence_id)
        if e:
            return e["name"]
        return self.ws.db.scalar("SELECT name FROM evidence WHERE id = ?", (evidence_id,)) or f"E{evidence_id}"

    @property
    def engine(self) -> SuggestionEngine:
        """The suggestion engine (owned by the worker thread; callers outside it: tests, inline mode)."""
        return self.worker.engine

    def shutdown(self) -> None:
        self.worker.shutdown()
