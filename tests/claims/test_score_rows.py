"""Row-field accuracy of the score-table readers on labelled real tables, with floors.

The shared tables (public, labelled row by row) are mostly text that lost its table: cells run together,
OCR, pages cut mid-row; the held-out set was written in other forms and scored before any rule was made
for it (its README has the first-run figures). ``tests/claims/score_rows.py`` prints the same figures.
"""

from __future__ import annotations

import io

import pytest

from tests.claims.score import SAMPLES, score_file
from tests.claims.score_rows import HELDOUT, HELDOUT2, SHARED, files_in, report

FLOORS_SHARED = {"actual": 0.88, "target": 0.89, "weight": 0.90, "score": 0.88, "budget": 0.60}
FLOORS_HELDOUT = {"actual": 0.95, "target": 0.95, "weight": 0.95, "score": 0.95, "budget": 0.95}


def _figures(folder):
    files = files_in([str(folder)])
    assert len(files) >= 4
    total = report(files, out=io.StringIO())
    return total, {f: total.rate(f) for f in FLOORS_SHARED}


def test_shared_score_tables_row_fields():
    total, rates = _figures(SHARED)
    assert total.rows >= 80 and total.matched / total.rows >= 0.9
    assert all(rates[f] >= floor for f, floor in FLOORS_SHARED.items()), rates
    assert total.claims_borne / total.claims_made >= 0.85


@pytest.mark.parametrize("folder", [HELDOUT, HELDOUT2], ids=["heldout", "heldout2"])
def test_heldout_score_tables_row_fields_and_claims(folder):
    total, rates = _figures(folder)
    assert all(rates[f] >= floor for f, floor in FLOORS_HELDOUT.items()), rates
    matched = gold = found = 0
    for f in files_in([str(folder)]):
        s = score_file(f)
        matched, gold, found = matched + s.matched, gold + s.gold, found + s.found
    assert matched / found >= 0.97 and matched / gold >= 0.97, (matched, gold, found)


def test_sample_report_stays_exact():
    s = score_file(SAMPLES / "zhanjiang-shebao-2024-self-evaluation.txt")
    assert (s.precision, s.recall) == (1.0, 1.0), (s.missing, s.extra)
