"""Searching evidence finds numbers whatever their format and scale, and says what it searched when empty."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from desktop.review.search import parse_query, search_evidence, search_evidence_ids
from desktop.text.search import empty_text, hit_line, summary_text
from desktop.workspace import Workspace
from tests.conftest import REPO


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from desktop.demo import build_demo

    root = build_demo(tmp_path_factory.mktemp("demo") / "ws")
    ws = Workspace.open(root, actor="测试", readonly=True)
    yield ws
    ws.close()


def _names(result) -> list[str]:
    return [h.name for h in result.results]


@pytest.mark.parametrize("query", ["21099", "21,099", "２１０９９", "2.1099万", "21099条"])
def test_a_count_is_found_whatever_its_separators_and_scale(demo, query):
    result = search_evidence(demo.db, query)
    assert _names(result) == ["疑点数据核查台账2024.xlsx"], query
    hit = result.results[0]
    assert (hit.locator, hit.matched) == ("台账!D12", "number") and "21,099" in hit.snippet


@pytest.mark.parametrize("query", ["658.83万", "658.83", "6588300", "6,588,300.00元", "658.83 追回"])
def test_an_amount_is_found_across_yuan_and_wan(demo, query):
    result = search_evidence(demo.db, query)
    assert "指标3.1_追回待遇_银行回单.pdf" in _names(result), query
    slip = next(h for h in result.results if h.name.startswith("指标3.1"))
    assert slip.locator == "第 1 页" and "6,588,300.00" in slip.snippet


def test_a_unit_typed_must_agree_with_the_file(demo):
    assert search_evidence(demo.db, "658.83元").results == []  # 658.83 元 is not 6,588,300.00 元
    assert _names(search_evidence(demo.db, "314亿")) == ["2024年社会保险基金收支情况.xlsx"]
    assert search_evidence(demo.db, "314亿").results[0].locator == "基金收支!B3"  # exact, not the rounded B2


def test_small_numbers_are_only_matched_as_written(demo):
    words, numbers = parse_query("14")
    assert words == ["14"] and numbers[0] is not None and len(numbers[0].bare_readings()) == 1
    for hit in search_evidence(demo.db, "14").results:
        if hit.matched == "number":
            assert "14" in hit.snippet


def test_words_and_text_still_work_as_before(demo):
    assert _names(search_evidence(demo.db, "台账")) == ["疑点数据核查台账2024.xlsx"]  # two characters: LIKE
    assert _names(search_evidence(demo.db, "追回多发")) == ["指标3.1_追回待遇_银行回单.pdf"]  # text only: FTS
    assert search_evidence_ids(demo.db, "追回多发") == {search_evidence(demo.db, "追回多发").results[0].evidence_id}
    assert search_evidence(demo.db, "   ").results == []


def test_an_empty_result_says_what_was_searched_and_what_to_try(demo):
    result = search_evidence(demo.db, "21098 台账")
    assert result.results == [] and result.numbers == ["21098"]
    text = empty_text(result)
    assert "“21098 台账”" in text and "文件名" in text and "文件中的文字" in text and "数值“21098”" in text
    assert "减少关键词" in text and "只输入数字" in text
    found = search_evidence(demo.db, "21099")
    assert summary_text(found) == "找到 1 个文件（其中 1 个按数值找到）。"
    assert hit_line(found.results[0]).startswith(f"E{found.results[0].evidence_id}\t疑点数据核查台账2024.xlsx\t台账!D12")


def test_the_cli_prints_the_json_shape(demo):
    res = subprocess.run([sys.executable, "-m", "desktop", "search", str(demo.root), "658.83万", "--json"],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["query"] == "658.83万" and data["results"]
    assert all(set(r) == {"evidence_id", "name", "path", "locator", "snippet"} for r in data["results"])
    assert any(r["name"] == "指标3.1_追回待遇_银行回单.pdf" and r["path"].endswith(r["name"]) for r in data["results"])
    empty = subprocess.run([sys.executable, "-m", "desktop", "search", str(demo.root), "没有这个词"],
                           capture_output=True, text=True, cwd=REPO)
    assert empty.returncode == 0 and "没有找到与“没有这个词”相符的佐证材料" in empty.stdout
