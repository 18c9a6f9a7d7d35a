"""Score the readers, the extractor and the checks on real labelled texts kept OUTSIDE the repository.

Real pages are third-party text: they are not committed. A folder of them holds, per table or report
``NAME``: ``NAME.txt`` (line 1 ``# source: URL``, then the text as found), and any of ``NAME.rows.jsonl``
(score-table rows, the conventions of ``tests/claims/score-tables/README.md``), ``NAME.gold.jsonl`` (claims,
the conventions of the sample's README) and ``NAME.issues.jsonl`` (the inconsistencies the labeller found:
``kind``, ``values``, ``description``, ``certain``). See docs/evaluation.md for the sets and their figures.

    .venv/bin/python tests/claims/eval_real.py rows DIR…      # per field, as tests/claims/score_rows.py
    .venv/bin/python tests/claims/eval_real.py claims DIR…    # pooled precision / recall of the claims
    .venv/bin/python tests/claims/eval_real.py checks DIR…    # the labeller's issues beside the findings
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def rows(folders: list[Path], verbose: bool) -> None:
    from tests.claims import score_rows

    for d in folders:
        if any(d.glob("*.rows.jsonl")):
            print(f"== rows {d.name}")
            score_rows.report(score_rows.files_in([str(d)]), verbose)


def claims(folders: list[Path], verbose: bool) -> None:
    from tests.claims.score import score_file

    matched = gold = found = 0
    for d in folders:
        for p in sorted(d.glob("*.txt")):
            if not p.with_name(p.stem + ".gold.jsonl").exists():
                continue
            s = score_file(p)
            matched, gold, found = matched + s.matched, gold + s.gold, found + s.found
            print(f"{d.name}/{p.stem[:40]:40} gold {s.gold:4} found {s.found:4} P {s.precision:.3f} R {s.recall:.3f}")
            if verbose:
                print("   missing:", s.missing)
                print("   extra:  ", s.extra)
    if gold:
        print(f"POOLED  P {matched / max(found, 1):.3f}  R {matched / gold:.3f}  ({matched} of {gold}, {found} found)")


def checks(folders: list[Path]) -> None:
    from desktop.checks.files import check_file, finding_json
    from desktop.checks.profiles import load_profile

    for d in folders:
        for p in sorted(d.glob("*.txt")):
            issues_at = p.with_name(p.stem + ".issues.jsonl")
            issues = [json.loads(line) for line in issues_at.read_text(encoding="utf-8").splitlines()
                      if line.strip()] if issues_at.exists() else []
            found = [finding_json(f) for f in check_file(p, profile=load_profile())[0]]
            errors = sum(1 for f in found if f["severity"] == "error")
            print(f"\n### {d.name}/{p.stem}: {len(issues)} found by the labeller, {len(found)} findings ({errors} 错误)")
            for i in issues:
                print("  LABEL  :", "certain" if i.get("certain") else "unsure ", i.get("kind"), i.get("values"),
                      "|", str(i.get("description", ""))[:140])
            for f in found:
                print("  FINDING:", f["severity"], f["code"], "|", f["message"][:140])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("rows", "claims", "checks"))
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.what == "rows":
        rows(args.folders, args.verbose)
    elif args.what == "claims":
        claims(args.folders, args.verbose)
    else:
        checks(args.folders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
