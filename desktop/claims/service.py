"""Claim mutations: import a report and its claims (rows + one audit event per call)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from db.database import Database
from desktop.claims import extractor
from desktop.claims.document import Document
from desktop.claims.readers import read_report
from desktop.workspace import require_role

EDITOR = ("editor",)


@dataclass
class ImportResult:
    report_id: int
    claims: int
    candidates: int
    name: str


def import_report(db: Database, *, path: str | Path) -> ImportResult:
    """Read ``path``, extract its claims and store report + claims in one transaction."""
    require_role(db, "report.import", *EDITOR)
    path = Path(path)
    doc = read_report(path)
    data = path.read_bytes()
    return import_document(db, doc=doc, sha256=hashlib.sha256(data).hexdigest(), source_path=str(path))


def import_document(db: Database, *, doc: Document, sha256: str, source_path: str | None) -> ImportResult:
    require_role(db, "report.import", *EDITOR)
    found = extractor.extract(doc)
    with db.write() as tx:
        report_id = tx.insert(
            "reports",
            {
                "name": doc.source,
                "source_path": source_path,
                "sha256": sha256,
                "format": doc.format,
                "kind": doc.kind,
                "text": doc.text,
                "locations": json.dumps(doc.locations_json(), ensure_ascii=False),
                "imported_at": tx.now,
            },
        )
        rows = []
        for c in found:
            rows.append(
                {
                    "report_id": report_id,
                    "quote": c.quote,
                    "start": c.start,
                    "end": c.end,
                    "page": c.page,
                    "section": c.section,
                    "part": c.part,
                    "subject": c.subject,
                    "value_raw": c.value_raw,
                    "value": c.value,
                    "unit": c.unit,
                    "scale": c.scale,
                    "approx": c.approx,
                    "value_high": c.value_high,
                    "kind": c.kind,
                    "flags": json.dumps(c.flags),
                    "confidence": c.confidence,
                    "origin": "table" if doc.kind == "score_table" else "extracted",
                    "state": "active" if c.confidence == "high" else "candidate",
                    "context_before": c.context_before,
                    "context_after": c.context_after,
                    "created_at": tx.now,
                    "updated_at": tx.now,
                }
            )
        if rows:
            cols = list(rows[0])
            tx.executemany(
                f"INSERT INTO claims ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})", rows
            )
        high = sum(1 for c in found if c.confidence == "high")
        tx.event(
            "report.imported",
            {"name": doc.source, "sha256": sha256, "format": doc.format, "claims": high,
             "candidates": len(found) - high},
            report_id=report_id,
        )
    return ImportResult(report_id, high, len(found) - high, doc.source)
