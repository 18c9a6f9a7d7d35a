"""What the consistency rules read and what they return.

Rules read a :class:`ReportInput` per report (its text, its claims as :class:`ClaimRef` and its score
tables as :class:`~desktop.claims.scoretable.ScoreTable`) and, for the evidence-date rule, the dates
found in the files linked to its claims (:class:`EvidenceDates`). They return :class:`Finding` values:
a rule id, a severity code, a message code with its parameters (worded by ``desktop.text.checks``),
the claims and score-table cells involved, the numbers involved, and where.

Claims come from a workspace (``id`` is the claim's row id) or straight from the extractor when a file
is checked without a workspace (``id`` is then the claim's index in the extractor's list).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from desktop.claims.scoretable import ScoreTable

ERROR, WARNING, ROUNDING = "error", "warning", "rounding"
#: most severe first: the order findings are listed in
SEVERITIES = (ERROR, WARNING, ROUNDING)


@dataclass(slots=True)
class ClaimRef:
    """One claim as the rules see it: its value as a Decimal in the unit as written."""

    id: int
    value: Decimal
    raw: str
    unit: str
    scale: int
    kind: str
    subject: str
    start: int | None
    end: int | None
    quote: str = ""
    part: str | None = None
    section: str | None = None
    page: int | None = None
    flags: tuple[str, ...] = ()
    origin: str = "extracted"
    approx: str | None = None

    @property
    def decimals(self) -> int:
        """Decimal places as written (``34817.01`` → 2, ``7000`` → 0)."""
        raw = self.raw.replace(",", "")
        return len(raw.split(".", 1)[1]) if "." in raw else 0

    @property
    def base(self) -> Decimal:
        """The value in the unit without its magnitude (万元 → 元)."""
        return self.value * self.scale

    @property
    def base_unit(self) -> str:
        """The unit without its magnitude: 万元 → 元, 万人次 → 人次."""
        return base_unit(self.unit or "")


@lru_cache(maxsize=1024)
def base_unit(unit: str) -> str:
    from desktop.claims.extractor import BASE_UNITS, MAGNITUDES

    if unit in BASE_UNITS:
        return unit
    for mag in sorted(MAGNITUDES, key=len, reverse=True):
        if unit.startswith(mag) and len(unit) > len(mag):
            return unit[len(mag):]
    return unit


@dataclass
class ReportInput:
    """One report to check: text, claims in text order, score tables, and its part boundaries."""

    report_id: int | None
    name: str
    text: str
    claims: list[ClaimRef] = field(default_factory=list)
    tables: list[ScoreTable] = field(default_factory=list)
    #: extractor index → claim id, for the claim indexes score-table rows carry (None: ids are indexes)
    claim_index_ids: dict[int, int] | None = None


@dataclass
class EvidenceDates:
    """The dates written in one linked evidence file (落款, 凭证日期, a sheet's period), and the years it
    names (``2024年度``), with the claims it backs."""

    evidence_id: int
    name: str
    claim_ids: list[int]
    report_id: int | None
    dates: list[tuple[str, str]]  # (ISO date or YYYY-MM, locator)
    years: list[int] = field(default_factory=list)


@dataclass
class Finding:
    """One inconsistency. ``params`` are strings (numbers formatted as the arithmetic shows them)."""

    rule: str
    severity: str
    code: str
    params: dict[str, Any]
    claim_ids: list[int] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    where: dict[str, Any] = field(default_factory=dict)
    #: what identifies this finding across re-imports (claim ids, cell keys, names): hashed into ``key``
    identity: list[Any] = field(default_factory=list)
    dismissed: bool = False
    dismissal: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        ident = self.identity or [sorted(self.claim_ids), [c.get("key") for c in self.cells]]
        blob = json.dumps([self.rule, self.code.split(".")[0], ident], ensure_ascii=False, sort_keys=True,
                          default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def sort_key(self) -> tuple:
        return (SEVERITIES.index(self.severity), self.where.get("report_id") or 0,
                self.where.get("start") if self.where.get("start") is not None else 10**12, self.rule)


def where_of(report: ReportInput, claims: list[ClaimRef] | None = None, *, start: int | None = None,
             end: int | None = None, part: str | None = None, section: str | None = None,
             page: int | None = None, table: str | None = None) -> dict[str, Any]:
    """Where a finding is: the report, and the stretch of text from its first to its last claim."""
    spans = [(c.start, c.end) for c in claims or [] if c.start is not None and c.end is not None]
    if spans and start is None:
        start = min(s for s, _ in spans)
        end = max(e for _, e in spans)
    first = claims[0] if claims else None
    return {
        "report_id": report.report_id,
        "report": report.name,
        "part": part if part is not None else (first.part if first else None),
        "section": section if section is not None else (first.section if first else None),
        "page": page if page is not None else (first.page if first else None),
        "start": start,
        "end": end,
        "table": table,
    }


__all__ = ["ERROR", "WARNING", "ROUNDING", "SEVERITIES", "ClaimRef", "ReportInput", "EvidenceDates", "Finding",
           "where_of"]
