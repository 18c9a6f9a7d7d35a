"""The words of the form: column headers (which role a column plays) and the names of the 一级 / 二级
指标 levels. All matching is on :func:`~desktop.claims.score_tables.cells.key` forms."""

from __future__ import annotations

import re

from desktop.claims.score_tables.cells import key

# --- column roles --------------------------------------------------------------------------------

L1, L2, NAME, NATURE, TVALUE, UNITCOL, TARGET, ACTUAL, WEIGHT, SCORE, DEVIATION, METHOD, COMPLETION = (
    "level1", "level2", "name", "nature", "tvalue", "unit", "target", "actual", "weight", "score", "deviation",
    "method", "completion")
B_NAME, B_START, B_FULL, B_EXEC, B_WEIGHT, B_RATE, B_SCORE, B_ARRIVED, B_REASON = (
    "b_name", "planned_start", "planned_full", "executed", "b_weight", "rate", "b_score", "arrived", "b_reason")
GROUP_INDICATOR = "group_indicator"  # 绩效指标: spans 一级 / 二级 / 三级指标 in a two-row header
ADJUSTED = "adjusted"  # 调整指标值: the target as adjusted in the year, a column most rows leave empty
COEF = "coefficient"  # 得分系数(%): the share of 分值 a row earned, 100% on most rows
UNREAD = "unread"  # a column whose cells hold no field of the record (read as the aligner's unknown column)
REVIEW = "review"  # 复核分: the reviewer's score, a column of the 湖北 form that a self-evaluation leaves empty

#: header word -> role, for indicator blocks (longest words first when scanning run-together text)
INDICATOR_HEADER: dict[str, str] = {}
for _role, _words in {
    L1: "一级指标",
    L2: "二级指标",
    NAME: "三级指标|指标名称|绩效指标名称|具体指标|指标内容|三级指标名称|评价内容",
    NATURE: "指标性质|指标方向|比较符|运算符号",
    UNITCOL: "度量单位|计量单位|指标单位",
    TARGET: "年度指标值|年初目标值|年度目标值|全年目标值|预期目标值|目标值|计划指标值|计划值|预期值|年度目标|"
            "绩效目标值|年初目标值(A)|指标值(A)|目标值(A)|年度指标值(A)|预期指标值|年度计划值|指标目标值|年初指标值",
    TVALUE: "指标值",
    ACTUAL: "实际完成值|全年实际值|全年完成值|实际完成值(B)|全年实际值(B)|实际值(B)|完成值(B)|实际完成|完成值|实际值|"
            "实际完成情况|实际完成指标值|全年实际完成值|实际达成值|实际完成数|全年完成情况|年终完成值|年度完成值",
    WEIGHT: "分值|权重|指标权重|参考分值|权重分|标准分|权重占比|指标分值|指标权重(分)|分值(分)|考核分值",
    SCORE: "得分|指标得分|实际得分|单项指标得分|自评得分|评分|指标得分(分)|得分(分)|评价得分|自评分",
    DEVIATION: "偏差原因分析及改进措施|偏差原因分析及改进|偏差原因|偏差及原因分析|未完成原因分析|未完成原因分析及改进措施|"
               "原因分析及改进措施|偏差原因分析|未完成原因|原因分析|说明|备注|偏差原因及改进措施|未完成原因及改进措施|"
               "偏差情况及原因|偏差原因说明|原因说明|偏差分析|未完成原因说明|存在问题及改进措施|"
               "未完成原因及拟采取的改进措施|偏差原因及拟采取的改进措施|原因分析及拟采取的改进措施|偏差原因分析及拟采取的改进措施",
    METHOD: "得分计算方法|评分标准|计算方法|评分方法|评价标准及依据|评价标准|评分依据",
    REVIEW: "复核分|复核得分|复核评分",
    COMPLETION: "完成情况",
    GROUP_INDICATOR: "绩效指标",
    # columns of the form that hold no field of the record, named so their words are no other column's
    # (得分 of 得分系数, 指标值 of 调整指标值) and their cells are passed over
    UNREAD: "是否核心指标",
    COEF: "得分系数|完成系数|得分系数(%)",
    ADJUSTED: "调整指标值|调整后指标值|全年调整指标值",
}.items():
    for _w in _words.split("|"):
        INDICATOR_HEADER[key(_w)] = _role

BUDGET_HEADER: dict[str, str] = {}
for _role, _words in {
    B_START: "年初预算数|年初预算|年初预算数(A)|年初预算金额",
    B_FULL: "全年预算数|调整后预算数|调整预算数|全年(调整)预算数|预算数(A)|预算数|全年预算|调整预算数(A)|全年预算数(A)|"
            "预算数(调整后)|调整后预算",
    B_EXEC: "全年执行数|执行数|预算执行数|执行数(B)|全年执行数(B)|实际支出|实际执行数|全年实际支出",
    B_RATE: "执行率|预算执行率|执行率(B/A)|执行率(%)",
    B_WEIGHT: "分值|权重|执行率权重",
    B_SCORE: "得分|执行率得分",
    B_ARRIVED: "资金到位数|到位数",
    B_REASON: "原因|偏差原因|得分计算方法|计算方法|评分标准",  # a words column: the reason, or the scoring rule
}.items():
    for _w in _words.split("|"):
        BUDGET_HEADER[key(_w)] = _role

_ANNOT = re.compile(r"[(（][^()（）]{0,16}[)）]")


def strip_annotations(k: str) -> str:
    """``产出指标(40分)`` → ``产出指标``; ``得分(20分*执行率)`` → ``得分``; ``项目资金(万元)`` → ``项目资金``."""
    return _ANNOT.sub("", k)


def indicator_role(text: str | None) -> str | None:
    k = key(text)
    if not k:
        return None
    return INDICATOR_HEADER.get(k) or INDICATOR_HEADER.get(strip_annotations(k))


def budget_role(text: str | None) -> str | None:
    k = key(text)
    if not k:
        return None
    return BUDGET_HEADER.get(k) or BUDGET_HEADER.get(strip_annotations(k))


# --- levels --------------------------------------------------------------------------------------

LEVEL1_WORDS = ("产出指标", "效益指标", "满意度指标", "成本指标", "管理指标", "项目决策", "项目管理", "项目产出",
                "项目效益", "决策指标", "过程指标", "决策", "过程", "产出", "效益", "满意度", "履职效能", "管理效率",
                "运行成本", "社会效应", "项目成本", "投入", "产出指标项", "效果指标")
LEVEL2_WORDS = ("数量指标", "质量指标", "时效指标", "成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标",
                "经济效益指标", "社会效益指标", "生态效益指标", "环境效益指标", "可持续影响指标", "服务对象满意度指标",
                "满意度指标", "经济效益", "社会效益", "生态效益", "环境效益", "可持续影响", "服务对象满意度",
                "投入管理", "财务管理", "业务管理", "项目立项", "绩效目标", "资金投入", "进度指标", "效率指标",
                "效果指标", "公众满意度指标", "社会公众满意度", "群众满意度", "产出数量", "产出质量", "产出时效",
                "产出成本", "项目实施", "资金管理", "组织实施", "预算执行", "预算管理", "资产管理", "人员管理")
_L1 = {key(w) for w in LEVEL1_WORDS}
_L2 = {key(w) for w in LEVEL2_WORDS}
_LEVEL_SUFFIX = re.compile(r"^(?:[(（][^()（）]{0,16}[)）])*$")


def _level_base(text: str | None) -> str:
    k = key(text)
    return strip_annotations(k).rstrip(":：")


def level_kind(text: str | None) -> str | None:
    """``"L1"``, ``"L2"``, ``"L12"`` (成本指标 / 满意度指标: either, by template) or None."""
    k = _level_base(text)
    if not k or len(k) > 12:
        return None
    in1, in2 = k in _L1, k in _L2
    if in1 and in2:
        return "L12"
    if in1:
        return "L1"
    if in2:
        return "L2"
    return None


LEVEL_SCAN_WORDS = sorted({*LEVEL1_WORDS, *LEVEL2_WORDS}, key=len, reverse=True)

#: labels that end a table or give its total
TOTAL_WORDS = ("总分", "合计", "总计", "自评总分", "自评得分", "综合得分", "评价得分", "总得分")
GRADE_WORDS = ("自评等级", "绩效等级", "评价等级", "等级")
GRADES = ("优秀", "良好", "合格", "不合格", "优", "良", "中", "差", "及格", "不及格", "较好", "一般")
END_WORDS = ("其他需要说明事项", "其他说明的问题", "项目负责人", "财务负责人", "填表人", "填报人", "联系电话",
             "单位负责人", "审核人", "备注:", "说明:", "注:")
BUDGET_ROW_WORDS = ("年度资金总额", "资金总额", "年度财政资金总额", "年度总金额", "总额", "财政拨款", "当年财政拨款",
                    "本年财政拨款", "上年结转", "上年结转资金", "结转资金", "其他资金", "其中", "基本支出", "项目支出",
                    "资金来源", "资金结构", "一般公共预算", "政府性基金", "自有资金", "中央资金", "省级资金", "市级资金",
                    "县级资金", "财政资金", "单位资金", "财政专户", "自筹资金", "社会投入", "银行贷款", "债券资金",
                    "专项资金", "上级补助", "上级资金", "本级资金", "配套资金", "乡镇资金", "地方资金", "转移支付",
                    "政府债券", "其他来源")


#: budget lines whose whole name is a word too common to look for inside other names
BUDGET_ROW_NAMES = ("其他", "其它", "其他收入", "其它资金")


def is_budget_row_name(text: str | None) -> bool:
    k = key(text)
    return bool(k) and len(k) <= 30 and (any(w in k for w in BUDGET_ROW_WORDS) or k.rstrip(":：") in BUDGET_ROW_NAMES)
