"""Extractor quality on the sample and on the corpus of other agencies' reports, and its rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.claims.document import Document
from desktop.claims.extractor import extract, normalise
from desktop.claims.readers import read_report
from tests.claims.conftest import SAMPLE_TXT
from tests.claims.score import corpus_files, gold_of, load_gold, score_claims, score_file


def _doc(text: str) -> Document:
    return Document("t.txt", "txt", text)


def _high(text: str):
    return [c for c in extract(_doc(text)) if c.confidence == "high"]


def _pairs(text: str):
    return [(c.value, c.unit) for c in _high(text)]


def test_sample_precision_and_recall():
    s = score_file(SAMPLE_TXT)
    assert s.gold == 67
    assert s.precision >= 0.97 and s.recall >= 0.97, (s.missing, s.extra)


def test_corpus_of_other_agencies():
    files = corpus_files()
    assert len(files) >= 5
    matched = gold = found = 0
    for f in files:
        s = score_file(f)
        assert s.precision >= 0.90 and s.recall >= 0.90, (f.name, s.missing, s.extra)
        matched, gold, found = matched + s.matched, gold + s.gold, found + s.found
    assert matched / gold >= 0.90 and matched / found >= 0.90


def test_claims_carry_exact_quotes_decimal_values_and_parts(sample_text):
    claims = extract(read_report(SAMPLE_TXT))
    for c in claims:
        assert sample_text[c.start:c.end] == c.quote
        assert isinstance(c.value, str)
        if "chinese_numeral" not in c.flags:
            assert Decimal(c.value) == Decimal(c.value_raw.replace(",", ""))
    high = [c for c in claims if c.confidence == "high"]
    scores = {(c.value, c.part) for c in high if c.unit == "分"}
    assert scores == {("99", "部门整体"), ("98", "项目支出")}  # the two reports of one file kept apart
    wan = next(c for c in high if c.value == "658.83")
    assert (wan.unit, wan.scale, wan.kind) == ("万元", "10000", "amount")
    assert "追回多发社保待遇" in wan.subject


def test_flags_on_the_tricky_sample_claims():
    high = {(c.value, c.unit): c for c in extract(read_report(SAMPLE_TXT)) if c.confidence == "high"}
    assert "implausible_magnitude" in high[("18061", "万家")].flags
    assert high[("8000", "人次")].approx == "多" and "approx" in high[("8000", "人次")].flags
    assert high[("45000", "人")].approx == "余"
    assert "looks_like_year" in high[("1972", "个")].flags
    five = high[("5", "天")]
    assert five.value_raw == "五" and five.quote == "五天" and "chinese_numeral" in five.flags
    assert high[("3", "等奖")].value_raw == "三"


def test_full_width_digits_normalise_with_offsets_kept():
    text = "年初预算数３４８１７．０１万元，执行率９８．５％。"
    claims = _high(text)
    assert [(c.value, c.unit) for c in claims] == [("34817.01", "万元"), ("98.5", "%")]
    assert claims[0].quote == "３４８１７．０１万元" and text[claims[0].start:claims[0].end] == claims[0].quote
    norm, back = normalise(text)
    assert len(norm) == len(text)


@pytest.mark.parametrize("text", [
    "根据《关于开展 2025 年绩效自评工作的通知》（湛财绩〔2025〕2 号）要求",
    "截止 2024 年 12 月 31 日，今年 1-12 月，2023年3月",
    "认真贯彻落实扩面提质 5 年行动部署",
    "只有个别金额超过100万元以上的项目进行了评价",
    "存在缴费年限不足 15 年退休“中人”",
    "对年满 60 周岁的老人",
    "开通“12345”热线，联系电话：0759-3381234",
    "1、贯彻执行国家政策。\n2、组织实施。\n（3）加强管理",
    "第3次会议，7×24小时值守，5G基站",
    "实行三级审批、四位一体、一件事一次办、收支两条线",
])
def test_non_claims_are_masked(text):
    assert _high(text) == []


def test_thresholds_are_not_even_candidates():
    claims = extract(_doc("存在缴费年限不足 15 年退休人员，金额超过100万元以上的项目。"))
    assert claims == []


def test_other_numbers_become_unclassified_candidates():
    claims = extract(_doc("附件 6\n全年开展培训 12 期，涉及 3 大类课程。"))
    kinds = {(c.value, c.confidence) for c in claims}
    assert ("6", "unclassified") in kinds and ("3", "unclassified") in kinds and ("12", "high") in kinds


def test_ranges_approximations_and_magnitudes():
    got = {(c.value, c.unit, c.approx, c.value_high, c.scale) for c in _high(
        "补助标准为 3-5 万元，惠及群众约 1.2 万余人，培训逾200场，投资 12.4 亿元左右，提高 2.3 个百分点。")}
    assert ("3", "万元", None, "5", "10000") in got
    assert ("1.2", "万人", "约", None, "10000") in got
    assert ("200", "场", "逾", None, "1") in got
    assert ("12.4", "亿元", "左右", None, "100000000") in got
    assert ("2.3", "个百分点", None, None, "1") in got


def test_pct_over_100_and_implausible():
    c = {x.value: x for x in _high("同比增长 135%，审核企业 25000 万家。")}
    assert "pct_over_100" in c["135"].flags and "implausible_magnitude" in c["25000"].flags


def test_numbers_split_by_pdf_line_wraps_are_rejoined():
    text = "全年共核查疑点数据 21\n099 条，追回多发社保待遇 658.\n83 万元，发放稳岗返还资金 3342.64 万\n元。"
    assert _pairs(text) == [("21099", "条"), ("658.83", "万元"), ("3342.64", "万元")]


def test_headings_and_table_rows_are_never_joined():
    text = "## 一、基本情况\n2024 年共召开会议 12\n## 二、预算 3 项\n| 指标 | 100 |\n| 95 | % |"
    pairs = _pairs(text)
    assert ("12", "次") not in pairs and ("3", "项") in pairs


def test_score_table_cells_run_together_in_text():
    text = ("产出指标 数量指标 基建工程委托业务项目数量 ≥45个 47 8 8 质量指标 委托业务报告合格率 ≥95% 100% 8 8"
            " 成本指标 项目总成本 ≤85万元 84.62 8 8")
    high = _high(text)
    assert [(c.value, c.unit) for c in high] == [("45", "个"), ("47", "个"), ("95", "%"), ("100", "%"),
                                                 ("85", "万元"), ("84.62", "万元")]
    assert high[1].subject == "基建工程委托业务项目数量" and "unit_from_target" in high[1].flags


def test_corpus_gold_files_are_well_formed():
    for f in corpus_files():
        gold = load_gold(gold_of(f))
        assert gold and all({"text", "value", "unit"} <= set(g) for g in gold)
        s = score_claims(f.name, [], gold)
        assert s.recall == 0.0  # the scorer does count misses


def test_budget_cells_glued_into_one_run_are_split_by_their_rate():
    text = ("预算执行情况（万元）（20分）预算数（A）执行数（B）执行率（B/A）得分（20分*执行率）"
            "年度财政资金总额1010100%20\n其中财政资金85.584.6298.97%19.8")
    got = [(c.value, c.unit, c.subject) for c in _high(text)]
    assert got == [("10", "万元", "年度财政资金总额 预算数"), ("10", "万元", "年度财政资金总额 执行数"),
                   ("100", "%", "年度财政资金总额 执行率"), ("85.5", "万元", "其中财政资金 预算数"),
                   ("84.62", "万元", "其中财政资金 执行数"), ("98.97", "%", "其中财政资金 执行率")]
    # a long percentage that no split explains stays a question for the user
    assert _high("同比增长 12345%") == []


def test_forms_first_met_in_real_prose():
    """Forms a real-report evaluation round showed (texts here are made up): an amount whose integer part
    looks like a year, 块 and speeds as units, 家乡镇 after a count, 千分点, and a time limit (在…内)."""
    text = ("上级下达资金2031.45万元，更新警示标牌26块，设计时速60公里/小时，全市12家乡镇卫生院，"
            "火灾受害率低于控制指标0.413个千分点，群众诉求在15个工作日内办结，2023.6完工。")
    assert _pairs(text) == [("2031.45", "万元"), ("26", "块"), ("60", "公里/小时"), ("12", "家"),
                            ("0.413", "个千分点")]


def test_archive_units_river_sections_and_latin_hectares():
    """A second round of real reports (texts here are made up): archives counted in 卷 / 盒 / 盘 / 页, river
    works in 段, and hm² or t written in Latin letters, hm² often without its ² after conversion."""
    text = "整理文书档案3120卷、照片档案48盒、录音档案15盘共2.6万页，治理河道5段，治理面积318.5hm，保土量1.2万t。"
    assert _pairs(text) == [("3120", "卷"), ("48", "盒"), ("15", "盘"), ("2.6", "万页"), ("5", "段"),
                            ("318.5", "hm"), ("1.2", "万t")]
