"""Qt item models: thin adapters over the service read functions.

They hold ids and cached rows, fetch rows from :mod:`desktop.review.status`, and announce every change
with the begin/end calls (or ``dataChanged``) so views keep selection and scroll position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from db.database import Database
from desktop.review import status
from desktop.text.messages import REVIEW_STATES

EVIDENCE_MIME = "application/x-evidencedesk-evidence-ids"
CLAIM_MIME = "application/x-evidencedesk-claim-ids"

RED = QColor("#c62828")
GREEN = QColor("#2e7d32")
GREY = QColor("#757575")
AMBER = QColor("#b26a00")

REVIEW_COLOURS = {"verified": GREEN, "questioned": RED, "needs_more": AMBER, "stale": RED, "not_required": GREY}

ClaimIdRole = Qt.ItemDataRole.UserRole + 1
EvidenceIdRole = Qt.ItemDataRole.UserRole + 2
FlagsRole = Qt.ItemDataRole.UserRole + 3
NodeKindRole = Qt.ItemDataRole.UserRole + 4


def ids_to_mime(mime_type: str, ids: Iterable[int]) -> QMimeData:
    data = QMimeData()
    data.setData(mime_type, json.dumps(sorted(set(ids))).encode("ascii"))
    return data


def ids_from_mime(data: QMimeData, mime_type: str) -> list[int]:
    if not data.hasFormat(mime_type):
        return []
    try:
        ids = json.loads(bytes(data.data(mime_type)).decode("ascii"))
    except ValueError:
        return []
    return [int(i) for i in ids if isinstance(i, int)]


def format_value(row: dict[str, Any]) -> str:
    return f"{row.get('value_raw') or row.get('value') or ''}{row.get('unit') or ''}"


# --- claims --------------------------------------------------------------------------------------


@dataclass
class _Node:
    kind: str  # report / section / claim
    key: Any
    parent: int  # node number of the parent, -1 for top level
    row: int
    title: str = ""
    children: list[int] = field(default_factory=list)


class ClaimsTreeModel(QAbstractItemModel):
    """Reports → sections → claims. Claim rows are red while they lack evidence."""

    evidence_dropped = Signal(int, list)  # claim_id, evidence ids
    COLUMNS = ("指标", "数值", "佐证", "状态", "审核")

    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self._nodes: list[_Node] = []
        self._top: list[int] = []
        self._claims: dict[int, dict[str, Any]] = {}
        self._claim_node: dict[int, int] = {}
        self._reports: dict[int, str] = {}
        self.reload()

    # structure ---------------------------------------------------------------------------------

    def _build(self) -> None:
        rows = status.claim_rows(self.db)
        self._reports = {r["id"]: r["name"] for r in self.db.query("SELECT id, name FROM reports WHERE state = 'active'")}
        nodes: list[_Node] = []
        top: list[int] = []
        report_node: dict[int, int] = {}
        section_node: dict[tuple[int, str], int] = {}
        claim_node: dict[int, int] = {}
        for c in rows:
            rid = c["report_id"]
            if rid not in report_node:
                n = len(nodes)
                nodes.append(_Node("report", rid, -1, len(top), self._reports.get(rid, f"报告 {rid}")))
                top.append(n)
                report_node[rid] = n
            rn = report_node[rid]
            title = status.section_title(c)
            skey = (rid, title)
            if skey not in section_node:
                n = len(nodes)
                nodes.append(_Node("section", skey, rn, len(nodes[rn].children), title))
                nodes[rn].children.append(n)
                section_node[skey] = n
            sn = section_node[skey]
            n = len(nodes)
            nodes.append(_Node("claim", c["id"], sn, len(nodes[sn].children)))
            nodes[sn].children.append(n)
            claim_node[c["id"]] = n
        self._nodes, self._top, self._claim_node = nodes, top, claim_node
        self._claims = {c["id"]: c for c in rows}

    def reload(self) -> None:
        self.beginResetModel()
        self._build()
        self.endResetModel()

    def refresh_claims(self, claim_ids: Iterable[int]) -> None:
        """Re-read these claims (links or flags changed) and tell the views."""
        ids = [i for i in set(claim_ids) if i in self._claim_node]
        if not ids:
            return
        for row in status.claim_rows(self.db, ids):
            self._claims[row["id"]] = row
        parents = set()
        for cid in ids:
            node = self._claim_node[cid]
            left = self.createIndex(self._nodes[node].row, 0, node)
            right = self.createIndex(self._nodes[node].row, self.columnCount() - 1, node)
            self.dataChanged.emit(left, right)
            parents.add(self._nodes[node].parent)
        for p in list(parents):
            parents.add(self._nodes[p].parent)
        for p in parents:
            if p >= 0:
                i = self.createIndex(self._nodes[p].row, 0, p)
                self.dataChanged.emit(i, i.siblingAtColumn(self.columnCount() - 1))

    # lookups -----------------------------------------------------------------------------------

    def claim(self, claim_id: int) -> dict[str, Any] | None:
        return self._claims.get(claim_id)

    def claim_ids(self) -> list[int]:
        return list(self._claim_node)

    def rows(self) -> list[dict[str, Any]]:
        """Every claim row the model holds (with flags), in tree order: counts come from here, not the db."""
        return [self._claims[cid] for cid in self._claim_node]

    def index_for_claim(self, claim_id: int, column: int = 0) -> QModelIndex:
        node = self._claim_node.get(claim_id)
        if node is None:
            return QModelIndex()
        return self.createIndex(self._nodes[node].row, column, node)

    def claim_id_at(self, index: QModelIndex) -> int | None:
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        return node.key if node.kind == "claim" else None

    def _claims_under(self, node_no: int) -> list[int]:
        node = self._nodes[node_no]
        if node.kind == "claim":
            return [node.key]
        out: list[int] = []
        for ch in node.children:
            out.extend(self._claims_under(ch))
        return out

    # QAbstractItemModel ------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(self.COLUMNS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self._top):
                return QModelIndex()
            return self.createIndex(row, column, self._top[row])
        if parent.column() != 0:
            return QModelIndex()
        children = self._nodes[parent.internalId()].children
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        p = self._nodes[index.internalId()].parent
        if p < 0:
            return QModelIndex()
        return self.createIndex(self._nodes[p].row, 0, p)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._top)
        if parent.column() != 0:
            return 0
        return len(self._nodes[parent.internalId()].children)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(self.COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._nodes[index.internalId()].kind == "claim":
            base |= Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemIsDragEnabled
        return base

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        col = index.column()
        if node.kind != "claim":
            claims = [self._claims[i] for i in self._claims_under(index.internalId())]
            covered = sum(1 for c in claims if "no_evidence" not in c["flags"])
            if role == Qt.ItemDataRole.DisplayRole:
                if col == 0:
                    return node.title
                if col == 3:
                    return f"已有佐证 {covered}/{len(claims)}"
            if role == Qt.ItemDataRole.ForegroundRole and col == 3:
                return QBrush(GREEN if covered == len(claims) else RED)
            if role == NodeKindRole:
                return node.kind
            return None
        c = self._claims[node.key]
        missing = "no_evidence" in c["flags"]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return c["subject"] or c["quote"]
            if col == 1:
                return format_value(c)
            if col == 2:
                return str(len(c["evidence_ids"])) if c["evidence_ids"] else ""
            if col == 3:
                if missing:
                    return "● 缺佐证"
                if "value_not_found" in c["flags"]:
                    return "▲ 数值未找到"
                if "evidence_superseded" in c["flags"]:
                    return "▲ 证据有新版本"
                return "无需佐证" if not c["needs_evidence"] else "✓ 已有佐证"
        if col == 4 and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole):  # review (issue 6)
            review = "stale" if c.get("review_stale") else c.get("review", "pending")
            if role == Qt.ItemDataRole.DisplayRole:
                return "" if review == "pending" else REVIEW_STATES.get(review, review)
            return QBrush(REVIEW_COLOURS.get(review, GREY))
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"第 {c['page']} 页 · " if c.get("page") else ""
            return f"{where}{c.get('section') or ''}\n“{c['quote']}”"
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            warn = "value_not_found" in c["flags"] or "evidence_superseded" in c["flags"]
            return QBrush(RED if missing else AMBER if warn else GREEN)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ClaimIdRole:
            return c["id"]
        if role == FlagsRole:
            return list(c["flags"])
        if role == NodeKindRole:
            return "claim"
        return None

    # drag and drop -----------------------------------------------------------------------------

    def supportedDropActions(self):
        return Qt.DropAction.LinkAction | Qt.DropAction.CopyAction

    def supportedDragActions(self):
        return Qt.DropAction.LinkAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return [EVIDENCE_MIME]

    def mimeData(self, indexes) -> QMimeData:
        ids = {self.claim_id_at(i) for i in indexes}
        return ids_to_mime(CLAIM_MIME, [i for i in ids if i is not None])

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return data.hasFormat(EVIDENCE_MIME) and self.claim_id_at(parent) is not None and row == -1

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = ids_from_mime(data, EVIDENCE_MIME)
        claim_id = self.claim_id_at(parent)
        if not ids or claim_id is None:
            return False
        self.evidence_dropped.emit(claim_id, ids)
        return True


# --- evidence ------------------------------------------------------------------------------------


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


STATUS_TEXT = {"pending": "处理中", "ready": "就绪", "error": "出错"}


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """``(first, last)`` of each run of consecutive numbers in sorted ``rows``."""
    start = prev = None
    for r in rows:
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            yield start, prev
            start = prev = r
    if start is not None:
        yield start, prev


class EvidenceTableModel(QAbstractTableModel):
    """The evidence library as a table: ids in order, rows fetched in pages and cached."""

    claims_dropped = Signal(int, list)  # evidence_id, claim ids
    COLUMNS = ("名称", "类型", "大小", "关联指标", "状态")
    PAGE = 200

    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._cache: dict[int, dict[str, Any]] = {}
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = [r["id"] for r in self.db.query("SELECT id FROM evidence ORDER BY id")]
        self._row_of = {eid: i for i, eid in enumerate(self._ids)}
        self._cache = {}
        self.endResetModel()

    def add_or_refresh(self, evidence_ids: Iterable[int]) -> None:
        new = [i for i in evidence_ids if i not in self._row_of]
        old = [i for i in evidence_ids if i in self._row_of]
        if new:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for eid in sorted(new):
                self._row_of[eid] = len(self._ids)
                self._ids.append(eid)
            self.endInsertRows()
        self._refresh_rows(old)

    def _refresh_rows(self, evidence_ids: Iterable[int]) -> None:
        """Forget these rows' cached data and signal them changed: one signal per run of adjacent rows (a
        bulk ingest refreshes thousands at once; one signal each kept the GUI thread busy)."""
        rows = []
        for eid in evidence_ids:
            self._cache.pop(eid, None)
            rows.append(self._row_of[eid])
        last = self.columnCount() - 1
        for first, end in _runs(sorted(rows)):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))

    def evidence_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_for(self, evidence_id: int) -> int | None:
        return self._row_of.get(evidence_id)

    def evidence(self, evidence_id: int) -> dict[str, Any] | None:
        if evidence_id not in self._row_of:
            return None
        if evidence_id not in self._cache:
            self._fetch_page(self._row_of[evidence_id])
        return self._cache.get(evidence_id)

    def _fetch_page(self, row: int) -> None:
        start = (row // self.PAGE) * self.PAGE
        ids = [i for i in self._ids[start : start + self.PAGE] if i not in self._cache]
        for e in status.evidence_rows(self.db, ids):
            self._cache[e["id"]] = e

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                | Qt.ItemFlag.ItemIsDropEnabled)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
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
                return "、".join(f"#{c}" for c in e["claim_ids"]) if e["claim_ids"] else "未关联"
            if col == 4:
                return STATUS_TEXT.get(e["status"], e["status"])
        if role == Qt.ItemDataRole.ToolTipRole:
            paths = "\n".join(e["paths"]) or "（原文件已不在文件夹中）"
            return f"E{e['id']} · {e['sha256'][:12]}…\n{paths}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 3 and not e["claim_ids"]:
                return QBrush(AMBER)
            if col == 4 and e["status"] == "error":
                return QBrush(RED)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == EvidenceIdRole:
            return e["id"]
        if role == FlagsRole:
            return list(e["flags"])
        return None

    def supportedDragActions(self):
        return Qt.DropAction.LinkAction | Qt.DropAction.CopyAction

    def supportedDropActions(self):
        return Qt.DropAction.LinkAction | Qt.DropAction.CopyAction

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
