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

#: (file, rule, severity): findings judged real (none so far: the corpus reports add up)
JUDGED_REAL: set[tuple[str, str, str]] = set()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_no_false_errors_on_the_corpus(path):
    found = [finding_json(f) for f in check_file(path)[0]]
    unjudged = [(f["rule"], f["severity"], f["message"]) for f in found
                if (path.name, f["rule"], f["severity"]) not in JUDGED_REAL]
    assert [u for u in unjudged if u[1] == "error"] == []
    assert len(unjudged) <= 1, unjudged  # at most one unjudged 警告 / 舍入差异 per report
