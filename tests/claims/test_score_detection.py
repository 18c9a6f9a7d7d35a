"""Score tables and rows the text readers must find in forms flattened badly: headers whose words are
scattered among the cells, rows whose values were printed apart from their names, cells wrapped onto
another line, the 湖北 process form on one line. The texts are invented in the style of real flattened
绩效自评表."""

from __future__ import annotations

from tests.claims.table_helpers import read_tables


def _tables(tmp_path, text: str):
    return read_tables(tmp_path, text, "report.txt")


def _rows(st):
    out = []
    for r in st.indicators:
        out.append((r.target.raw if r.target and r.target.value is not None else None,
                    r.actual.raw if r.actual and r.actual.value is not None else None,
                    r.weight.text if r.weight else None, r.score.text if r.score else None))
    return out


def test_header_words_scattered_among_the_cells(tmp_path):
    # an xlsx printed to PDF and copied: the header's words come out between the first rows' cells
    text = (
        "某县项目支出绩效自评表 (2023年度) 项目名称 农村饮水安全维护 主管部门 某县水务局\n"
        "年度 总体 目标 一级 指标 — 完成饮水工程维护 年度 实际 指标值 完成值 指标1:维护供水站 "
        "24座 指标2:更换管网长度 二级指标 三级指标 分值 得分 24座 10 10 "
        "指标3:水质检测次数 12次 12次 10 10 指标4:供水保证率 95% 96.5% 20 20 "
        "指标5:群众满意度 90% 93% 10 9 总分 50 49\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    rows = _rows(tables[0])
    assert ("12次", "12次", "10", "10") in rows
    assert ("95%", "96.5%", "20", "20") in rows
    assert ("90%", "93%", "10", "9") in rows
    assert any("24座" in r[:2] and r[2:] == ("10", "10") for r in rows)  # which of the two: a guess


def test_values_printed_before_their_names(tmp_path):
    # the conversion put the values of the last rows first and their names after them
    text = (
        "项目支出绩效自评表\n"
        "一级指标 二级指标 数量指标 三级指标 完成道路养护里程 年度 指标值 实际 完成值 分值 得分 "
        "≥40公里 42公里 20 20 =100% 100% 20 20 ≥90% 95% 10 10 100 98 率 产出指标 质量指标 "
        "绩 效 指 标 效益指标 社会效益指标 道路验收合格 率 满意度指标 服务对象满意度指标 群众满意度 总分\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    rows = _rows(tables[0])
    assert ("≥40公里", "42公里", "20", "20") in rows
    assert ("=100%", "100%", "20", "20") in rows
    assert ("≥90%", "95%", "10", "10") in rows
    assert not any(r[:2] == ("100", "98") or r[2:] == ("100", "98") for r in rows)  # the total's figures


def test_prose_naming_the_columns_is_no_header(tmp_path):
    text = (
        "本项目设一级指标3个，二级指标6个，三级指标12个；年度指标值均已确定，实际完成值由各科室填报，"
        "分值和得分按办法计算。全年共完成8项工作，涉及资金120万元。\n"
    )
    assert _tables(tmp_path, text) == []


def test_a_wrapped_deviation_stays_with_its_row(tmp_path):
    # spaces between cells; the 偏差原因 cell and its header word wrapped onto a second line
    text = (
        "项目支出绩效自评表\n"
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措 施\n"
        "产出指标 数量指标 培训人次 600人次 540人次 20 18 部分学员因疫情 未能参加培训\n"
        "质量指标 培训合格率 95% 97% 20 20 无\n"
        "总分 40 38\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    rows = tables[0].indicators
    assert [r.name for r in rows] == ["培训人次", "培训合格率"]
    assert rows[0].deviation == "部分学员因疫情 未能参加培训"


def test_figures_inside_names_are_not_cells(tmp_path):
    # a slot label (指标12:) and a range (0-6岁) are part of the name; 7天 inside a name is no target
    text = (
        "项目支出绩效自评表\n"
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分\n"
        "产出指标 数量指标 指标11:产妇7天访视数 310人 296人 4 3.8 指标12:0-6岁儿童健康管理数 1520人 1520人 4 4 "
        "指标13:0-36月龄儿童随访数 880人 842人 4 3.8\n"
        "总分 12 11.6\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    assert _rows(tables[0]) == [("310人", "296人", "4", "3.8"), ("1520人", "1520人", "4", "4"),
                                ("880人", "842人", "4", "3.8")]
    assert [r.name for r in tables[0].indicators] == ["产妇7天访视数", "0-6岁儿童健康管理数", "0-36月龄儿童随访数"]


def test_hubei_process_form_with_scoring_rules_among_the_cells(tmp_path):
    # 评价内容 / 分值 / 自评分 / 复核分 / 评价标准及依据, flattened from a PDF onto one line: the rest of the
    # header after the first row, the scoring rules' own "N 分" among the cells, a level between a name
    # and its figures
    text = (
        "某市财政预算支出项目绩效目标自评表 自评总分: 92\n"
        "项目权重 评价内容 分值 自评分 项目决策 3 分 立项依据 3 3 复核分 评价标准及依据 有上级文件或年度计划的计 3 分,"
        "没有不得分。 1、资金管理办法 1 分; 制度建设 4 3 2、专账核算 2 分; 3、按规定支付 1 分。没有不得分。 "
        "监督检查 项目管理 12 分 4 4 开展检查并有记录的计 4 分。没有 不得分 绩效监控 4 4 按时填报监控表的计 4 分。\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    rows = [(r.name, r.weight.text if r.weight else None, r.score.text if r.score else None)
            for r in tables[0].indicators]
    assert rows == [("立项依据", "3", "3"), ("制度建设", "4", "3"), ("监督检查", "4", "4"), ("绩效监控", "4", "4")]
    assert [r.level1 for r in tables[0].indicators] == ["项目决策", "项目决策", "项目管理", "项目管理"]


def test_values_first_under_a_header_printed_whole(tmp_path):
    text = (
        "项目支出绩效自评表\n"
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
        "≥12次 14次 20 20 ≥95% 96% 30 30 ≥90% 92% 10 10 "
        "产出指标 数量指标 巡查次数 质量指标 巡查覆盖率 满意度指标 服务对象满意度指标 群众满意度 总分 60 60\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    rows = _rows(tables[0])
    assert ("≥12次", "14次", "20", "20") in rows and ("≥90%", "92%", "10", "10") in rows


def test_a_header_word_in_the_first_row_does_not_scatter_the_header(tmp_path):
    text = (
        "项目支出绩效自评表\n"
        "一级指标 二级指标 三级指标 年初指标值 年终完成值 分值 得分 偏差原因\n"
        "产出指标 数量指标 新建公厕 6座 6座 20 20 详见备注说明\n"
        "时效指标 完工及时率 100% 100% 10 10 无\n"
        "总分 30 30\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    assert _rows(tables[0]) == [("6座", "6座", "20", "20"), ("100%", "100%", "10", "10")]
    assert tables[0].indicators[0].deviation == "详见备注说明"


def test_scattered_header_with_the_name_column_alone(tmp_path):
    text = (
        "项目绩效自评表\n"
        "三级指标 改造农村危房 年度目标值 实际完成值 得分 35户 35户 20 "
        "危房改造验收合格率 100% 100% 20 资金拨付及时率 100% 98% 18\n"
    )
    tables = _tables(tmp_path, text)
    assert len(tables) == 1
    rows = _rows(tables[0])
    assert ("35户", "35户", None, "20") in rows and ("100%", "98%", None, "18") in rows


def test_start_column_word_printed_among_the_line_names():
    # 年初预算数 came out before the line names, the rest of the header after them
    from desktop.claims.score_tables import cells as C
    from desktop.claims.score_tables import flat
    from desktop.claims.score_tables import vocab as V

    text = C.nfkc("某县项目支出绩效自评表 (2023年度) 项目资金 年初预算数 (万元) 年度资金总额 其中:当年财政拨款 实施单位 "
                  "全年预算数 全年执行数 分值 执行率 得分 120.00 126.40 126.40 10 100% 10\n")
    headers = flat.find_headers(text, flat._Folded(text))
    assert [h.roles for h in headers if h.kind == "budget"] == [
        [V.B_START, V.B_FULL, V.B_EXEC, V.B_WEIGHT, V.B_RATE, V.B_SCORE]]


def test_a_list_of_column_names_is_no_scattered_header(tmp_path):
    text = (
        "指标名称\t计量单位\t指标性质\t指标值\t实际完成值\t分值\t得分\n"
        "抽检批次\t批次\t≥\t260\t275\t10\t10\n"
        "自评总分\t10\n\n"
        "填表说明 按省里的样式填写(指标名称 / 计量单位 / 指标性质 / 指标值 / 指标权重 / 全年完成值 / 指标得分)\n"
        "whose names and figures are invented\n"
    )
    tables = _tables(tmp_path, text)
    assert [r.name for t in tables for r in t.indicators] == ["抽检批次"]
