"""Registration outcomes on real files: added, duplicate, new version, rename, absent, restored, revert;
undecodable names; the store's crash recovery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.evidence import fspath
from desktop.evidence.ignore import DEFAULT_PATTERNS, IgnoreList, load, set_patterns
from desktop.evidence.service import mark_path_absent, register_file
from desktop.store import SourceVanished
from desktop.review.status import workspace_status


def _events(ws) -> list[str]:
    return [r["action"] for r in ws.db.query("SELECT action FROM events ORDER BY seq")]


def test_outcomes_through_a_files_life(ws, tmp_path):
    folder = tmp_path / "佐证"
    folder.mkdir()
    a = folder / "台账.txt"
    a.write_text("合计 21,099 条", encoding="utf-8")
    first = register_file(ws, a)
    assert first.outcome == "added" and first.new

    before = len(_events(ws))
    again = register_file(ws, a)  # nothing changed: nothing written
    assert again.outcome == "unchanged" and len(_events(ws)) == before

    copy = folder / "台账 - 副本.txt"
    copy.write_bytes(a.read_bytes())
    dup = register_file(ws, copy)
    assert (dup.outcome, dup.evidence_id) == ("duplicate", first.evidence_id)
    assert ws.db.scalar("SELECT count(*) FROM evidence") == 1  # same bytes, one copy in the store

    a.write_text("合计 21,100 条", encoding="utf-8")
    v2 = register_file(ws, a)
    assert v2.outcome == "new_version" and v2.supersedes == first.evidence_id
    assert ws.db.scalar("SELECT supersedes FROM evidence WHERE id = ?", (v2.evidence_id,)) == first.evidence_id
    assert ws.store.has(first.sha256)  # the old bytes stay

    renamed = folder / "台账（终稿）.txt"
    os.rename(a, renamed)
    mv = register_file(ws, renamed)
    assert (mv.outcome, mv.evidence_id, mv.moved_from) == ("renamed", v2.evidence_id, [str(a)])
    assert ws.db.scalar("SELECT name FROM evidence WHERE id = ?", (v2.evidence_id,)) == "台账（终稿）.txt"

    copy.unlink()
    assert mark_path_absent(ws, copy) == [first.evidence_id]
    assert mark_path_absent(ws, copy) == []  # already absent: nothing written

    st = {e["id"]: e for e in workspace_status(ws.db)["evidence"]}
    assert st[first.evidence_id]["paths"] == [] and st[first.evidence_id]["superseded_by"] == [v2.evidence_id]
    assert st[first.evidence_id]["versions"] == st[v2.evidence_id]["versions"] == [first.evidence_id, v2.evidence_id]
    assert "superseded" in st[first.evidence_id]["flags"] and st[v2.evidence_id]["paths"] == [str(renamed)]
    assert _events(ws) == ["workspace.created", "evidence.added", "evidence.path_added", "evidence.new_version",
                           "evidence.renamed", "evidence.path_absent"]


def test_a_reverted_file_makes_the_old_version_current_again(ws, tmp_path):
    f = tmp_path / "方案.txt"
    f.write_text("版本一 100 元", encoding="utf-8")
    v1 = register_file(ws, f)
    f.write_text("版本二 200 元", encoding="utf-8")
    v2 = register_file(ws, f)
    f.write_text("版本一 100 元", encoding="utf-8")  # back to the first bytes
    back = register_file(ws, f)
    assert (back.outcome, back.evidence_id, back.supersedes) == ("new_version", v1.evidence_id, v2.evidence_id)
    st = {e["id"]: e for e in workspace_status(ws.db)["evidence"]}
    assert st[v2.evidence_id]["superseded_by"] == [v1.evidence_id]
    assert st[v1.evidence_id]["superseded_by"] == []  # no cycle: the current version is not superseded


def test_a_file_deleted_then_replaced_at_the_same_path_is_a_new_version(ws, tmp_path):
    f = tmp_path / "回单.txt"
    f.write_text("金额 6,588,300.00 元", encoding="utf-8")
    v1 = register_file(ws, f)
    f.unlink()
    mark_path_absent(ws, f)
    f.write_text("金额 6,588,301.00 元", encoding="utf-8")
    v2 = register_file(ws, f)
    assert (v2.outcome, v2.supersedes) == ("new_version", v1.evidence_id)
    f.unlink()
    mark_path_absent(ws, f)
    f.write_text("金额 6,588,301.00 元", encoding="utf-8")
    assert register_file(ws, f).outcome == "restored"


def test_undecodable_names_round_trip_and_read_well(ws, tmp_path):
    gbk = os.path.join(os.fsencode(tmp_path), "整改报告.txt".encode("gbk"))
    junk = os.path.join(os.fsencode(tmp_path), b"scan\xff\xfe.txt")
    for raw, body in ((gbk, b"100"), (junk, b"200")):
        with open(raw, "wb") as f:
            f.write(body)
    for raw in (gbk, junk):
        r = register_file(ws, os.fsdecode(raw))
        row = ws.db.query_one("SELECT path, raw_path FROM evidence_paths WHERE evidence_id = ?", (r.evidence_id,))
        assert bytes(row["raw_path"]) == raw  # exact bytes kept
        assert os.fsencode(fspath.from_db(row["path"], row["raw_path"])) == raw
        assert fspath.is_clean(row["path"])  # the text column is valid Unicode
    names = {r["name"] for r in ws.db.query("SELECT name FROM evidence")}
    assert "整改报告.txt" in names  # a GBK name from a Windows zip is shown decoded
    assert "scan\\xff\\xfe.txt" in names  # anything else escaped, readable, unique


def test_store_detects_a_file_deleted_during_the_copy(ws, tmp_path):
    f = tmp_path / "大文件.bin"
    f.write_bytes(os.urandom(3 << 20))

    def delete(done: int) -> None:
        if f.exists():
            f.unlink()

    with pytest.raises(SourceVanished):
        ws.store.add_file(f, on_chunk=delete)
    assert list(ws.store.tmp.iterdir()) == [] and list(ws.store.iter_objects()) == []


def test_store_recovery_quarantines_orphans_and_keeps_their_bytes(ws, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("孤儿", encoding="utf-8")
    obj = ws.store.add_file(f)  # copied, but the process "died" before the rows were committed
    (ws.store.tmp / "in-crashed.part").write_bytes(b"half")
    res = ws.store.recover(known=[])
    assert res == {"temp": 1, "orphaned": 1, "dropped": 0}
    assert list(ws.store.iter_objects()) == [] and list(ws.store.orphans()) == [obj.sha256]
    register_file(ws, f)  # registered again: the quarantined copy is no longer needed
    assert ws.store.recover(known=[obj.sha256])["dropped"] == 1
    assert list(ws.store.orphans()) == []


def test_ignore_list_defaults_and_setting(ws):
    ig = IgnoreList()
    for name in ("~$报告.docx", ".~报告.docx", ".~lock.台账.xlsx#", "~WRL0001.tmp", "a.crdownload", ".DS_Store",
                 "Thumbs.db", "desktop.ini"):
        assert ig.matches_name(name), name
    assert ig.matches("/w/@eaDir/x.jpg", "/w") and ig.matches("/w/__MACOSX/a/._x.pdf", "/w")
    assert not ig.matches_name("报告.docx") and not ig.matches_name("~报告.docx")
    assert load(ws.db).patterns == DEFAULT_PATTERNS
    set_patterns(ws.db, patterns=["*.bak"])
    assert load(ws.db).matches_name("x.BAK") and not load(ws.db).matches_name("~$x.docx")


def test_paths_are_stored_as_given_when_valid(tmp_path):
    p = str(Path(tmp_path) / "正常名称.pdf")
    assert fspath.to_db(p) == (p, None) and fspath.from_db(p, None) == p
