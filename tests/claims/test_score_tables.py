"""One 绩效自评表 of 50 rows in every form (xlsx with merged cells and a two-row header, docx with merged
cells, a ruled PDF table split across pages, text with pipes / one cell per line / spaces / tabs / cells
run together) gives the same records, and its rows give the claims."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from desktop import cli
from desktop.claims.extractor import extract_with_tables
from desktop.claims.readers import read_report
from tests.claims import scoretable_files as F

ROWS = F.spec_rows(50)
EXPECTED = F.expected(ROWS)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("score-tables")
    F.write_xlsx(d / "自评表.xlsx", ROWS)
    F.write_docx(d / "自评表.docx", ROWS)
    F.write_pdf(d / "自评表.pdf", ROWS)
    F.write_pdf(d / "无框线.pdf", ROWS, ruled=False)
    for name, fn in [("pipes", F.text_pipes), ("lines", F.text_lines), ("spaces", F.text_spaces),
                     ("tabs", F.text_tabs), ("run", F.text_run_together)]:
        (d / f"{name}.txt").write_text(fn(ROWS), encoding="utf-8")
    return d


@pytest.mark.parametrize("name", ["自评表.xlsx", "自评表.docx", "自评表.pdf", "无框线.pdf", "pipes.txt", "lines.txt",
                                  "spaces.txt", "tabs.txt"])
def test_every_format_gives_the_same_records(files, name):
    claims, tables = extract_with_tables(read_report(files / name))
    assert len(tables) == 1
    expected = EXPECTED
    if name == "无框线.pdf":  # its long 偏差原因 wraps onto a second line, read back as one cell
        expected = [(*e[:7], e[7] and e[7] + "，已督促施工单位增加人手并调整工期安排") for e in EXPECTED]
    assert F.records(tables) == expected
    assert F.budget_records(tables) == F.expected_budget()
    st = tables[0]
    assert st.total_score is not None and st.total_score.text == F._total(ROWS)
    assert "自评表" in (st.title or "")


def test_cells_run_together_give_the_same_figures(files):
    """With no separator at all a word target cannot be told from the name before it, nor a 偏差原因 from
    the next row's name; every figure still lands in its field."""
    claims, tables = extract_with_tables(read_report(files / "run.txt"))
    figures = [(e[3], e[4], e[5], e[6]) for e in EXPECTED]
    assert [(g[3], g[4], g[5], g[6]) for g in F.records(tables)] == figures
    assert F.budget_records(tables) == F.expected_budget()


def test_rows_give_claims_targets_marked(files):
    claims, tables = extract_with_tables(read_report(files / "自评表.xlsx"))
    rows = tables[0].indicators
    for row, spec in zip(rows, ROWS):
        if spec.actual_value is None:
            assert row.claim_index is None
            continue
        actual = claims[row.claim_index]
        assert (actual.value, actual.unit, actual.subject) == (spec.actual_value, spec.actual_unit, spec.name)
        assert actual.origin == "table" and actual.confidence == "high" and "target" not in actual.flags
        target = claims[row.target_claim_index]
        assert (target.value, target.unit) == (spec.target_value, spec.target_unit)
        assert "target" in target.flags
    # budget amounts and rates are claims in the block's unit; 分值 and 得分 are not
    budget = Counter((c.value, c.unit) for c in claims if c.subject.startswith(("年度资金总额", "其中", "上年结转")))
    assert budget[("1250.5", "万元")] == 1 and budget[("96.00", "%")] == 1
    assert not any(c.value == "9.6" for c in claims if c.confidence == "high")


def test_unit_from_name_and_from_target(files):
    _, tables = extract_with_tables(read_report(files / "pipes.txt"))
    sources = Counter()
    for row in tables[0].indicators:
        if row.actual is not None and row.actual.value is not None:
            sources[row.actual.unit_source] += 1
        if row.target is not None and row.target.value is not None:
            sources["target:" + str(row.target.unit_source)] += 1
    # the name gives the target's unit (数量（项） | 131以上), the target the bare actual's (≤57个 | 56)
    assert sources["target:name"] > 0 and sources["target"] > 0 and sources["cell"] > 0


def test_claims_json_has_score_tables_as_the_issue_says(files, capsys):
    assert cli.main(["claims", str(files / "自评表.xlsx"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (st,) = data["score_tables"]
    assert set(st) == {"title", "page", "total_score", "grade", "budget", "indicators"}
    assert set(st["budget"][0]) == {"name", "planned_start", "planned_full", "executed", "rate", "weight", "score"}
    assert st["budget"][0]["rate"] == "96.00%" and st["budget"][0]["planned_full"] == "1250.5"
    row = st["indicators"][0]
    assert set(row) == {"level1", "level2", "name", "target", "actual", "weight", "score", "deviation",
                        "claim_index"}
    assert row["target"] == {"raw": "≤57个", "op": "<=", "value": "57", "unit": "个"}
    assert data["claims"][row["claim_index"]]["value"] == row["actual"]["value"]
    qualitative = next(r for r in st["indicators"] if r["name"].endswith("工作成效"))
    assert qualitative["target"] is None and qualitative["actual"] is None and qualitative["claim_index"] is None


def test_total_weight_and_score_run_together_are_split_at_the_forms_100():
    """``总分100100``: the form's 100 分 and the table's score run together, even when the rows' weights add up
    to something else (110 here: a weight mistake the checks then report)."""
    from desktop.claims.document import Document

    rows = "".join(f"产出指标 数量指标 指标{i} ≥{i}个 {i}个 10 10 " for i in range(1, 12))
    text = ("项目支出绩效自评表 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
            + rows + "总分100100")
    _, tables = extract_with_tables(Document("t.txt", "txt", text))
    assert tables and tables[0].total_score is not None and tables[0].total_score.text == "100"
