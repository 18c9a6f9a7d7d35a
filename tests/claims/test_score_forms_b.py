"""Score-table forms a second round of real tables showed: 部门整体 budget blocks with a 得分计算方法
column, breakdown lines run together, score sheets with only 分值 and 得分, weight and score run
together. The texts are written for these tests (invented agencies and figures) in the style the forms
are found in."""

from __future__ import annotations

from tests.claims.table_helpers import budget_rows as _budget
from tests.claims.table_helpers import raw as _raw
from tests.claims.table_helpers import read_tables as _tables


BUDGET_WITH_METHOD = """部门整体支出绩效自评表 | |||||||
单位(盖章):示例县河口镇人民政府 | 填报日期:2023年1月9日 | ||||||
部门(单位)总体 资金(万元) | 资 金 来 源 | 年初预算数(A) | 全年执行数(B) | 分值(10分) | 得分 | 得分计算方法 | ||
年度资金总额: | 820.40 | 801.25 | 10 | 10 | 执行率*该指标分值,最高不得超过分值上限。 | |||
基本支出 | 700.10 | 689.05 |
10 | 10 | ||||
项目支出 | 120.30 | 112.20 | 10 | 9 | ||||
其他 | ||||||||
年度总体目标 | 年初设定目标 | 年度总体目标完成情况 | ||||||
(1)做好本镇经济发展规划。 | (1)较好地完成本年工作任务。 | |||||||
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值(A) | 全年实际值(B) | 分值 | 得分计算"""


def test_budget_block_with_a_scoring_rule_column(tmp_path):
    """A 得分计算方法 column beside the budget amounts holds a sentence, not a line; ``其他`` is a line of
    its own; an excerpt cut inside the indicator header leaves the budget block a form."""
    (t,) = _tables(tmp_path, BUDGET_WITH_METHOD)
    assert _budget(t) == [
        ("年度资金总额", "820.40", None, "801.25", None, "10", "10"),
        ("基本支出", "700.10", None, "689.05", None, "10", "10"),
        ("项目支出", "120.30", None, "112.20", None, "10", "9"),
        ("其他", None, None, None, None, None, None),
    ]


AMOUNTS_RUN_TOGETHER = ("1、部门整体支出绩效自评表(2022年度)区级预算单位名称示例区妇幼保健院年度预算申请(万元)年初预算数"
                        "全年预算数全年执行数分值执行率得分年度资金总额1385.261385.261385.2610100%10按收入性质分:"
                        "1385.26其中:一般公共预算:1385.26其他资金:年度总体目标预期目标实际完成情况1:做好妇幼保健服务。")


def test_run_together_amounts_keep_their_decimals(tmp_path):
    """``1385.261385.261385.26``: three amounts of two decimals each, not 1385.2 | 61385.2 | 61385.26 —
    both cuts give a 100% rate, the one that writes every amount alike is the row's."""
    (t,) = _tables(tmp_path, AMOUNTS_RUN_TOGETHER)
    assert _budget(t)[0] == ("年度资金总额", "1385.26", "1385.26", "1385.26", "100%", "10", "10")


OVERALL_OCR = ("2、示例区文化中心2022年度工作有序开展。指标名称计量单位指标性质年初指标值调整指标值年成值全完值得分系数(%)"
               "指标权重(分)指标得分(分)是否核心指标在编人员控制率%定量指标100%96%100%33否会议费变动率%100%22否"
               "预算执行偏差率%5%0100%44是制度健全性高高100%55否举办展览次数次12次15次100%1010是")


def test_overall_form_with_coefficient_and_garbled_header(tmp_path):
    """部门整体 form (重庆 style): 计量单位 before the values, an empty 调整指标值, 全年完成值 garbled by OCR,
    得分系数 (100%) between the actual and 分值, and 分值 and 得分 run together (33 = 3 | 3)."""
    (t,) = _tables(tmp_path, OVERALL_OCR)
    got = [(_raw(r.target), _raw(r.actual), _raw(r.weight), _raw(r.score)) for r in t.indicators]
    assert got[0][1:] == ("96%", "3", "3") and got[0][0].startswith("100%")
    assert got[1] == (None, None, "2", "2")  # one percentage: the coefficient
    assert got[2][1:] == ("0", "4", "4") and got[2][0].startswith("5%")  # 0 | 100% run together
    assert got[3] == (None, None, "5", "5")
    assert got[4][1:] == ("15次", "10", "10")
    assert (t.indicators[4].target.value, t.indicators[4].target.unit) == (12, "次")
    assert t.indicators[2].actual.unit == "%"  # from the unit column


SLOT_LABELS = ("示例县种苗繁育项目绩效目标自评表(2023年度)绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分"
               "未完成原因及改进措施产出指标(40分)数量指标指标1免费发放脱毒种苗10360万粒360万粒10指标2合作社自行繁育"
               "10120万粒120万粒10时效指标指标12022年10月31日前完成发放10100%100%10")


def test_slot_labels_run_into_their_names(tmp_path):
    """``指标1免费发放…``: the slot label is no figure; 万粒 is a unit, so 10360万粒 is 分值 10 and the
    target 360万粒; ``指标12022年…`` is 指标1 and a date."""
    (t,) = _tables(tmp_path, SLOT_LABELS)
    got = [(r.name, _raw(r.target), _raw(r.actual), _raw(r.weight), _raw(r.score)) for r in t.indicators]
    assert got[0][1:] == ("360万粒", "360万粒", "10", "10") and got[0][0].endswith("免费发放脱毒种苗")
    assert got[1][1:] == ("120万粒", "120万粒", "10", "10")
    assert "2022年10月31日前完成发放" in got[2][0] and got[2][2:] == ("100%", "10", "10")


SCORE_SHEET = """四、部门整体支出绩效自评开展情况
2022 年部门整体支出绩效评价得分表 一级指 标 二级指标 三级指标 得分 部门决 策(20 分) 目标设定(12 分) 依据充分性(6 分)
6 目标明确性(6 分)
5 预算配置(8 分) 编制科学性(8 分)
7 部门管 理(30 分) 资金管理(10 分) 支付及时性(4 分)
4 使用合规性(6 分)
6
"""


def test_score_sheet_with_points_in_the_names(tmp_path):
    """A 得分表 whose only value column is 得分: 分值 stands in each name (``依据充分性(6 分)``), a name with
    points and no 得分 heads the rows after it, and a word cut at the line's end (部门决 / 策(20 分)) is
    the heading's first line."""
    (t,) = _tables(tmp_path, SCORE_SHEET)
    got = [(r.level1, r.level2, r.name, _raw(r.weight), _raw(r.score)) for r in t.indicators]
    assert got == [
        ("部门决策(20分)", "目标设定(12分)", "依据充分性(6 分)", "6", "6"),
        ("部门决策(20分)", "目标设定(12分)", "目标明确性(6 分)", "6", "5"),
        ("部门决策(20分)", "预算配置(8分)", "编制科学性(8 分)", "8", "7"),
        ("部门管理(30分)", "资金管理(10分)", "支付及时性(4 分)", "4", "4"),
        ("部门管理(30分)", "资金管理(10分)", "使用合规性(6 分)", "6", "6"),
    ]


HUBEI_RUN = ("2022年度财政项目绩效自评表单位名称:示例市职业培训中心项目名称技能培训补助预算执行情况 (万元) (20 分)预算数(A)"
             "执行数(B)执行率(B/A1得分(20分*执行率)年度财政 资金总额50048096%19.2一级指标二级指标三级指标年初目标值 (A)"
             "实际完成值 (B)得分产出 指标数量指标经费控制不超过预算不超过预算10质量指标每年培训补助200万元200万元200万元10"
             "效益 指标社会效益全年培训学员达到3万人次3万人次3.2万人次10")


def test_hubei_form_run_together(tmp_path):
    """湖北 form run together: OCR's ``(B/A1`` (the bracket lost) inside the budget header, ``产出 指标``
    wrapped at a space, a word target repeated as the actual, and a name ending in the figure its
    target repeats (每年培训补助200万元 | 200万元 | 200万元)."""
    (t,) = _tables(tmp_path, HUBEI_RUN)
    assert _budget(t)[0][1:] == (None, "500", "480", "96%", "(20分)", "19.2")
    got = [(r.level1, r.name, _raw(r.target), _raw(r.actual), _raw(r.score)) for r in t.indicators]
    assert got[0] == ("产出指标", "经费控制", "不超过预算", "不超过预算", "10")
    assert got[1][1:] == ("每年培训补助200万元", "200万元", "200万元", "10")
    assert got[2][2:] == ("3万人次", "3.2万人次", "10") and got[2][1].endswith("达到3万人次")


FRACTION_RATE = ("2021年度示例项目自评表预算执行情况(万元)(20分)预算数(A)执行数(B)执行率(B/A)得分(20分*执行率)"
                 "年度财政资金总额2.482.48120二级指标三级指标年初目标值(A)实际完成值(B)得分数量指标补贴船只数8820"
                 "质量指标补贴发放率100%100%10")


def test_execution_rate_written_as_a_fraction(tmp_path):
    """``2.482.48120``: 2.48 | 2.48 | 1 | 20 — the rate written as a fraction (1 for 100%) is borne out by
    the amounts and 得分 = 20 × 100%; its value is the percentage, so the checks find nothing."""
    from desktop.checks.files import check_file
    from desktop.checks.profiles import load_profile

    (t,) = _tables(tmp_path, FRACTION_RATE)
    b = t.budget[0]
    assert _budget(t)[0][2:] == ("2.48", "2.48", "1", "(20分)", "20")
    assert b.rate.value == 100
    found, _ = check_file(tmp_path / "表.txt", profile=load_profile())
    assert not [f for f in found if "budget" in f.code or "execution" in f.code]


EXCERPT_MID_TABLE = ("产出指标数量指标足额发放率=100% 30 科目调整次数≤6次 30 时效指标按时发放率=100% 15 "
                     "效益指标社会效益指标结余率(计算方法为:结余数/预算数)≤3% 15 合计100 评价结论按时、足额发放。"
                     "项目负责人:财务负责人:")


def test_excerpt_that_starts_inside_the_rows(tmp_path):
    """A page cut after the header: the rows from a first and second level run together on are read
    under the common form's columns; a target with its sign run into the name is a cell of its own."""
    (t,) = _tables(tmp_path, EXCERPT_MID_TABLE)
    got = [(r.level1, r.level2, r.name, _raw(r.target), _raw(r.weight)) for r in t.indicators]
    assert got == [
        ("产出指标", "数量指标", "足额发放率", "=100%", "30"),
        ("产出指标", "数量指标", "科目调整次数", "≤6次", "30"),
        ("产出指标", "时效指标", "按时发放率", "=100%", "15"),
        ("效益指标", "社会效益指标", "结余率(计算方法为:结余数/预算数)", "≤3%", "15"),
    ]
    assert all(r.actual is None for r in t.indicators)


def test_prose_that_starts_with_levels_is_no_table(tmp_path):
    text = "产出指标数量指标方面，全年完成培训3000人次，较上年增长12%。效益指标方面，群众满意度达到95%，完成年初目标。\n"
    assert _tables(tmp_path, text) == []


SHEET_EXCERPT = """发布: 示例 | 2021-03-02 |
项目决策(12 分)项目立项立项依据 (文件依据)
6 6 立项程序 (程序规范)
6 5 (
8 ) 项目管理资金管理资金到位
4 4 资金使用
4 3 完成数量
6 6 完成质量
6 5
总分 3.项目支出绩效自评开展情况. 按照要求,本单位对2020 年项目开展绩效自评,自评得分 91 分。
"""


def test_score_sheet_excerpt_without_its_header(tmp_path):
    """A score sheet's page without its header: each name's 分值 and 得分 wrapped onto the next line, bare
    small numbers only, so the columns are 分值 and 得分; a gloss cut off by a space (立项依据 (文件依据))
    stays in the name; a wrapped annotation's lone bracket is no row."""
    (t,) = _tables(tmp_path, SHEET_EXCERPT)
    got = [(r.name, _raw(r.weight), _raw(r.score)) for r in t.indicators]
    assert got[0][0].endswith("立项依据 (文件依据)") and got[0][1:] == ("6", "6")
    assert got[1] == ("立项程序 (程序规范)", "6", "5")
    assert [g[1:] for g in got[2:]] == [("4", "4"), ("4", "3"), ("6", "6"), ("6", "5")]
    assert all(r.target is None and r.actual is None for r in t.indicators)


def test_levels_with_points_in_a_sentence_are_no_rows(tmp_path):
    text = ("一、评价结论\n项目决策(20分)：项目立项规范，绩效目标明确，得20分。项目管理(20分)：资金使用合规，得18分。"
            "项目产出(40分)：完成全部任务，得38分。\n")
    assert _tables(tmp_path, text) == []
    assert _tables(tmp_path, "项目决策(20分) 20 18\n项目管理(20分) 20 19\n") == []


def test_name_holding_its_target_before_the_target_cell(tmp_path):
    """One cell per line: ``开工率≥90%`` is the whole name when its target cell follows."""
    text = "项目支出绩效自评表\n一级指标\n二级指标\n三级指标\n年度指标值\n实际完成值\n分值\n得分\n产出指标\n数量指标\n开工率≥90%\n≥90%\n92%\n20\n20\n"
    (t,) = _tables(tmp_path, text)
    r = t.indicators[0]
    assert (r.name, _raw(r.target), _raw(r.actual), _raw(r.weight), _raw(r.score)) == ("开工率≥90%", "≥90%", "92%", "20", "20")


def test_duration_in_years_is_one_quantity(tmp_path):
    """``时效2年2年2年10``: 2年 is a duration (the figure reader leaves 年 to dates); the first of three ends
    the name."""
    text = ("2022年度财政项目绩效自评表一级指标二级指标三级指标年初目标值 (A)实际完成值 (B)得分产出指标数量指标"
            "培训人数200人210人10时效2年2年2年10")
    (t,) = _tables(tmp_path, text)
    r = t.indicators[-1]
    assert (_raw(r.target), _raw(r.actual), _raw(r.score)) == ("2年", "2年", "10")
    assert (r.target.value, r.target.unit) == (2, "年")
