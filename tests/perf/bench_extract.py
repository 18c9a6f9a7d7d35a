"""Benchmark: extraction of 1 MB of report text (target: <= 1 s on the 2-core dev machine).

    .venv/bin/python tests/perf/bench_extract.py

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


def one_megabyte() -> str:
    parts = [read_report(p).text for p in sorted(SAMPLES.glob("*.txt")) + corpus_files()]
    unit = "\n\n".join(parts)
    text = ""
    while len(text.encode("utf-8")) < MB:
        text += unit + "\n\n"
    b = text.encode("utf-8")[:MB]
    return b.decode("utf-8", errors="ignore")


def best_of(fn, n: int = 3) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
