"""Suggestions name every place a file states the value (exact first), count the year, and want the words
beside the number to agree with the claim's; asking by claim or by file gives the same answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.claims.service import import_report
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review.bulk_accept import accept_planned, plan_bulk_accept
from desktop.review.links import mark_not_required
from desktop.review.suggest import STRONG, SuggestionEngine
from desktop.text.messages import suggestion_reason_text
from desktop.workspace import Workspace
from tests.review import docgen, evidence_sets, scoring


def _ws(tmp_path: Path, report: str) -> Workspace:
    ws = Workspace.create(tmp_path / "ws", actor="测试")
    path = tmp_path / "报告.txt"
    path.write_text(report, encoding="utf-8")
    import_report(ws.db, path=path)
    return ws


def _add(ws, path: Path) -> int:
    eid = register_file(ws, path).evidence_id
    index_evidence(ws, eid)
    return eid


def _claim(ws, value: str, unit: str, nth: int = 0) -> int:
    rows = ws.db.query("SELECT id FROM claims WHERE value = ? AND unit = ? ORDER BY start", (value, unit))
    return rows[nth]["id"]


def _for(ws, claim_id: int):
    return SuggestionEngine(ws.db).for_claims([claim_id], limit=None)[claim_id]


def test_the_demo_offers_the_exact_cell_first_for_314_yi(tmp_path):
    from desktop.demo import build_demo

    with Workspace.open(build_demo(tmp_path / "demo"), actor="测试") as ws:
        claim = ws.db.query_one("SELECT id FROM claims WHERE subject = '支付基金' AND value = '314'")["id"]
        found = _for(ws, claim)
        top = found[0]
        assert ws.db.scalar("SELECT name FROM evidence WHERE id = ?", (top.evidence_id,)) == "2024年社会保险基金收支情况.xlsx"
        assert top.locator == "基金收支!B3" and top.places[0]["exact"] is True
        assert [p["locator"] for p in top.places][:2] == ["基金收支!B3", "基金收支!B2"]
        assert "另有 1 处" in suggestion_reason_text(top.reasons)


def test_exact_beats_rounded_when_the_words_are_the_same(tmp_path):
    ws = _ws(tmp_path, "全年基金规模 314 亿元。")
    table = docgen.xlsx(tmp_path / "files" / "基金规模.xlsx", {"规模": [
        ["项目", "金额（万元）"], ["基金规模（初算）", 3135300], ["基金规模（核定）", 3140000]]})
    eid = _add(ws, table)
    top = _for(ws, _claim(ws, "314", "亿元"))[0]
    assert (top.evidence_id, top.locator) == (eid, "规模!B3")
    assert [(p["locator"], p["exact"]) for p in top.places] == [("规模!B3", True), ("规模!B2", False)]
    ws.close()


def test_a_file_about_another_year_is_never_strong(tmp_path):
    ws = _ws(tmp_path, "2024年度绩效自评报告\n2024年全年共核查疑点数据 21099 条。")
    def rows(title: str, county: str) -> list[list[object]]:  # the same figure, files not byte-identical
        return [[title], ["项目", "核查疑点数据（条）"], [county, 21099], ["合计", 21099]]

    files = tmp_path / "files"
    this_year = _add(ws, docgen.xlsx(files / "2024年疑点数据核查台账.xlsx", {"台账": rows("核查情况", "甲县")}))
    last_year = _add(ws, docgen.xlsx(files / "2023年疑点数据核查台账.xlsx", {"台账": rows("核查情况", "乙县")}))
    titled = _add(ws, docgen.xlsx(files / "疑点数据核查台账（上年）.xlsx", {
        "台账": rows("2023年度疑点数据核查情况", "丙县")}))
    found = {s.evidence_id: s for s in _for(ws, _claim(ws, "21099", "条"))}
    assert found[this_year].strength == STRONG
    for other in (last_year, titled):
        assert found[other].strength != STRONG and found[other].score < found[this_year].score
        assert "但文件是 2023 年的，指标是 2024 年的" in suggestion_reason_text(found[other].reasons)
    ws.close()


def test_a_gap_of_7000_is_not_strong_for_a_subsidy_income_of_7000(tmp_path):
    ws = _ws(tmp_path, "2024年机关事业单位养老保险财政补助资金总收入7000万元。")
    letter = _add(ws, docgen.docx(tmp_path / "files" / "关于2024年机关事业单位养老保险财政补助资金的函.docx", [
        "2024年机关事业单位养老保险财政补助资金测算后，基金缺口 7000 万元，请予安排。"]))
    income = _add(ws, docgen.docx(tmp_path / "files" / "2024年机关事业单位养老保险财政补助资金到账通知.docx", [
        "2024年机关事业单位养老保险财政补助资金收入 7000 万元已到账。"]))
    found = {s.evidence_id: s for s in _for(ws, _claim(ws, "7000", "万元"))}
    assert found[income].strength == STRONG
    assert found[letter].strength != STRONG and found[letter].score < found[income].score
    assert "数字旁写的是“缺口”" in suggestion_reason_text(found[letter].reasons)
    ws.close()


def test_a_claim_named_by_one_weak_word_still_finds_its_ledger(tmp_path):
    ws = _ws(tmp_path, "## 2. 资金执行情况\n2024年市财政补助资金下达7000万元。截止2024年12月31日，已支出7000万元，执行率100%。")
    ledger = _add(ws, docgen.xlsx(tmp_path / "files" / "财政补助资金支出明细账.xlsx", {"明细账": [
        ["财政补助资金支出明细账（2024年）"], ["摘要", "支出（元）"], ["拨付养老待遇", 70000000.00],
        ["本年合计", 70000000.00]]}, formats={"明细账": {"B": "#,##0.00"}}))
    spent = _claim(ws, "7000", "万元", nth=1)
    assert ws.db.scalar("SELECT subject FROM claims WHERE id = ?", (spent,)) == "市财政补助资金支出"
    found = _for(ws, spent)
    assert found and found[0].evidence_id == ledger and found[0].locator in ("明细账!B3", "明细账!B4")
    ws.close()


@pytest.fixture(scope="module")
def set_a_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("set_a")
    es = evidence_sets.build_set_a(root / "files")
    ws = scoring.ingest_set(root / "ws", es)
    yield ws
    ws.close()


def _key(s):
    return (s.claim_id, s.evidence_id, s.score, s.strength, s.locator, [p["locator"] for p in s.places])


@pytest.mark.qt  # evidence set A draws its PDFs with QPdfWriter
def test_asking_by_file_and_by_claim_gives_the_same_suggestions(set_a_ws):
    ws = set_a_ws
    engine = SuggestionEngine(ws.db)
    by_claim = engine.for_claims(limit=None)
    everything = sorted(_key(s) for ss in by_claim.values() for s in ss)
    assert len(everything) > 50
    evidence = [r[0] for r in ws.db.query("SELECT id FROM evidence ORDER BY id")]
    by_file = []
    for eid in evidence:
        for cid, found in SuggestionEngine(ws.db).for_evidence([eid], limit=None).items():
            assert all(s.evidence_id == eid for s in found)
            by_file.extend(_key(s) for s in found)
    assert sorted(by_file) == everything


@pytest.mark.qt  # evidence set A draws its PDFs with QPdfWriter
def test_a_bulk_accept_is_planned_before_anything_is_linked(set_a_ws, tmp_path):
    ws = set_a_ws
    engine = SuggestionEngine(ws.db)
    claims = [r[0] for r in ws.db.query("SELECT id FROM claims WHERE state = 'active' ORDER BY id")][:20]
    events = ws.db.scalar("SELECT count(*) FROM events")
    plan = plan_bulk_accept(engine, claims)
    assert ws.db.scalar("SELECT count(*) FROM events") == events  # planning writes nothing
    assert plan.links and plan.without_strong
    assert {p.claim_id for p in plan.links} | set(plan.without_strong) == set(claims)
    best = engine.for_claims(claims, limit=1)
    for p in plan.links:
        assert best[p.claim_id][0].evidence_id == p.evidence_id and best[p.claim_id][0].strength == STRONG
        assert p.evidence_name and p.as_json()["locator"] == p.locator
    # a claim marked 无需佐证 is left out; the user keeps all but the first pair
    skipped_claim = plan.links[-1].claim_id
    mark_not_required(ws.db, claim_id=skipped_claim, reason="测试")
    plan = plan_bulk_accept(SuggestionEngine(ws.db), claims)
    assert skipped_claim in plan.without_strong
    kept = [(p.claim_id, p.evidence_id) for p in plan.links[1:]]
    result = accept_planned(ws.db, kept + [kept[0]])  # the last pair is linked already by then
    assert [(c.claim_id, c.evidence_id) for c in result.linked] == kept
    assert result.failed == [(*kept[0], "link.exists")] or result.failed[0][2].startswith(("link.", "suggestion."))
    linked = {(r[0], r[1]) for r in ws.db.query("SELECT claim_id, evidence_id FROM links")}
    assert set(kept) <= linked and (plan.links[0].claim_id, plan.links[0].evidence_id) not in linked


def test_a_small_number_is_judged_alike_by_claim_and_by_file(tmp_path):
    """14 次 beside 党委 and 召开, in a file whose text shares no three characters with the claim: asking by
    file used to find it while asking by claim (with no limit) did not."""
    ws = _ws(tmp_path, "全年共召开 14 次党委会。")
    minutes = _add(ws, docgen.xlsx(tmp_path / "files" / "会议统计.xlsx", {"统计": [
        ["类别", "次数"], ["党委（召开）", 14], ["支部（召开）", 31]]}))
    claim = _claim(ws, "14", "次")
    by_claim = [s.evidence_id for s in SuggestionEngine(ws.db).for_claims([claim], limit=None)[claim]]
    by_file = [s.evidence_id for s in SuggestionEngine(ws.db).for_evidence([minutes], limit=None).get(claim, [])]
    assert (minutes in by_claim) == (minutes in by_file)
    ws.close()


def test_a_warm_engine_sees_a_new_file_as_a_fresh_one_does(tmp_path):
    """Titles and full-text lookups are kept across calls; a file indexed since must count at once."""
    ws = _ws(tmp_path, "2024年度报告\n2024年全年共召开 14 次党委会。")
    files = tmp_path / "files"
    _add(ws, docgen.xlsx(files / "党委会会议记录汇总.xlsx", {"记录": [["2024年党委会会议记录"], ["党委会召开次数", 14]]}))
    warm = SuggestionEngine(ws.db)
    claim = _claim(ws, "14", "次")
    assert warm.for_claims([claim], limit=None)[claim]  # the engine is warm now
    late = _add(ws, docgen.xlsx(files / "党委会会议记录（汇总表）.xlsx", {"记录": [["2023年党委会会议记录"],
                                                                             ["党委会召开次数", 14], ["备注", "上年"]]}))
    cold = SuggestionEngine(ws.db)
    got_warm = [_key(s) for s in warm.for_evidence([late], limit=None).get(claim, [])]
    got_cold = [_key(s) for s in cold.for_evidence([late], limit=None).get(claim, [])]
    assert got_warm == got_cold and got_warm
    late_sug = next(s for s in warm.for_claims([claim], limit=None)[claim] if s.evidence_id == late)
    assert any(r["code"] == "other_year" for r in late_sug.reasons) and late_sug.strength != STRONG
    ws.close()
