"""What a rule sees and how it is registered: :class:`Context` (one report, its normalised text, claims,
score tables and the scoring profile), :class:`PartInfo`, and the :func:`rule` decorator with its registry.

Rules import this module; :mod:`desktop.checks.engine` imports the rules and runs them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

from desktop.checks.model import ClaimRef, EvidenceDates, Finding, ReportInput
from desktop.checks.profiles import Profile


@dataclass(frozen=True)
class Rule:
    id: str
    fn: Callable[["Context"], Iterable[Finding]]
    scope: str  # "report": one report at a time; "evidence": a report with the files linked to its claims
    doc: str


RULES: dict[str, Rule] = {}


def rule(rule_id: str, *, scope: str = "report"):
    """Register a rule function under ``rule_id`` (its first docstring line says what it checks)."""

    def wrap(fn):
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        RULES[rule_id] = Rule(rule_id, fn, scope, doc)
        return fn

    return wrap


@dataclass
class PartInfo:
    """One report inside a file (部门整体 / 项目支出), its text range and what its heading block says."""

    name: str | None
    start: int
    end: int


_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff05\uff0e\u3000]")


def _half_width(m: re.Match[str]) -> str:
    ch = m.group()
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


_TITLE_WORDS = re.compile(r"绩效.{0,4}(?:评价|自评)报告|自评表|评价报告")
_TITLE_PUNCT = re.compile(r"[《》，,。；;、]")


class Context:
    """One report as the rules read it, with lookups computed once."""

    def __init__(self, report: ReportInput, profile: Profile, evidence: list[EvidenceDates] | None = None):
        self.report = report
        self.profile = profile
        self.evidence = evidence or []
        self.claims = sorted((c for c in report.claims if c.start is not None),
                             key=lambda c: (c.start, c.end or 0))
        self._starts = [c.start for c in self.claims]
        self.cache: dict[str, object] = {}  # what one rule computes and another reuses (breakdowns)

    @cached_property
    def norm(self) -> str:
        """The text with full-width digits, letters, ％ ． and ideographic spaces made ASCII, one character
        for one (so offsets stay the claims' offsets). The rules' patterns accept both forms of the
        punctuation they need (（( ：: ；; ，,), which is left as written."""
        text = self.report.text
        return _FULL_WIDTH.sub(_half_width, text) if _FULL_WIDTH.search(text) else text

    @cached_property
    def parts(self) -> list[PartInfo]:
        """The reports inside this file (部门整体 / 项目支出), split at their title lines the way the
        extractor assigns a claim's ``part``: a heading or short line naming a 自评报告 / 自评表."""
        from desktop.claims.lines import part_of

        text = self.norm
        out = [PartInfo(None, 0, len(text))]
        for m in _TITLE_WORDS.finditer(text):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end
            line = text[start:end].strip()
            if out[-1].start == start or len(line) > 48:
                continue
            heading = line.startswith("#") or line.startswith("**")
            title = line.strip("#* \t>")
            if len(title) > 40 or not part_of(title) or (not heading and _TITLE_PUNCT.search(title)):
                continue
            name = part_of(title)
            if out[-1].name is None and not self.claims_between(out[-1].start, start):
                out[-1] = PartInfo(name, out[-1].start, len(text))  # the file's first title
                continue
            out[-1].end = start
            out.append(PartInfo(name, start, len(text)))
        return out

    def part_at(self, offset: int) -> PartInfo:
        parts = self.parts
        starts = self.cache.get("part_starts")
        if starts is None:
            starts = self.cache["part_starts"] = [p.start for p in parts]
        i = bisect.bisect_right(starts, offset) - 1  # type: ignore[arg-type]
        return parts[max(i, 0)]

    def claims_between(self, start: int, end: int) -> list[ClaimRef]:
        i = bisect.bisect_left(self._starts, start)
        j = bisect.bisect_left(self._starts, end)
        return self.claims[i:j]

    def part_claims(self, part: PartInfo) -> list[ClaimRef]:
        return self.claims_between(part.start, part.end)

    @cached_property
    def dates(self):
        from desktop.checks.dates import report_dates

        return report_dates(self)


__all__ = ["RULES", "Rule", "rule", "Context", "PartInfo"]
