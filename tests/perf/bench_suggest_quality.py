"""Benchmark: how good suggestions are on a generated folder of ~300 files full of near misses.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_suggest_quality.py [--base main] [--keep DIR]

The folder (``tests/review/near_miss_folder.py``) backs a generated report of ~60 claims and holds last
year's files (some stating the same figure), letters stating a claim's figure as another measure (缺口 for
收入), rounding neighbours (313.53 亿元 in the row above 314 亿元), the same figure about something else,
claims named by a weak word (已支出7000万元), and ~200 filler files.

Each engine — the base branch's (``--base``, default ``main``, taken with ``git archive``) and this
tree's — imports the report, ingests the folder and answers, in the same run and on the same files, in a
child process of its own:

* **top-1**: of the claims some file backs, the share whose first suggestion is such a file;
* **recall@3**: of those claims, the share of their backing files (at most three each) in their first three;
* **strong precision**: of all ``strong`` suggestions among the first five of every claim, the share
  that name a backing file;
* **exact place**: of the claims whose file states the value exactly beside a rounded neighbour, the
  share whose first suggestion points at the exact cell;
* **one computation**: (claim, file) pairs that asking by file (``for_evidence``) and by claim
  (``for_claims(limit=None)``) do not agree on.

Figures are printed for both engines, the base one as the baseline. Exit 1 if this tree is worse than
the base on top-1 or strong precision.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


# --- the child: one engine on the folder ---------------------------------------------------------


def score(code_root: Path, gold_path: Path, work: Path) -> dict:
    sys.path.insert(0, str(code_root))
    from desktop.claims.service import import_report
    from desktop.evidence.indexing import index_evidence
    from desktop.evidence.service import iter_files, register_file
    from desktop.review.suggest import SuggestionEngine
    from desktop.workspace import Workspace

    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    folder = Path(gold["folder"])
    t0 = time.perf_counter()
    ws = Workspace.create(work / "ws", watch_dir=folder, actor="bench")
    import_report(ws.db, path=gold["report"])
    for path in iter_files([folder]):
        r = register_file(ws, path)
        if r.outcome in ("added", "new_version"):
            index_evidence(ws, r.evidence_id)
    ingest_s = time.perf_counter() - t0
    db = ws.db
    by_path = {Path(r["path"]).relative_to(folder).as_posix(): r["evidence_id"]
               for r in db.query("SELECT path, evidence_id FROM evidence_paths")}
    text = db.scalar("SELECT text FROM reports")
    claims = db.query("SELECT id, start, value, unit FROM claims WHERE state = 'active' ORDER BY start")
    wanted: dict[tuple, list[dict]] = {}
    for g in gold["claims"]:  # two claims of a line may share value and unit (下达 7000 万元, 已支出 7000 万元)
        wanted.setdefault((g["line"], g["value"], g["unit"]), []).append(g)
    matched: dict[int, dict] = {}
    for c in claims:
        line = text.count("\n", 0, c["start"]) + 1
        left = wanted.get((line, c["value"], c["unit"]))
        if left:
            matched[c["id"]] = left.pop(0)
    engine = SuggestionEngine(db)
    t1 = time.perf_counter()
    top5 = engine.for_claims(limit=5)
    suggest_s = time.perf_counter() - t1
    top1 = recall = backed = strong = strong_right = exact_n = exact_right = 0
    misses = []
    for cid, g in matched.items():
        files = {by_path[f] for f in g["files"] if f in by_path}
        found = top5.get(cid, [])
        for s in found:
            if s.strength == "strong":
                strong += 1
                strong_right += s.evidence_id in files
        if not files:
            continue
        backed += 1
        if found and found[0].evidence_id in files:
            top1 += 1
        else:
            misses.append(f"{g['kind']} {g['value']}{g['unit']}")
        recall += len(files & {s.evidence_id for s in found[:3]}) / min(len(files), 3)
        for f, cell in g["exact"].items():
            exact_n += 1
            exact_right += bool(found) and found[0].evidence_id == by_path.get(f) and found[0].locator == cell
    # one computation: every pair by claim and by file
    key = lambda s: (s.claim_id, s.evidence_id, s.strength, s.locator)  # noqa: E731
    full = {key(s) for ss in SuggestionEngine(db).for_claims(limit=None).values() for s in ss}
    by_file: set = set()
    for (eid,) in db.query("SELECT id FROM evidence"):
        for ss in SuggestionEngine(db).for_evidence([eid], limit=None).values():
            by_file |= {key(s) for s in ss}
    ws.close()
    return {"claims": len(claims), "matched": len(matched), "backed": backed, "files": len(by_path),
            "top1": top1 / backed, "recall3": recall / backed,
            "strong": strong, "strong_precision": strong_right / strong if strong else 1.0,
            "exact_place": exact_right / exact_n if exact_n else None, "exact_claims": exact_n,
            "disagree": len(full ^ by_file), "ingest_s": ingest_s, "suggest_s": suggest_s, "misses": misses}


# --- the parent: build once, score each engine -----------------------------------------------------


def base_tree(ref: str, into: Path) -> str:
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", ref], capture_output=True, text=True,
                            check=True).stdout.strip()
    data = subprocess.run(["git", "-C", str(REPO), "archive", ref, "desktop", "db"], capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return commit


def run_child(code_root: Path, gold: Path, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=f"{code_root}{os.pathsep}{REPO}",
               EVIDENCE_DESK_HOME=str(work / "home"))
    res = subprocess.run([sys.executable, __file__, "--child", str(code_root), str(gold), str(work)], env=env,
                         capture_output=True, text=True, cwd=work)
    if res.returncode != 0:
        raise SystemExit(f"scoring with {code_root} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def show(label: str, r: dict) -> None:
    exact = "—" if r["exact_place"] is None else f"{r['exact_place']:.1%}"
    print(f"{label:28} top-1 {r['top1']:6.1%}  recall@3 {r['recall3']:6.1%}  strong precision "
          f"{r['strong_precision']:6.1%} ({r['strong']} strong)  exact place {exact}  "
          f"views disagree on {r['disagree']} pairs  (suggest {r['suggest_s']:.2f} s)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=3, metavar=("CODE", "GOLD", "WORK"), help=argparse.SUPPRESS)
    ap.add_argument("--base", default="main", help="the branch or commit measured as the baseline")
    ap.add_argument("--keep", help="build here and keep it")
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()
    if args.child:
        code, gold, work = (Path(a) for a in args.child)
        print(json.dumps(score(code, gold, work), ensure_ascii=False))
        return 0
    sys.path.insert(0, str(REPO))
    from tests.review import near_miss_folder

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-suggest-quality-"))
    try:
        t0 = time.perf_counter()
        folder = near_miss_folder.build(root / "folder", seed=args.seed)
        gold = root / "gold.json"
        folder.save_gold(gold)
        n_files = sum(1 for p in (root / "folder" / "files").rglob("*") if p.is_file())
        print(f"folder: {n_files} files, {len(folder.claims)} claims in the report "
              f"({sum(1 for c in folder.claims if c.files)} backed by a file), built in {time.perf_counter() - t0:.1f} s")
        base_code = root / "base"
        commit = base_tree(args.base, base_code)
        before = run_child(base_code, gold, root / "run-base")
        after = run_child(REPO, gold, root / "run-this")
        print(f"claims found in the report: base {before['matched']}/{len(folder.claims)}, "
              f"this {after['matched']}/{len(folder.claims)}; files {after['files']}")
        show(f"base ({args.base} {commit})", before)
        show("this tree", after)
        for label, r in (("base", before), ("this", after)):
            if r["misses"]:
                print(f"  {label} top-1 misses: {', '.join(r['misses'])}")
        worse = after["top1"] < before["top1"] or after["strong_precision"] < before["strong_precision"]
        return 1 if worse else 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
