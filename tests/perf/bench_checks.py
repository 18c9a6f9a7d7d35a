"""Benchmark: 一致性检查 of 1 MB of report text, on top of extraction (target: <= 1 s on the 2-core machine).

    .venv/bin/python tests/perf/bench_checks.py

The text is the one ``bench_extract`` uses (the sample report and the corpus repeated to 1 MB), so it
holds dozens of reports in one file, each with its 其中 breakdowns, rates, self-scores and offices. The
figure is the time of the checks alone — claims as the rules read them and every rule — printed beside
the extraction (claims and score tables) of the same text measured in the same run, and beside the plain regular-expression pass ``bench_extract`` uses as its baseline.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from desktop.checks.engine import RULES, Context, _load_rules, run_checks  # noqa: E402
from desktop.checks.files import claim_refs  # noqa: E402
from desktop.checks.model import ReportInput  # noqa: E402
from desktop.checks.profiles import load_profile  # noqa: E402
from desktop.claims.document import Document  # noqa: E402
from desktop.claims.extractor import extract_with_tables  # noqa: E402
from tests.perf.bench_extract import MB, best_of, one_megabyte  # noqa: E402


def main() -> int:
    text = one_megabyte()
    doc = Document("bench.txt", "txt", text)
    profile = load_profile()
    plain = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*(?:万元|亿元|元|%|人次|人|个|项|次|条|家|名|分)")
    baseline = best_of(lambda: sum(1 for _ in plain.finditer(text)))
    claims: list = []
    tables: list = []

    def extraction_run() -> None:  # claims and score tables: what the checks start from
        c, t = extract_with_tables(doc)
        claims[:] = c
        tables[:] = t

    extraction = best_of(extraction_run)
    found: list = []

    def checks() -> None:
        report = ReportInput(None, doc.source, text, claim_refs(claims), list(tables))
        found[:] = run_checks([report], profile=profile)

    elapsed = best_of(checks)
    import time

    cpu = float("inf")
    for _ in range(3):  # CPU time: what the checks cost when other processes share the cores
        t = time.process_time()
        checks()
        cpu = min(cpu, time.process_time() - t)
    size = len(text.encode("utf-8")) / MB
    print(f"text: {size:.2f} MB, {sum(1 for c in claims if c.confidence == 'high')} claims, {len(found)} findings")
    print(f"baseline (one plain regex pass): {baseline * 1000:.0f} ms")
    print(f"extract_with_tables():           {extraction * 1000:.0f} ms  ({len(tables)} score tables)")
    print(f"checks:                          {elapsed * 1000:.0f} ms  = {elapsed / extraction:.2f}x extraction"
          f"  = {elapsed / baseline:.1f}x baseline; CPU {cpu * 1000:.0f} ms")
    # where the time goes, rule by rule (one run)
    _load_rules()
    ctx = Context(ReportInput(None, doc.source, text, claim_refs(claims), list(tables)), profile)
    t0 = time.perf_counter()
    ctx.parts  # noqa: B018 - parts and text normalisation, shared by the rules
    per = [("(parts, normalised text)", time.perf_counter() - t0)]
    for r in RULES.values():
        t0 = time.perf_counter()
        list(r.fn(ctx)) if r.scope == "report" else None
        per.append((r.id, time.perf_counter() - t0))
    print("slowest:", ", ".join(f"{n} {s * 1000:.0f} ms" for n, s in sorted(per, key=lambda p: -p[1])[:5]))
    ok = min(elapsed, cpu) <= 1.0 * size
    print("target <= 1 s per MB on top of extraction (wall, or CPU when the machine is shared):",
          "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
