"""Checking a report file without a workspace (``evidence-desk check REPORT_FILE``).

Claims are identified by their index in the extractor's list (the same order ``claims FILE --json``
prints them in), so a finding's ``claim_ids`` point into that list.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.checks.engine import run_checks
from desktop.checks.model import ClaimRef, Finding, ReportInput
from desktop.checks.profiles import Profile
from desktop.claims.document import Document
from desktop.claims.extractor import ExtractedClaim


def claim_refs(claims: list[ExtractedClaim]) -> list[ClaimRef]:
    """The high-confidence claims as the rules read them, ``id`` = index in ``claims``."""
    out = []
    for i, c in enumerate(claims):
        if c.confidence != "high" or c.value is None:
            continue
        out.append(ClaimRef(
            id=i, value=Decimal(c.value), raw=c.value_raw, unit=c.unit or "", scale=int(Decimal(c.scale or "1")),
            kind=c.kind or "", subject=c.subject or "", start=c.start, end=c.end, quote=c.quote, part=c.part,
            section=c.section, page=c.page, flags=tuple(c.flags), origin=c.origin, approx=c.approx,
        ))
    return out


def check_document(doc: Document, *, profile: Profile | None = None) -> tuple[list[Finding], list[ExtractedClaim]]:
    """Extract ``doc``'s claims and score tables, and check them."""
    from desktop.claims.extractor import extract_with_tables

    claims, tables = extract_with_tables(doc)
    report = ReportInput(None, doc.source, doc.text, claim_refs(claims), list(tables))
    return run_checks([report], profile=profile), claims


def check_file(path: str | Path, *, profile: Profile | None = None) -> tuple[list[Finding], list[ExtractedClaim]]:
    from desktop.claims.readers import read_report_isolated as read_report

    return check_document(read_report(path), profile=profile)


def finding_json(f: Finding) -> dict[str, Any]:
    """A finding as ``check --json`` prints it."""
    from desktop.text.checks import finding_message, rule_name, severity_name

    return {
        "key": f.key,
        "rule": f.rule,
        "rule_name": rule_name(f.rule),
        "severity": f.severity,
        "severity_name": severity_name(f.severity),
        "message": finding_message(f.code, f.severity, f.params),
        "code": f.code,
        "claim_ids": f.claim_ids,
        "cells": f.cells,
        "values": f.values,
        "where": f.where,
        "dismissed": f.dismissed,
        "dismissal": f.dismissal,
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


__all__ = ["claim_refs", "check_document", "check_file", "finding_json"]
