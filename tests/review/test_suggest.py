"""Suggestions on a real workspace: the sample report, real evidence files registered and indexed."""

from __future__ import annotations

import pytest

from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence, reject_suggestion
from desktop.review.suggest import STRONG, SuggestionEngine, suggest
from desktop.text.messages import suggestion_reason_text
from tests.review import docgen


def _claim(ws, value, unit):
    return ws.db.query_one("SELECT * FROM claims WHERE value = ? AND unit = ? ORDER BY id", (value, unit))


def _add(ws, path):
    r = register_file(ws, path)
    index_evidence(ws, r.evidence_id)
    return r.evidence_id


@pytest.fixture
def files(tmp_path):
    root = tmp_path / "佐证材料"
    slip = root / "基金监督" / "追回待遇_银行回单.txt"
    slip.parent.mkdir(parents=True)
    slip.write_text("中国工商银行 业务回单\n金额（小写）：¥6,588,300.00\n用途：追回多发社保待遇款项", encoding="utf-8")
    repair = root / "其他" / "工程结算审核报告.txt"
    repair.parent.mkdir()
    repair.write_text("办公楼维修改造工程 审定金额 6,588,300 元，工期 52 天。", encoding="utf-8")
    ledger = docgen.xlsx(root / "基金监督" / "疑点数据核查台账.xlsx", {
        "台账": [["疑点数据核查台账"], ["序号", "县区", "核查条数", "已追回（元）"],
                 [1, "赤坎区", 10000, 3000000.00], [2, "霞山区", 11099, 3588300.00],
                 ["", "合计", 21099, 6588300.00]]}, formats={"台账": {"C": "#,##0", "D": "#,##0.00"}})
    near_miss = root / "其他" / "2023年核查情况通报.txt"
    near_miss.write_text("2023年共核查疑点数据 21,909 条，追回多发社保待遇 658.38 万元。", encoding="utf-8")
    bare = root / "其他" / "数字.txt"
    bare.write_text("14\n89\n2024\n7", encoding="utf-8")
    return {"slip": slip, "repair": repair, "ledger": ledger, "near_miss": near_miss, "bare": bare}


def test_the_value_at_another_scale_with_words_near_it_is_a_strong_suggestion(imported_ws, files):
    ws = imported_ws
    ids = {k: _add(ws, p) for k, p in files.items()}
    claim = _claim(ws, "658.83", "万元")
    found = SuggestionEngine(ws.db).for_claims([claim["id"]])[claim["id"]]
    by_file = {s.evidence_id: s for s in found}
    top = found[0]
    assert top.evidence_id == ids["slip"] and top.strength == STRONG
    assert top.locator == "第 1 页" or top.locator == "正文"
    text = suggestion_reason_text(top.reasons)
    assert "6,588,300.00 元" in text and "658.83 万元" in text and "追回" in text
    # the ledger states it too (E5, in 元 by its header), the repair report states it about something else
    assert by_file[ids["ledger"]].locator == "台账!D5"
    assert by_file[ids["repair"]].strength != STRONG
    assert by_file[ids["repair"]].score < by_file[ids["ledger"]].score
    assert ids["near_miss"] not in by_file or not any(r["code"] == "value_found" for r in by_file[ids["near_miss"]].reasons)


def test_21099_in_a_ledger_total(imported_ws, files):
    ws = imported_ws
    ids = {k: _add(ws, p) for k, p in files.items()}
    claim = _claim(ws, "21099", "条")
    top = SuggestionEngine(ws.db).for_claims([claim["id"]])[claim["id"]][0]
    assert (top.evidence_id, top.locator, top.strength) == (ids["ledger"], "台账!C5", STRONG)


def test_small_integers_alone_are_never_strong(imported_ws, files):
    ws = imported_ws
    _add(ws, files["bare"])
    everything = suggest(ws.db, limit=None)
    assert everything == [] or all(s.strength != STRONG for s in everything)


def test_linked_rejected_and_superseded_files_are_not_suggested(imported_ws, files):
    ws = imported_ws
    ids = {k: _add(ws, p) for k, p in files.items()}
    claim = _claim(ws, "658.83", "万元")["id"]
    engine = SuggestionEngine(ws.db)

    def suggested():
        return [s.evidence_id for s in engine.for_claims([claim], limit=None)[claim]]

    assert {ids["slip"], ids["ledger"]} <= set(suggested())
    link_evidence(ws.db, claim_id=claim, evidence_id=ids["slip"])
    assert ids["slip"] not in suggested()
    reject_suggestion(ws.db, claim_id=claim, evidence_id=ids["ledger"])
    assert ids["ledger"] not in suggested()
    # a new version of the repair report: the old one is no longer suggested, the new one is
    files["repair"].write_text("办公楼维修改造工程 审定金额 6,588,300.00 元（修订）。", encoding="utf-8")
    new = _add(ws, files["repair"])
    assert new != ids["repair"]
    got = suggested()
    assert ids["repair"] not in got and new in got
    # rejections survive a fresh engine (they are in the database)
    assert ids["ledger"] not in [s.evidence_id for s in SuggestionEngine(ws.db).for_claims([claim], limit=None)[claim]]


def test_a_new_file_gets_the_same_suggestions_incrementally(imported_ws, files):
    ws = imported_ws
    for k in ("repair", "near_miss", "bare"):
        _add(ws, files[k])
    engine = SuggestionEngine(ws.db)
    engine.for_claims()  # warm: the engine has seen the workspace as it was
    new = _add(ws, files["ledger"])
    incremental = engine.for_evidence([new])
    full = SuggestionEngine(ws.db).for_claims(limit=None)
    expected = {cid: [s for s in found if s.evidence_id == new] for cid, found in full.items()}
    expected = {cid: s for cid, s in expected.items() if s}
    assert set(incremental) == set(expected) and incremental
    for cid, found in incremental.items():
        assert [(s.evidence_id, s.score, s.strength, s.locator) for s in found] == [
            (s.evidence_id, s.score, s.strength, s.locator) for s in expected[cid]]


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_a_file_name_alone_gives_a_possible_suggestion(imported_ws, tmp_path):
    ws = imported_ws
    photo = docgen.image(tmp_path / "镇村通服务网点现场照片.jpg", "2024-10-18", "镇村通")
    eid = _add(ws, photo)
    claim = _claim(ws, "2773", "个")
    found = SuggestionEngine(ws.db).for_claims([claim["id"]])[claim["id"]]
    assert [(s.evidence_id, s.strength, s.locator) for s in found] == [(eid, "possible", None)]
    assert "文件名含“镇村通”" in suggestion_reason_text(found[0].reasons)


def test_a_folder_named_after_the_indicator_counts(imported_ws, tmp_path):
    from desktop.workspace import set_setting

    ws = imported_ws
    set_setting(ws.db, key="watch_dir", value=str(tmp_path / "佐证"))
    f = tmp_path / "佐证" / "疑点数据核查" / "附件1.txt"
    f.parent.mkdir(parents=True)
    f.write_text("合计 21,099", encoding="utf-8")
    eid = _add(ws, f)
    claim = _claim(ws, "21099", "条")
    top = SuggestionEngine(ws.db).for_claims([claim["id"]])[claim["id"]][0]
    assert top.evidence_id == eid and top.strength == STRONG
    assert "文件夹名含“核查”“疑点数据”" in suggestion_reason_text(top.reasons)


def test_a_workspace_from_before_migration_0006_opened_read_only(tmp_path):
    """A second window on an older workspace cannot migrate it: suggestions and flags still work."""
    import shutil
    from pathlib import Path

    from desktop.review.status import workspace_status
    from desktop.workspace import Workspace

    old = Path(__file__).resolve().parents[1] / "data" / "workspace-0001.db"
    root = tmp_path / "old"
    root.mkdir()
    shutil.copy(old, root / "workspace.db")
    ws = Workspace.open(root, readonly=True)
    try:
        assert "0006_evidence_number_digits" in __import__("db.schema", fromlist=["pending"]).pending(ws.db.conn)
        st = workspace_status(ws.db)
        assert st["summary"]["claims"] > 0
        found = suggest(ws.db)  # without migration 0006's digit index: the engine's in-memory fallback
        assert found  # its one file is suggested (by its name: it has no numbers indexed)
        claims, evidence = {c["id"] for c in st["claims"]}, {e["id"] for e in st["evidence"]}
        assert all(s.claim_id in claims and s.evidence_id in evidence and s.reasons for s in found)
    finally:
        ws.close()


def test_without_the_digit_index_the_answers_are_the_same(imported_ws, files, monkeypatch):
    """The fallback for older read-only workspaces (numbers scanned in memory) agrees with the index."""
    import desktop.review.suggest as sg
    from desktop.review.status import workspace_status

    ws = imported_ws
    ids = {k: _add(ws, p) for k, p in files.items()}
    link_evidence(ws.db, claim_id=_claim(ws, "21099", "条")["id"], evidence_id=ids["near_miss"])
    link_evidence(ws.db, claim_id=_claim(ws, "658.83", "万元")["id"], evidence_id=ids["slip"])
    indexed = SuggestionEngine(ws.db).for_claims(limit=None)
    flags = {c["id"]: c["flags"] for c in workspace_status(ws.db)["claims"]}
    monkeypatch.setattr(sg, "has_digit_index", lambda db: False)
    engine = SuggestionEngine(ws.db)
    fallback = engine.for_claims(limit=None)
    assert not engine._indexed

    def key(res):
        return {cid: [(s.evidence_id, s.strength, s.locator) for s in found if s.hit] for cid, found in res.items()}

    assert key(fallback) == key(indexed) and any(key(indexed).values())
    assert {c["id"]: c["flags"] for c in workspace_status(ws.db)["claims"]} == flags
    assert "value_not_found" in flags[_claim(ws, "21099", "条")["id"]]


def test_the_report_itself_among_the_evidence_is_not_suggested(imported_ws, sample_report, tmp_path):
    import shutil

    ws = imported_ws
    same = _add(ws, sample_report)  # the very file that was imported
    renamed = tmp_path / "word" / sample_report.name
    renamed.parent.mkdir()
    shutil.copy(sample_report, renamed)
    renamed.write_text(renamed.read_text(encoding="utf-8") + "\n（定稿）", encoding="utf-8")
    edited = _add(ws, renamed)  # another version under the same name
    suggested = {s.evidence_id for s in suggest(ws.db, limit=None)}
    assert same not in suggested and edited not in suggested
