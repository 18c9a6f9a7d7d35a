"""Mutations of the exchange area: each writes its rows and exactly one audit event."""

from __future__ import annotations

import json
from typing import Any

from db.database import Database
from desktop.workspace import require_writable


def record_export(db: Database, *, result, kind: str = "package", since_package_id: str | None = None
                  ) -> dict[str, Any]:
    """Record a finished export (``exports`` row + ``package.exported`` event carrying the whole row).

    Either role may export (an inspector may hand a package on); the event names who and in which role.
    """
    require_writable(db)
    row: dict[str, Any] = {
        "package_id": result.package_id,
        "kind": kind,  # package, or supplement (export --since: since_package_id names the package it follows)
        "since_package_id": since_package_id,
        "package_sha256": result.package_sha256,
        "manifest_sha256": result.manifest_sha256,
        "binder_sha256": result.binder_sha256,
        "audit_seq": result.audit_seq,
        "audit_head": result.audit_head,
        "path": str(result.path),
        "binder_path": str(result.binder_path) if result.binder_path else None,
        "counts": json.dumps(result.counts, ensure_ascii=False, sort_keys=True),
        "created_at": result.created_at,
    }
    with db.write() as tx:
        row["actor"], row["role"] = tx.actor, tx.role
        row["id"] = tx.insert("exports", row)
        event = tx.event("package.exported", {"export": {**row, "counts": result.counts}})
    return {**row, "seq": event["seq"]}
