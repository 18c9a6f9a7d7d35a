"""What the 自评表 view reads (Qt-free): each row's claim and evidence state, and the 合计 over the rows the
form scores, on a real import of the demo's 自评表 — worked out here from the stored records."""

from __future__ import annotations

from decimal import Decimal

from desktop.claims import queries
from desktop.claims.service import import_report
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence, mark_not_required
from desktop.text.score_tables import budget_actual, budget_target, totals_line, view_cell
from tests.conftest import SAMPLES

TABLE = SAMPLES / "项目支出绩效自评表2024.xlsx"


def test_rows_totals_and_evidence_state(ws, tmp_path):
    import_report(ws.db, path=TABLE)
    (summary,) = queries.score_tables(ws.db)
    st = queries.load_score_table(ws.db, summary["id"])
    rows = queries.score_table_view(ws.db, summary["id"])
    assert [r["name"] for r in rows] == [b.name for b in st.budget] + [r.name for r in st.indicators]

    totals = queries.score_table_totals(rows)
    scored = [b for b in st.budget if not b.part_of] + st.indicators
    assert totals["weight"] == sum(r.weight.value for r in scored if r.weight and r.weight.value is not None)
    assert totals["score"] == sum(r.score.value for r in scored if r.score and r.score.value is not None)
    assert totals["scored"] == sum(1 for r in scored if r.score and r.score.value is not None)
    assert totals["score"] != st.total_score.value  # the demo's 总分 is not the sum (a finding shows it)

    # each row stands for its actual (an indicator) or its 全年执行数 (a budget line); text rows for none
    by_id = {r["id"]: r for r in rows}
    for ind in st.indicators:
        c = queries.row_claim(by_id[ind.id])
        assert (c["claim_id"] if c else None) == ind.claim_id
        assert queries.row_evidence_state(by_id[ind.id]) == (None if ind.claim_id is None else "missing")
    total_line = next(b for b in st.budget if not b.part_of)
    assert queries.row_claim(by_id[total_line.id])["claim_id"] == total_line.claim_ids["executed"]
    assert totals["with_claims"] == sum(1 for r in rows if queries.row_claim(r)) and totals["covered"] == 0

    # a link makes a row covered, 无需佐证 makes another not_required; both count as done
    first, second = [r for r in st.indicators if r.claim_id is not None][:2]
    f = tmp_path / "发放名册.txt"
    f.write_text("2024年12月 当期发放待遇人数 11435 人", encoding="utf-8")
    link_evidence(ws.db, claim_id=first.claim_id, evidence_id=register_file(ws, f).evidence_id)
    mark_not_required(ws.db, claim_id=second.claim_id, reason="引用上级下达的数")
    rows = queries.score_table_view(ws.db, summary["id"])
    by_id = {r["id"]: r for r in rows}
    assert queries.row_evidence_state(by_id[first.id]) == "covered"
    assert queries.row_evidence_state(by_id[second.id]) == "not_required"
    assert queries.score_table_totals(rows)["covered"] == 2
    assert "有佐证 2/" in totals_line(queries.score_table_totals(rows), "98", "优")

    # the cells as the view words them
    row = by_id[first.id]
    t, a = row["cells"]["target"], row["cells"]["actual"]
    assert view_cell(t) == {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<", None: ""}[t["op"]] + \
        t["value_text"] + (t["unit"] or "")
    assert view_cell(a) == a["value_text"] + (a["unit"] or "")
    assert view_cell({"raw": "持续推进", "value_text": None}) == "持续推进"
    line = by_id[total_line.id]
    unit = summary["budget_unit"]
    assert budget_target(line, unit) == f"预算 {total_line.planned_full.text}{unit}"
    assert budget_actual(line, unit).startswith(f"执行 {total_line.executed.text}{unit}，执行率 ")
    assert Decimal(total_line.rate.text) == Decimal(100)
