"""Score the score-table readers against row labels: per field, how many labelled rows come out right.

The labels are those of ``tests/claims/score-tables`` (see its README): one JSON object per budget or
indicator row, values exactly as written, ``text_span`` an exact substring of the body. A labelled row is
matched to the read row whose cells overlap its span most (each read row used once); a labelled row
with no match counts wrong on every field it states.

Fields, as the acceptance criteria name them:

- **actual**: value and unit of 实际完成值 (``null`` when the label has none: then no value must be read);
- **target**: direction, value and unit of 年度指标值 (``null`` likewise);
- **weight / score**: 分值 and 得分 of indicator and budget rows, only where the label states them;
- **budget**: 年初预算数 / 全年预算数 / 全年执行数 / 执行率 where stated;
- **table claims**: claims the readers made from rows, and how many of them a label bears out.

    .venv/bin/python tests/claims/score_rows.py                  # the shared and the held-out tables
    .venv/bin/python tests/claims/score_rows.py -v [DIR|FILE…]   # with every wrong field
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from desktop.claims.extractor import extract_with_tables  # noqa: E402
from desktop.claims.readers import read_report  # noqa: E402

#: the public score tables with row labels (a copy of ../shared/samples/score-tables, so a fresh clone
#: scores them without anything beside the checkout)
SHARED = HERE / "score-tables"
HELDOUT = HERE / "heldout"
HELDOUT2 = HERE / "heldout2"
FIELDS = ("actual", "target", "weight", "score", "budget")


@dataclass
class Tally:
    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    wrong: list = field(default_factory=list)
    claims_made: int = 0
    claims_borne: int = 0
    rows: int = 0
    matched: int = 0

    def add(self, other: "Tally") -> None:
        self.right.update(other.right)
        self.total.update(other.total)
        self.wrong.extend(other.wrong)
        self.claims_made += other.claims_made
        self.claims_borne += other.claims_borne
        self.rows += other.rows
        self.matched += other.matched

    def rate(self, f: str) -> float:
        return self.right[f] / self.total[f] if self.total[f] else 1.0


def _same(a, b) -> bool:
    """Values as written; a number also matches the same number written otherwise (10 / 10.00)."""
    if a is None or b is None:
        return a is None and b is None
    a, b = str(a).strip(), str(b).strip()
    if a == b:
        return True
    try:
        return Decimal(a.rstrip("%").replace(",", "")) == Decimal(b.rstrip("%").replace(",", "")) and (
            a.endswith("%") == b.endswith("%"))
    except InvalidOperation:
        return False


def _unit(u) -> str:
    u = (u or "").strip()
    return {"百分比": "%", "萬元": "万元", "萬": "万"}.get(u, u)


def labels_of(path: Path) -> list[dict]:
    rows = path.with_name(path.name.split(".")[0] + ".rows.jsonl")
    return [json.loads(x) for x in rows.read_text(encoding="utf-8").splitlines() if x.strip()]


def score_file(path: Path, labels: list[dict] | None = None) -> Tally:
    labels = labels if labels is not None else labels_of(path)
    doc = read_report(path)
    claims, tables = extract_with_tables(doc)
    text = doc.text
    body = text.index("\n") + 1 if text.startswith("# source") else 0
    out_rows = []
    for st in tables:
        j = st.to_json()
        for r, jr in zip(st.indicators, j["indicators"]):
            out_rows.append(("indicator", r.location, jr, r))
        for b, jb in zip(st.budget, j["budget"]):
            out_rows.append(("budget", b.location, jb, b))
    used: set[int] = set()
    t = Tally(rows=len(labels))
    cursor = body
    for lab in labels:
        span = lab.get("text_span") or ""
        s = text.find(span, cursor) if span else -1
        if s < 0 and span:
            s = text.find(span, body)
        e = s + len(span) if s >= 0 else -1
        if s >= 0:
            cursor = s + 1
        best, best_ov = None, 0
        for i, (kind, loc, _jr, _r) in enumerate(out_rows):
            if kind != lab["kind"] or i in used or loc is None or loc.start is None or s < 0:
                continue
            ov = min(e, loc.end) - max(s, loc.start)
            if ov > best_ov:
                best, best_ov = i, ov
        got = None
        if best is not None:
            used.add(best)
            got = out_rows[best][2]
            t.matched += 1
        _compare(path.name, lab, got, t)
    # claims the rows gave: borne out by a labelled target / actual / amount of the same value and unit
    expected = Counter()
    for lab in labels:
        if lab["kind"] == "indicator":
            for key in ("target", "actual"):
                v = lab.get(key)
                if v and v.get("unit"):
                    expected[(_num(v["value"]), _unit(v["unit"]))] += 1
        else:
            for key in ("planned_start", "planned_full", "executed"):
                if lab.get(key):
                    expected[(_num(lab[key]), _unit(lab.get("unit")))] += 1
            if lab.get("rate"):
                expected[(_num(lab["rate"]), "%")] += 1
    made = Counter((_num(c.value), _unit(c.unit)) for c in claims if c.origin == "table" and c.confidence == "high")
    t.claims_made = sum(made.values())
    t.claims_borne = sum((made & expected).values())
    return t


def _num(v) -> str:
    try:
        return format(Decimal(str(v).rstrip("%").replace(",", "")).normalize(), "f")
    except InvalidOperation:
        return str(v)


def _compare(name: str, lab: dict, got: dict | None, t: Tally) -> None:
    def check(f: str, ok: bool, want, have) -> None:
        t.total[f] += 1
        if ok:
            t.right[f] += 1
        else:
            t.wrong.append((name, lab.get("name"), f, want, have))

    if lab["kind"] == "indicator":
        want_a = lab.get("actual")
        have_a = got.get("actual") if got else None
        if have_a is not None and have_a.get("value") is None:
            have_a = None
        ok = (want_a is None and have_a is None and got is not None) or (
            want_a is not None and have_a is not None and _same(want_a["value"], have_a["value"])
            and _unit(want_a["unit"]) == _unit(have_a["unit"]))
        check("actual", ok, want_a, have_a)
        want_t = lab.get("target")
        have_t = got.get("target") if got else None
        if have_t is not None and have_t.get("value") is None:
            have_t = None
        ok = (want_t is None and have_t is None and got is not None) or (
            want_t is not None and have_t is not None and _same(want_t["value"], have_t["value"])
            and _unit(want_t["unit"]) == _unit(have_t["unit"]) and want_t.get("op") == have_t.get("op"))
        check("target", ok, want_t, have_t)
    else:
        for f in ("planned_start", "planned_full", "executed", "rate"):
            if lab.get(f) is not None:
                check("budget", got is not None and _same(lab[f], got.get(f)), (f, lab[f]), got and got.get(f))
    for f in ("weight", "score"):
        if lab.get(f) is not None:
            check(f, got is not None and _same(lab[f], got.get(f)), lab[f], got and got.get(f))


def files_in(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args or [str(SHARED)]:
        p = Path(a)
        out.extend(sorted([*p.glob("*.txt"), *p.glob("*.md")]) if p.is_dir() else [p])
    return [p for p in out if p.with_name(p.name.split(".")[0] + ".rows.jsonl").exists()]


def report(files: list[Path], verbose: bool = False, out=sys.stdout) -> Tally:
    total = Tally()
    print(f"{'file':32} {'rows':>4} {'found':>5} " + " ".join(f"{f:>7}" for f in FIELDS) + "  claims", file=out)
    for f in files:
        t = score_file(f)
        total.add(t)
        cells = " ".join(f"{t.right[x]:>3}/{t.total[x]:<3}" for x in FIELDS)
        print(f"{f.stem[:32]:32} {t.rows:4} {t.matched:5} {cells}  {t.claims_borne}/{t.claims_made}", file=out)
        if verbose:
            for w in t.wrong:
                print("    ", w, file=out)
    cells = " ".join(f"{total.rate(x):7.3f}" for x in FIELDS)
    borne = total.claims_borne / total.claims_made if total.claims_made else 1.0
    print(f"{'TOTAL':32} {total.rows:4} {total.matched:5} {cells}  {borne:.3f}", file=out)
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.paths:
        report(files_in(args.paths), args.verbose)
        return 0
    from tests.claims.score import score_file

    for name, folder in (("shared score tables", SHARED), ("held-out score tables", HELDOUT),
                         ("held-out score tables, second round", HELDOUT2)):
        print(f"== {name} ({folder.relative_to(REPO)})")
        files = files_in([str(folder)])
        report(files, args.verbose)
        matched = gold = found = 0
        for f in files:
            if f.with_name(f.name.split(".")[0] + ".gold.jsonl").exists():
                sc = score_file(f)
                matched, gold, found = matched + sc.matched, gold + sc.gold, found + sc.found
        if gold:
            print(f"claims (pooled): precision {matched / found:.3f}  recall {matched / gold:.3f}  "
                  f"({matched} of {gold} labelled, {found} found)")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
