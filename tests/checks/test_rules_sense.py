"""Magnitudes, percentages, years as counts, 人 / 人次, drifting names, titles — on small texts."""

from __future__ import annotations

from tests.checks.helpers import check_text, severities


def test_counts_no_city_has():
    assert severities(check_text("用最短的时间审核企业 18061 万家，发放资金 3342.64 万元。", rules=["magnitude"])) == \
        [("magnitude", "error")]
    assert severities(check_text("共服务群众 2 亿人。", rules=["magnitude"])) == [("magnitude", "warning")]
    # data records, visits and amounts can be large; so can a province's insured persons
    assert check_text("全年汇聚政务数据 3.2 亿条，参保 514.41 万人次，基金收入 313.53 亿元。", rules=["magnitude"]) == []


def test_percentages_over_100():
    rule = ["share_over_100"]
    assert severities(check_text("群众满意度 105%。", rules=rule)) == [("share_over_100", "error")]
    assert severities(check_text("预算执行率 103.21%。", rules=rule)) == [("share_over_100", "warning")]
    assert check_text("业务量同比增长 150%，任务完成率 120%，满意度达 98%。", rules=rule) == []


def test_a_year_where_a_count_is_meant():
    rule = ["year_as_count"]
    head = "评价年度：2024 年度\n\n"
    assert severities(check_text(head + "全年完成培训 2024 个。", rules=rule)) == [("year_as_count", "warning")]
    # 1972 个村 is a count that merely looks like a year
    assert check_text(head + "深入到全市全部 1972 个村（居）宣讲。", rules=rule) == []


def test_the_same_figure_in_people_and_person_times():
    rule = ["unit_pair"]
    text = "当期发放待遇人数11435人。……市本级定期发放养老待遇 11435 人次。"
    found = check_text(text, rules=rule)
    assert severities(found) == [("unit_pair", "warning")]
    assert "11435 既写作“人”" in found[0]["message"]
    assert check_text("参加 5 人，共培训 5 人次。排查学校 1326 所，检查 1326 所次。", rules=rule) == []


def test_an_office_written_two_ways():
    rule = ["name_drift"]
    text = ("设有 8 个职能科室，具体是办公室、综合服务科、财务统计科、信息技术科、企业职工社会保险科（工伤失业保险科）。\n\n"
            "由计财科负责人兼任评价小组办公室主任。各业务科室负责填报，本科学历以上人员参加，工伤失业保险科配合。")
    found = check_text(text, rules=rule)
    assert severities(found) == [("name_drift", "warning")]
    assert "“财务统计科”" in found[0]["message"] and "“计财科”" in found[0]["message"]
    assert check_text(text.replace("计财科", "财务统计科"), rules=rule) == []


def test_titles_name_one_year_and_one_kind_of_form():
    rule = ["title_year"]
    text = "《某局2022年度部门整体绩效自评表.docx》由会员分享\n1、某局2023年度部门整体绩效自评表 自评总分 97.93"
    found = check_text(text, rules=rule)
    assert severities(found) == [("title_year", "warning")] and "2022、2023" in found[0]["message"]
    text = "现将2022年某项目绩效目标申报表公示如下:项目支出绩效自评表(2022年度)项目名称 某项目"
    found = check_text(text, rules=rule)
    assert [f["code"] for f in found] == ["title.kind_drift"]
    # a cited report of another year is not this report's title
    assert check_text("评价年度：2024 年度\n\n根据2023年度绩效自评报告反映的问题，我们改进了管理。", rules=rule) == []


def test_figures_that_lost_digits_or_read_letters():
    rule = ["amount_fragments", "ocr_digits"]
    found = check_text("年初预算数全年预算数全年执行数 年度总金额.32.06.5其中财政拨款.32.06.579.27107.93", rules=rule)
    assert [f["code"] for f in found] == ["text.fragments"] and "2 处" in found[0]["message"]
    found = check_text("保障人数102370人2370人IO指标2:质量指标", rules=rule)
    assert [f["code"] for f in found] == ["text.ocr_digits"] and "IO" in found[0]["message"]
    # a full stop before a score, a version number, a Latin word: none of these
    assert check_text("社会认可的办学环境.8 按 GB/T 2260 标准，使用 IOS 系统 2.0 版。", rules=rule) == []


def test_document_numbers_whose_year_runs_into_the_number():
    found = check_text("根据省财政厅（黔财社〔2021087号）和市财政局（遵财预〔20222号）文件，下达资金 120 万元。",
                       rules=["doc_numbers"])
    assert [f["code"] for f in found] == ["text.doc_numbers"] and "2 处" in found[0]["message"]
    assert check_text("根据黔财社〔2021〕87号、遵财预[2022]2号文件，下达资金 120 万元。", rules=["doc_numbers"]) == []


def test_a_share_over_100_that_is_a_misread_sign():
    """Scans read ≥ as 2 (≥90% → 290%): still reported, as a likely misreading rather than an impossible share."""
    found = check_text("服务对象满意度 290%，群众满意度 105%。", rules=["share_over_100"])
    assert [(f["code"], f["severity"]) for f in found] == [("percent.share_over", "error"),
                                                           ("percent.share_over_ocr", "warning")]
    assert "105%" in found[0]["message"] and "≥90%" in found[1]["message"]
