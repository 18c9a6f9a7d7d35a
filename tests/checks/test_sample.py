"""The sample report: every known problem is found, with the right severity, and every finding is judged.

The sample's README lists what a consistency check should find. Each finding the checks report on the
sample is listed here with a judgment (what it is); a finding not in this list fails the test, so a new
rule that cries wolf on the sample is noticed, and nothing of severity 错误 may be raised that is not a
real problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.checks.files import check_file, finding_json

REPO = Path(__file__).resolve().parent.parent.parent
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"

#: (rule, severity, values that must all be among the finding's values, judgment). Every judgment here is
#: a real problem of the report; the README's list is the first seven.
JUDGED = [
    ("breakdown_sum", "rounding", {"34817.01", "34800.93", "16.09"},
     "README: 34800.93 + 16.09 ≠ 34817.01 (by 0.01) — rounding"),
    ("breakdown_sum", "rounding", {"34817.01", "1543.66", "33273.36"},
     "README: 1543.66 + 33273.36 ≠ 34817.01 (by 0.01) — rounding"),
    ("breakdown_sum", "rounding", {"9137.21", "1546.73", "7590.47"},
     "README: 1546.73 + 7590.47 ≠ 9137.21 (by 0.01) — rounding"),
    ("income_spending", "warning", {"9137.21", "9084.93"},
     "README: spending 9137.21 above income 9084.93 (52.28 万元), no 上年结转 stated"),
    ("score_vs_execution", "warning", {"9137.21", "34817.01", "99"},
     "README: 26 % budget execution beside a self-score of 99 (优)"),
    ("magnitude", "error", {"18061"}, "README: 审核企业 18061 万家 — 1.8 亿 firms in one city"),
    ("unit_pair", "warning", {"11435"}, "README: 11435 both 人 and 人次"),
    ("name_drift", "warning", set(), "README: 财务统计科 vs 计财科"),
]


@pytest.fixture(scope="module")
def findings():
    found, claims = check_file(SAMPLE)
    return [finding_json(f) for f in found], claims


def _judge(f: dict) -> tuple | None:
    for j in JUDGED:
        rule, severity, values, _ = j
        if f["rule"] == rule and values <= set(f["values"]):
            return j
    return None


def test_every_finding_is_judged_and_every_known_problem_found(findings):
    found, _ = findings
    unjudged = [(f["rule"], f["severity"], f["message"]) for f in found if _judge(f) is None]
    assert unjudged == []
    matched = [_judge(f) for f in found]
    for j in JUDGED:
        assert matched.count(j) == 1, f"not found exactly once: {j[3]}"
    for f in found:  # the severity the judgment says (0.01 as 舍入差异, the rest 错误 or 警告)
        assert f["severity"] == _judge(f)[1], f["message"]


def test_no_error_that_is_not_a_real_problem(findings):
    found, _ = findings
    errors = [f for f in found if f["severity"] == "error"]
    assert [f["rule"] for f in errors] == ["magnitude"]


def test_the_arithmetic_is_shown_in_chinese(findings):
    found, claims = findings
    by_rule = {}
    for f in found:
        by_rule.setdefault(f["rule"], []).append(f)
    sums = [f["message"] for f in by_rule["breakdown_sum"]]
    assert any("34800.93 + 16.09 = 34817.02，报告写 34817.01，差 0.01" in m and m.endswith("（舍入）") for m in sums)
    assert any("1546.73 + 7590.47 = 9137.20，报告写 9137.21，差 0.01" in m for m in sums)
    assert "52.28" in by_rule["income_spending"][0]["message"]
    assert "26.24%" in by_rule["score_vs_execution"][0]["message"]
    assert "92.62" in by_rule["score_vs_execution"][0]["message"]
    assert "财务统计科" in by_rule["name_drift"][0]["message"] and "计财科" in by_rule["name_drift"][0]["message"]
    # the claims involved point into the extractor's list, and where says which part of the file
    f = by_rule["magnitude"][0]
    assert claims[f["claim_ids"][0]].value_raw == "18061" and f["where"]["part"] == "部门整体"
    assert by_rule["unit_pair"][0]["where"]["part"] == "项目支出"
    assert len(by_rule["unit_pair"][0]["claim_ids"]) == 5  # 11435 人 twice, 11435 人次 three times
