"""The rule engine: every rule is a small named function registered here; :func:`run_checks` runs them.

A rule (registered with :func:`~desktop.checks.context.rule`) takes a :class:`Context` (one report, its normalised text, claims, score tables and the scoring
profile) and yields :class:`~desktop.checks.model.Finding` values. Rules never raise on odd input: a
rule that cannot decide says nothing. Findings come back most severe first, then in report order.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from desktop.checks.context import RULES, Context, PartInfo, Rule, rule
from desktop.checks.model import EvidenceDates, Finding, ReportInput
from desktop.checks.profiles import Profile, load_profile


def run_checks(reports: Iterable[ReportInput], *, profile: Profile | None = None,
               evidence: dict[int | None, list[EvidenceDates]] | None = None,
               rules: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of every rule on every report, most severe first, then in report order."""
    _load_rules()
    profile = profile or load_profile()
    wanted = set(rules) if rules is not None else None
    found: list[Finding] = []
    for report in reports:
        ctx = Context(report, profile, (evidence or {}).get(report.report_id))
        for r in RULES.values():
            if wanted is not None and r.id not in wanted:
                continue
            if r.scope == "evidence" and not ctx.evidence:
                continue
            found.extend(_dedupe(r.fn(ctx)))
    found.sort(key=Finding.sort_key)
    return found


def _dedupe(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[str] = set()
    for f in findings:
        if f.key in seen:
            continue
        seen.add(f.key)
        yield f


def _load_rules() -> None:
    from desktop.checks import (  # noqa: F401  (importing registers the rules)
        rules_dates, rules_prose, rules_sense, rules_table, rules_table_text, rules_table_whole,
    )


__all__ = ["RULES", "Rule", "rule", "Context", "PartInfo", "run_checks"]
