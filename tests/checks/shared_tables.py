"""The inconsistencies a person found in each shared real score table (its README's last column), as
matchers over findings; and a scorer: how many of them the checks report, and how many 错误 they raise
that are none of them.

    .venv/bin/python tests/checks/shared_tables.py          # per table: found / person-found, false 错误
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _code(code: str, *, row: str | None = None, value: str | None = None, group: str | None = None):
    def match(f: dict) -> bool:
        if f["code"] != code:
            return False
        p = f.get("params") or {}
        if row is not None and row not in str(p.get("row", "")):
            return False
        if group is not None and group not in str(p.get("group", "")):
            return False
        return value is None or any(value in str(v) for v in f["values"]) or value in f["message"]
    return match


def _any(*matchers):
    return lambda f: any(m(f) for m in matchers)


#: table → [(what the person found, does this finding report it?)]
PERSON_FOUND: dict[str, list[tuple[str, Callable[[dict], bool]]]] = {
    "cancha_weishengyuan": [
        ("执行率 103.21% (>100%)", _any(_code("table.budget_over", value="103.21"),
                                        _code("percent.spend_over", value="103.21"))),
        ("增收27万元 vs 77.57 − 55 = 22.57", _code("table.increase_differs")),
    ],
    "huangshi_tushuguan": [
        ("社会效益 rows carry no 得分", _code("table.unscored", group="社会效益")),
        ("actual written with a comparator (≥360天)", _code("table.actual_as_target")),
    ],
    "liangping_linye": [
        ("year in the title ≠ year in the body", _code("title.year_drift")),
        ("budget amounts lost their integer parts (.32 .06 .5)", _any(_code("table.fragment"), _code("text.fragments"))),
    ],
    "lijiang_guchengqu_ziran": [
        ("targets met exactly, each row 90 % of its weight", _code("table.met_marked_down")),
    ],
    "yinchuan_liuzhong": [
        ("自评得分 98 > visible 84 + at most 10", _any(_code("table.total_above_possible"), _code("table.total_sum"))),
        ("预算执行率 100% scored 9/10", _code("table.execution_score", value="9")),
        ("rows met but marked down (时效 4/5, 效果显著 13/15, 可持续 8/10)", _code("table.met_marked_down")),
        ("OCR: target M.8万元, score IO", _any(_code("table.garbled"), _code("text.ocr_digits"))),
    ],
    "yongde_mingliang": [
        ("资金到位及时率 100% (≧100) scored 7/10", _code("table.met_marked_down", row="资金到位及时率")),
        ("政策知晓率 98% vs ═100% scored 9/10, 偏差原因 empty", _any(_code("table.missed_no_deviation", row="政策知晓率"),
                                                                 _code("table.missed_full_marks", row="政策知晓率"))),
    ],
    "yuanzhou_minzong": [
        ("row text says 3620 of 3875 served, actual 100 with 20/20", _code("table.row_text_partial")),
        ("时效: actual = target (100) but 9.34/10", _code("table.met_marked_down", row="发放完毕")),
        ("成本: 36.2 under 38.75 scored 9.34", _code("table.met_marked_down", value="36.2")),
        ("the intro calls the table 申报表", _code("title.kind_drift")),
        ("the budget block has no executed amount or rate", _code("table.budget_no_execution")),
    ],
}


@dataclass
class TableScore:
    name: str
    person_found: int
    reported: list[str]
    missed: list[str]
    false_errors: list[str]
    findings: list[dict]


def score_table(name: str, findings: list[dict]) -> TableScore:
    items = PERSON_FOUND[name]
    reported = [what for what, m in items if any(m(f) for f in findings)]
    missed = [what for what, m in items if what not in reported]
    false_errors = [f["message"] for f in findings
                    if f["severity"] == "error" and not any(m(f) for _, m in items)]
    return TableScore(name, len(items), reported, missed, false_errors, findings)


def labelled_findings(name: str) -> list[dict]:
    """Findings on the table as its hand labels give it (a perfect reader) plus the text's claims."""
    from desktop.checks.engine import run_checks
    from desktop.checks.files import claim_refs, finding_json
    from desktop.checks.model import ReportInput
    from desktop.claims import extractor
    from desktop.claims.document import Document
    from tests.checks.labelled_tables import load

    body, table = load(name)
    claims = extractor.extract(Document(name, "txt", body))
    found = run_checks([ReportInput(None, name, body, claim_refs(claims), [table])])
    return [{**finding_json(f), "params": f.params} for f in found]


def read_findings(name: str) -> list[dict]:
    """Findings as ``check FILE`` gives them: the text read by the readers, as a user would check it."""
    from desktop.checks.files import check_file, finding_json
    from desktop.checks.profiles import load_profile

    found, _ = check_file(HERE / "score_tables" / f"{name}.txt", profile=load_profile())
    return [{**finding_json(f), "params": f.params} for f in found]


def main(argv=None) -> int:
    for label, fn in (("labelled rows", labelled_findings), ("check FILE (readers)", read_findings)):
        total = found = false = 0
        print(f"== {label}")
        for name in PERSON_FOUND:
            s = score_table(name, fn(name))
            total += s.person_found
            found += len(s.reported)
            false += len(s.false_errors)
            print(f"{name:28} {len(s.reported)}/{s.person_found}  false 错误 {len(s.false_errors)}"
                  + (f"  missed: {s.missed}" if s.missed else "") + (f"  {s.false_errors}" if s.false_errors else ""))
        print(f"{'TOTAL':28} {found}/{total} = {found / total:.2f}  false 错误 {false}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
