"""The audit chain: append-only triggers, one event per mutation, and verify naming the broken event."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import pytest

from db import audit
from db.database import Database, EventCountError, ReadOnlyError


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "w.db", actor="甲", role="editor")
    d.migrate()
    d.reconcile_head()
    yield d
    d.close()


def _add_events(db: Database, n: int) -> None:
    first = db.scalar("SELECT count(*) FROM settings")
    for i in range(first, first + n):
        with db.write() as tx:
            tx.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (f"k{i}", str(i)))
            tx.event("settings.changed", {"key": f"k{i}", "after": str(i)})


def _raw(db: Database) -> sqlite3.Connection:
    """A plain connection, as a person with the sqlite3 shell would have."""
    conn = sqlite3.connect(db.path, isolation_level=None)
    return conn


def test_fresh_chain_verifies(db):
    _add_events(db, 5)
    assert db.verify_chain() == []
    head = audit.read_head(db.head_path)
    assert head["seq"] == 5
    assert head["hash"] == db.scalar("SELECT hash FROM events WHERE seq = 5")


def test_each_event_links_to_the_previous(db):
    _add_events(db, 3)
    rows = db.query("SELECT * FROM events ORDER BY seq")
    assert rows[0]["prev_hash"] == audit.GENESIS
    for prev, row in zip(rows, rows[1:]):
        assert row["prev_hash"] == prev["hash"]
        assert row["hash"] == audit.event_hash(row["prev_hash"], dict(row))


@pytest.mark.parametrize("statement", ["UPDATE events SET actor = 'x' WHERE seq = 1", "DELETE FROM events"])
def test_plain_update_and_delete_fail(db, statement):
    _add_events(db, 2)
    conn = _raw(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(statement)
    conn.close()
    assert db.verify_chain() == []


def test_sqlite3_shell_cannot_update_events(db):
    if shutil.which("sqlite3") is None:
        pytest.skip("sqlite3 shell not installed; the same statement is tested through the Python module")
    _add_events(db, 2)
    db.close()
    out = subprocess.run(["sqlite3", str(db.path), "UPDATE events SET actor='x'; DELETE FROM events;"],
                         capture_output=True, text=True)
    assert "append-only" in out.stderr


def test_mutation_without_event_is_rolled_back(db):
    with pytest.raises(EventCountError):
        with db.write() as tx:
            tx.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
    assert db.scalar("SELECT count(*) FROM settings WHERE key = 'a'") == 0


def test_second_event_in_one_mutation_is_refused(db):
    with pytest.raises(EventCountError):
        with db.write() as tx:
            tx.event("a", {})
            tx.event("b", {})
    assert db.scalar("SELECT count(*) FROM events") == 0


def test_failed_mutation_leaves_nothing(db):
    with pytest.raises(RuntimeError):
        with db.write() as tx:
            tx.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
            tx.event("settings.changed", {})
            raise RuntimeError("boom")
    assert db.scalar("SELECT count(*) FROM events") == 0
    assert db.scalar("SELECT count(*) FROM settings") == 0


def _tamper(db: Database, *statements: str) -> None:
    conn = _raw(db)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("DROP TRIGGER events_append_only_delete")
    for s in statements:
        conn.execute(s)
    conn.close()


def test_one_changed_payload_byte_is_named(db):
    _add_events(db, 6)
    payload = db.scalar("SELECT payload FROM events WHERE seq = 4")
    changed = payload.replace("k3", "k8")
    _tamper(db, f"UPDATE events SET payload = '{changed}' WHERE seq = 4")
    problems = db.verify_chain()
    assert problems and problems[0].code == "event_altered" and problems[0].seq == 4


def test_deleted_event_is_named(db):
    _add_events(db, 6)
    _tamper(db, "DELETE FROM events WHERE seq = 3")
    problems = db.verify_chain()
    assert problems[0].code == "event_missing" and problems[0].seq == 3


def test_events_cut_from_the_end_are_named(db):
    _add_events(db, 6)
    _tamper(db, "DELETE FROM events WHERE seq >= 5")
    problems = db.verify_chain()
    assert [(p.code, p.seq) for p in problems] == [("events_truncated", 5)]


def test_two_swapped_events_are_named(db):
    _add_events(db, 6)
    a = dict(db.query_one("SELECT * FROM events WHERE seq = 2"))
    b = dict(db.query_one("SELECT * FROM events WHERE seq = 3"))
    cols = [c for c in a if c != "seq"]
    sets_a = ", ".join(f"{c} = ?" for c in cols)
    conn = _raw(db)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute(f"UPDATE events SET {sets_a} WHERE seq = 2", [b[c] for c in cols])
    conn.execute(f"UPDATE events SET {sets_a} WHERE seq = 3", [a[c] for c in cols])
    conn.close()
    problems = db.verify_chain()
    assert problems[0].seq == 2
    assert {p.code for p in problems} >= {"event_chain_broken"}


def test_recomputed_chain_still_caught_by_head_file(db):
    """Rewriting an event *and* re-hashing everything after it is caught by the head outside the db."""
    _add_events(db, 4)
    conn = _raw(db)
    conn.row_factory = sqlite3.Row
    conn.execute("DROP TRIGGER events_append_only_update")
    prev = conn.execute("SELECT hash FROM events WHERE seq = 1").fetchone()[0]
    for seq in (2, 3, 4):
        row = dict(conn.execute("SELECT * FROM events WHERE seq = ?", (seq,)).fetchone())
        if seq == 2:
            row["actor"] = "乙"
        row["prev_hash"] = prev
        row["hash"] = audit.event_hash(prev, row)
        conn.execute("UPDATE events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                     (row["actor"], row["prev_hash"], row["hash"], seq))
        prev = row["hash"]
    conn.close()
    assert [(p.code, p.seq) for p in db.verify_chain()] == [("head_mismatch", 4)]


def test_missing_head_file_is_reported(db):
    _add_events(db, 2)
    db.head_path.unlink()
    assert [p.code for p in db.verify_chain()] == ["head_missing"]


def test_crash_between_commit_and_head_write_is_repaired_on_open(db):
    _add_events(db, 3)
    stale = audit.read_head(db.head_path)
    _add_events(db, 2)
    audit.write_head(db.head_path, stale["seq"], stale["hash"])  # as if the process died before the write
    assert [p.code for p in db.verify_chain()] == ["head_behind"]
    assert db.reconcile_head() is True
    assert db.verify_chain() == []


def test_reconcile_does_not_hide_truncation(db):
    _add_events(db, 4)
    _tamper(db, "DELETE FROM events WHERE seq = 4")
    assert db.reconcile_head() is False
    assert db.verify_chain()[0].code == "events_truncated"


def test_readonly_database_refuses_writes(db, tmp_path):
    _add_events(db, 1)
    ro = Database(db.path, readonly=True, head_path=db.head_path)
    with pytest.raises(ReadOnlyError):
        with ro.write() as tx:
            tx.event("x", {})
    assert ro.verify_chain() == []
    ro.close()


def test_payload_is_canonical_json(db):
    with db.write() as tx:
        tx.event("x", {"b": 1, "a": "中文"})
    assert db.scalar("SELECT payload FROM events") == '{"a":"中文","b":1}'
    assert json.loads(db.scalar("SELECT payload FROM events")) == {"a": "中文", "b": 1}


# --- the head file guards the end of the chain (review findings) ------------------------------


def test_write_after_truncation_is_refused_and_keeps_the_evidence(db):
    from db.database import ChainMismatch

    _add_events(db, 5)
    _tamper(db, "DELETE FROM events WHERE seq >= 4")
    with pytest.raises(ChainMismatch) as err:
        _add_events(db, 1)
    assert err.value.code == "events_truncated"
    assert db.scalar("SELECT count(*) FROM events") == 3  # the refused mutation left nothing
    assert audit.read_head(db.head_path)["seq"] == 5  # and the head still points past the cut
    assert [(p.code, p.seq) for p in db.verify_chain()] == [("events_truncated", 4)]


def test_write_after_a_rewritten_last_event_is_refused(db):
    from db.database import ChainMismatch

    _add_events(db, 3)
    row = dict(db.query_one("SELECT * FROM events WHERE seq = 3"))
    row["actor"] = "乙"
    conn = _raw(db)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("UPDATE events SET actor = ?, hash = ? WHERE seq = 3", (row["actor"], audit.event_hash(row["prev_hash"], row)))
    conn.close()
    with pytest.raises(ChainMismatch) as err:
        _add_events(db, 1)
    assert err.value.code == "head_mismatch"


def test_failed_commit_rolls_back_and_the_connection_stays_usable(db):
    """A COMMIT that fails (here: a deferred foreign-key violation) must not leave a transaction open."""
    db.conn.execute("PRAGMA defer_foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        with db.write() as tx:
            tx.execute("PRAGMA defer_foreign_keys = ON")
            tx.execute(
                "INSERT INTO links (claim_id, evidence_id, actor, created_at) VALUES (999, 999, 'x', 'now')"
            )
            tx.event("link.added", {})
    assert not db.conn.in_transaction
    assert db.scalar("SELECT count(*) FROM links") == 0
    assert db.scalar("SELECT count(*) FROM events") == 0
    _add_events(db, 1)  # the next mutation works
    assert db.verify_chain() == []


def test_failed_head_write_keeps_the_change_and_the_next_write_repairs_it(db):
    _add_events(db, 2)
    blocker = db.head_path.with_name(db.head_path.name + ".tmp")
    blocker.mkdir()  # the atomic rewrite goes through this name: now it cannot
    _add_events(db, 1)
    assert db.head_error is not None
    assert db.scalar("SELECT count(*) FROM events") == 3  # the change was committed
    assert audit.read_head(db.head_path)["seq"] == 2
    blocker.rmdir()
    _add_events(db, 1)  # continues from the lagging head, then moves it on
    assert db.head_error is None
    assert audit.read_head(db.head_path)["seq"] == 4
    assert db.verify_chain() == []


def test_verify_during_writes_does_not_report_events_after_the_head_it_read(db):
    _add_events(db, 3)
    head = audit.read_head(db.head_path)  # what a verifier read first
    _add_events(db, 2)  # a writer commits while it runs
    assert db.verify_chain(head=head, writer_active=True) == []
    assert [p.code for p in db.verify_chain(head=head, writer_active=False)] == ["head_behind"]
