"""``Changes`` is read off a write's audit events: ids from the event columns and the payload, areas from
the action prefix; listeners hear of every committed write, on the writing thread."""

from __future__ import annotations

import threading

import pytest

from db.changes import NO_CHANGES, Changes
from db.database import Database


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "w.db", actor="甲", role="editor")
    d.migrate()
    d.reconcile_head()
    yield d
    d.close()


def test_a_write_says_what_it_changed(db):
    with db.write(mutations=2) as tx:
        tx.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        tx.event("link.added", {"locator": "第 1 页"}, claim_id=3, evidence_id=7)
        tx.event("evidence.path_absent", {"path": "x", "evidence_ids": [8, 9]})
    ch = tx.changes
    assert ch.actions == {"link.added", "evidence.path_absent"}
    assert ch.areas == {"link", "evidence"}
    assert ch.claim_ids == {3} and ch.evidence_ids == {7, 8, 9} and ch.report_ids == frozenset()
    assert ch.events == 2
    assert ch.touches("link") and ch.touches("evidence.path_absent") and not ch.touches("review")
    assert not ch.only("link") and ch.only("link", "evidence")


def test_an_event_kind_nobody_knows_yet_is_classified_by_its_prefix_and_payload_ids(db):
    with db.write() as tx:
        tx.execute("INSERT INTO settings (key, value) VALUES ('b', '1')")
        tx.event("request.created", {"request_id": 12, "finding_ids": [1, 2], "note": "请补充", "flag": True},
                 claim_id=4)
    ch = tx.changes
    assert ch.areas == {"request"} and ch.actions == {"request.created"}
    assert ch.ids("request") == {12} and ch.ids("finding") == {1, 2} and ch.claim_ids == {4}
    assert ch.ids("flag") == frozenset()  # a bool is not an id


def test_a_new_version_names_the_version_it_supersedes(db):
    with db.write() as tx:
        tx.execute("INSERT INTO settings (key, value) VALUES ('c', '1')")
        tx.event("evidence.new_version", {"path": "p", "supersedes": 5}, evidence_id=6)
    assert tx.changes.evidence_ids == {5, 6}


def test_changes_combine_and_compare(db):
    a = Changes.of("link.added", claim=[1], evidence=[2])
    b = Changes.of("review.set", claim=[3])
    both = a | b
    assert both.claim_ids == {1, 3} and both.evidence_ids == {2} and both.areas == {"link", "review"}
    assert (NO_CHANGES | a) is a and (a | NO_CHANGES) is a
    assert not NO_CHANGES and both
    assert both.as_json() == {"actions": ["link.added", "review.set"], "ids": {"claim": [1, 3], "evidence": [2]},
                              "events": 2}


def test_listeners_hear_every_committed_write_on_the_writing_thread(db):
    heard = []
    db.add_change_listener(lambda ch: heard.append((ch.actions, threading.get_ident())))

    def write(key):
        with db.write() as tx:
            tx.execute("INSERT INTO settings (key, value) VALUES (?, '1')", (key,))
            tx.event("settings.changed", {"key": key})

    write("d")
    worker = threading.Thread(target=lambda: (write("e"), db.close_thread_connection()))
    worker.start()
    worker.join()
    assert [a for a, _ in heard] == [{"settings.changed"}] * 2
    assert heard[0][1] == threading.get_ident() and heard[1][1] != threading.get_ident()


def test_a_rolled_back_write_tells_nobody_and_a_failing_listener_does_not_undo_a_commit(db, caplog):
    heard = []

    def boom(ch):
        raise RuntimeError("listener bug")

    db.add_change_listener(boom)
    db.add_change_listener(heard.append)
    with pytest.raises(ValueError):
        with db.write() as tx:
            tx.execute("INSERT INTO settings (key, value) VALUES ('f', '1')")
            tx.event("settings.changed", {"key": "f"})
            raise ValueError("no")
    assert heard == [] and db.get_setting("f") is None
    with db.write() as tx:
        tx.execute("INSERT INTO settings (key, value) VALUES ('g', '1')")
        tx.event("settings.changed", {"key": "g"})
    assert db.get_setting("g") == "1" and [c.actions for c in heard] == [{"settings.changed"}]
    assert "a change listener failed" in caplog.text
    db.remove_change_listener(boom)
    db.remove_change_listener(heard.append)
