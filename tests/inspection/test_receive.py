"""Receiving a package: a review workspace made from package.db and the files, nothing re-parsed, its chain
starting at the package; refused when a file fails verification unless ``--force``."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest

from tests.inspection.cli import cli, make_group, snapshot, verify_ok


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVIDENCE_DESK_HOME", str(tmp_path_factory.mktemp("home")))
        yield _package(tmp_path_factory.mktemp("group"))


def _package(tmp_path):
    """(the group's workspace, its package, claim ids); tests read them and write elsewhere."""
    group, folder, claims = make_group(tmp_path, {"台账.txt": "核查疑点数据 21099 条", "回单.txt": "追回 658.83 万元"})
    cli("link", group, claims[0], 1, "--locator", "第 1 页", "--actor", "李会计")
    cli("link", group, claims[1], 2, "--actor", "李会计")
    # a new version of 回单.txt, not linked: the package carries its row but not its bytes
    (folder / "回单.txt").write_text("追回 658.83 万元（盖章版）", encoding="utf-8")
    assert [f["outcome"] for f in cli("ingest", group, "--wait", "--json").json["files"]] == ["new_version"]
    # a review the group's own inspector made before the package: it travels with it
    cli("review", group, claims[0], "verified", "--comment", "内审已核", "--actor", "内审员")
    pkg = tmp_path / "材料包.zip"
    cli("export", group, pkg, "--actor", "李会计")
    return group, pkg, claims


def _db(ws):
    conn = sqlite3.connect(f"file:{ws / 'workspace.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def test_review_workspace_is_the_package_not_a_new_parse(package, tmp_path):
    group, pkg, claims = package
    review = tmp_path / "审核"
    got = cli("receive", pkg, review, "--actor", "王审计", "--json").json
    verify_ok(review)
    g, r = cli("status", group, "--json").json, cli("status", review, "--json").json
    # the same claims with the same ids, the same links and locators, the same evidence numbers
    assert [(c["id"], c["value"], c["evidence_ids"]) for c in g["claims"]] == \
           [(c["id"], c["value"], c["evidence_ids"]) for c in r["claims"]]
    gdb, rdb = _db(group), _db(review)
    assert gdb.execute("SELECT claim_id, evidence_id, locator FROM links ORDER BY id").fetchall() == \
           rdb.execute("SELECT claim_id, evidence_id, locator FROM links ORDER BY id").fetchall()
    # the extracted text came along (searchable), nothing was extracted again
    assert rdb.execute("SELECT evidence_id FROM evidence_text WHERE evidence_text MATCH '\"21099\"'").fetchall()
    assert rdb.execute("SELECT count(*) FROM ingest_queue").fetchone()[0] == 0
    # the chain starts with the package: its manifest hash and the sender's audit head
    first = rdb.execute("SELECT seq, action, actor, payload FROM events ORDER BY seq LIMIT 1").fetchone()
    p = json.loads(first["payload"])
    manifest = json.loads(zipfile.ZipFile(pkg).read("manifest.json"))
    assert (first["seq"], first["action"], first["actor"]) == (1, "package.received", "王审计")
    assert got["exchange_id"] == p["package"]["package_id"] == manifest["package_id"]
    assert p["package"]["audit"] == manifest["audit"]
    assert p["received"]["manifest_sha256"] == __import__("hashlib").sha256(
        zipfile.ZipFile(pkg).read("manifest.json")).hexdigest()
    assert {c["id"] for c in p["rows"]["claims"]} == {c[0] for c in rdb.execute("SELECT id FROM claims")}
    # the version the group did not ship is known by its row, flagged, and verify accepts that
    flagged = {e["id"]: e["flags"] for e in r["evidence"]}
    assert "not_shipped" in flagged[3]
    assert "evidence_superseded" in next(c for c in r["claims"] if c["id"] == claims[1])["flags"]
    assert (review / "received" / manifest["package_id"] / "package.db").is_file()


def test_review_workspace_opens_in_the_reviewer_role_only(package, tmp_path):
    from desktop.workspace import Workspace

    _group, pkg, claims = package
    review = tmp_path / "审核"
    cli("receive", pkg, review)
    with Workspace.open(review, role="editor") as ws:
        assert ws.role == "reviewer" and ws.review_only and not ws.holds_writer_lock
        ws.set_identity(role="editor")
        assert ws.role == "reviewer"
    assert "不能修改" in cli("unlink", review, claims[0], 1, ok=2).err
    assert "不能修改" in cli("not-required", review, claims[2], "--reason", "x", ok=2).err
    assert "审核工作区" in cli("ingest", review, tmp_path, ok=2).err
    cli("review", review, claims[0], "verified", "--comment", "一致")
    verify_ok(review)


def test_a_failing_file_refuses_the_package_unless_forced(package, tmp_path):
    _group, pkg, claims = package
    with zipfile.ZipFile(pkg) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    name = next(i.filename for i, _ in items if i.filename.startswith("佐证材料/") and "台账" in i.filename)
    bad = tmp_path / "坏包.zip"
    with zipfile.ZipFile(bad, "w") as out:
        for info, data in items:
            out.writestr(info, data[:-1] + bytes([data[-1] ^ 1]) if info.filename == name else data)
    review = tmp_path / "审核"
    res = cli("receive", bad, review, ok=1)
    assert name in res.err and not review.exists()
    got = cli("receive", bad, review, "--force", "--json").json
    assert got["failed"] == [name]
    verify_ok(review)
    status = cli("status", review, "--json").json
    failed = next(e for e in status["evidence"] if e["name"] == "台账.txt")
    assert "failed_verification" in failed["flags"]
    assert not (review / "store" / failed["sha256"][:2] / failed["sha256"]).exists()
    # the file that passed is there as usual
    good = next(e for e in status["evidence"] if e["id"] == 2)
    assert good["flags"] == ["superseded"] and (review / "store" / good["sha256"][:2] / good["sha256"]).is_file()


def test_receive_refusals_write_nothing(package, tmp_path):
    group, pkg, _claims = package
    busy = tmp_path / "有文件"
    busy.mkdir()
    (busy / "a.txt").write_text("x", encoding="utf-8")
    assert "不是空的" in cli("receive", pkg, busy, ok=2).err
    assert [p.name for p in busy.iterdir()] == ["a.txt"]
    # a supplement cannot start a review workspace; a group's own workspace is not a review workspace
    before = snapshot(group)
    assert "审核工作区" in cli("receive", pkg, group, ok=2).err
    assert snapshot(group) == before
    assert "找不到" in cli("receive", tmp_path / "nope.zip", tmp_path / "x", ok=2).err
    assert not (tmp_path / "x").exists()


def test_reviews_that_came_with_the_package_are_protected_like_local_ones(package, tmp_path):
    """They have no review.set event in the review workspace; the package.received event recorded each
    row, and verify holds the table to it."""
    _group, pkg, claims = package
    review = tmp_path / "审核"
    cli("receive", pkg, review)
    status = cli("status", review, "--json").json
    assert next(c for c in status["claims"] if c["id"] == claims[0])["review"] == "verified"
    verify_ok(review)
    conn = sqlite3.connect(review / "workspace.db")
    conn.execute("UPDATE reviews SET comment = '改过' WHERE claim_id = ?", (claims[0],))
    conn.commit()
    conn.close()
    problems = cli("verify", review, "--json", ok=1).json["problems"]
    assert [p["code"] for p in problems] == ["review_altered"]
