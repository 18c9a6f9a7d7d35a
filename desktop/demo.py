"""The demo workspace: built once in the user data folder from ``resources/samples/``.

It holds the sample report, its 绩效自评表 (an xlsx imported as a report of its own: the 自评表 view and
the 一致性检查 have a table to show), a watched folder with a handful of evidence files, and a few links, so
a new user sees covered and uncovered claims at once.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

from desktop import config
from desktop.claims.service import import_report
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.resources import samples_dir
from desktop.review.links import link_evidence
from desktop.workspace import Workspace

DEMO_DIR_NAME = "demo-workspace"
WATCH_DIR_NAME = "佐证材料"


def demo_path() -> Path:
    return config.data_dir() / DEMO_DIR_NAME


def build_demo(root: Path | None = None, *, samples: Path | None = None) -> Path:
    """Create the demo workspace at ``root`` (default: the user data folder) and return its path.

    An existing demo workspace is kept as it is (the user may have worked in it).
    """
    root = Path(root) if root else demo_path()
    if Workspace.is_workspace(root):
        return root
    samples = Path(samples) if samples else samples_dir()
    spec = json.loads((samples / "demo.json").read_text(encoding="utf-8"))
    watch = root / WATCH_DIR_NAME
    watch.mkdir(parents=True, exist_ok=True)
    for f in sorted((samples / spec["evidence_folder"]).iterdir()):
        if f.is_file():
            shutil.copy2(f, watch / f.name)
    with Workspace.create(root, watch_dir=watch, name=spec["name"], actor="演示") as ws:
        report = import_report(ws.db, path=samples / spec["report"])
        ids = {}
        for f in sorted(watch.iterdir()):
            ids[f.name] = register_file(ws, f).evidence_id
            index_evidence(ws, ids[f.name])
        for link in spec["links"]:
            row = ws.db.query_one(
                "SELECT id FROM claims WHERE report_id = ? AND unit = ? AND CAST(value AS TEXT) = ?"
                " AND id NOT IN (SELECT claim_id FROM links) ORDER BY start LIMIT 1",
                (report.report_id, link["unit"], str(Decimal(link["value"]))),
            )
            if row is not None and link["file"] in ids:
                link_evidence(ws.db, claim_id=row["id"], evidence_id=ids[link["file"]],
                              locator=link.get("locator"), origin="demo")
        for name in spec.get("score_tables", []):  # after the links: the sample report's ids stay as they were
            import_report(ws.db, path=samples / name)
    return root
