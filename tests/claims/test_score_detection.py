"""Score tables and rows the text readers must find in forms flattened badly: notes in a budget block's
原因 column, headers whose words are scattered among the cells, rows whose values were printed apart from
their names. The texts are invented in the style of real flattened 绩效自评表."""

from __future__ import annotations

from desktop.claims.extractor import extract_with_tables
from desktop.claims.readers import read_report


def _tables(tmp_path, text: str):
    p = tmp_path / "report.txt"
    p.write_text(text, encoding="utf-8")
    _claims, tables = extract_with_tables(read_report(p))
    return tables


def _budget(st):
    return [(b.name, *(getattr(b, f).text if getattr(b, f) is not None else None
                       for f in ("planned_start", "planned_full", "executed", "rate"))) for b in st.budget]


def test_budget_rows_after_a_note_in_the_reason_column(tmp_path):
    text = (
        "部门预算项目支出绩效自评表(2024年度) |\n项目名称 | 乡镇图书室维护经费 |\n"
        "预算执行情况(10分) | 年度预算数(万元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因 |\n"
        "总额 | 12.50 | 14.00 | 13.30 | 95.00% | 10 | 9.5 | 1.执行率=执行数/调整后预算数,执行率未达到90%的需说明原因;"
        "2.年中调整预算的,应单独说明理由;3.其他资金包括社会投入资金. |\n"
        "其中:财政资金 | 12.50 | 14.00 | 13.30 | 95.00% | / | / |\n"
        "单位资金 | 0.00 | 0.00 | 0.00 | 0.00% | / | / |\n"
        "其他资金 | / | / |\n"
        "绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析 |\n"
        "产出指标 | 数量指标 | 维护图书室个数 | ≥ | 8 | 个 | 8 | 90 | 90 | |\n"
        "合计 | 100 | 99.5 |\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    names = [b[0] for b in _budget(tables[0])]
    assert names == ["总额", "其中:财政资金", "单位资金", "其他资金"]
    assert _budget(tables[0])[1] == ("其中:财政资金", "12.50", "14.00", "13.30", "95.00")
    assert tables[0].budget[0].weight.text == "10"
