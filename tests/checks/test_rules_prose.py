"""Each prose rule on small texts: what it finds, with what severity, and what it leaves alone."""

from __future__ import annotations

from tests.checks.helpers import check_text, severities


def sums(text: str) -> list[dict]:
    return check_text(text, rules=["breakdown_sum"])


def test_breakdown_that_adds_up_is_silent():
    assert sums("2024年收入决算数 9084.93 万元，其中一般公共预算财政拨款 9071.93 万元，政府性基金预算 13 万元。") == []


def test_breakdown_off_by_a_cent_per_term_is_rounding():
    found = sums("年初支出预算数 34817.01 万元，其中：基本支出 1543.66 万元，项目支出 33273.36 万元。")
    assert severities(found) == [("breakdown_sum", "rounding")]
    assert "1543.66 + 33273.36 = 34817.02，报告写 34817.01，差 0.01" in found[0]["message"]


def test_breakdown_of_a_whole_that_does_not_add_up_is_an_error():
    found = sums("支出决算数 9137.21 万元，其中：基本支出 1546.73 万元，项目支出 7580.47 万元。")
    assert severities(found) == [("breakdown_sum", "error")]
    assert "差 10.01" in found[0]["message"]


def test_a_partial_list_is_not_a_breakdown_of_the_whole():
    # 其中 lists some of the items: a sum far below the total is no finding
    assert sums("全年共支出 100 万元，其中培训费 20 万元，差旅费 10 万元。") == []
    # items that may overlap (女性 / 青年): above the total is only a warning
    found = sums("全年培训 500 人次，其中女性 300 人次，青年 250 人次。")
    assert severities(found) == [("breakdown_sum", "warning")]


def test_breakdown_after_the_sentence_and_across_semicolons():
    text = ("本项目共完成预算资金84.62万元。其中:30万元用于预算编制;29.8万元用于审计;24.82万元用于设计。"
            "部门预算总支出218.64万元，其中基本支出183.92万元，占总支出的84.12%；项目支出34.72万元，占总支出的15.88%。")
    assert sums(text) == []
    wrong = text.replace("24.82万元", "24.92万元")
    found = sums(wrong)
    assert len(found) == 1 and "30 + 29.8 + 24.92 = 84.72" in found[0]["message"]


def test_a_change_is_not_the_total():
    text = ("2023年“三公”经费支出合计1.86万元，比上年减少0.42万元，下降18.42%。其中：公务接待费0.37万元，"
            "接待批次12批；公务用车运行维护费1.49万元；因公出国（境）费0元。")
    assert sums(text) == []


def test_units_are_scaled_and_nested_brackets_kept_apart():
    assert sums("“三公”经费合计 1.86 万元，其中公务接待费 0.37 万元，公务用车运行维护费 14900 元。") == []
    text = "支出 100 万元，其中基本支出 60 万元（其中人员经费 50 万元，公用经费 11 万元），项目支出 40 万元。"
    found = sums(text)
    assert severities(found) == [("breakdown_sum", "error")]
    assert "50 + 11 = 61" in found[0]["message"]


def test_table_cells_run_together_are_not_a_breakdown():
    text = ("项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 85 85 84.62 10 99.55% 9.96 "
            "其中:本年财政拨款 85 85 84.62 上年结转资金 其他资金")
    assert sums(text) == []


def test_spending_above_income_without_carry_over():
    text = "2024年年末收入决算数 100 万元。2024年支出决算数 120 万元。"
    found = check_text(text, rules=["income_spending"])
    assert severities(found) == [("income_spending", "warning")]
    assert "20万元" in found[0]["message"]
    covered = "2024年年末收入决算数 100 万元，上年结转 30 万元。2024年支出决算数 120 万元。"
    assert check_text(covered, rules=["income_spending"]) == []
    # budget against final accounts is not compared
    assert check_text("年初收入预算数 100 万元。支出决算数 120 万元。", rules=["income_spending"]) == []


def test_balance_is_income_minus_spending():
    text = "收入决算数 100 万元，支出决算数 80 万元，年末结余 25 万元。"
    found = check_text(text, rules=["balance"])
    assert severities(found) == [("balance", "warning")]
    assert "100 − 80 = 20" in found[0]["message"]
    assert check_text(text.replace("25 万元", "20 万元"), rules=["balance"]) == []


def test_the_same_total_twice():
    text = "2024 年年初预算数 100 万元。……工作完成情况……年初预算数 120 万元。"
    found = check_text(text, rules=["same_total"])
    assert severities(found) == [("same_total", "warning")]
    # generic subjects (同比增长, 占总支出的) are different things each time
    assert check_text("收入同比增长 5%，支出同比增长 7%。基本支出占总支出的 80%，项目支出占总支出的 20%。",
                      rules=["same_total"]) == []


def test_rates_recomputed():
    rule = ["rate_recompute"]
    assert check_text("市财政补助资金下达7000万元。截止年底，已支出7000万元，执行率100%。", rules=rule) == []
    found = check_text("项目支出预算200万元，实际支出150万元，执行率80%。", rules=rule)
    assert severities(found) == [("rate_recompute", "warning")]
    assert "150 ÷ 项目支出预算 200 = 75.00%" in found[0]["message"]
    assert check_text("项目支出预算52316.8万元，执行51264.19万元，执行率97.99%。", rules=rule) == []
    # a last digit that rounding the amounts can explain
    assert severities(check_text("预算数 3.00 万元，实际支出 2.00 万元，执行率 66.68%。", rules=rule)) == \
        [("rate_recompute", "rounding")]
    # amounts of another paragraph are not this rate's parts
    assert check_text("预算数 200 万元，实际支出 150 万元。\n\n1-9月执行率仅为61.2%。", rules=rule) == []


def test_self_score_above_what_execution_allows():
    rule = ["score_vs_execution"]
    found = check_text("预算执行率 50%。……自评得分 98 分，绩效等级为“优”。", rules=rule)
    assert severities(found) == [("score_vs_execution", "warning")]
    assert "总分至多 95" in found[0]["message"] and "（优）" in found[0]["message"]
    assert check_text("预算执行率 80%。……自评得分 98 分。", rules=rule) == []


def test_grade_against_score():
    rule = ["grade_vs_score"]
    assert severities(check_text("自评得分 75 分，绩效等级为“优”。", rules=rule)) == [("grade_vs_score", "error")]
    # 优 from 85 is some places' band: a few points off is a warning
    assert severities(check_text("自评得分 85 分，绩效等级为“优”。", rules=rule)) == [("grade_vs_score", "warning")]
    assert severities(check_text("自评得分 88 分，评价等级为优。", rules=rule)) == [("grade_vs_score", "warning")]
    assert check_text("自评得分 92 分，评价等级为“优秀”。", rules=rule) == []


def test_shares_of_a_breakdown_recomputed():
    rule = ["share_recompute"]
    ok = "部门预算总支出218.64万元，其中基本支出183.92万元，占总支出的84.12%；项目支出34.72万元，占总支出的15.88%。"
    assert check_text(ok, rules=rule) == []
    found = check_text(ok.replace("84.12%", "86.12%"), rules=rule)
    assert severities(found) == [("share_recompute", "warning")] and "= 84.12%" in found[0]["message"]


def test_growth_recomputed_from_both_years():
    rule = ["growth_recompute"]
    assert check_text("本年支出 110 万元，上年支出 100 万元，同比增长 10%。", rules=rule) == []
    found = check_text("本年支出 110 万元，上年支出 100 万元，同比增长 12%。", rules=rule)
    assert severities(found) == [("growth_recompute", "warning")] and "= 10.00%" in found[0]["message"]
    assert check_text("本年支出 90 万元，上年支出 100 万元，同比下降 10%。", rules=rule) == []
    # the change stated instead of last year's figure
    text = "2023年“三公”经费支出合计1.86万元，比上年减少0.42万元，下降18.42%。"
    assert check_text(text, rules=rule) == []
    assert severities(check_text(text.replace("18.42%", "20.42%"), rules=rule)) == [("growth_recompute", "warning")]
    # last year's figure not stated: nothing to recompute
    assert check_text("社保总参保达 514.41 万人次，同比增长 0.57%。", rules=rule) == []


def test_full_width_digits_are_read_as_digits():
    text = "年初支出预算数 ３４８１７．０１ 万元，其中：基本支出 １５４３．６６ 万元，项目支出 ３３２７３．３６ 万元。"
    found = sums(text)
    assert severities(found) == [("breakdown_sum", "rounding")]
    assert "1543.66 + 33273.36 = 34817.02" in found[0]["message"]


def test_allocations_by_different_documents_are_not_one_total_stated_twice():
    """Two tranches of the same fund, each by its own document and date, are not the same total; the same
    total restated without them still is."""
    text = ("2022年11月2日，省财政厅以《关于提前下达资金的通知》（财农〔2022〕51号）文件下达我市农业发展专项资金预算"
            "3120万元；2023年5月8日，省财政厅以（财农〔2023〕17号）文件下达我市农业发展专项资金预算1460万元。")
    assert not check_text(text, rules=["same_total"])
    again = "全年下达我市农业发展专项资金预算3120万元。经核实，下达我市农业发展专项资金预算3210万元。"
    assert check_text(again, rules=["same_total"])


def test_the_same_items_broken_down_twice_one_short():
    """申请 … 其中 A, B, C and 完成 … 其中 A, B, C: the second adds up exactly, so the first names every part
    too and falling short of its total is an error, not a partial list."""
    text = ("本项目共申请资金1850000元，其中道路养护500000元，路灯维护300000元，绿化管护600000元。"
            "本项目共完成资金1400000元，其中道路养护500000元，路灯维护300000元，绿化管护600000元。")
    found = [f for f in check_text(text) if f["rule"] == "breakdown_sum"]
    assert [(f["severity"], f["values"][0]) for f in found] == [("error", "1850000")]
    alone = "本项目共申请资金1850000元，其中道路养护500000元，路灯维护300000元，绿化管护600000元。"
    assert [f for f in check_text(alone) if f["rule"] == "breakdown_sum"] == []


def test_two_lists_whose_sentence_break_was_lost():
    """收到 … 其中 A, B, C 支出 … 其中 A, B, C with the 。 between them lost in conversion: two breakdowns (the
    spending's parts are not the income's restated), each checked against its own total."""
    text = ("2023年收到补助资金共1520.5万元,其中:中央资金900.5万元,省级资金120万元,县级资金500万元"
            "2023年支出1498.3万元,其中中央资金878.3万元,省级资金120万元,县级资金500万元  二、绩效分析")
    assert check_text(text, rules=["same_total", "breakdown_sum"]) == []
    off = text.replace("县级资金500万元2023", "县级资金510万元2023")
    found = check_text(off, rules=["same_total", "breakdown_sum"])
    assert [(f["rule"], f["values"][0]) for f in found] == [("breakdown_sum", "1520.5")]


def test_the_allocation_list_adds_up_to_the_allocation():
    """The 转移支付 template: (一) 省下达我县…资金 X 万元; (二) 资金安排是：支持A a 万元，… — a list that does not
    add up to the allocation is a warning; one that does is silent."""
    head = "一、绩效目标分解下达情况\n2023年，省下达我县文化惠民专项资金48.6万元。\n（二）资金安排情况。\n"
    ok = head + "2023年我县资金安排是：支持图书馆建设20万元，支持乡镇文化站12万元，支持送戏下乡10.6万元，支持非遗保护6万元。"
    assert check_text(ok, rules=["allocation_sum"]) == []
    short = ok.replace("支持非遗保护6万元", "支持非遗保护2万元")
    found = check_text(short, rules=["allocation_sum"])
    assert [(f["severity"], f["values"][0]) for f in found] == [("warning", "48.6")]
    assert "= 44.6万元" in found[0]["message"] and "差 4.0万元" in found[0]["message"]
