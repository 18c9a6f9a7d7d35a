"""The extractor corpus (other agencies' reports, written after public ones): no 错误 that is not real.

These reports were not written to hold inconsistencies; every finding the checks raise on them is
listed here with a judgment, so a rule that starts crying wolf on ordinary reports is noticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.checks.files import check_file, finding_json

CORPUS = Path(__file__).resolve().parent.parent / "claims" / "corpus"
FILES = sorted(p for p in CORPUS.glob("*.txt"))

#: (file, rule, severity): findings judged real. As written in the corpus, three score tables do not add
#: up: anhui lacks a 效益 row (效益指标(30分) rows carry 10 + 10; 总分 99.96, 得分 sum to 88.96), tabbed's
#: rows carry 80 of its 合计 100 (得分 78 of 98), and hubei's 总分 99.6 is not 19.47 + 39.6 + 40 = 99.07;
#: tabbed's 学员就业率 68 % (≥ 60 %) scored 18 of 20 with no reason is the warning the rule is for.
#: They are warnings: with weights short of 100 (or not stated) a row lost in reading cannot be told from a
#: row missing in the report.
JUDGED_REAL: set[tuple[str, str, str]] = {
    ("anhui-town-project-score-table-2022.txt", "table_weights", "warning"),
    ("anhui-town-project-score-table-2022.txt", "table_total", "warning"),
    ("tabbed-score-table-2024.txt", "table_total", "warning"),
    ("tabbed-score-table-2024.txt", "table_met_marked_down", "warning"),
    ("hubei-monitoring-score-table-2020.txt", "table_total", "warning"),
}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_no_false_errors_on_the_corpus(path):
    found = [finding_json(f) for f in check_file(path)[0]]
    unjudged = [(f["rule"], f["severity"], f["message"]) for f in found
                if (path.name, f["rule"], f["severity"]) not in JUDGED_REAL]
    assert [u for u in unjudged if u[1] == "error"] == []
    assert len(unjudged) <= 1, unjudged  # at most one unjudged 警告 / 舍入差异 per report
