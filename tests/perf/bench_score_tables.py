"""Benchmark: claim extraction with the score-table readers, on 1 MB of report text and on 1 MB of
score tables only (target: <= 1 s per MB on the 2-core dev machine, for both).

    .venv/bin/python tests/perf/bench_score_tables.py

1. **Reports**: the text of ``bench_extract`` (the sample report and the corpus repeated to 1 MB, about
   one 绩效自评表 in every 3 KB); how much of ``extract()`` the score-table readers take is printed too.
2. **Tables only**: the shared and held-out score tables and the generated 50-row table in its five
   flattened forms (pipes, one cell per line, spaces, tabs, run together), repeated to 1 MB — the worst
   case for the readers, every line a table row.

Each figure is printed beside a baseline measured in the same run on the same text: one pass of a plain
number+unit regular expression. CPU time of this process is printed beside wall time: on a shared
machine the wall clock measures the neighbours too.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import MB, one_megabyte  # noqa: E402

from desktop.claims import extractor, score_tables  # noqa: E402
from desktop.claims.document import Document  # noqa: E402
from tests.claims import scoretable_files as F  # noqa: E402
from tests.claims.score_rows import HELDOUT, HELDOUT2, SHARED  # noqa: E402

PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*(?:万元|亿元|元|%|人次|人|个|项|次|条|家|名|分)")


def tables_megabyte() -> str:
    parts = []
    for folder in (SHARED, HELDOUT, HELDOUT2):
        for p in sorted([*folder.glob("*.txt"), *folder.glob("*.md")]):
            text = p.read_text(encoding="utf-8")
            parts.append(text.split("\n", 1)[1] if text.startswith("# source") else text)
    rows = F.spec_rows(50)
    parts += [F.text_pipes(rows), F.text_lines(rows), F.text_spaces(rows), F.text_tabs(rows),
              F.text_run_together(rows)]
    unit = "\n\n".join(parts)
    text = ""
    while len(text.encode("utf-8")) < MB:
        text += unit + "\n\n"
    return text.encode("utf-8")[:MB].decode("utf-8", errors="ignore")


def timed(fn, n: int = 3) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds) of ``n`` runs."""
    wall = cpu = float("inf")
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu


def run(name: str, text: str) -> bool:
    doc = Document("bench.txt", "txt", text)
    norm = extractor.normalise(text)[0]
    size = len(text.encode("utf-8")) / MB
    base_w, base_c = timed(lambda: sum(1 for _ in PLAIN.finditer(text)))
    out: dict = {}
    ext_w, ext_c = timed(lambda: out.update(r=extractor.extract_with_tables(doc)))
    read_w, read_c = timed(lambda: score_tables.read_tables(doc, norm))
    claims, tables = out["r"]
    rows = sum(len(t.indicators) + len(t.budget) for t in tables)
    print(f"{name}: {size:.2f} MB ({len(text)} characters), {len(tables)} score tables, {rows} rows, "
          f"{sum(1 for c in claims if c.confidence == 'high')} claims")
    print(f"  baseline (one plain regex pass): {base_w * 1000:6.0f} ms wall {base_c * 1000:6.0f} ms cpu")
    print(f"  extract_with_tables():           {ext_w * 1000:6.0f} ms wall {ext_c * 1000:6.0f} ms cpu"
          f"  = {size / ext_w:.2f} MB/s  = {ext_c / max(base_c, 1e-9):.1f}x baseline (cpu)")
    print(f"  of which the score-table readers:{read_w * 1000:6.0f} ms wall {read_c * 1000:6.0f} ms cpu"
          f"  = {read_c / max(ext_c, 1e-9):.0%} of extraction")
    ok = ext_w <= 1.0 * size
    print("  target <= 1 s per MB:", "met" if ok else "NOT met (wall; see the cpu figure on a busy machine)")
    return ok


def main() -> int:
    ok = run("reports", one_megabyte())
    ok = run("score tables only", tables_megabyte()) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
