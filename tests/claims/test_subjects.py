"""Claims whose subject is one weak word are named by the nearest noun phrase; others keep their name."""

from __future__ import annotations

from desktop.claims.document import Document
from desktop.claims.extractor import extract
from desktop.claims.readers import read_report
from desktop.claims.subjects import is_weak
from tests.conftest import SAMPLE_REPORT


def _subjects(text: str) -> list[tuple[str, str, str]]:
    return [(c.value, c.unit, c.subject) for c in extract(Document("t.txt", "txt", text))
            if c.confidence == "high"]


def test_weak_words_are_told_from_names():
    for weak in ("同比增长", "设有", "召开", "支出", "环比下降", "有"):
        assert is_weak(weak), weak
    for name in ("基金总收入", "核定事业编制", "执行率", "基本支出", ""):
        assert not is_weak(name), name


def test_a_change_takes_the_subject_of_the_clause_before():
    got = _subjects("截止 2024 年 12 月底，我市社保总参保达 514.41 万人次，同比增长 0.57%；"
                    "基金总收入 313.53 亿元，同比增长 5.35%。")
    assert got == [("514.41", "万人次", "我市社保总参保"), ("0.57", "%", "我市社保总参保同比增长"),
                   ("313.53", "亿元", "基金总收入"), ("5.35", "%", "基金总收入同比增长")]


def test_a_verb_takes_the_thing_counted_after_the_figure():
    got = _subjects("目前设有 8 个职能科室，全年共召开 14 次党委会，已累计接收 9 批次退役军人养老保险关系转移数据。")
    assert [s for _, _, s in got] == ["设有职能科室", "召开党委会", "接收退役军人养老保险关系转移数据"]


def test_a_bare_measure_takes_an_earlier_clause_of_its_paragraph_then_the_section():
    got = _subjects("## 2. 资金执行情况\n2024年市财政补助资金下达7000万元。截止2024年12月31日，已支出7000万元，执行率100%。")
    assert got[1] == ("7000", "万元", "市财政补助资金支出")
    alone = _subjects("## 2. 资金执行情况\n截止2024年12月31日，已支出7000万元。")
    assert alone == [("7000", "万元", "资金执行情况 支出")]


def test_the_sample_has_no_weak_subject_left_and_keeps_its_other_names():
    claims = [c for c in extract(read_report(SAMPLE_REPORT)) if c.confidence == "high"]
    weak = [(c.subject, c.quote) for c in claims if is_weak(c.subject)]
    assert weak == []
    subjects = [c.subject for c in claims]
    assert subjects.count("基金总收入同比增长") == 1 and "支付基金同比增长" in subjects
    assert "市财政补助资金支出" in subjects and "召开党委会" in subjects
    assert "核定事业编制" in subjects and "追回多发社保待遇" in subjects  # well-named claims unchanged
