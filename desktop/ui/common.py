"""What several panels share: colours, item-data roles, the drag-and-drop MIME types, small text helpers."""

from __future__ import annotations

import html
import json
from typing import Any, Callable, Iterable

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor

EVIDENCE_MIME = "application/x-evidencedesk-evidence-ids"  # files dragged (onto a claim)
CLAIM_MIME = "application/x-evidencedesk-claim-ids"  # claims dragged (onto a file)

RED = QColor("#c62828")
GREEN = QColor("#2e7d32")
GREY = QColor("#757575")
AMBER = QColor("#b26a00")

ClaimIdRole = Qt.ItemDataRole.UserRole + 1
EvidenceIdRole = Qt.ItemDataRole.UserRole + 2
FlagsRole = Qt.ItemDataRole.UserRole + 3
NodeKindRole = Qt.ItemDataRole.UserRole + 4
ProblemRole = Qt.ItemDataRole.UserRole + 20


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


def esc(text: Any) -> str:
    """Text for a rich-text label."""
    return html.escape("" if text is None else str(text), quote=False)


def format_value(row: dict[str, Any]) -> str:
    """A claim's value as written, with its unit (658.83万元)."""
    return f"{row.get('value_raw') or row.get('value') or ''}{row.get('unit') or ''}"


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


def undo_words(db, claim_row: Callable[[int], dict[str, Any] | None], action: str,
               pairs: list[tuple[int, int]]) -> dict[str, Any]:
    """``events`` / ``claims`` / ``evidence`` for :meth:`~desktop.ui.session.UndoStack.push`: one event of
    ``action`` per (claim, evidence) pair (evidence 0: none), with the claims and files named."""
    from desktop.evidence.queries import evidence_name

    claims = {c: row for c, _ in pairs if (row := claim_row(c))}
    evidence = {e: name for _, e in pairs if e and (name := evidence_name(db, e))}
    events = [{"action": action, "claim_id": c, "evidence_id": e or None} for c, e in pairs]
    return {"events": events, "claims": claims, "evidence": evidence}
