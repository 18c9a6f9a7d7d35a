"""Dismissing a finding with a reason, and restoring it. Each is one transaction with one audit event.

A dismissal is stored under the finding's key (rule + the claims or cells it is about), with what the
finding said and the figures it showed, the reason, who and when; restoring deletes the row (the audit
events keep both). Only the group that prepares the report (编制) may dismiss; the inspector sees the
dismissal and its reason beside the finding.
"""

from __future__ import annotations

import json
from typing import Any

from db.database import Database
from desktop.checks.model import Finding
from desktop.errors import DeskError
from desktop.workspace import require_role

EDITOR = ("editor",)


def _find(db: Database, key: str) -> Finding:
    from desktop.checks.queries import workspace_findings

    for f in workspace_findings(db):
        if f.key == key:
            return f
    raise DeskError("finding.not_found", key=key)


def dismiss_finding(db: Database, *, key: str, reason: str) -> dict[str, Any]:
    """Dismiss the current finding ``key`` with ``reason``; returns the stored row."""
    from desktop.text.checks import finding_message

    require_role(db, "finding.dismiss", *EDITOR)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DeskError("finding.reason_required", key=key)
    f = _find(db, key)
    if f.dismissed:
        raise DeskError("finding.already_dismissed", key=key)
    with db.write() as tx:
        stale = tx.execute("SELECT * FROM finding_dismissals WHERE finding_key = ?", (key,)).fetchone()
        replaced = dict(stale) if stale is not None else None
        if stale is not None:  # figures changed since an earlier dismissal: this one takes its place
            tx.execute("DELETE FROM finding_dismissals WHERE id = ?", (stale["id"],))
        row = {
            "finding_key": key, "rule": f.rule, "severity": f.severity, "report_id": f.where.get("report_id"),
            "claim_ids": json.dumps(f.claim_ids), "cells": json.dumps([c.get("key") for c in f.cells],
                                                                       ensure_ascii=False),
            "figures": json.dumps(f.values, ensure_ascii=False),
            "message": finding_message(f.code, f.severity, f.params), "reason": reason, "actor": tx.actor,
            "created_at": tx.now,
        }
        row_id = tx.insert("finding_dismissals", row)
        after = {"id": row_id, **row, "claim_ids": f.claim_ids, "cells": json.loads(row["cells"]),
                 "figures": f.values}
        tx.event("finding.dismissed", {"after": after, "replaced": replaced},
                 report_id=f.where.get("report_id"), claim_id=f.claim_ids[0] if f.claim_ids else None)
    return after


def restore_finding(db: Database, *, key: str) -> dict[str, Any]:
    """Undo a dismissal: the finding counts again. Returns the removed row."""
    require_role(db, "finding.restore", *EDITOR)
    with db.write() as tx:
        row = tx.execute("SELECT * FROM finding_dismissals WHERE finding_key = ?", (key,)).fetchone()
        if row is None:
            raise DeskError("finding.not_dismissed", key=key)
        before = dict(row)
        for k in ("claim_ids", "cells", "figures"):
            before[k] = json.loads(before[k] or "[]")
        tx.execute("DELETE FROM finding_dismissals WHERE id = ?", (row["id"],))
        tx.event("finding.restored", {"before": before, "after": None}, report_id=before["report_id"],
                 claim_id=before["claim_ids"][0] if before["claim_ids"] else None)
    return before


__all__ = ["dismiss_finding", "restore_finding"]
