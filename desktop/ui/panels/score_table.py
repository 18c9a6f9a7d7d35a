"""The 自评表 view: a report's 绩效自评表 as the form shows it — the budget block, then every indicator row with
its 一级 / 二级 / 三级指标, 年度指标值 (direction, value, unit), 实际完成值, 分值, 得分, whether the row's figure
has evidence (有佐证 / 缺佐证 / 无需佐证) and the 偏差原因 — and a 合计 row (分值 and 得分 summed over the rows
the form scores), with the table's stated 总分 and 自评等级 beneath.

Rows come from :func:`desktop.claims.queries.score_table_view`. A row that gives a claim (an indicator's
actual, a budget line's 全年执行数) stands for it: selecting the row says ``claim_selected(claim_id)``, which
the main window hands to the claims list (so the suggestions, the report text and 关联 follow), and
:meth:`ScoreTablePanel.show_claims` selects the row of a claim chosen elsewhere. Files dropped on a row
are linked to its claim (``evidence_dropped``). The view re-reads its table when a change touches reports,
claims, links, reviews or score tables.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from desktop.claims.queries import row_claim, row_evidence_state, score_table_totals, score_table_view, score_tables
from desktop.text import score_tables as T
from desktop.ui.common import EVIDENCE_MIME, GREEN, GREY, RED, ClaimIdRole, esc, ids_from_mime
from desktop.ui.session import Session
from desktop.ui.table_model import TableModel

RowIdRole = Qt.ItemDataRole.UserRole + 30
#: changes after which the table is read again
REFRESH_AREAS = ("report", "claim", "link", "review", "score")
BUDGET_BG = QColor("#f3f6f9")
TOTAL_BG = QColor("#e8eef4")
COL_STATE = T.VIEW_COLUMNS.index("佐证")
COL_DEVIATION = T.VIEW_COLUMNS.index("偏差原因")
TOTAL = "total"  # the key of the 合计 row
DEVIATION_SHOWN = 30  # characters of a 偏差原因 shown in its cell


class ScoreTableModel(TableModel):
    """The rows of one table, budget block first, and a 合计 row at the end."""

    COLUMNS = T.VIEW_COLUMNS
    evidence_dropped = Signal(int, list)  # claim id, evidence ids dropped on its row

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.totals: dict[str, Any] = {}
        self.budget_unit: str | None = None
        self.writable = True

    def set_rows(self, rows: list[dict[str, Any]], budget_unit: str | None) -> None:
        self.beginResetModel()
        self.rows = rows
        self.budget_unit = budget_unit
        self.totals = score_table_totals(rows)
        self._keys = [r["id"] for r in rows] + ([TOTAL] if rows else [])
        self.endResetModel()

    def row_at(self, row: int) -> dict[str, Any] | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of_id(self, row_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r["id"] == row_id), None)

    def row_of_claim(self, claim_id: int) -> int | None:
        """The row a claim belongs to: the row it stands for first, else any row that names it."""
        for i, r in enumerate(self.rows):
            c = row_claim(r)
            if c is not None and c["claim_id"] == claim_id:
                return i
        for i, r in enumerate(self.rows):
            if any(c["claim_id"] == claim_id and c["role"] != "prose" for c in r["claims"]):
                return i
        return None

    def claim_at(self, row: int) -> int | None:
        r = self.row_at(row)
        c = row_claim(r) if r is not None else None
        return c["claim_id"] if c else None

    # -- what the cells show ------------------------------------------------------------------------

    def _texts(self, r: dict[str, Any]) -> list[str]:
        cells = r["cells"]
        state = T.EVIDENCE_STATES[row_evidence_state(r)]
        if r["kind"] == "budget":
            return [T.BUDGET_LEVEL1 if not r.get("part_of") else "", "", r["name"],
                    T.budget_target(r, self.budget_unit), T.budget_actual(r, self.budget_unit),
                    T.view_figure(cells.get("weight")), T.view_figure(cells.get("score")), state, ""]
        return [r.get("level1") or "", r.get("level2") or "", r["name"], T.view_cell(cells.get("target")),
                T.view_cell(cells.get("actual")), T.view_figure(cells.get("weight")),
                T.view_figure(cells.get("score")), state, r.get("deviation") or ""]

    def _total_texts(self) -> list[str]:
        t = self.totals
        return ["合计", "", f"{t['scored']} 项已打分", "", "", _plain(t["weight"]), _plain(t["score"]),
                f"{t['covered']}/{t['with_claims']}", ""]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        total = row == len(self.rows)
        r = None if total else self.row_at(row)
        if not total and r is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            texts = self._total_texts() if total else self._texts(r)
            text = texts[col]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._tooltip(r, col, text) if r is not None else None
            if col == COL_DEVIATION and len(text) > DEVIATION_SHOWN:  # in full in the tooltip
                return text[:DEVIATION_SHOWN] + "…"
            return text
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATE and r is not None:
            state = row_evidence_state(r)
            return QBrush({"covered": GREEN, "missing": RED}.get(state, GREY))
        if role == Qt.ItemDataRole.BackgroundRole:
            if total:
                return QBrush(TOTAL_BG)
            if r["kind"] == "budget":
                return QBrush(BUDGET_BG)
            return None
        if role == Qt.ItemDataRole.FontRole and (total or (col == COL_STATE and r is not None)):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.SizeHintRole and col == COL_DEVIATION:  # a long 偏差原因 does not make its row tall
            return QSize(240, 22)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ClaimIdRole and r is not None:
            c = row_claim(r)
            return c["claim_id"] if c else None
        if role == RowIdRole and r is not None:
            return r["id"]
        return None

    def _tooltip(self, r: dict[str, Any], col: int, text: str) -> str | None:
        if col == COL_STATE:
            c = row_claim(r)
            if c is None:
                return "此行不是数字，无需关联佐证"
            return f"{T.ROLE_NAMES.get(c['role'], c['role'])}：{'已关联 ' + str(c['links']) + ' 份佐证' if c['links'] else text}"
        if col in (3, 4):
            cell = r["cells"].get("target" if col == 3 else "actual")
            if cell and cell.get("raw") and cell["raw"] != text:
                return f"表中写作：{cell['raw']}"
        return text or None

    # -- drops: files onto a row link them to its claim -----------------------------------------------

    def flags(self, index: QModelIndex):
        base = super().flags(index)
        if index.isValid() and self.writable and self.claim_at(index.row()) is not None:
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base

    def mimeTypes(self) -> list[str]:
        return [EVIDENCE_MIME]

    def supportedDropActions(self):
        return Qt.DropAction.LinkAction | Qt.DropAction.CopyAction

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return self.writable and parent.isValid() and self.claim_at(parent.row()) is not None and \
            data.hasFormat(EVIDENCE_MIME)

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = ids_from_mime(data, EVIDENCE_MIME)
        claim_id = self.claim_at(parent.row())
        if not ids or claim_id is None:
            return False
        self.evidence_dropped.emit(claim_id, ids)
        return True


def _plain(d) -> str:
    """A Decimal sum as the form writes it: no trailing zeros after the point (97.50 → 97.5, 100.00 → 100)."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


class ScoreTablePanel(QWidget):
    claim_selected = Signal(int)  # the claim of the row the user selected
    evidence_dropped = Signal(int, list)  # claim id, evidence ids dropped on its row

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.db = session.ws.db
        self._quiet = False  # selecting a row for a claim chosen elsewhere says nothing
        self._tables: list[dict[str, Any]] = []

        self.chooser = QComboBox()
        self.chooser.setObjectName("scoreTableChooser")
        self.chooser.currentIndexChanged.connect(self._on_choice)
        self.title = QLabel()
        self.title.setObjectName("scoreTableTitle")
        self.title.setWordWrap(True)
        self.model = ScoreTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("scoreTableView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(True)
        self.view.setAcceptDrops(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.view.setDefaultDropAction(Qt.DropAction.LinkAction)
        self.view.setDropIndicatorShown(True)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((64, 84, 176, 84, 104, 40, 40, 60)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.foot = QLabel()
        self.foot.setObjectName("scoreTableFoot")
        self.empty = QLabel("还没有绩效自评表。导入自评表（xlsx / docx / pdf）或含自评表的报告后，"
                            "这里按表格显示各项指标的目标、实际完成值、分值、得分和佐证情况。")
        self.empty.setObjectName("scoreTableEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #757575; padding: 24px;")

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.chooser)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 3, 6)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.empty, 1)
        lay.addWidget(self.foot)

        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.evidence_dropped.connect(self.evidence_dropped)
        session.changed.connect(self.on_changes)
        session.identity_changed.connect(self._update_writable)
        self._update_writable()
        self.reload()

    # -- reading ------------------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches(*REFRESH_AREAS):
            self.reload()

    def reload(self) -> None:
        """Read the tables again; the chosen table and the selected row stay where they still are."""
        current, row_id = self.current_table_id(), self.selected_row_id()
        self._tables = score_tables(self.db)
        blocked = self.chooser.blockSignals(True)
        self.chooser.clear()
        for t in self._tables:
            self.chooser.addItem(T.table_choice(t), t["id"])
        index = next((i for i, t in enumerate(self._tables) if t["id"] == current), 0)
        self.chooser.setCurrentIndex(index if self._tables else -1)
        self.chooser.blockSignals(blocked)
        self.chooser.setVisible(len(self._tables) > 1)
        self._show_table(row_id)

    def _on_choice(self, *_: Any) -> None:
        self._show_table(None)

    def _show_table(self, row_id: int | None) -> None:
        table = self.current_table()
        has = table is not None
        self.view.setVisible(has)
        self.foot.setVisible(has)
        self.empty.setVisible(not has)
        if not has:
            self.title.setText("<b>绩效自评表</b>")
            self.model.set_rows([], None)
            return
        unit = table.get("budget_unit")
        quiet, self._quiet = self._quiet, True
        try:
            self.model.set_rows(score_table_view(self.db, table["id"]), unit)
            if row_id is not None:
                self.select_row_id(row_id)
        finally:
            self._quiet = quiet
        self._merge_levels()
        self.view.resizeRowsToContents()
        self.title.setText(f"<b>{esc(table.get('title') or '绩效自评表')}</b>"
                           f"　<span style='color:#757575'>{esc(table.get('report_name') or '')}"
                           f"{'　单位：' + esc(unit) if unit else ''}</span>")
        self.foot.setText(esc(T.totals_line(self.model.totals, table.get("total_score_text"), table.get("grade"))))

    def _merge_levels(self) -> None:
        """一级 / 二级指标 over a run of rows in one cell, as the form merges them."""
        self.view.clearSpans()
        rows = self.model.rows
        for col, key in ((0, lambda r: (r["kind"], r.get("level1"))),
                         (1, lambda r: (r["kind"], r.get("level1"), r.get("level2")))):
            start = 0
            for i in range(1, len(rows) + 1):
                if i == len(rows) or key(rows[i]) != key(rows[start]) or rows[i]["kind"] == "budget":
                    if i - start > 1 and rows[start]["kind"] == "indicator" and key(rows[start])[-1]:
                        self.view.setSpan(start, col, i - start, 1)
                    start = i
        budget = [i for i, r in enumerate(rows) if r["kind"] == "budget"]
        if len(budget) > 1 and budget == list(range(len(budget))):
            self.view.setSpan(0, 0, len(budget), 2)

    def _update_writable(self) -> None:
        self.model.writable = self.session.writable
        self.view.setAcceptDrops(self.session.writable)

    # -- the public interface -------------------------------------------------------------------------

    def table_ids(self) -> list[int]:
        return [t["id"] for t in self._tables]

    def current_table(self) -> dict[str, Any] | None:
        i = self.chooser.currentIndex()
        return self._tables[i] if 0 <= i < len(self._tables) else None

    def current_table_id(self) -> int | None:
        t = self.current_table()
        return t["id"] if t else None

    def set_table(self, table_id: int) -> bool:
        i = next((i for i, t in enumerate(self._tables) if t["id"] == table_id), None)
        if i is None:
            return False
        if i != self.chooser.currentIndex():
            self.chooser.setCurrentIndex(i)
        return True

    def rows(self) -> list[dict[str, Any]]:
        return list(self.model.rows)

    def selected_row_id(self) -> int | None:
        idx = self.view.selectionModel().selectedRows(0) if self.view.selectionModel() else []
        if not idx:
            return None
        r = self.model.row_at(idx[0].row())
        return r["id"] if r else None

    def select_row_id(self, row_id: int) -> bool:
        row = self.model.row_of_id(row_id)
        if row is None:
            return False
        self._select(row)
        return True

    def show_claims(self, claim_ids: list[int]) -> None:
        """Select the row of a claim chosen elsewhere (the claims list), quietly; nothing when none has it."""
        if len(claim_ids) != 1:
            return
        row = self.model.row_of_claim(claim_ids[0])
        if row is None or row == self._selected_row():
            return
        quiet, self._quiet = self._quiet, True
        try:
            self._select(row)
        finally:
            self._quiet = quiet

    def show_cell(self, report_id: int | None, table_ordinal: int | None, kind: str | None,
                  name: str | None) -> bool:
        """Show the row a finding names: the ``table_ordinal``-th table of ``report_id`` (1-based) and its
        row of ``kind`` (indicator / budget) called ``name``; the table alone when ``name`` is empty."""
        tables = [t for t in self._tables if t["report_id"] == report_id]
        table = next((t for t in tables if t["ordinal"] == table_ordinal), tables[0] if tables else None)
        if table is None or not self.set_table(table["id"]):
            return False
        if not name:
            self.view.clearSelection()
            self.view.scrollToTop()
            return True
        row = next((i for i, r in enumerate(self.model.rows)
                    if r["name"] == name and (kind is None or r["kind"] == kind)), None)
        if row is None:
            return False
        self._select(row)
        return True

    def _selected_row(self) -> int | None:
        idx = self.view.selectionModel().selectedRows(0)
        return idx[0].row() if idx else None

    def _select(self, row: int) -> None:
        idx = self.model.index(row, 0)
        self.view.selectionModel().select(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.setCurrentIndex(idx)
        self.view.scrollTo(idx)

    def _on_selection(self, *_: Any) -> None:
        if self._quiet:
            return
        row = self._selected_row()
        claim_id = self.model.claim_at(row) if row is not None else None
        if claim_id is not None:
            self.claim_selected.emit(claim_id)
