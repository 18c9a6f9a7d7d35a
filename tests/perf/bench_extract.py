"""Benchmark: extraction of 1 MB of report text (target: <= 1 s on the 2-core dev machine), and the
growth over 1 / 2 / 4 / 8 MB of a text report as read from a file (paragraph spans, no pages: the case
that was quadratic while ``Document.page_at`` walked back over every span), which must be linear.

    .venv/bin/python tests/perf/bench_extract.py [--sizes 1,2,4,8]

The text is the sample report and the corpus files repeated to 1 MB (UTF-8). The figure is printed
with a baseline measured in the same run — one pass of a plain number+unit regex over the same text,
the cheapest extractor imaginable — so machines of different speed can be compared by the ratio.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from desktop.claims.document import Document  # noqa: E402
from desktop.claims.extractor import extract  # noqa: E402
from desktop.claims.readers import read_report  # noqa: E402
from tests.claims.score import SAMPLES, corpus_files  # noqa: E402

MB = 1_000_000


def megabytes(n: float = 1) -> str:
    parts = [read_report(p).text for p in sorted(SAMPLES.glob("*.txt")) + corpus_files()]
    unit = "\n\n".join(parts) + "\n\n"
    size = int(n * MB)
    reps = size // len(unit.encode("utf-8")) + 1
    b = (unit * reps).encode("utf-8")[:size]
    return b.decode("utf-8", errors="ignore")


def one_megabyte() -> str:
    return megabytes(1)


def growth(sizes: list[float]) -> bool:
    """extract_with_tables over a report read as a .txt file would be (one span per paragraph, no page)."""
    from desktop.claims.extractor import extract_with_tables
    from desktop.claims.readers import _paragraph_spans

    rows = []
    for mb in sizes:
        text = megabytes(mb)
        t = time.perf_counter()
        doc = Document("bench.txt", "txt", text, _paragraph_spans(text))
        claims, _ = extract_with_tables(doc)
        rows.append((mb, time.perf_counter() - t, len(claims), len(doc.spans)))
    base = rows[0][1] / rows[0][0]
    print("growth (text report with paragraph spans, no pages; extract_with_tables):")
    for mb, sec, n, spans in rows:
        print(f"  {mb:>4g} MB  {sec:6.2f} s  {sec / mb:5.2f} s/MB  = {sec / mb / base:4.2f}x the 1st size's s/MB"
              f"  ({spans} spans, {n} claims)")
    worst = max(sec / mb for mb, sec, _, _ in rows) / base
    linear = worst <= 1.5
    print("linear (s/MB within 1.5x of the smallest size's):", "yes" if linear else "NO")
    return linear


def best_of(fn, n: int = 3) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    sizes = [1.0, 2.0, 4.0, 8.0]
    if "--sizes" in sys.argv:
        sizes = [float(x) for x in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
    text = one_megabyte()
    doc = Document("bench.txt", "txt", text)
    plain = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*(?:万元|亿元|元|%|人次|人|个|项|次|条|家|名|分)")
    baseline = best_of(lambda: sum(1 for _ in plain.finditer(text)))
    claims: list = []
    elapsed = best_of(lambda: claims.__setitem__(slice(None), extract(doc)))
    size = len(text.encode("utf-8")) / MB
    high = sum(1 for c in claims if c.confidence == "high")
    print(f"text: {size:.2f} MB ({len(text)} characters), claims: {high} high + {len(claims) - high} unclassified")
    print(f"baseline (one plain regex pass): {baseline * 1000:.0f} ms")
    print(f"extract():                       {elapsed * 1000:.0f} ms  = {size / elapsed:.2f} MB/s"
          f"  = {elapsed / baseline:.1f}x baseline")
    ok = elapsed <= 1.0 * size
    print("target <= 1 s per MB:", "met" if ok else "NOT met")
    linear = growth(sizes)
    return 0 if ok and linear else 1


if __name__ == "__main__":
    sys.exit(main())
