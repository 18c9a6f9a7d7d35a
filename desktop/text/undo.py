"""What 撤销 and 重做 would do, in words: 撤销“关联 #12 追回多发社保待遇 658.83万元 ← E3《银行回单》”.

The UI keeps an undo stack of writes; each write is known by the audit events it made (the ``Changes`` of
its transaction). :func:`undo_text` and :func:`redo_text` word the top of the stack for the menu item,
the button's tooltip and the status bar, from those events alone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from desktop.text.audit import action_name, claim_label, evidence_label

MAX_TARGET = 60


def _target(event: dict[str, Any], claims: dict[int, dict[str, Any]], evidence: dict[int, str]) -> str:
    c = claim_label(event.get("claim_id"), claims)
    e = evidence_label(event.get("evidence_id"), evidence)
    text = f"{c} ← {e}" if c and e else (c or e)
    return text if len(text) <= MAX_TARGET else text[: MAX_TARGET - 1] + "…"


def change_summary(events: Iterable[dict[str, Any]], claims: dict[int, dict[str, Any]] | None = None,
                   evidence: dict[int, str] | None = None) -> str:
    """One write in words: ``关联 #12 … ← E3《…》``; several of a kind: ``关联（3 项）``; mixed: ``关联 2 项、取消关联 1 项``."""
    events = list(events)
    claims, evidence = claims or {}, evidence or {}
    if not events:
        return ""
    if len(events) == 1:
        e = events[0]
        target = _target(e, claims, evidence)
        return f"{action_name(e['action'])} {target}".rstrip()
    counts = Counter(e["action"] for e in events)
    if len(counts) == 1:
        return f"{action_name(events[0]['action'])}（{len(events)} 项）"
    return "、".join(f"{action_name(a)} {n} 项" for a, n in counts.items())


def undo_text(events: Iterable[dict[str, Any]], claims: dict[int, dict[str, Any]] | None = None,
              evidence: dict[int, str] | None = None) -> str:
    """``撤销“关联 #12 … ← E3《…》”`` (``撤销`` alone when there is nothing to undo)."""
    summary = change_summary(events, claims, evidence)
    return f"撤销“{summary}”" if summary else "撤销"


def redo_text(events: Iterable[dict[str, Any]], claims: dict[int, dict[str, Any]] | None = None,
              evidence: dict[int, str] | None = None) -> str:
    """``重做“关联 #12 … ← E3《…》”`` (``重做`` alone when there is nothing to redo)."""
    summary = change_summary(events, claims, evidence)
    return f"重做“{summary}”" if summary else "重做"


__all__ = ["change_summary", "undo_text", "redo_text"]
