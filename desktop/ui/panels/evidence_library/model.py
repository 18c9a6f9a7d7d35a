"""The evidence library's model: one model for the list and the grid.

Rows are evidence ids (filtered and searched through :mod:`desktop.evidence.queries`) followed by the files
that could not be registered (negative keys: ``-task_id``), so an error is in the list with its message and a
retry. Rows are read a page at a time from :func:`desktop.review.status.evidence_rows`. Drags carry
``EVIDENCE_MIME`` (what a claim accepts); claims dropped on a file are announced by ``claims_dropped``.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import os
from typing import Any, Iterable

from PySide6.QtCore import QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush

from db.database import Database
from desktop.evidence.queries import EVIDENCE_FILTERS, evidence_counts, evidence_ids
from desktop.review import status
from desktop.evidence.risky import is_executable
from desktop.text.library import ENCRYPTED_STATE, EXECUTABLE_STATE
from desktop.text.messages import ingest_error_text
from desktop.text.search import MATCHED_NAMES
from desktop.ui.common import (
    AMBER,
    CLAIM_MIME,
    EVIDENCE_MIME,
    GREY,
    RED,
    EvidenceIdRole,
    FlagsRole,
    ProblemRole,
    human_size,
    ids_from_mime,
    ids_to_mime,
)
from desktop.ui.panels.evidence_library.views import HitRole
from desktop.ui.table_model import KeyedTableModel

_ROLES = frozenset(int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
                                    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
                                    Qt.ItemDataRole.TextAlignmentRole, EvidenceIdRole, FlagsRole, ProblemRole,
                                    HitRole))
# computed once: combining Qt flags in Python is slow, and views ask for them on every paint
_EVIDENCE_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                   | Qt.ItemFlag.ItemIsDropEnabled)
_PROBLEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_DROP_ONLY = Qt.ItemFlag.ItemIsDropEnabled
_LINK_ACTIONS = Qt.DropAction.LinkAction | Qt.DropAction.CopyAction


def local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        d = _dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return d.strftime("%m-%d %H:%M" if d.year == _dt.datetime.now().year else "%Y-%m-%d")


class EvidenceLibraryModel(KeyedTableModel):
    """Evidence (filtered, searched) plus the files that could not be registered."""

    COLUMNS = ("名称", "类型", "大小", "页数", "添加时间", "关联指标", "状态", "找到位置")
    MATCH_COLUMN = 7  # shown only while a search is on: where the words or the number were found
    view_changed = Signal()  # rows came or went (the filter counts follow)
    claims_dropped = Signal(int, list)  # evidence_id, claim ids

    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self.filter = "all"
        self.search_text = ""
        self.search_ids: set[int] | None = None
        self.hits: dict[int, Any] = {}  # evidence id → SearchHit (desktop.review.search), while searching
        self.problems: dict[int, dict[str, Any]] = {}  # task id → queue row (files that could not be registered)
        self.thumbs = None  # a ThumbnailCache, once the library has one
        self.reload()

    # -- which rows ------------------------------------------------------------------------------

    def _matching(self, ids: Iterable[int] | None = None) -> list[int]:
        if ids is not None:
            ids = list(ids)
            if not ids:
                return []
        found = evidence_ids(self.db, self.filter, among=ids)
        if self.search_ids is not None:
            found = [i for i in found if i in self.search_ids]
            if self.hits:  # best first, as the search ranked them
                rank = {eid: n for n, eid in enumerate(self.hits)}
                found.sort(key=lambda i: (rank.get(i, len(rank)), i))
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
        self.set_keys(self._matching() + self._problem_keys())
        self.view_changed.emit()

    def set_filter(self, name: str) -> None:
        if name not in EVIDENCE_FILTERS:
            raise ValueError(name)
        if name != self.filter:
            self.filter = name
            self.reload()

    def set_search(self, text: str, ids: set[int] | None, hits: Iterable[Any] = ()) -> None:
        """Show only ``ids`` (None: every file); ``hits`` (best first) say where each was found."""
        self.search_text = text
        self.search_ids = ids
        self.hits = {h.evidence_id: h for h in hits}
        self.reload()

    def hit_text(self, evidence_id: int) -> str:
        """Where a search found this file: ``台账!D12：…合计 21,099…`` (empty when not searching)."""
        hit = self.hits.get(evidence_id)
        if hit is None:
            return ""
        where = hit.locator or MATCHED_NAMES.get(hit.matched, hit.matched)
        return f"{where}：{hit.snippet}" if hit.snippet else where

    def set_problems(self, rows: list[dict[str, Any]]) -> None:
        old = self.problems
        self.problems = {r["id"]: r for r in rows}
        wanted = set(self._problem_keys())
        current = {k for k in self._keys if k < 0}
        self._remove_keys(current - wanted)
        self._insert_keys(sorted(wanted - current, key=self._order))
        self.rows_changed(self._row_of[k] for k in wanted & current if old.get(-k) != self.problems.get(-k))
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
        self.refresh_keys(present & match)
        self.view_changed.emit()

    def _insert_keys(self, keys: list[int]) -> None:
        if not keys:
            return
        evidence_part = [k for k in self._keys if k > 0]
        last_evidence = evidence_part[-1] if evidence_part else 0
        new_ev = [k for k in keys if k > 0]
        if new_ev and new_ev[0] > last_evidence:  # the usual case: new files, appended as one block
            first = len(evidence_part)
            self.beginInsertRows(QModelIndex(), first, first + len(new_ev) - 1)
            self._keys[first:first] = new_ev
            self._reindex()
            self.endInsertRows()
            keys = [k for k in keys if k < 0]
        if not keys:
            return
        orders = [self._order(k) for k in self._keys]
        for k in keys:
            pos = bisect.bisect_left(orders, self._order(k))
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._keys.insert(pos, k)
            orders.insert(pos, self._order(k))
            self._reindex()
            self.endInsertRows()

    def _remove_keys(self, keys: set[int]) -> None:
        for k in sorted(keys, key=lambda k: self._row_of[k], reverse=True):
            r = self._row_of[k]
            self.beginRemoveRows(QModelIndex(), r, r)
            del self._keys[r]
            self._cache.pop(k, None)
            self._reindex()
            self.endRemoveRows()

    # -- lookups ---------------------------------------------------------------------------------

    def evidence_id_at(self, row: int) -> int | None:
        key = self.key_at(row)
        return key if key is not None and key > 0 else None

    def problem_at(self, row: int) -> dict[str, Any] | None:
        key = self.key_at(row)
        return self.problems.get(-key) if key is not None and key < 0 else None

    def row_for_problem(self, task_id: int) -> int | None:
        return self._row_of.get(-task_id)

    def fetchable(self, key: int) -> bool:
        return key > 0

    def fetch_rows(self, keys: list[int]) -> dict[int, Any]:
        if self.db.closed:  # the window is going away: paint what is cached
            return {}
        return {e["id"]: e for e in status.evidence_rows(self.db, keys)}

    def evidence(self, evidence_id: int) -> dict[str, Any] | None:
        if evidence_id in self._row_of or self.db.closed:
            return self.cached(evidence_id)
        rows = status.evidence_rows(self.db, [evidence_id])  # filtered out of view: still answer
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        out = evidence_counts(self.db)
        out["all"] += len(self.problems)
        out["error"] += len(self.problems)
        return out

    # -- data ------------------------------------------------------------------------------------

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return _DROP_ONLY
        return _PROBLEM_FLAGS if self._keys[index.row()] < 0 else _EVIDENCE_FLAGS

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None  # views ask for many roles this model never sets: answer those at once
        p = self.problem_at(index.row())
        if p is not None:
            return self._problem_data(p, index.column(), role)
        e = self.evidence(self._keys[index.row()])
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
                return local_time(e.get("added_at"))
            if col == 5:
                return "、".join(f"#{c}" for c in e["claim_ids"]) if e["claim_ids"] else "未关联"
            if col == 6:
                return self.state_text(e)
            if col == self.MATCH_COLUMN:
                return self.hit_text(e["id"])
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and self.thumbs is not None:
            return self.thumbs.icon(e["id"], e["sha256"], e.get("ext"))
        if role == Qt.ItemDataRole.ToolTipRole:
            paths = "\n".join(e["paths"]) or "（原文件已不在文件夹中，副本仍在工作区）"
            tip = f"{e['name']}\nE{e['id']} · {e['sha256'][:12]}…\n{paths}\n{self.state_text(e)}"
            if e.get("error_detail"):
                tip += f"\n{e['error_detail'][:300]}"
            found = self.hit_text(e["id"])
            if found:
                tip += f"\n找到：{found}"
            return tip
        if role == Qt.ItemDataRole.ForegroundRole:
            if (e["status"] == "error" or self.executable(e)) and col in (0, 6):
                return QBrush(RED)
            if col == 5 and not e["claim_ids"]:
                return QBrush(AMBER)
            if col == 6 and (e["superseded_by"] or not e["paths"]):
                return QBrush(AMBER if e["superseded_by"] else GREY)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == HitRole and col == 0:  # (a match in the name itself is plain to see already)
            hit = self.hits.get(e["id"])
            return self.hit_text(e["id"]) or None if hit is not None and hit.matched != "name" else None
        if role == EvidenceIdRole:
            return e["id"]
        if role == FlagsRole:
            return list(e["flags"])
        return None

    @staticmethod
    def executable(e: dict[str, Any]) -> bool:
        """A program or script (setup.exe, run.bat): registered, marked, never opened by the app."""
        return "executable" in (e.get("flags") or ()) or is_executable(e.get("ext") or e.get("name"))

    @classmethod
    def state_text(cls, e: dict[str, Any]) -> str:
        parts = []
        if cls.executable(e):
            parts.append(EXECUTABLE_STATE)
        if e["status"] == "error" and e.get("error") == "pdf_encrypted":
            parts.append(ENCRYPTED_STATE)
        elif e["status"] == "error":
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
                return local_time(p.get("enqueued_at"))
            if col == 6:
                return self.problem_text(p)
            return ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{p['name']}\n{p['path']}\n{self.problem_text(p)}"
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and self.thumbs is not None:
            return self.thumbs.type_icon(os.path.splitext(p["name"])[1].lstrip("."))
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

    # -- drag and drop ---------------------------------------------------------------------------

    def supportedDragActions(self):
        return _LINK_ACTIONS

    def supportedDropActions(self):
        return _LINK_ACTIONS

    def mimeTypes(self) -> list[str]:
        return [CLAIM_MIME]

    def mimeData(self, indexes) -> QMimeData:
        ids = {self.evidence_id_at(i.row()) for i in indexes if i.isValid()}
        return ids_to_mime(EVIDENCE_MIME, [i for i in ids if i is not None])

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return data.hasFormat(CLAIM_MIME) and parent.isValid()

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        evidence_id = self.evidence_id_at(parent.row())
        ids = ids_from_mime(data, CLAIM_MIME)
        if evidence_id is None or not ids:
            return False
        self.claims_dropped.emit(evidence_id, ids)
        return True
