"""Run the checks on a piece of report text, as ``check REPORT_FILE`` would."""

from __future__ import annotations

from desktop.checks.engine import run_checks
from desktop.checks.files import claim_refs, finding_json
from desktop.checks.model import ReportInput
from desktop.claims import extractor
from desktop.claims.document import Document


def check_text(text: str, *, rules: list[str] | None = None, tables=None, profile=None) -> list[dict]:
    doc = Document("t.txt", "txt", text)
    claims = extractor.extract(doc)
    found = run_checks([ReportInput(None, "t.txt", text, claim_refs(claims), list(tables or []))], rules=rules,
                       profile=profile)
    return [finding_json(f) for f in found]


def severities(found: list[dict]) -> list[tuple[str, str]]:
    return [(f["rule"], f["severity"]) for f in found]
