"""Named reads of the exchange area (the CLI and the GUI hold no SQL)."""

from __future__ import annotations

import json
from typing import Any

from db.database import Database


def _row(r) -> dict[str, Any]:
    d = dict(r)
    try:
        d["counts"] = json.loads(d.get("counts") or "{}")
    except ValueError:
        d["counts"] = {}
    return d


def exports(db: Database) -> list[dict[str, Any]]:
    """Every package this workspace exported, oldest first."""
    if not _has_exports(db):
        return []
    return [_row(r) for r in db.query("SELECT * FROM exports ORDER BY id")]


def exported_package(db: Database, *, package_id: str | None = None, package_sha256: str | None = None,
                     manifest_sha256: str | None = None) -> dict[str, Any] | None:
    """The export this workspace recorded with that package id or hash, or None (not ours)."""
    if not _has_exports(db):
        return None
    for column, value in (("package_id", package_id), ("package_sha256", package_sha256),
                          ("manifest_sha256", manifest_sha256)):
        if value:
            r = db.query_one(f"SELECT * FROM exports WHERE {column} = ? ORDER BY id DESC LIMIT 1", (value,))
            if r is not None:
                return _row(r)
    return None


def _has_exports(db: Database) -> bool:
    # a workspace opened read-only is not migrated: an old one may have no exports table yet
    return db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'exports'") == 1
