"""Fields of score-table rows in the forms real tables take: the budget block's 原因 cell, 其中 parts
run together, a weight with its score left empty, units and header words of the genre. The texts are
written for these tests (invented agencies and figures) in the style the forms are found in."""

from __future__ import annotations

from tests.claims.table_helpers import budget_rows as _budget
from tests.claims.table_helpers import read_tables as _tables


SICHUAN_PIPES = """部门预算项目支出绩效自评表(2024年度) |
项目名称 | 示例县文化站设备购置项目 |
主管部门 | 示例县文化广播电视和旅游局 | 实施单位 | 示例县文化站 |
预算执行情况(10分) | 年度预算数(万元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因 |
总额 | 12.00 | 15.50 | 15.50 | 100.00% | 10 | 10 | 1.预算执行率=预算执行数/调整后预算数,未达到90%的需说明原因(100字以内);2.年中调整预算的,应单独说明理由;3.其他资金包括社会投入资金. |
其中:财政资金 | 12.00 | 15.50 | 15.50 | 100.00% | / | / |
财政专户管理资金 | 0.00 | 0.00 | 0.00 | 0.00% | / | / |
单位资金 | 0.00 | 0.00 | 0.00 | 0.00% | / | / |
其他资金 | / | / |
绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析 |
产出指标 | 数量指标 | 购置设备数量 | ≥ | 20 | 台 | 22 | 45 | 45 | |
效益指标 | 社会效益指标 | 群众文化活动场次 | ≥ | 30 | 场 | 31 | 45 | 45 | |
合计 | 100 | 100 |
"""


def test_budget_reason_cell_does_not_end_the_block(tmp_path):
    (t,) = _tables(tmp_path, SICHUAN_PIPES)
    assert _budget(t) == [
        ("总额", "12.00", "15.50", "15.50", "100.00%", "10", "10"),
        ("其中:财政资金", "12.00", "15.50", "15.50", "100.00%", None, None),
        ("财政专户管理资金", "0.00", "0.00", "0.00", "0.00%", None, None),
        ("单位资金", "0.00", "0.00", "0.00", "0.00%", None, None),
        ("其他资金", None, None, None, None, None, None),
    ]
    assert [r.name for r in t.indicators] == ["购置设备数量", "群众文化活动场次"]


ONE_CELL_PER_LINE = """部门预算项目支出绩效自评表(2024年度) |
项目名称 |
示例县统计局工资性支出 |
预算执行情况(10分) |
年度预算数(万元) |
年初预算 |
调整后预算数 |
预算执行数 |
预算执行率 |
权重 |
得分 |
原因 |
总额 |
80.25 |
84.60 |
84.60 |
100.00% |
10 |
|
1.预算执行率=预算执行数/调整后预算数,未达到90%的需说明原因(100字以内);2.年中调整预算的,应单独说明理由. |
其中:财政资金 |
80.25 |
84.60 |
84.60 |
100.00% |
/ |
/ |
单位资金 |
0.00 |
0.00 |
0.00 |
0.00% |
/ |
/ |
绩效指标(90分) |
一级指标 |
二级指标 |
三级指标 |
指标性质 |
指标值 |
度量单位 |
完成值 |
权重 |
得分 |
未完成原因分析 |
产出指标 |
数量指标 |
工资发放覆盖率 |
= |
100 |
% |
|
90 |
|
|
合计 |
100 |
100 |
"""


def test_lone_figure_after_the_rate_is_the_weight(tmp_path):
    (t,) = _tables(tmp_path, ONE_CELL_PER_LINE)
    assert _budget(t)[0] == ("总额", "80.25", "84.60", "84.60", "100.00%", "10", None)
    assert _budget(t)[2] == ("单位资金", "0.00", "0.00", "0.00", "0.00%", None, None)


def test_cells_shown_empty_keep_their_columns(tmp_path):
    """A form not filled in: 完成值 and 得分 empty, 权重 printed. Each cell ends in a pipe, so a line
    that is only a pipe is an empty cell and 90 is the weight, not the actual."""
    (t,) = _tables(tmp_path, ONE_CELL_PER_LINE)
    (r,) = t.indicators
    assert (r.target.op, r.target.text, r.target.unit) == ("=", "100", "%")
    assert r.actual is None and r.score is None and r.weight.raw == "90"


MARKDOWN = """| 项目支出绩效自评表(2023年度) | | | | | | | |
| 项目资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | |
| 年度资金总额 | 50 | 48 | 48 | 10 | 100% | 10 | |
| 其中:当年财政拨款 | 50 | 48 | 48 | 100% | | | |
| 上年结转资金 | | | | | | | |
| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
| 产出指标 | 数量指标 | 培训农民人次 | ≥500人次 | | 30 | | 尚未统计 |
| | 质量指标 | 培训合格率 | ≥95% | 97% | 30 | 30 | |
| 效益指标 | 社会效益指标 | 带动增收户数 | ≥40户 | 45户 | 30 | 30 | |
"""


def test_empty_cells_between_pipes(tmp_path):
    (t,) = _tables(tmp_path, MARKDOWN)
    rows = {r.name: r for r in t.indicators}
    r = rows["培训农民人次"]
    assert r.actual is None and r.weight.raw == "30" and r.score is None and r.deviation == "尚未统计"
    assert (rows["培训合格率"].actual.text, rows["培训合格率"].score.raw) == ("97", "30")
    assert _budget(t)[1] == ("其中:当年财政拨款", "50", "48", "48", "100%", None, None)


RUN_TOGETHER = ("绩效目标自评表(2023年度)项目名称示例镇排水沟渠整治项目主管部门示例县水务局实施单位示例县水务局"
                "资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:353510100.00%10"
                "其中:本年财政拨款3535其他资金年度总体目标年初设定目标年度总体目标完成情况综述整治排水沟渠,改善排水条件,"
                "减少内涝,保障群众出行安全,提升人居环境。绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分"
                "未完成原因及拟采取的改进措施产出指标(70分)数量指标整治沟渠长度20≥1200米≥1200米20"
                "沟渠盖板厚度20≥12厘米≥12厘米20质量指标验收合格率30100%100%30"
                "效益指标(20分)社会效益指标受益群众人数10≥800人≥800人10村容村貌改善状况10明显提升明显提升10"
                "满意度指标(10分)服务对象满意度指标"
                "受益群众满意度10≥95%≥95%10总分100100")


def test_part_of_the_total_split_by_the_total(tmp_path):
    (t,) = _tables(tmp_path, RUN_TOGETHER)
    assert _budget(t)[:2] == [("年度资金总额", None, "35", "35", "100.00%", "10", "10"),
                              ("其中:本年财政拨款", None, "35", "35", None, None, None)]


def test_genre_words_deviation_header_and_centimetres(tmp_path):
    (t,) = _tables(tmp_path, RUN_TOGETHER)
    rows = {r.name: r for r in t.indicators}
    assert "整治沟渠长度" in rows  # not 及拟采取的改进措施…整治沟渠长度
    r = rows["沟渠盖板厚度"]
    assert (r.target.op, r.target.text, r.target.unit) == (">=", "12", "厘米")
    assert (r.actual.text, r.actual.unit, r.weight.raw, r.score.raw) == ("12", "厘米", "20", "20")


NAME_WITH_FIGURES = """项目支出绩效自评表(2022年度)
| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
| 产出指标(50分) | 数量指标 | 新建35KV输电线路4条 | 4 | 12.5 | 12.5 | |
| | 质量指标 | 线路验收合格率 | ≥98% | 100% | 12.5 | 12.5 | |
| | 时效指标 | 工程完工时限(月) | 8 | 8 | 12.5 | 12.5 | |
| | 成本指标 | 单公里造价(万元) | ≤60 | 58 | 12.5 | 12.5 | |
"""


def test_name_with_figures_in_its_own_cell_and_score_after_weight(tmp_path):
    """A bordered cell with words between its figures is a name, not cells run together; one figure
    where 年度指标值 and 实际完成值 stand, then the same figure twice: 分值 and 得分."""
    (t,) = _tables(tmp_path, NAME_WITH_FIGURES)
    assert [r.name for r in t.indicators][0] == "新建35KV输电线路4条"
    r = t.indicators[0]
    assert (r.weight.raw, r.score.raw) == ("12.5", "12.5")
    assert [(x.weight.raw, x.score.raw) for x in t.indicators[1:]] == [("12.5", "12.5")] * 3


def test_score_after_a_word_ending_in_ti_sheng(tmp_path):
    """``明显提升明显提升10满意度指标(10分)``: 10 is the 得分 after a qualitative target and actual, not a
    relative figure (提升10%); the word before it is no first level the vocabulary lacks."""
    (t,) = _tables(tmp_path, RUN_TOGETHER)
    r = next(r for r in t.indicators if r.name == "村容村貌改善状况")
    assert (r.weight.raw, r.score.raw) == ("10", "10")
    assert (r.actual is None or r.actual.value is None) and (r.target is None or r.target.value is None)
    assert r.level1 == "效益指标(20分)"


SCRAMBLED_PDF = ("示例区农业技术推广站2023年度项目自评价.pdf\n财政项目支出绩效自评表 (2023 年度) 农机设备更新 项目名称 "
                 "主管部门 示例区农业农村委员会 年初预算数 全年预算数 全年执行数 分值 执行率 得分 180000.00 180000.00 "
                 "171,000 10 9.5 180000.00 180000.00 171000 — 上年结转资金 0 0 — 其他资金 0 0 — 年度资金总额 项目资金 "
                 "(元) 示例区农业技术推广 站 实施单位 其中:当年财政拨款 预期目标 年度 总体 目标 95% 实际完成情况 "
                 "已完成农机设备更新。 -1-\n")


def test_scrambled_pdf_budget_figures_before_their_names(tmp_path):
    """The first rows' figures right under the header, their names further on: cut into rows by the
    columns they fit, given to the names that have none (the total first); the unit printed among them."""
    (t,) = _tables(tmp_path, SCRAMBLED_PDF)
    assert _budget(t) == [
        ("年度资金总额", "180000.00", "180000.00", "171,000", "95%", "10", "9.5"),  # 95% among the goals
        ("其中:当年财政拨款", "180000.00", "180000.00", "171000", None, None, None),
        ("上年结转资金", None, "0", "0", None, None, None),
        ("其他资金", None, "0", "0", None, None, None),
    ]
    assert t.budget_unit == "元" and t.budget[1].part_of == "年度资金总额"
    loc = t.budget[0].location
    assert SCRAMBLED_PDF[loc.start:loc.end] == "180000.00 180000.00 171,000 10 9.5"


NAMES_AMONG_HEADER = ("示例县卫生健康局项目绩效自评表.xlsx\n示例县项目支出绩效自评表 (2021年度) 项目名称 乡镇卫生院设备购置补助 "
                      "主管部门 示例县卫生健康局 项目资金 年初预算数 (万元) 年度资金总额 其中:当年财政拨款 实施单位 全年预算数 "
                      "全年执行数 分值 执行率 得分 48.20 47.72 10 99% 9.9 48.20 47.72 — 99% — 上年结转资金 — — 其他资金 — — "
                      "预期目标 实际完成情况 购置设备,提升基层诊疗能力 已购置设备并投入使用 年度总 体目标\n")


def test_scrambled_budget_names_among_the_header_words(tmp_path):
    """Names printed among the header's words (xlsx turned into PDF text), their figures under it; the
    block's own heading (项目资金) is no line."""
    (t,) = _tables(tmp_path, NAMES_AMONG_HEADER)
    assert _budget(t) == [
        ("年度资金总额", None, "48.20", "47.72", "99%", "10", "9.9"),
        ("其中:当年财政拨款", None, "48.20", "47.72", "99%", None, None),
        ("上年结转资金", None, None, None, None, None, None),
        ("其他资金", None, None, None, None, None, None),
    ]
    assert t.budget_unit == "万元"


BY_SOURCE_AND_USE = """部门整体支出绩效自评表（2022年度）
部门名称 | 示例县市场监督管理局 |
部门预算资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
年度资金总额 | 1,250.60 | 1,380.20 | 1,365.00 | 10 | 98.90% | 9.89 |
按收入性质分: | | | | | | |
其中：一般公共预算 | 1,200.60 | 1,330.20 | 1,315.00 | — | 98.86% | — |
政府性基金 | 50.00 | 50.00 | 50.00 | — | 100.00% | — |
按支出性质分: | | | | | | |
其中：基本支出 | 980.00 | 1,020.50 | 1,018.00 | — | 99.76% | — |
项目支出 | 270.60 | 359.70 | 347.00 | — | 96.47% | — |
年度总体目标 | 预期目标 | 实际完成情况 |
"""


def test_budget_headings_over_lines_do_not_end_the_block(tmp_path):
    (t,) = _tables(tmp_path, BY_SOURCE_AND_USE)
    assert [b.name for b in t.budget] == ["年度资金总额", "其中：一般公共预算", "政府性基金", "其中：基本支出", "项目支出"]
    assert _budget(t)[4] == ("项目支出", "270.60", "359.70", "347.00", "96.47%", None, None)


GLUED_LINES = ("项目支出绩效自评表（2022年度）项目名称示例县农村饮水安全巩固提升工程主管部门示例县水利局实施单位示例县水利局"
               "项目资金（万元）年初预算数全年预算数全年执行数分值执行率得分年度资金总额150160152.81095.5%9.55"
               "其中：当年财政拨款150160152.8—95.5%—上年结转资金00—其他资金年度总体目标预期目标实际完成情况\n")


def test_budget_line_names_run_together(tmp_path):
    (t,) = _tables(tmp_path, GLUED_LINES)
    assert _budget(t) == [
        ("年度资金总额", "150", "160", "152.8", "95.5%", "10", "9.55"),
        ("其中：当年财政拨款", "150", "160", "152.8", "95.5%", None, None),
        ("上年结转资金", None, "0", "0", None, None, None),  # 00: 0 | 0, two amounts under three headers
        ("其他资金", None, None, None, None, None, None),
    ]


TABS = ("项目支出绩效自评表\n一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
        "产出指标\t数量指标\t培训人次\t≥500人次\t\t20\t\t未统计\n"
        "\t质量指标\t合格率\t≥95%\t97%\t20\t20\t\n"
        "效益指标\t社会效益指标\t带动就业人数\t≥30人\t35人\t30\t30\t\n")


def test_empty_cells_between_tabs(tmp_path):
    (t,) = _tables(tmp_path, TABS)
    r = t.indicators[0]
    assert (r.actual, r.weight.raw, r.score, r.deviation) == (None, "20", None, "未统计")
    assert [(x.actual.text, x.weight.raw, x.score.raw) for x in t.indicators[1:]] == [("97", "20", "20"),
                                                                                       ("35", "30", "30")]


SCRAMBLED_STRAYS = ("财政项目支出绩效自评表 (2023 年度) 项目名称 对口帮扶经费 主管部门 示例区文化旅游局 年初预算数 全年预算数 "
                    "全年执行数 分值 执行率 得分 30000.00 30000.00 7.2 其中:当年财政拨款 0 0 — 上年结转资金 0 0 — 其他资金 "
                    "0 0 — 年度资金总额 项目资金 (元) 示例区文化馆 实施单位 21,600 预期目标 年度 总体 目标 10 72% 实际完成情况 "
                    "已完成帮扶人员相关经费支付。 -2-\n")


def test_scrambled_budget_figures_printed_apart_are_placed_by_the_arithmetic(tmp_path):
    """执行数 printed after the names and 分值 / 执行率 among the goals: they join the total's line where
    执行数 / 预算数 = 执行率 and 分值 × 执行率 = 得分 bear them out."""
    (t,) = _tables(tmp_path, SCRAMBLED_STRAYS)
    assert _budget(t)[0] == ("年度资金总额", "30000.00", "30000.00", "21,600", "72%", "10", "7.2")


def test_no_stray_is_placed_the_arithmetic_does_not_bear_out(tmp_path):
    text = SCRAMBLED_STRAYS.replace("目标 10 72%", "目标 10 65%")
    (t,) = _tables(tmp_path, text)
    assert _budget(t)[0][4] is None and _budget(t)[0][3] != "21,600"


def _paragraphs(cells: list[str]) -> str:
    return "\n\n".join(cells) + "\n"


PARAGRAPHS = _paragraphs([
    "项目支出绩效自评表", "(2022年度)", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
    "偏差原因分析及改进措施",
    "产出指标", "数量指标", "维修校舍面积", "≥1200平方米", " ", "40", " ", "尚未验收",
    "质量指标", "验收合格率", "100%", "100%", "30", "30", " ",
    "效益指标", "社会效益指标", "受益学生人数", "≥600（人）", "650", "30", "30", " ",
])


def test_one_cell_per_paragraph_with_blank_cells(tmp_path):
    """A web page's table, one cell per paragraph, a blank cell a paragraph holding a space: 40 is the
    weight of a row whose actual and score are blank. A unit in brackets after the figure is its unit."""
    (t,) = _tables(tmp_path, PARAGRAPHS)
    r = t.indicators[0]
    assert (r.actual, r.weight.raw, r.score, r.deviation) == (None, "40", None, "尚未验收")
    r = t.indicators[2]
    assert (r.target.op, r.target.text, r.target.unit) == (">=", "600", "人")
    assert (r.actual.text, r.actual.unit, r.weight.raw, r.score.raw) == ("650", "人", "30", "30")


WORDS_RUN_TOGETHER = ("项目支出绩效自评表(2022年度)绩效指标一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施"
                      "产出指标(50分)数量指标改造农村户厕数量≥300户312户2020质量指标户厕验收合格率≥95%98%1515"
                      "时效指标项目完成时间2022年12月底前2022年11月1515效益指标(30分)社会效益指标农村环境卫生改善"
                      "明显改善明显改善1512生态效益指标粪污无害化处理率≥90%92%1515满意度指标(10分)服务对象满意度指标"
                      "受益群众满意度≥90%93%109.5总分10096.5\n")


def test_word_cells_run_into_the_name(tmp_path):
    """Dates and a qualitative target repeated as the actual run into the name: they are cells of their
    own, so the figures after them are 分值 and 得分 (15 | 12), not an actual and a weight."""
    (t,) = _tables(tmp_path, WORDS_RUN_TOGETHER)
    rows = {r.name: r for r in t.indicators}
    r = rows["项目完成时间"]
    assert (r.target.raw, r.actual.raw, r.weight.raw, r.score.raw) == ("2022年12月底前", "2022年11月", "15", "15")
    r = rows["农村环境卫生改善"]
    assert (r.target.raw, r.actual.raw, r.weight.raw, r.score.raw) == ("明显改善", "明显改善", "15", "12")
    assert rows["受益群众满意度"].score.raw == "9.5"


CUT_AFTER_THE_VALUE = """部门预算项目支出绩效自评表(2023年度) |
绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析 |
产出指标 | 数量指标 | 维修路灯数量 | ≥ | 120 | 盏 | 126 | 45 | 45 | |
产出指标 | 质量指标 | 路灯亮灯率 | ≥ | 98 | """


def test_excerpt_cut_before_the_unit_column(tmp_path):
    """The text stops after the last row's 指标值: its unit was never printed, so the target has no value
    (its text is kept); the rows before are whole."""
    (t,) = _tables(tmp_path, CUT_AFTER_THE_VALUE)
    first, last = t.indicators
    assert (first.target.op, first.target.text, first.target.unit) == (">=", "120", "盏")
    assert last.name == "路灯亮灯率" and last.target.value is None and last.target.raw == "≥ | 98"


def test_measure_word_nothing_lists_in_the_unit_column(tmp_path):
    (t,) = _tables(tmp_path, CUT_AFTER_THE_VALUE.replace("盏", "樘"))
    r = t.indicators[0]
    assert (r.name, r.target.text, r.target.unit, r.actual.text, r.actual.unit) == ("维修路灯数量", "120", "樘", "126", "樘")
    assert (r.weight.raw, r.score.raw) == ("45", "45")


SHORT_REASONS = """部门预算项目支出绩效自评表(2023年度)
预算执行情况(10分) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因 |
总额 | 50.00 | 50.00 | 48.00 | 96.00% | 10 | 9.6 | 部分尾款未付 |
其中:财政资金 | 50.00 | 50.00 | 48.00 | 96.00% | / | / | 无 |
单位资金 | 0.00 | 0.00 | 0.00 | 0.00% | / | / | 无 |
其他资金 | 0.00 | 0.00 | 0.00 | 0.00% | / | / | 无 |
"""


def test_short_reason_cells_do_not_end_the_block(tmp_path):
    (t,) = _tables(tmp_path, SHORT_REASONS)
    assert [b.name for b in t.budget] == ["总额", "其中:财政资金", "单位资金", "其他资金"]
    assert _budget(t)[0] == ("总额", "50.00", "50.00", "48.00", "96.00%", "10", "9.6")


def test_quantities_written_as_forms_write_them():
    from desktop.claims.score_tables import cells as C

    def q(s):
        x = C.parse_quantity(s)
        return x and (x.op, x.text, x.unit)

    assert q("90%（含）以上") == (">=", "90", "%")
    assert q("5天(含)以内") == ("<=", "5", "天")
    assert q("≥50（个）") == (">=", "50", "个")
    assert q("12(厘米)") == (None, "12", "厘米")
    assert q("2022(年)") is None


def test_budget_unit_over_the_form(tmp_path):
    text = "金额单位：万元\n" + SHORT_REASONS
    (t,) = _tables(tmp_path, text)
    assert t.budget_unit == "万元" and t.budget[0].unit == "万元"
    (t,) = _tables(tmp_path, SHORT_REASONS)
    assert t.budget_unit is None


SOURCES = """项目支出绩效自评表（2023年度）
项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
年度资金总额 | 200 | 220 | 209 | 10 | 95% | 9.5 |
其中：上级补助 | 150 | 150 | 150 | — | 100% | — |
本级资金 | 50 | 70 | 59 | — | 84.29% | — |
自筹资金 | | | | | | |
银行贷款 | | | | | | |
年度总体目标 | 预期目标 | 实际完成情况 |
"""


def test_budget_lines_by_every_source_the_forms_name(tmp_path):
    (t,) = _tables(tmp_path, SOURCES)
    assert [b.name for b in t.budget] == ["年度资金总额", "其中：上级补助", "本级资金", "自筹资金", "银行贷款"]
    assert _budget(t)[2] == ("本级资金", "50", "70", "59", "84.29%", None, None)


def test_reason_note_one_cell_per_line_without_pipes(tmp_path):
    """The same form one cell per line with no pipes: the 原因 note is one cell, its figures (90%, 100字)
    no scores; a run-together block is never taken for a note (see cancha in the shared tables)."""
    text = ONE_CELL_PER_LINE.replace(" |\n", "\n").replace("|\n", "\n")
    (t,) = _tables(tmp_path, text)
    assert _budget(t) == [("总额", "80.25", "84.60", "84.60", "100.00%", "10", None),
                          ("其中:财政资金", "80.25", "84.60", "84.60", "100.00%", None, None),
                          ("单位资金", "0.00", "0.00", "0.00", "0.00%", None, None)]


def test_qualitative_target_and_actual_run_together_between_figures():
    """``15改善办学条件改善办学条件13``: the words between 分值 and 得分 are the target and the actual."""
    from desktop.claims.score_tables import tokens as T

    s = "教学环境15改善办学条件改善办学条件13生态效益指标"
    assert [(t.kind, t.text) for t in T.tokenize(s, 0, len(s))][:5] == [
        ("text", "教学环境"), ("num", "15"), ("text", "改善办学条件"), ("text", "改善办学条件"), ("num", "13")]


def test_detached_budget_lines_cut_where_amounts_are_written_alike(tmp_path):
    """A banded 得分 (9 for 99%) is not 分值 × 执行率, so the arithmetic cannot tell whether 9 ends the
    total's line or opens the next one as its 年初预算数; a line's amounts are written alike (48.20 and
    47.72, not 9), so it ends the total's line."""
    (t,) = _tables(tmp_path, NAMES_AMONG_HEADER.replace("10 99% 9.9", "10 99% 9"))
    assert _budget(t)[:2] == [("年度资金总额", None, "48.20", "47.72", "99%", "10", "9"),
                              ("其中:当年财政拨款", None, "48.20", "47.72", "99%", None, None)]
