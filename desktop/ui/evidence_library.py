"""The evidence library: every file as a thumbnail grid or a list, filters, search, preview, progress.

* :class:`EvidenceLibraryModel` — one model for both views. Rows are evidence ids (filtered and searched
  in SQL) followed by the files that could not be registered (negative keys: ``-task_id``), so an error is
  in the list with its message and a retry. Drags carry ``EVIDENCE_MIME`` (what a claim accepts).
* :class:`EvidenceLibrary` — the widget: filters 全部 / 未关联 / 出错 / 已有新版本, search over names and
  extracted text (FTS5 trigram for three characters or more, ``LIKE`` for one or two), grid / list, the
  preview pane, "用默认程序打开" / "在文件夹中显示", and the status-bar widgets (progress "正在处理 37/120",
  watcher state). It owns the :class:`~desktop.ui.watch_bridge.WatchBridge`.

Nothing slow runs on the GUI thread: ingest runs in the engine's threads, searches, thumbnail decoding
and preview loading in a reader thread; results come back through queued signals.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QDesktopServices, QFont, QIcon, QImage, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db.database import Database
from desktop.evidence import fspath, thumbnails
from desktop.review import status
from desktop.ui.evidence_preview import EvidencePreview
from desktop.text.messages import WATCH_STATE_NAMES, ingest_error_text
from desktop.ui.models import AMBER, GREY, RED, EvidenceIdRole, EvidenceTableModel, FlagsRole, human_size
from desktop.ui.watch_bridge import WatchBridge
from desktop.workspace import Workspace

FILTERS = ("all", "unlinked", "error", "superseded")
FILTER_NAMES = {"all": "全部", "unlinked": "未关联", "error": "出错", "superseded": "已有新版本"}
_FILTER_SQL = {
    "all": "1",
    "unlinked": "NOT EXISTS (SELECT 1 FROM links l WHERE l.evidence_id = e.id)",
    "error": "e.status = 'error'",
    "superseded": "EXISTS (SELECT 1 FROM evidence n WHERE n.supersedes = e.id)",
}
FORWARD_INTERVAL = 5.0  # seconds: how often, during a bulk ingest, changed evidence is passed on to the window
PHASE_NAMES = {"register": "正在处理", "index": "正在提取文字", "thumb": "正在生成缩略图"}
TYPE_COLOURS = {"pdf": "#c62828", "doc": "#1565c0", "docx": "#1565c0", "xls": "#2e7d32", "xlsx": "#2e7d32",
                "csv": "#2e7d32", "txt": "#546e7a", "jpg": "#6a1b9a", "jpeg": "#6a1b9a", "png": "#6a1b9a"}
ProblemRole = Qt.ItemDataRole.UserRole + 20
_ROLES = frozenset(int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
                                    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
                                    Qt.ItemDataRole.TextAlignmentRole, EvidenceIdRole, FlagsRole, ProblemRole))
# computed once: combining Qt flags in Python is slow, and views ask for them on every paint
_EVIDENCE_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                   | Qt.ItemFlag.ItemIsDropEnabled)
_PROBLEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_DROP_ONLY = Qt.ItemFlag.ItemIsDropEnabled


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_evidence(db: Database, query: str) -> set[int]:
    """Evidence whose name, path or extracted text contains ``query`` (any thread).

    The text index uses the FTS5 ``trigram`` tokenizer, which can only match three characters or more;
    shorter queries (two Chinese characters are a common search) fall back to ``LIKE``.
    """
    q = query.strip()
    if not q:
        return set()
    like = _like(q)
    ids = {r[0] for r in db.query("SELECT id FROM evidence WHERE name LIKE ? ESCAPE '\\'", (like,))}
    ids |= {r[0] for r in db.query("SELECT DISTINCT evidence_id FROM evidence_paths WHERE path LIKE ? ESCAPE '\\'",
                                   (like,))}
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        rows = db.query("SELECT DISTINCT evidence_id FROM evidence_text WHERE evidence_text MATCH ?", (phrase,))
    else:
        rows = db.query("SELECT DISTINCT evidence_id FROM evidence_text WHERE text LIKE ? ESCAPE '\\'", (like,))
    ids |= {int(r[0]) for r in rows}
    return ids


def type_pixmap(ext: str, size: int = 128) -> QPixmap:
    """An icon for a file type: a sheet of paper with the extension on it (drawn, no image files)."""
    ext = (ext or "").lower()
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    w, h = size * 0.66, size * 0.84
    x, y = (size - w) / 2, (size - h) / 2
    p.setPen(QColor("#b0bec5"))
    p.setBrush(QColor("#ffffff"))
    p.drawRoundedRect(int(x), int(y), int(w), int(h), size * 0.05, size * 0.05)
    band = QColor(TYPE_COLOURS.get(ext, "#78909c"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(band)
    p.drawRect(int(x), int(y + h * 0.58), int(w), int(h * 0.22))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(8, int(size * 0.13)))
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(int(x), int(y + h * 0.58), int(w), int(h * 0.22), Qt.AlignmentFlag.AlignCenter, (ext or "?").upper()[:5])
    p.end()
    return pix


class ThumbnailCache:
    """Thumbnails as icons, decoded on the reader thread; ``loaded(evidence_id)`` fires on the GUI thread."""

    def __init__(self, thumbs_dir: Path, submit: Callable[[Callable[[], Any], Callable[[Any], None]], None],
                 on_loaded: Callable[[int], None]):
        self.dir = Path(thumbs_dir)
        self._submit = submit
        self._on_loaded = on_loaded
        self._icons: dict[str, QIcon] = {}
        self._asked: set[str] = set()
        self._type_icons: dict[str, QIcon] = {}

    def icon(self, evidence_id: int, sha256: str, ext: str | None) -> QIcon:
        icon = self._icons.get(sha256)
        if icon is not None:
            return icon
        if thumbnails.wants_thumbnail(ext) and sha256 not in self._asked:
            self._asked.add(sha256)
            path = thumbnails.thumb_path(self.dir, sha256)

            def work() -> QImage | None:
                if not path.exists():
                    return None
                img = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
                if not img.isNull():  # a hairline frame, so white pages stand out from the background
                    p = QPainter(img)
                    p.setPen(QColor("#b0bec5"))
                    p.drawRect(0, 0, img.width() - 1, img.height() - 1)
                    p.end()
                return img

            def done(img: QImage | None) -> None:
                if img is not None and not img.isNull():
                    self._icons[sha256] = QIcon(QPixmap.fromImage(img))
                    self._on_loaded(evidence_id)

            self._submit(work, done)
        return self.type_icon(ext)

    def type_icon(self, ext: str | None) -> QIcon:
        key = (ext or "").lower()
        if key not in self._type_icons:
            self._type_icons[key] = QIcon(type_pixmap(key))
        return self._type_icons[key]

    def forget(self, sha256: str) -> None:
        self._asked.discard(sha256)
        self._icons.pop(sha256, None)


def _local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        d = _dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return d.strftime("%m-%d %H:%M" if d.year == _dt.datetime.now().year else "%Y-%m-%d")


class EvidenceLibraryModel(EvidenceTableModel):
    """Evidence (filtered, searched) plus the files that could not be registered."""

    COLUMNS = ("名称", "类型", "大小", "页数", "添加时间", "关联指标", "状态")
    view_changed = Signal()

    def __init__(self, db: Database, parent=None):
        self.filter = "all"
        self.search_text = ""
        self.search_ids: set[int] | None = None
        self.problems: dict[int, dict[str, Any]] = {}  # task id → queue row (files that could not be registered)
        self.thumbs: ThumbnailCache | None = None
        super().__init__(db, parent)

    # -- which rows ------------------------------------------------------------------------------

    def _matching(self, ids: Iterable[int] | None = None) -> list[int]:
        where = _FILTER_SQL[self.filter]
        params: list[Any] = []
        if ids is not None:
            ids = list(ids)
            if not ids:
                return []
            where += f" AND e.id IN ({','.join('?' * len(ids))})"
            params = ids
        found = [r[0] for r in self.db.query(f"SELECT e.id FROM evidence e WHERE {where} ORDER BY e.id", params)]
        if self.search_ids is not None:
            found = [i for i in found if i in self.search_ids]
        return found

    def _problem_keys(self) -> list[int]:
        if self.filter not in ("all", "error"):
            return []
        q = self.search_text.strip().lower()
        return [-tid for tid, p in sorted(self.problems.items()) if not q or q in p["name"].lower()
                or q in p["path"].lower()]

    @staticmethod
    def _order(key: int) -> tuple[int, int]:
        return (0, key) if key > 0 else (1, -key)

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = self._matching() + self._problem_keys()
        self._row_of = {k: i for i, k in enumerate(self._ids)}
        self._cache = {}
        self.endResetModel()
        self.view_changed.emit()

    def set_filter(self, name: str) -> None:
        if name not in FILTERS:
            raise ValueError(name)
        if name != self.filter:
            self.filter = name
            self.reload()

    def set_search(self, text: str, ids: set[int] | None) -> None:
        self.search_text = text
        self.search_ids = ids
        self.reload()

    def set_problems(self, rows: list[dict[str, Any]]) -> None:
        old = self.problems
        self.problems = {r["id"]: r for r in rows}
        wanted = set(self._problem_keys())
        current = {k for k in self._ids if k < 0}
        self._remove_keys(current - wanted)
        self._insert_keys(sorted(wanted - current, key=self._order))
        for k in wanted & current:
            if old.get(-k) != self.problems.get(-k):
                r = self._row_of[k]
                self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1))
        self.view_changed.emit()

    def add_or_refresh(self, evidence_ids: Iterable[int]) -> None:
        """Re-check these evidence rows: insert, update or remove them as the filter says."""
        ids = sorted({i for i in evidence_ids if i and i > 0})
        if not ids:
            return
        match = set(self._matching(ids))
        present = {i for i in ids if i in self._row_of}
        self._remove_keys(present - match)
        self._insert_keys(sorted(match - present))
        self._refresh_rows(present & match)
        self.view_changed.emit()

    refresh_ids = add_or_refresh

    def _insert_keys(self, keys: list[int]) -> None:
        if not keys:
            return
        evidence_part = [k for k in self._ids if k > 0]
        last_evidence = evidence_part[-1] if evidence_part else 0
        new_ev = [k for k in keys if k > 0]
        if new_ev and new_ev[0] > last_evidence:  # the usual case: new files, appended as one block
            first = len(evidence_part)
            self.beginInsertRows(QModelIndex(), first, first + len(new_ev) - 1)
            self._ids[first:first] = new_ev
            self._row_of = {k: i for i, k in enumerate(self._ids)}
            self.endInsertRows()
            keys = [k for k in keys if k < 0]
        if not keys:
            return
        orders = [self._order(k) for k in self._ids]
        for k in keys:
            pos = bisect.bisect_left(orders, self._order(k))
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._ids.insert(pos, k)
            orders.insert(pos, self._order(k))
            self._row_of = {kk: i for i, kk in enumerate(self._ids)}
            self.endInsertRows()

    def _remove_keys(self, keys: set[int]) -> None:
        for k in sorted(keys, key=lambda k: self._row_of[k], reverse=True):
            r = self._row_of[k]
            self.beginRemoveRows(QModelIndex(), r, r)
            del self._ids[r]
            self._cache.pop(k, None)
            self._row_of = {kk: i for i, kk in enumerate(self._ids)}
            self.endRemoveRows()

    # -- lookups ---------------------------------------------------------------------------------

    def evidence_id_at(self, row: int) -> int | None:
        key = self._ids[row] if 0 <= row < len(self._ids) else None
        return key if key is not None and key > 0 else None

    def problem_at(self, row: int) -> dict[str, Any] | None:
        key = self._ids[row] if 0 <= row < len(self._ids) else None
        return self.problems.get(-key) if key is not None and key < 0 else None

    def row_for_problem(self, task_id: int) -> int | None:
        return self._row_of.get(-task_id)

    def evidence(self, evidence_id: int) -> dict[str, Any] | None:
        if evidence_id in self._row_of:
            return super().evidence(evidence_id)
        rows = status.evidence_rows(self.db, [evidence_id])  # filtered out of view: still answer
        return rows[0] if rows else None

    def _fetch_page(self, row: int) -> None:
        start = (row // self.PAGE) * self.PAGE
        ids = [i for i in self._ids[start : start + self.PAGE] if i > 0 and i not in self._cache]
        for e in status.evidence_rows(self.db, ids):
            self._cache[e["id"]] = e

    def counts(self) -> dict[str, int]:
        out = {}
        for name, where in _FILTER_SQL.items():
            out[name] = self.db.scalar(f"SELECT count(*) FROM evidence e WHERE {where}") or 0
        out["all"] += len(self.problems)
        out["error"] += len(self.problems)
        return out

    # -- data ------------------------------------------------------------------------------------

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return _DROP_ONLY
        return _PROBLEM_FLAGS if self._ids[index.row()] < 0 else _EVIDENCE_FLAGS

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None  # views ask for many roles this model never sets: answer those at once
        p = self.problem_at(index.row())
        if p is not None:
            return self._problem_data(p, index.column(), role)
        e = self.evidence(self._ids[index.row()])
        if e is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return e["name"]
            if col == 1:
                return (e.get("ext") or "").upper()
            if col == 2:
                return human_size(e.get("size"))
            if col == 3:
                return str(e["pages"]) if e.get("pages") else ""
            if col == 4:
                return _local_time(e.get("added_at"))
            if col == 5:
                return "、".join(f"#{c}" for c in e["claim_ids"]) if e["claim_ids"] else "未关联"
            if col == 6:
                return self.state_text(e)
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and self.thumbs is not None:
            return self.thumbs.icon(e["id"], e["sha256"], e.get("ext"))
        if role == Qt.ItemDataRole.ToolTipRole:
            paths = "\n".join(e["paths"]) or "（原文件已不在文件夹中，副本仍在工作区）"
            tip = f"E{e['id']} · {e['sha256'][:12]}…\n{paths}\n{self.state_text(e)}"
            if e.get("error_detail"):
                tip += f"\n{e['error_detail'][:300]}"
            return tip
        if role == Qt.ItemDataRole.ForegroundRole:
            if e["status"] == "error" and col in (0, 6):
                return QBrush(RED)
            if col == 5 and not e["claim_ids"]:
                return QBrush(AMBER)
            if col == 6 and (e["superseded_by"] or not e["paths"]):
                return QBrush(AMBER if e["superseded_by"] else GREY)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == EvidenceIdRole:
            return e["id"]
        if role == FlagsRole:
            return list(e["flags"])
        return None

    @staticmethod
    def state_text(e: dict[str, Any]) -> str:
        parts = []
        if e["status"] == "error":
            parts.append("出错：" + ingest_error_text(e.get("error")))
        elif e["status"] == "pending" or e.get("text_status") == "pending":
            parts.append("处理中")
        elif e.get("text_status") == "needs_ocr":
            parts.append("扫描件，需要 OCR")
        elif e.get("text_status") == "no_ocr":
            parts.append("就绪（未安装 OCR）")
        else:
            parts.append("就绪")
        if e.get("superseded_by"):
            parts.append("已有新版本 " + "、".join(f"E{i}" for i in e["superseded_by"]))
        if not e.get("paths"):
            parts.append("已移出文件夹")
        return "；".join(parts)

    def _problem_data(self, p: dict[str, Any], col: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return p["name"]
            if col == 1:
                return os.path.splitext(p["name"])[1].lstrip(".").upper()
            if col == 2:
                return human_size(p.get("seen_size")) if p.get("seen_size") is not None else ""
            if col == 4:
                return _local_time(p.get("enqueued_at"))
            if col == 6:
                return self.problem_text(p)
            return ""
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and self.thumbs is not None:
            return self.thumbs.type_icon(os.path.splitext(p["name"])[1].lstrip("."))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{p['path']}\n{self.problem_text(p)}"
        if role == Qt.ItemDataRole.ForegroundRole and col in (0, 6):
            return QBrush(RED)
        if role == ProblemRole:
            return p["id"]
        return None

    @staticmethod
    def problem_text(p: dict[str, Any]) -> str:
        msg = ingest_error_text(p.get("error"), p.get("error_detail"))
        if p["state"] == "failed":
            return f"无法登记：{msg}"
        return f"等待重试（第 {p['attempts']} 次）：{msg}"

    def mimeData(self, indexes):
        return super().mimeData([i for i in indexes if i.isValid() and self.evidence_id_at(i.row()) is not None])


class EvidenceListView(QTableView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("evidenceView")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.LinkAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setIconSize(QSize(18, 18))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setHighlightSections(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)


class EvidenceGridView(QListView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("evidenceGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(112, 112))
        self.setGridSize(QSize(140, 156))
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.LinkAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)


class EvidenceLibrary(QWidget):
    """The right-hand side of the main window: the evidence library."""

    # evidence ids that arrived or changed (new files, new versions, text extracted): the window passes them
    # on as its ``evidence_changed`` (claim flags, dashboard, suggestions — work done on the GUI thread).
    # A file dropped now and then goes at once; during a bulk ingest every FORWARD_INTERVAL, and the rest
    # as soon as the queue falls idle.
    evidence_changed = Signal(list)
    selection_changed = Signal()
    _reader_done = Signal(object, object)  # (callback, result) from the reader thread

    def __init__(self, ws: Workspace, model: EvidenceLibraryModel, *, watch: bool = True, inline: bool = False,
                 parent=None, **bridge_options: Any):
        super().__init__(parent)
        self.setObjectName("evidenceLibrary")
        self.ws = ws
        self.model = model
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="library-reader")
        self._reader_done.connect(self._on_reader_done, Qt.ConnectionType.QueuedConnection)
        self._search_token = 0
        self.searching = False
        self.closed = False
        self._to_forward: set[int] = set()
        self._last_forward = 0.0
        self.ingesting = False
        self._forward_timer = QTimer(self)
        self._forward_timer.setSingleShot(True)
        self._forward_timer.timeout.connect(self._forward)
        self.model.thumbs = ThumbnailCache(ws.thumbs, self.run_in_background, self._on_thumb_loaded)
        self.bridge = WatchBridge(ws, self, watch=watch, inline=inline, **bridge_options)
        self._build()
        self._connect()
        self.model.set_problems(self.bridge.problems())
        self._refresh_counts()
        self.bridge.start()

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

        self.list_view = EvidenceListView()
        self.list_view.setModel(self.model)
        header = self.list_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 44), (2, 64), (3, 36), (4, 82), (5, 72), (6, 150)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.grid_view = EvidenceGridView()
        self.grid_view.setModel(self.model)
        self.grid_view.setSelectionModel(self.list_view.selectionModel())  # one selection, two views
        self.views = QStackedWidget()
        self.views.addWidget(self.list_view)
        self.views.addWidget(self.grid_view)

        self.preview = EvidencePreview(self.ws.db, self.ws.store, self.run_in_background)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 6, 6, 6)
        layout.addLayout(bar)
        layout.addLayout(tools)
        layout.addWidget(self.splitter, 1)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("ingestProgress")
        self.progress_bar.setMaximumWidth(240)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.watch_label = QLabel()
        self.watch_label.setObjectName("watchState")
        self._show_state(self.bridge.state, self.bridge.state_detail)

        self.act_open = QAction("用默认程序打开", self)
        self.act_open.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.act_open.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_reveal = QAction("在文件夹中显示", self)
        self.act_retry = QAction("重试", self)
        self.act_copy_path = QAction("复制路径", self)
        self.act_dismiss = QAction("不再显示此错误", self)
        self.act_dismiss.setToolTip("从列表中去掉这条无法登记的记录（文件再有变化时会重新登记）")
        self.act_find = QAction("搜索", self)
        self.act_find.setShortcut(QKeySequence.StandardKey.Find)
        self.act_find.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.act_rescan = QAction("立即扫描文件夹", self)
        self.act_rescan.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.act_rescan.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        for a in (self.act_open, self.act_find, self.act_rescan):
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
        for signal, slot in ((self.bridge.evidence_changed, self._on_evidence_changed),
                             (self.bridge.thumbnails_ready, self._on_thumbnails_ready),
                             (self.bridge.problems_changed, self._on_problems_changed),
                             (self.bridge.progress_changed, self._on_progress),
                             (self.bridge.state_changed, self._show_state)):
            signal.connect(self._unless_closed(slot))
        self.preview.open_requested.connect(self.open_evidence)
        self.preview.reveal_requested.connect(self.reveal)
        self.preview.retry_requested.connect(self.retry)
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

    def install_status(self, bar: QStatusBar) -> None:
        """Put the progress bar and the watcher state into the window's status bar."""
        bar.addPermanentWidget(self.progress_bar)
        bar.addPermanentWidget(self.watch_label)

    # -- background reads ------------------------------------------------------------------------

    def run_in_background(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``work`` on the reader thread; ``done(result)`` runs on the GUI thread (queued signal)."""
        def job() -> None:
            try:
                result = work()
            except Exception as exc:  # shown as "could not load", never raised into Qt
                result = exc
            self._reader_done.emit(done, result)

        try:
            self._reader.submit(job)
        except RuntimeError:  # shut down
            pass

    @Slot(object, object)
    def _on_reader_done(self, done: Callable[[Any], None], result: Any) -> None:
        if isinstance(result, Exception) or self.closed:
            return
        done(result)

    def shutdown(self) -> None:
        """Stop watching and background reads (before the workspace closes)."""
        if self.closed:
            return
        self.closed = True
        for timer in (self._counts_timer, self._search_timer, self._forward_timer):
            timer.stop()
        self.bridge.shutdown()
        self._reader.submit(self.ws.db.close_thread_connection)
        self._reader.shutdown(wait=True)

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
            self.model.set_search("", None)
            return
        self.searching = True
        db = self.ws.db

        def done(ids: set[int]) -> None:
            if token == self._search_token:
                self.searching = False
                self.model.set_search(text, ids)
                if getattr(self, "_select_first_hit", False):
                    self._go_to_first_hit()

        self.run_in_background(lambda: search_evidence(db, text), done)

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
        self.bridge.bump([eid])
        self.preview.show_evidence(e)

    def _refresh_preview_if(self, ids: Iterable[int]) -> None:
        cur = self.preview.current
        if cur and "id" in cur and cur["id"] in set(ids):
            self._on_selection()

    # -- bridge results (GUI thread) -------------------------------------------------------------

    def _on_evidence_changed(self, ids: list[int]) -> None:
        self.model.add_or_refresh(ids)
        if self.searching or self.search.text().strip():
            self._search_timer.start()  # new text may match the search
        self._refresh_preview_if(ids)
        self._to_forward.update(ids)
        if not self._forward_timer.isActive():
            self._forward_timer.start(0 if not self.ingesting else int(FORWARD_INTERVAL * 1000))

    def _forward(self) -> None:
        if self.closed or not self._to_forward:
            return
        ids, self._to_forward = sorted(self._to_forward), set()
        self._last_forward = time.monotonic()
        self.evidence_changed.emit(ids)

    def _on_thumbnails_ready(self, ids: list[int]) -> None:
        for eid in ids:
            e = self.model._cache.get(eid)
            if e is not None and self.model.thumbs is not None:
                self.model.thumbs.forget(e["sha256"])
            self._on_thumb_loaded(eid)

    def _on_thumb_loaded(self, evidence_id: int) -> None:
        row = self.model.row_for(evidence_id)
        if row is not None:
            idx = self.model.index(row, 0)
            self.model.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    def _on_problems_changed(self) -> None:
        self.model.set_problems(self.bridge.problems())
        cur = self.preview.current
        if cur and "problem" in cur:
            self._on_selection()

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        was = self.ingesting
        self.ingesting = phase != "idle" and total > 0
        if was and not self.ingesting and self._to_forward:  # the queue fell idle: pass the rest on now
            self._forward_timer.start(0)
        if not self.ingesting:
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
        self.watch_label.setText(f"<span style='color:{colour}'>● {text}</span>")
        self.watch_label.setProperty("state", state)
        folder = str(self.ws.watch_dir) if self.ws.watch_dir else "（无）"
        self.watch_label.setToolTip(f"佐证材料文件夹：{folder}")

    # -- actions ---------------------------------------------------------------------------------

    def add_paths(self, paths: Iterable[str | os.PathLike[str]]) -> int:
        return self.bridge.add_paths(paths)

    def scan_now(self) -> None:
        self.bridge.scan_now()

    def set_watch_mode(self, mode: str) -> None:
        self.bridge.set_mode(mode)

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
        ignore.set_patterns(self.ws.db, patterns=text.splitlines())
        if self.bridge.engine is not None:
            self.bridge.engine.reload_settings()

    def _sync_mode_menu(self) -> None:
        current = self.bridge.mode
        for mode, act in self.mode_actions.items():
            act.setChecked(mode == current)
            act.setEnabled(self.bridge.writable)
        self.act_scan_menu.setEnabled(self.bridge.engine is not None)
        self.act_ignore.setEnabled(self.bridge.writable)

    def retry(self, task_ids: list[int], evidence_ids: list[int]) -> None:
        self.bridge.retry(task_ids, evidence_ids)

    def retry_selected(self) -> None:
        tasks = [p["id"] for p in self.selected_problems()]
        evidence = [e for e in self.selected_evidence_ids()
                    if (row := self.model.evidence(e)) and row["status"] == "error"]
        if tasks or evidence:
            self.retry(tasks, evidence)

    def dismiss_selected(self) -> None:
        tasks = [p["id"] for p in self.selected_problems()]
        if tasks:
            self.bridge.dismiss(tasks)

    def open_selected(self) -> None:
        for eid in self.selected_evidence_ids()[:5]:
            self.open_evidence(eid)

    def open_evidence(self, evidence_id: int) -> None:
        """Open with the default program: the file in the folder, or a copy of the stored bytes."""
        e = self.model.evidence(evidence_id)
        if e is None:
            return
        target = self._original(e)
        if target is None:
            target = self._export_copy(e)
        QDesktopServices.openUrl(QUrl.fromLocalFile(target))

    def _original(self, e: dict[str, Any]) -> str | None:
        for row in self.ws.db.query(
            "SELECT path, raw_path FROM evidence_paths WHERE evidence_id = ? AND present = 1 ORDER BY id DESC",
            (e["id"],),
        ):
            path = fspath.from_db(row["path"], row["raw_path"])
            if os.path.isfile(path):
                return path
        return None

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

    def _context_menu(self, view: QAbstractItemView, pos) -> None:
        idx = view.indexAt(pos)
        if not idx.isValid():
            return
        if idx.row() not in self.selected_rows():
            self.select_row(idx.row())
        menu = QMenu(self)
        has_evidence = bool(self.selected_evidence_ids())
        self.act_open.setEnabled(has_evidence)
        menu.addAction(self.act_open)
        menu.addAction(self.act_reveal)
        menu.addAction(self.act_copy_path)
        errors = self.selected_problems() or [
            e for e in self.selected_evidence_ids() if (r := self.model.evidence(e)) and r["status"] == "error"]
        if errors:
            menu.addSeparator()
            menu.addAction(self.act_retry)
        if self.selected_problems():
            menu.addAction(self.act_dismiss)
        menu.popup(view.viewport().mapToGlobal(pos))


def reveal_in_file_manager(path: str) -> None:
    """Select ``path`` in Explorer / Finder; elsewhere open its folder."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])
    elif sys.platform == "darwin":  # pragma: no cover - macOS only
        subprocess.Popen(["open", "-R", path])
    else:
        QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))


__all__ = ["EvidenceLibrary", "EvidenceLibraryModel", "search_evidence"]
