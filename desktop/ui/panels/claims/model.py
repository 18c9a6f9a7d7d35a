"""The claims tree: reports → sections → claims, a thin adapter over :func:`desktop.review.status.claim_rows`.

Claim rows are red while they lack evidence; each group shows "已有佐证 x/y". :meth:`ClaimsTreeModel.refresh_claims`
re-reads just the claims a change named and signals them (and their groups) changed, so views keep their
selection and scroll position; evidence dropped on a claim is announced by ``evidence_dropped``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush

from db.database import Database
from desktop.claims.queries import report_names
from desktop.review import status
from desktop.text import checks as CT
from desktop.text.messages import REVIEW_STATES
from desktop.ui.common import (
    AMBER,
    CLAIM_MIME,
    EVIDENCE_MIME,
    GREEN,
    GREY,
    RED,
    ClaimIdRole,
    FlagsRole,
    NodeKindRole,
    format_value,
    ids_from_mime,
    ids_to_mime,
)
from desktop.ui.table_model import header_data

REVIEW_COLOURS = {"verified": GREEN, "questioned": RED, "needs_more": AMBER, "stale": RED, "not_required": GREY}
MARK_COLOURS = {"error": RED, "warning": AMBER, "rounding": GREY, "info": GREY}
#: the column of the 一致性 mark; FindingsRole gives a claim's open findings ([{key, severity, message}])
MARK_COLUMN = 6
FindingsRole = Qt.ItemDataRole.UserRole + 41


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
    COLUMNS = ("指标", "数值", "佐证", "状态", "审核", "#", CT.CLAIM_MARK_HEADER)
    NUMBER_COLUMN = 5  # the claim's number, as the status bar, the suggestions and the audit log say it (#10);
    # after the model's first columns (they keep their numbers), shown second by the view

    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self._nodes: list[_Node] = []
        self._top: list[int] = []
        self._claims: dict[int, dict[str, Any]] = {}
        self._claim_node: dict[int, int] = {}
        self._reports: dict[int, str] = {}
        self._findings: dict[int, list[dict[str, Any]]] = {}  # claim id → its open findings (the checks)
        self.reload()

    # structure ---------------------------------------------------------------------------------

    def _build(self) -> None:
        rows = status.claim_rows(self.db)
        self._reports = report_names(self.db)
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

    def set_findings(self, by_claim: dict[int, list[dict[str, Any]]]) -> None:
        """The open findings each claim is involved in (the 一致性检查's last run); the marks follow."""
        old, self._findings = self._findings, {int(k): list(v) for k, v in by_claim.items()}
        for cid in set(old) | set(self._findings):
            if old.get(cid) != self._findings.get(cid):
                idx = self.index_for_claim(cid, MARK_COLUMN)
                if idx.isValid():
                    self.dataChanged.emit(idx, idx)

    def findings(self, claim_id: int) -> list[dict[str, Any]]:
        return list(self._findings.get(claim_id, ()))

    def claims_with_findings(self) -> frozenset[int]:
        return frozenset(self._findings)

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
        return header_data(self.COLUMNS, section, orientation, role)

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
            c = status.Completeness.of(claims)  # 无需佐证 counted apart, as in the status bar
            if role == Qt.ItemDataRole.DisplayRole:
                if col == 0:
                    return node.title
                if col == 3:
                    return f"已有佐证 {c.with_evidence}/{c.needing}" + (f"（无需 {c.not_required}）" if c.not_required else "")
            if role == Qt.ItemDataRole.ForegroundRole and col == 3:
                return QBrush(GREEN if c.without_evidence == 0 else RED)
            if role == NodeKindRole:
                return node.kind
            return None
        c = self._claims[node.key]
        missing = "no_evidence" in c["flags"]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return c["subject"] or c["quote"]
            if col == self.NUMBER_COLUMN:
                return f"#{c['id']}"
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
        if col == 4 and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole):  # the review
            review = "stale" if c.get("review_stale") else c.get("review", "pending")
            if role == Qt.ItemDataRole.DisplayRole:
                return "" if review == "pending" else REVIEW_STATES.get(review, review)
            return QBrush(REVIEW_COLOURS.get(review, GREY))
        if col == MARK_COLUMN:
            marks = self._findings.get(c["id"])
            if role == FindingsRole:
                return list(marks or [])
            if not marks and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                                      Qt.ItemDataRole.ToolTipRole):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return CT.CLAIM_MARKS.get(marks[0]["severity"], marks[0]["severity"]) + (
                    f" {len(marks)}" if len(marks) > 1 else "")
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(MARK_COLOURS.get(marks[0]["severity"], GREY))
            if role == Qt.ItemDataRole.ToolTipRole:
                return CT.claim_mark_tooltip(marks)
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"第 {c['page']} 页 · " if c.get("page") else ""
            return f"{where}{c.get('section') or ''}\n“{c['quote']}”"
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            warn = "value_not_found" in c["flags"] or "evidence_superseded" in c["flags"]
            return QBrush(RED if missing else AMBER if warn else GREEN)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.NUMBER_COLUMN:
            return QBrush(GREY)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, self.NUMBER_COLUMN):
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
