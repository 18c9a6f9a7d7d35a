"""Score-table rules on small tables built as the readers build them (issue 16's model)."""

from __future__ import annotations

from decimal import Decimal

from desktop.checks.engine import run_checks
from desktop.checks.files import finding_json
from desktop.checks.model import ReportInput
from desktop.checks.profiles import load_profile
from desktop.claims.scoretable import Actual, BudgetRow, Figure, IndicatorRow, Location, ScoreTable, Target

_OPS = {"≥": ">=", "≤": "<=", "=": "=", ">": ">", "<": "<"}


def fig(raw: str | None, at: int | None = None) -> Figure | None:
    if raw is None:
        return None
    text = raw.rstrip("%")
    try:
        value = Decimal(text)
    except ArithmeticError:
        value, text = None, None
    return Figure(raw, text, value, "%" if raw.endswith("%") else "", Location(at, at + len(raw)) if at else None)


def row(name: str, target: str | None, actual: str | None, weight: str | None, score: str | None, *,
        level1: str | None = "产出指标", level2: str | None = "数量指标", deviation: str | None = None,
        at: int | None = None, unit: str = "") -> IndicatorRow:
    t = None
    if target is not None:
        op = _OPS.get(target[:1])
        body = target[1:] if op else target
        num = body.rstrip("%个人万元")
        try:
            value = Decimal(num)
        except ArithmeticError:
            value, num = None, None
        t = Target(target, op, num, value, "%" if body.endswith("%") else unit)
    a = None
    if actual is not None:
        op = _OPS.get(actual[:1])
        body = actual[1:] if op else actual
        num = body.rstrip("%个人万元")
        try:
            value = Decimal(num)
        except ArithmeticError:
            value, num = None, None
        a = Actual(actual, num, value, "%" if body.endswith("%") else unit, op=op)
    return IndicatorRow(name, level1, level2, t, a, fig(weight), fig(score), deviation,
                        location=Location(at, at + 10) if at else None)


def check(table: ScoreTable, rules: list[str] | None = None, profile=None) -> list[dict]:
    found = run_checks([ReportInput(None, "表.xlsx", "", [], [table])], rules=rules, profile=profile)
    return [finding_json(f) for f in found]


def codes(found: list[dict]) -> list[tuple[str, str]]:
    return [(f["code"], f["severity"]) for f in found]


def test_score_above_weight_is_an_error():
    t = ScoreTable(indicators=[row("培训人次", "≥100", "120", "10", "12")])
    assert codes(check(t, ["table_score_over_weight"])) == [("table.score_over_weight", "error")]


def test_target_missed_but_full_marks_and_missed_without_reason():
    t = ScoreTable(indicators=[
        row("覆盖率", "≥95%", "90%", "10", "10"),
        row("知晓率", "=100%", "98%", "10", "9"),
        row("完成率", "≥95%", "90%", "10", "8", deviation="部分乡镇进度滞后"),
        row("发生率", "≤5%", "3%", "10", "10"),  # less is better: met
        row("项目总成本", "≤85万元", "84.62", "8", "8", level2="成本指标", unit="万元"),
    ])
    found = check(t, ["table_missed_full_marks", "table_missed_no_deviation"])
    assert codes(found) == [("table.missed_full_marks", "warning"), ("table.missed_no_deviation", "warning")]
    assert "“覆盖率”未达目标（目标 ≥95%，实际 90%）却得满分 10/10" in found[0]["message"]


def test_direction_comes_from_the_indicator_when_not_written():
    t = ScoreTable(indicators=[
        row("森林火灾受害率", "0.9%", "0%", "10", "10"),  # a rate of harm: lower is better
        row("成本", "38.75", "36.2", "10", "9.34", level2="成本指标", unit="万元"),  # under cost, marked down
    ])
    found = check(t)
    assert codes(found) == [("table.met_marked_down", "warning")]


def test_met_but_marked_down():
    t = ScoreTable(indicators=[
        row("验收合格率", "=100%", "100%", "20", "19"),
        row("效果", "改善办学条件", "改善办学条件", "15", "13"),
        row("按时完成", "按期完成", "完成", "5", "4", deviation="个别任务延迟"),  # a reason is given
    ])
    found = check(t, ["table_met_marked_down"])
    assert len(found) == 2 and all(f["severity"] == "warning" for f in found)


def test_execution_rate_score_follows_the_profile():
    rate_row = BudgetRow("年度资金总额", "万元", fig("85"), fig("85"), fig("84.62"), fig("99.55%"), fig("10"), fig("9.96"))
    assert check(ScoreTable(budget=[rate_row]), ["table_execution_score"]) == []
    wrong = BudgetRow("年度资金总额", "万元", fig("85"), fig("85"), fig("84.62"), fig("99.55%"), fig("10"), fig("9"))
    found = check(ScoreTable(budget=[wrong]), ["table_execution_score"])
    # below full execution a place may score by bands (≥ 90 % 得满分): a warning
    assert codes(found) == [("table.execution_score", "warning")]
    assert "99.55% × 10 = 9.96，表中写 9" in found[0]["message"]
    near = BudgetRow("年度资金总额", "万元", None, fig("85"), fig("84.62"), fig("99.55%"), fig("10"), fig("9.95"))
    assert codes(check(ScoreTable(budget=[near]), ["table_execution_score"])) == [("table.execution_score", "rounding")]
    # an indicator row named 预算执行率 is scored the same way; over 100 % is capped
    t = ScoreTable(indicators=[row("预算执行率", None, "100%", "10", "9", level1="项目管理", level2="投入管理"),
                               row("资金执行率", None, "103%", "10", "10")])
    assert codes(check(t, ["table_execution_score"])) == [("table.execution_score", "error")]
    # another profile weighs execution differently: data, not code
    hubei = load_profile("hubei-20-percent")
    b = BudgetRow("年度财政资金总额", "万元", None, fig("5"), fig("5"), fig("100%"), fig("20"), fig("20"))
    assert check(ScoreTable(budget=[b]), ["table_execution_score"], profile=hubei) == []


def test_budget_rate_recomputed_and_over_100():
    ok = BudgetRow("年度资金总额", "万元", fig("7.29"), fig("7.29"), fig("7.29"), fig("100%"), fig("10.00"), fig("10.00"))
    assert check(ScoreTable(budget=[ok]), ["table_budget_rate"]) == []
    wrong = BudgetRow("年度资金总额", "万元", fig("90"), fig("90"), fig("60"), fig("90%"))
    found = check(ScoreTable(budget=[wrong]), ["table_budget_rate"])
    assert codes(found) == [("table.budget_rate", "error")] and "60 ÷ 90 = 66.67%" in found[0]["message"]
    over = BudgetRow("(1)财政拨款", "万元", rate=fig("103.21%"))
    assert codes(check(ScoreTable(budget=[over]), ["table_budget_rate"])) == [("table.budget_over", "warning")]
    # amounts that lost their integer part in conversion are not computed with
    frag = BudgetRow("其中财政拨款", "万元", fig(".32"), fig(".06"), fig(".5"), fig("79.27"), fig("10"), fig("7.93"))
    assert check(ScoreTable(budget=[frag]), ["table_budget_rate", "table_budget_parts"]) == []
    assert codes(check(ScoreTable(budget=[frag]), ["table_odd_cells"])) == [("table.fragment", "warning")] * 3


def test_budget_total_against_its_parts():
    total = BudgetRow("年度资金总额", "万元", fig("0"), fig("0"), fig("0"), fig("0"), fig("10"), fig("0"))
    part = BudgetRow("其中:本年财政拨款", "万元", fig("90"), fig("89.974"), fig("89.974"), part_of="年度资金总额")
    found = check(ScoreTable(budget=[total, part]), ["table_budget_parts"])
    assert codes(found) == [("table.budget_parts", "error")]
    assert "年初预算数 其中:本年财政拨款 90 = 90，总额写 0，差 90万元" in found[0]["message"]
    assert "全年执行数" in found[0]["message"] and len(found[0]["cells"]) == 6
    fine = BudgetRow("年度资金总额", "万元", fig("7.29"), fig("7.29"), fig("7.29"))
    parts = [BudgetRow("其中:当年财政拨款", "万元", fig("7.29"), fig("7.29"), fig("7.29"), part_of="年度资金总额"),
             BudgetRow("上年结转资金", "万元", part_of="年度资金总额")]
    assert check(ScoreTable(budget=[fine, *parts]), ["table_budget_parts"]) == []


def test_a_budget_block_without_execution():
    b = BudgetRow("年度资金总额", "万元", planned_start=fig("38.75"))
    assert codes(check(ScoreTable(budget=[b]), ["table_budget_missing"])) == [("table.budget_no_execution", "warning")]


def test_total_against_the_scores():
    rows = [row(f"指标{i}", "≥1", "1", "10", "10", at=100 + 20 * i) for i in range(9)]
    budget = BudgetRow("年度资金总额", "万元", weight=fig("10"), score=fig("10"), rate=fig("100%"))
    whole = ScoreTable(budget=[budget], indicators=rows, total_score=fig("96", at=900))
    found = check(whole, ["table_total"])
    assert codes(found) == [("table.total_sum", "error")] and "差 4" in found[0]["message"]
    whole.total_score = fig("100", at=900)
    assert check(whole, ["table_total"]) == []
    # a table cut off: 总分 at the top, 84 points shown of 90 weighted, so at most 94
    cut = [row(f"指标{i}", "≥1", "1", "10", "9" if i < 6 else "10", at=100 + 20 * i) for i in range(9)]
    table = ScoreTable(indicators=cut, total_score=fig("98", at=10))
    found = check(table, ["table_total"])
    assert codes(found) == [("table.total_above_possible", "error")] and "至多 94" in found[0]["message"]
    table.total_score = fig("93", at=10)
    assert check(table, ["table_total"]) == []


def test_weights_add_up():
    rows = [row("a", "≥1", "1", "20", "20", level1="产出指标(40分)", at=100),
            row("b", "≥1", "1", "10", "10", level1="产出指标(40分)", at=120),
            row("c", "≥1", "1", "30", "30", level1="效益指标(30分)", at=140)]
    found = check(ScoreTable(indicators=rows), ["table_weights"])
    # short of the group's points: perhaps a row the reader lost, a warning; over them, an error
    assert codes(found) == [("table.group_weights", "warning")] and "20 + 10 = 30" in found[0]["message"]
    rows[1] = row("b", "≥1", "1", "30", "30", level1="产出指标(40分)", at=120)
    assert codes(check(ScoreTable(indicators=rows), ["table_weights"])) == [("table.group_weights", "error")]
    # the last group of a cut-off table may go on past the cut
    rows[1] = row("b", "≥1", "1", "20", "20", level1="产出指标(40分)", at=120)
    rows[2] = row("c", "≥1", "1", "10", "10", level1="效益指标(30分)", at=140)
    assert check(ScoreTable(indicators=rows), ["table_weights"]) == []
    over = [row(f"x{i}", "≥1", "1", "30", "30") for i in range(4)]
    assert codes(check(ScoreTable(indicators=over), ["table_weights"])) == [("table.weights_total", "error")]


def test_grade_matches_the_total():
    t = ScoreTable(total_score=fig("75"), grade="优")
    assert codes(check(t, ["table_grade"])) == [("grade.mismatch", "error")]
    t = ScoreTable(total_score=fig("86"), grade="优")
    assert codes(check(t, ["table_grade"])) == [("grade.mismatch", "warning")]
    t = ScoreTable(total_score=fig("96"), grade="优")
    assert check(t, ["table_grade"]) == []


def test_groups_without_scores_and_odd_cells():
    t = ScoreTable(indicators=[
        row("存储备份器", "25TB", "25TB", None, "10", level2="数量指标"),
        row("查询方便", "可扩展到省图", "可扩展到省图", None, None, level2="社会效益"),
        row("全天候", "≥360天", "≥360天", None, None, level2="时效指标"),
        row("保障人数", "2370人", "2370人", "10", "IO", level2="可持续影响指标"),
    ])
    found = check(t, ["table_unscored", "table_odd_cells"])
    assert sorted(codes(found)) == [("table.actual_as_target", "warning"), ("table.garbled", "warning"),
                                    ("table.unscored", "warning"), ("table.unscored", "warning")]


def test_a_row_whose_own_words_say_it_was_not_completed():
    name = "目标人群共计3875人,目前已发放边销茶目标人群3620人,剩余255人于12月底前发放完毕"
    t = ScoreTable(indicators=[row(name, "100", "100", "20", "20")])
    found = check(t, ["table_row_text"])
    assert codes(found) == [("table.row_text_partial", "warning")] and "93.42%" in found[0]["message"]


def test_an_increase_its_figures_do_not_make():
    from tests.checks.helpers import check_text

    text = ("年度总体目标 年初设定目标 全年完成情况 业务收入达到55万元,三公经费控制率达标 业务收入77.57万元,三公经费控制达标\n"
            "一级指标 二级指标 三级指标 年度指标值 全年完成值 分值 得分\n")
    row = IndicatorRow("业务收入超上年度增收27万元", "效果指标", "经济效益指标", None, None, fig("13"), fig("13"),
                       location=Location(len(text), len(text) + 20))
    found = check_text(text + "经济效益指标 业务收入超上年度增收27万元 13 13", rules=["table_prose"],
                       tables=[ScoreTable(indicators=[row])])
    assert [f["code"] for f in found] == ["table.increase_differs"]
    assert "55万元 → 77.57万元 只差 22.57万元" in found[0]["message"]


def test_a_total_line_left_at_zero_gets_its_rate_from_its_parts():
    total = BudgetRow("年度资金总额", "万元", fig("0"), fig("0"), fig("0"), fig("0"), fig("10"), fig("0"))
    part = BudgetRow("其中:当年财政拨款", "万元", fig("48"), fig("46.5"), fig("45.12"), part_of="年度资金总额")
    found = check(ScoreTable(budget=[total, part]), ["table_budget_rate"])
    assert codes(found) == [("table.budget_rate_parts", "error")]
    assert "45.12 ÷ 预算 46.50 = 97.03%" in found[0]["message"] and "执行率写 0" in found[0]["message"]
    # the parts not spent either: nothing to recompute
    idle = BudgetRow("其中:当年财政拨款", "万元", fig("48"), fig("46.5"), fig("0"), part_of="年度资金总额")
    assert check(ScoreTable(budget=[total, idle]), ["table_budget_rate"]) == []


def test_a_form_with_targets_only_was_not_filled_in():
    rows = [row("参保覆盖率", "=100%", None, "30", None, at=100), row("资金发放及时率", "≥95%", None, "30", None, at=200),
            row("群众满意度", "≥90%", None, "30", None, level1="满意度指标", level2="满意度指标", at=300)]
    found = check(ScoreTable(indicators=rows), ["table_unfilled"])
    assert codes(found) == [("table.unfilled", "warning")] and "3 个指标" in found[0]["message"]
    rows[0] = row("参保覆盖率", "=100%", "100%", "30", "30", at=100)
    assert check(ScoreTable(indicators=rows), ["table_unfilled"]) == []


def test_a_table_that_contradicts_itself_everywhere_gives_warnings_not_errors():
    """Two rows with 得分 above 分值 (a scoring rubric read as a form, cells scrambled): the table is more
    likely misread than wrong twice over, so its findings are warnings that say so."""
    rows = [row("年度工作计划", None, None, "3", "4", at=100), row("绩效目标明确", None, None, "2", "6", at=200),
            row("预算编制", None, None, "5", "5", at=300)]
    found = check(ScoreTable(indicators=rows), ["table_score_over_weight"])
    assert codes(found) == [("table.score_over_weight", "warning")] * 2
    assert all("表格识别有误" in f["message"] for f in found)
    one = [row("年度工作计划", None, None, "3", "4", at=100), row("预算编制", None, None, "5", "5", at=300)]
    assert codes(check(ScoreTable(indicators=one), ["table_score_over_weight"])) == [("table.score_over_weight", "error")]


def test_work_under_way_misses_a_figure_target():
    r = row("新建社区健身中心数量", "=1个", "建设中", "10", "10", at=100)
    r.actual.raw = "建设中"
    found = check(ScoreTable(indicators=[r]), ["table_missed_full_marks"])
    assert codes(found) == [("table.missed_full_marks", "warning")]
    r2 = row("新建社区健身中心数量", "=1个", "建设中", "10", "6", at=100)
    assert codes(check(ScoreTable(indicators=[r2]), ["table_missed_full_marks"])) == \
        [("table.missed_no_deviation", "warning")]


def test_a_budget_part_a_hair_short_with_the_others_blank():
    total = BudgetRow("年度资金总额", "万元", fig("1800"), fig("1800"), fig("1042.57"))
    parts = [BudgetRow("其中:中央财政资金", "万元", fig("1800"), fig("1800"), fig("1042.5"), part_of="年度资金总额"),
             BudgetRow("地方资金", "万元", part_of="年度资金总额")]
    found = check(ScoreTable(budget=[total, *parts]), ["table_budget_parts"])
    assert codes(found) == [("table.budget_parts", "warning")] and "1042.5" in found[0]["message"]


def test_a_budget_line_with_weight_and_rate_but_no_score():
    b = BudgetRow("年度资金总额", "万元", fig("50"), fig("50"), fig("50"), fig("100.00%"), fig("10"))
    rows = [row("发放人数", "≥100人", "120人", "45", "45", at=300), row("满意度", "≥90%", "95%", "45", "45", at=400)]
    found = check(ScoreTable(budget=[b], indicators=rows), ["table_budget_unscored"])
    assert codes(found) == [("table.budget_unscored", "warning")]


def test_a_row_named_in_percent_with_plain_figures():
    r = row("带动经营主体实现产值（%）", "≥8000", "12767.36", "20", "20", at=100)
    found = check(ScoreTable(indicators=[r]), ["table_percent_name"])
    assert codes(found) == [("table.percent_name", "warning")]
    ok = row("带动经营主体产值增长率（%）", "≥8%", "12.5%", "20", "20", at=100)
    assert check(ScoreTable(indicators=[ok]), ["table_percent_name"]) == []


def test_a_deadline_before_the_year_the_table_evaluates():
    from tests.checks.helpers import check_text

    text = ("项目支出绩效自评表（2023年度）\n一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施\n"
            "产出指标 | 数量指标 | 培训人数 | ≥200人 | 230人 | 20 | 20 | \n"
            "产出指标 | 时效指标 | 资金支付时限 | 2022年11月30日前 | 按时完成 | 10 | 10 | \n"
            "产出指标 | 时效指标 | 项目验收时限 | 2023年12月底前 | 按时完成 | 10 | 10 | \n")
    from desktop.claims.document import Document
    from desktop.claims.extractor import extract_with_tables

    tables = extract_with_tables(Document("t.txt", "txt", text))[1]
    found = check_text(text, rules=["table_deadline_year"], tables=tables)
    assert [(f["code"], f["severity"]) for f in found] == [("table.deadline_year", "warning")]
    assert "2022年11月30日前" in found[0]["message"] and "2023" in found[0]["message"]
