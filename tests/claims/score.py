"""Score the extractor against hand labels: precision and recall of high-confidence claims.

Matching is on (value, unit) as a multiset, as the sample's README prescribes; gold values written in
Chinese numerals (五, 三) are converted the same way the extractor converts them.

    .venv/bin/python tests/claims/score.py            # the sample and every corpus file
    .venv/bin/python tests/claims/score.py -v FILE     # one file, with the misses and the extras
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from desktop.claims.extractor import cn_to_int, extract  # noqa: E402
from desktop.claims.readers import read_report  # noqa: E402

CORPUS = HERE / "corpus"
# The sample report and its hand labels ship with the repository (resources/samples), so a fresh clone
# scores them without anything beside the checkout.
SAMPLES = REPO / "resources" / "samples"


def norm_value(v: str) -> str:
    v = str(v).strip().replace(",", "")
    if v and not v[0].isdigit():
        n = cn_to_int(v)
        if n is not None:
            return str(n)
    try:
        return format(Decimal(v).normalize(), "f")
    except Exception:
        return v


def key(value, unit) -> tuple[str, str]:
    return norm_value(value), (unit or "").strip()


@dataclass
class Score:
    name: str
    gold: int
    found: int
    matched: int
    missing: list
    extra: list

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0


def gold_of(path: Path) -> Path:
    return path.with_name(path.name.split(".")[0] + ".gold.jsonl")


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_claims(name: str, claims, gold: list[dict]) -> Score:
    g = Counter(key(x["value"], x["unit"]) for x in gold)
    f = Counter(key(c.value, c.unit) for c in claims if c.confidence == "high")
    matched = sum((g & f).values())
    return Score(name, sum(g.values()), sum(f.values()), matched, sorted((g - f).elements()),
                 sorted((f - g).elements()))


def score_file(report: Path, gold: Path | None = None) -> Score:
    gold = gold or gold_of(report)
    return score_claims(report.name, extract(read_report(report)), load_gold(gold))


def corpus_files() -> list[Path]:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith(".gold.jsonl")
                   and gold_of(p).exists()) if CORPUS.is_dir() else []
    return files


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    files = [Path(f) for f in args.files] or (sorted(SAMPLES.glob("*.txt")) + corpus_files())
    tot = Score("TOTAL (corpus)", 0, 0, 0, [], [])
    print(f"{'file':58} {'gold':>5} {'found':>5} {'P':>6} {'R':>6}")
    for f in files:
        s = score_file(f)
        print(f"{s.name[:58]:58} {s.gold:5} {s.found:5} {s.precision:6.3f} {s.recall:6.3f}")
        if args.verbose:
            print("   missing:", s.missing)
            print("   extra:  ", s.extra)
        if f.parent == CORPUS:
            tot.gold += s.gold
            tot.found += s.found
            tot.matched += s.matched
    if tot.gold:
        print(f"{tot.name:58} {tot.gold:5} {tot.found:5} {tot.precision:6.3f} {tot.recall:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
