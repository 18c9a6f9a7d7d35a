"""Which claims the claims list shows: a flag (缺佐证, 数值未找到 …), optionally one report or section.

Set from the dashboard (its buttons and figures) and the 查看 menu; applied by the claims panel. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.review import status
from desktop.text.checks import FINDINGS_FILTER
from desktop.text.messages import FLAG_NAMES

#: the flags a claim filter can be about that F3 walks through
CLAIM_FLAG_FILTERS = ("no_evidence", "value_not_found", "evidence_superseded")


@dataclass(frozen=True)
class ClaimFilter:
    # no_evidence / value_not_found / evidence_superseded / has_evidence / not_required / has_findings (an
    # open 一致性检查 finding: the claims list passes the claims it marks)
    flag: str | None = None
    report_id: int | None = None
    section: str | None = None

    @property
    def active(self) -> bool:
        return self.flag is not None or self.report_id is not None

    def matches(self, claim: dict[str, Any], findings: frozenset[int] | set[int] = frozenset()) -> bool:
        """Does the filter let ``claim`` through? ``findings``: the claims with an open finding."""
        if self.report_id is not None and claim["report_id"] != self.report_id:
            return False
        if self.section is not None and status.section_title(claim) != self.section:
            return False
        flag = self.flag
        if flag is None:
            return True
        if flag == "has_evidence":
            return "no_evidence" not in claim["flags"]
        if flag == "not_required":
            return not claim["needs_evidence"]
        if flag == "has_findings":
            return claim["id"] in findings
        return flag in claim["flags"]

    def describe(self, reports: dict[int, str]) -> str | None:
        if not self.active:
            return None
        where = self.section or (reports.get(self.report_id, "") if self.report_id is not None else "")
        what = {"has_evidence": "已有佐证", "not_required": "无需佐证",
                                                     "has_findings": FINDINGS_FILTER}.get(self.flag or "",
                                                                       FLAG_NAMES.get(self.flag or "", "全部指标"))
        return f"{where} · {what}" if where else what
