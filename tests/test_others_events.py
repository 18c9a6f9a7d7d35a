"""A window hears writes another window or process made on the same workspace: ``others_events_after``
hands it the events it did not commit itself, as Changes read them."""

from __future__ import annotations

from db.changes import Changes
from desktop.workspace import Workspace, set_setting


def test_others_events_are_told_from_own(tmp_path):
    Workspace.create(tmp_path / "W", actor="李会计").close()
    a = Workspace.open(tmp_path / "W", actor="李会计", role="editor", ingest=False)
    b = Workspace.open(tmp_path / "W", actor="张科长", role="editor", ingest=False)
    try:
        seen = b.db.watch_others()
        set_setting(a.db, key="unit", value="湛江市社保局")  # the other window's write
        set_setting(b.db, key="year", value="2024")  # b's own
        events, seen2 = b.db.others_events_after(seen)
        assert [e["payload"].get("key") for e in events] == ["unit"]
        assert seen2 == seen + 2
        assert Changes.from_events(events).touches("settings")
        # nothing new: nothing handed on; the next write of the other is
        assert b.db.others_events_after(seen2) == ([], seen2)
        set_setting(a.db, key="unit", value="湛江市人社局")
        events, seen3 = b.db.others_events_after(seen2)
        assert len(events) == 1 and seen3 == seen2 + 1
        # a database that never asked remembers nothing of its own writes
        assert a.db._own_seqs == set()
    finally:
        a.close()
        b.close()
