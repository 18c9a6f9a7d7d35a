"""``verify``: exit 1 and name the place after each kind of tampering; exit 0 on an untouched workspace.

The workspace is built through the real services, then closed (so SQLite checkpoints its WAL into the
file) and tampered with as a person with a hex editor or the sqlite3 shell would. ``verify`` runs as a
real process.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.claims.service import import_report
from desktop.evidence.service import register_file
from desktop.integrity import STAGES, verify_workspace
from desktop.review.links import link_evidence
from desktop.review.review import review_claim
from desktop.review.status import claim_rows
from desktop.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A closed workspace: a report, three files, links, reviews; 10 events."""
    root = tmp_path_factory.mktemp("pristine")
    files = root / "files"
    files.mkdir()
    ws = Workspace.create(root / "W", actor="李会计")
    import_report(ws.db, path=SAMPLE)
    ids = []
    for i, text in enumerate(["银行回单 6,588,300.00 元", "疑点台账 21099 条", "会议记录 合计：14 次"]):
        f = files / f"佐证{i}.txt"
        f.write_text(text * 200, encoding="utf-8")
        ids.append(register_file(ws, f).evidence_id)
    c1, c2, c3 = [c["id"] for c in claim_rows(ws.db)][:3]
    link_evidence(ws.db, claim_id=c1, evidence_id=ids[0], locator="第 1 页")
    link_evidence(ws.db, claim_id=c2, evidence_id=ids[1], note="合计行")
    link_evidence(ws.db, claim_id=c3, evidence_id=ids[2])
    ws.set_identity(role="reviewer", actor="王审计")
    review_claim(ws.db, claim_id=c1, state="verified", comment="一致")
    review_claim(ws.db, claim_id=c2, state="questioned", comment="台账合计行缺签章")
    assert ws.db.scalar("SELECT count(*) FROM events") == 10
    ws.close()
    assert not (root / "W" / "workspace.db-wal").exists() or (root / "W" / "workspace.db-wal").stat().st_size == 0
    return root / "W"


@pytest.fixture
def copy(pristine, tmp_path):
    dest = tmp_path / "W"
    shutil.copytree(pristine, dest, copy_function=shutil.copy2)
    for p in (dest / "store").rglob("*"):
        if p.is_file():
            os.chmod(p, 0o644)  # the copy must be tamperable; verify does not look at permissions
    return dest


def verify(ws: Path, ok: int) -> dict:
    res = subprocess.run([sys.executable, "-m", "desktop", "verify", str(ws), "--json"], capture_output=True,
                         text=True, cwd=REPO)
    assert res.returncode == ok, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    return json.loads(res.stdout)


def raw(ws: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(ws / "workspace.db", isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def without_triggers(conn: sqlite3.Connection, *statements, params=()):
    """Drop the append-only triggers, tamper, put the triggers back exactly as they were."""
    saved = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").fetchall()
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("DROP TRIGGER events_append_only_delete")
    for s, p in zip(statements, params or [()] * len(statements)):
        conn.execute(s, p)
    for (sql,) in saved:
        conn.execute(sql)


def test_untouched_workspace_passes(copy):
    data = verify(copy, 0)
    anchor = data.pop("anchor")
    assert data == {"ok": True, "events": 10, "objects": 3, "reviews": 2, "rows": data["rows"], "problems": [],
                    "notes": []}
    assert data["rows"] > 10  # settings, the report, its claims, the files and their paths, links, reviews
    head = json.loads((copy / "audit-head.json").read_text())
    assert anchor == {"seq": 10, "hash": head["hash"]}


def test_one_changed_byte_in_an_event(copy):
    """One byte of the database file, inside one event's payload, is changed with no SQL at all."""
    seq = raw(copy).execute("SELECT seq FROM events WHERE action = 'report.imported'").fetchone()[0]
    path = copy / "workspace.db"
    data = bytearray(path.read_bytes())
    needle = b'"candidates":'  # only the report.imported payload holds this text
    at = data.find(needle)
    assert at >= 0 and data.find(needle, at + 1) == -1
    digit = at + len(needle)
    data[digit] = ord("7") if data[digit] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    data = verify(copy, 1)
    assert len(data["problems"]) == 1
    first = data["problems"][0]
    assert (first["code"], first["seq"]) == ("event_altered", seq)
    assert f"#{seq}" in first["message"] and "被改动" in first["message"] and "导入报告" in first["message"]


def test_deleted_event(copy):
    conn = raw(copy)
    without_triggers(conn, "DELETE FROM events WHERE seq = 5")
    conn.close()
    data = verify(copy, 1)
    first = data["problems"][0]
    assert (first["code"], first["seq"]) == ("event_missing", 5)
    assert "#5" in first["message"] and first["since"] and first["until"]


def test_events_cut_from_the_end(copy):
    conn = raw(copy)
    without_triggers(conn, "DELETE FROM events WHERE seq > 7")
    conn.close()
    data = verify(copy, 1)
    assert [(p["code"], p["seq"]) for p in data["problems"] if p["code"].startswith("event")] == [
        ("events_truncated", 8)]
    msg = next(p["message"] for p in data["problems"] if p["code"] == "events_truncated")
    assert "#8 至 #10" in msg and "截掉" in msg
    # the two reviews' events are gone while their rows remain
    assert {p["code"] for p in data["problems"]} >= {"review_unrecorded"}


def test_two_events_swapped(copy):
    conn = raw(copy)
    a = dict(conn.execute("SELECT * FROM events WHERE seq = 4").fetchone())
    b = dict(conn.execute("SELECT * FROM events WHERE seq = 5").fetchone())
    cols = [c for c in a if c != "seq"]
    sets = ", ".join(f"{c} = ?" for c in cols)
    without_triggers(conn, f"UPDATE events SET {sets} WHERE seq = 4", f"UPDATE events SET {sets} WHERE seq = 5",
                     params=[[b[c] for c in cols], [a[c] for c in cols]])
    conn.close()
    data = verify(copy, 1)
    first = data["problems"][0]
    assert first["seq"] == 4 and first["code"] in ("event_chain_broken", "event_altered")
    assert "#4" in first["message"]


def _object(copy: Path, name: str) -> tuple[int, Path]:
    conn = raw(copy)
    row = conn.execute("SELECT id, sha256 FROM evidence WHERE name = ?", (name,)).fetchone()
    conn.close()
    return row["id"], copy / "store" / row["sha256"][:2] / row["sha256"]


def test_object_replaced(copy):
    eid, path = _object(copy, "佐证1.txt")
    path.write_bytes(path.read_bytes().replace("21099".encode(), "21999".encode()))
    data = verify(copy, 1)
    assert [(p["code"], p["evidence_id"]) for p in data["problems"]] == [("object_altered", eid)]
    assert "佐证1.txt" in data["problems"][0]["message"] and "被替换" in data["problems"][0]["message"]


def test_object_truncated(copy):
    eid, path = _object(copy, "佐证2.txt")
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    data = verify(copy, 1)
    p = data["problems"][0]
    assert (p["code"], p["evidence_id"], p["expected_size"], p["actual_size"]) == (
        "object_truncated", eid, size, size // 2)
    assert "佐证2.txt" in p["message"] and "截断" in p["message"]


def test_dropped_trigger_is_reported(copy):
    conn = raw(copy)
    conn.execute("DROP TRIGGER events_append_only_delete")
    conn.close()
    data = verify(copy, 1)
    assert [(p["code"], p["trigger"]) for p in data["problems"]] == [
        ("trigger_missing", "events_append_only_delete")]
    assert "删除" in data["problems"][0]["message"]


def test_neutered_trigger_is_reported(copy):
    conn = raw(copy)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events WHEN 0 "
                 "BEGIN SELECT RAISE(ABORT, 'events is append-only'); END")
    conn.close()
    data = verify(copy, 1)
    assert [p["code"] for p in data["problems"]] == ["trigger_altered"]


def test_rewritten_sign_off_is_reported(copy):
    """Turning an inspector's 存疑 into 已核实 in the reviews table is caught against the audit trail."""
    conn = raw(copy)
    rid, seq = conn.execute(
        "SELECT r.id, e.seq FROM reviews r JOIN events e ON e.action = 'review.set' AND e.claim_id = r.claim_id"
        " WHERE r.state = 'questioned'").fetchone()
    conn.execute("UPDATE reviews SET state = 'verified' WHERE id = ?", (rid,))
    conn.close()
    data = verify(copy, 1)
    p = data["problems"][0]
    assert (p["code"], p["review_id"], p["seq"], p["fields"]) == ("review_altered", rid, seq, ["state"])
    assert "存疑" in p["message"] and "已核实" in p["message"]


def test_deleted_sign_off_is_reported(copy):
    conn = raw(copy)
    conn.execute("DELETE FROM reviews WHERE state = 'verified'")
    conn.close()
    data = verify(copy, 1)
    assert [p["code"] for p in data["problems"]] == ["review_deleted"]


def test_progress_runs_through_every_stage_in_order(copy):
    seen: list[tuple[str, int, int]] = []
    with Workspace.open(copy, readonly=True) as ws:
        report = verify_workspace(ws, lambda s, d, t: seen.append((s, d, t)))
    assert report.ok
    stages = [s for s, _, _ in seen]
    assert sorted(set(stages), key=stages.index) == list(STAGES)
    assert ("events", 10, 10) in seen and ("objects", 3, 3) in seen


# -- the tables against the state the audit events describe (replay), and the schema --------------


def _codes(data: dict) -> list[tuple[str, str | None]]:
    return [(p["code"], p.get("table") or p.get("name") or p.get("trigger")) for p in data["problems"]]


def _links(conn) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM links ORDER BY id").fetchall()


def test_deleted_link_is_named(copy):
    conn = raw(copy)
    link = _links(conn)[0]
    conn.execute("DELETE FROM links WHERE id = ?", (link["id"],))
    conn.close()
    data = verify(copy, 1)
    assert _codes(data) == [("state_missing", "links")]
    assert f"关联 #{link['claim_id']}–E{link['evidence_id']}" in data["problems"][0]["message"]
    assert "删除" in data["problems"][0]["message"]


def test_inserted_link_is_named(copy):
    conn = raw(copy)
    claim = conn.execute("SELECT id FROM claims WHERE id NOT IN (SELECT claim_id FROM links) LIMIT 1").fetchone()[0]
    conn.execute("INSERT INTO links (claim_id, evidence_id, locator, origin, actor, created_at)"
                 " VALUES (?, 3, '第 1 页', 'manual', '李会计', '2025-03-01T00:00:00.000Z')", (claim,))
    conn.close()
    data = verify(copy, 1)
    assert _codes(data) == [("state_extra", "links")]
    assert data["problems"][0]["message"].startswith(f"关联 #{claim}–E3 不在审计记录中")


@pytest.mark.parametrize("column, value, words", [("evidence_id", 2, "佐证为 E2，审计记录为 E"),
                                                  ("locator", "第 9 页", "位置为 “第 9 页”，审计记录为 “第 1 页”")])
def test_changed_link_is_named(copy, column, value, words):
    conn = raw(copy)
    link = _links(conn)[0]
    conn.execute(f"UPDATE links SET {column} = ? WHERE id = ?", (value, link["id"]))
    conn.close()
    data = verify(copy, 1)
    assert _codes(data) == [("state_changed", "links")]
    p = data["problems"][0]
    assert p["columns"] == {column: [value, link[column]]}
    assert p["message"].startswith(f"关联 #{link['claim_id']}–E{link['evidence_id']} 的") and words in p["message"]


@pytest.mark.parametrize("column", ["value", "unit", "quote"])
def test_changed_claim_is_named(copy, column):
    conn = raw(copy)
    claim = conn.execute("SELECT * FROM claims WHERE unit = '万元' AND value IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    new = {"value": "99999", "unit": "元", "quote": claim["quote"] + "（改）"}[column]
    conn.execute(f"UPDATE claims SET {column} = ? WHERE id = ?", (new, claim["id"]))
    conn.close()
    data = verify(copy, 1)
    assert _codes(data) == [("state_changed", "claims")]
    msg = data["problems"][0]["message"]
    assert msg.startswith(f"指标 #{claim['id']} 的")
    if column == "value":
        assert f"数值为 99999 万元，审计记录为 {claim['value']} 万元" in msg
    elif column == "unit":
        assert f"数值为 {claim['value']} 元，审计记录为 {claim['value']} 万元" in msg
    else:
        assert "原文为" in msg and "（改）" in msg


def test_renamed_evidence_file_is_named(copy):
    conn = raw(copy)
    conn.execute("UPDATE evidence SET name = '银行回单（原件）.txt' WHERE id = 1")
    # a short path: the message shortens a path to 60 characters, and the temp folder's path alone (longer
    # under pytest-xdist, or for a longer user name) would cut the '.bak' off
    conn.execute("UPDATE evidence_paths SET path = '/备份/佐证1.txt.bak' WHERE evidence_id = 2")
    conn.close()
    data = verify(copy, 1)
    assert _codes(data) == [("state_changed", "evidence"), ("state_changed", "evidence_paths")]
    assert "佐证 E1《佐证0.txt》的名称为 “银行回单（原件）.txt”，审计记录为 “佐证0.txt”" in data["problems"][0]["message"]
    assert "佐证 E2 的位置记录" in data["problems"][1]["message"] and ".bak" in data["problems"][1]["message"]


def test_swapped_evidence_hashes_are_named(copy):
    """Each row still names an intact object, so the store check passes: only the replay sees the swap."""
    conn = raw(copy)
    a, b = [r[0] for r in conn.execute("SELECT sha256 FROM evidence WHERE id IN (1, 2) ORDER BY id")]
    conn.execute("UPDATE evidence SET sha256 = 'x' WHERE id = 1")
    conn.execute("UPDATE evidence SET sha256 = ? WHERE id = 2", (a,))
    conn.execute("UPDATE evidence SET sha256 = ? WHERE id = 1", (b,))
    conn.close()
    data = verify(copy, 1)
    assert _codes(data) == [("state_changed", "evidence"), ("state_changed", "evidence")]
    assert [p["key"] for p in data["problems"]] == [[1], [2]]
    assert all("哈希为" in p["message"] for p in data["problems"])


def test_deleted_review_is_named_once(copy):
    conn = raw(copy)
    rid = conn.execute("SELECT id FROM reviews ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("DELETE FROM reviews WHERE id = ?", (rid,))
    conn.close()
    data = verify(copy, 1)
    assert [(p["code"], p["review_id"]) for p in data["problems"]] == [("review_deleted", rid)]


@pytest.mark.parametrize("sql", [
    "CREATE TRIGGER keep_links BEFORE DELETE ON links BEGIN SELECT 1; END",
    "CREATE TRIGGER quiet BEFORE INSERT ON events BEGIN SELECT RAISE(IGNORE); END",
    "create temp trigger t_links after insert on main.links begin select 1; end",
    "CREATE VIEW v AS SELECT * FROM links",
    "CREATE INDEX links_note ON links(note)",
])
def test_added_schema_object_is_named(copy, sql):
    conn = raw(copy)
    conn.execute(sql)
    conn.close()
    if " temp " in sql:  # a TEMP trigger lives only as long as the connection that made it
        verify(copy, 0)
        return
    data = verify(copy, 1)
    name = sql.split()[2] if sql.split()[1] != "TRIGGER" else sql.split()[2]
    assert [(p["code"], p["name"]) for p in data["problems"]] == [("schema_extra", name)]
    assert name in data["problems"][0]["message"] and "多出" in data["problems"][0]["message"]


@pytest.mark.parametrize("body", [
    "BEGIN SELECT RAISE(ABORT,'x') WHERE 0; END",
    "BEGIN SELECT RAISE(IGNORE); END",
    "BEGIN SELECT RAISE(ABORT, 'events is append-only') WHERE 0; END",
])
def test_rewritten_trigger_body_is_named(copy, body):
    conn = raw(copy)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute(f"CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events {body}")
    conn.close()
    data = verify(copy, 1)
    assert [(p["code"], p["trigger"]) for p in data["problems"]] == [("trigger_altered", "events_append_only_update")]


def test_reformatted_trigger_is_not_a_problem(copy):
    """Whitespace, comments and the case of keywords are not a change."""
    conn = raw(copy)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("create trigger events_append_only_update before update on events -- as before\n"
                 "  begin   select raise(abort, 'events is append-only'); /* same */ end")
    conn.close()
    verify(copy, 0)


def test_altered_table_is_named(copy):
    conn = raw(copy)
    conn.execute("ALTER TABLE links ADD COLUMN hidden TEXT")
    conn.close()
    data = verify(copy, 1)
    assert [(p["code"], p["name"]) for p in data["problems"]] == [("schema_altered", "links")]


def test_a_blob_put_into_a_claim_is_named(copy):
    conn = raw(copy)
    conn.execute("UPDATE claims SET quote = x'00ff' WHERE id = 1")
    conn.close()
    data = verify(copy, 1)
    assert _codes(data) == [("state_changed", "claims")]
    assert data["problems"][0]["columns"]["quote"][0] == "blob:00ff"


def test_full_rewrite_of_the_log_is_caught_only_by_the_anchor(copy):
    """Change a link and rewrite the whole log to match (every hash recomputed, the head file too): the
    workspace is consistent in itself, so only the audit head written down elsewhere shows the rewrite."""
    from db import audit

    anchor = verify(copy, 0)["anchor"]
    conn = raw(copy)
    link = _links(conn)[0]
    rows = [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY seq")]
    conn.execute("UPDATE links SET locator = '第 7 页' WHERE id = ?", (link["id"],))
    prev = audit.GENESIS
    for r in rows:
        p = json.loads(r["payload"])
        for img in (p.get("_replay", {}).get("links", {}).get("set") or []):
            if img["id"] == link["id"]:
                img["locator"] = "第 7 页"
        if r["action"] == "link.added" and r["claim_id"] == link["claim_id"] and r["evidence_id"] == link["evidence_id"]:
            p["locator"] = "第 7 页"
        r["payload"] = audit.canonical_json(p)
        r["prev_hash"] = prev
        r["hash"] = prev = audit.event_hash(prev, r)
    without_triggers(conn, "DELETE FROM events", *["INSERT INTO events VALUES (:seq, :ts, :actor, :role, :action,"
                     " :report_id, :claim_id, :evidence_id, :payload, :prev_hash, :hash)"] * len(rows),
                     params=[()] + rows)
    conn.close()
    audit.write_head(copy / audit.HEAD_FILE, rows[-1]["seq"], rows[-1]["hash"])
    assert verify(copy, 0)["anchor"]["hash"] != anchor["hash"]  # consistent in itself
    res = subprocess.run([sys.executable, "-m", "desktop", "verify", str(copy), "--json", "--anchor",
                          f"{anchor['seq']}:{anchor['hash'][:16]}"], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 1, res.stdout + res.stderr
    data = json.loads(res.stdout)
    assert [p["code"] for p in data["problems"]] == ["anchor_mismatch"]
    assert "整体改写" in data["problems"][0]["message"]
    res = subprocess.run([sys.executable, "-m", "desktop", "verify", str(copy), "--anchor", "12:xyz"],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 2 and "--anchor" in res.stderr


def test_the_demo_workspace_verifies(tmp_path):
    from desktop.demo import build_demo

    root = build_demo(tmp_path / "demo")
    data = verify(root, 0)
    assert data["problems"] == [] and data["notes"] == [] and data["rows"] > 50
