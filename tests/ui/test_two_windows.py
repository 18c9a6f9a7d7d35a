"""Two people on one workspace, two windows in one process: the preparer's window keeps watching its folder
and ingesting the files dropped into it, while the reviewer's window records reviews (with 补充材料 requests)
— each on its own real threads, each through its own database connection. Neither sees "database is
locked"; both end with every file and every review; ``verify`` passes on the workspace afterwards.

Only the preparer's session holds the writer lock (``workspace.lock``); the reviewer's writes go through
SQLite's locking and the commit lock beside it (docs/architecture.md, desktop/workspace.py).
"""

from __future__ import annotations

import logging

from desktop.claims.service import import_report
from desktop.integrity import verify_workspace
from desktop.ui.main_window import MainWindow
from desktop.workspace import Workspace
from tests.conftest import SAMPLE_REPORT

FILES = 30
STATES = ("verified", "questioned", "needs_more")


def test_preparer_ingests_while_reviewer_reviews(qtbot, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    root, folder = tmp_path / "单位工作区", tmp_path / "佐证材料"
    folder.mkdir()
    ws = Workspace.create(root, watch_dir=folder, actor="李会计")
    import_report(ws.db, path=SAMPLE_REPORT)
    ws.close()

    prep_ws = Workspace.open(root, actor="李会计", role="editor")
    rev_ws = Workspace.open(root, actor="王审计", role="reviewer")
    assert prep_ws.holds_writer_lock and not prep_ws.readonly
    assert not rev_ws.holds_writer_lock and not rev_ws.readonly  # the reviewer writes beside the lock holder
    errors: list[str] = []
    prep, rev = MainWindow(prep_ws), MainWindow(rev_ws)  # real lanes and threads, the folder watched
    for w in (prep, rev):
        qtbot.addWidget(w)
        w.session.error.connect(lambda exc, who=w.ws.actor: errors.append(f"{who}: {type(exc).__name__}: {exc}"))
        w.show()
    try:
        qtbot.waitUntil(lambda: prep.session.ingest.state == "watching", timeout=15_000)
        rev.open_review_mode()
        page = rev.review_mode
        page.auto_next.setChecked(True)
        recorded = []
        page.review_recorded.connect(recorded.append)
        requests = 0
        for i in range(FILES):
            (folder / f"台账{i:03d}.txt").write_text(f"第{i}批 核查疑点数据 {21000 + i} 条", encoding="utf-8")
            state = STATES[i % 3]
            if state == "needs_more":
                page.requests_edit.setPlainText(f"请补充第{i}批的盖章件")
                requests += 1
            page.record(state)
            qtbot.wait(40)  # a person's pace, roughly: files arriving while reviews are recorded
        qtbot.waitUntil(lambda: len(recorded) == FILES, timeout=60_000)
        qtbot.waitUntil(lambda: prep.ws.db.scalar("SELECT count(*) FROM evidence") == FILES, timeout=60_000)
        qtbot.waitUntil(lambda: not prep.session.ingest.busy, timeout=60_000)

        assert errors == []
        assert prep.last_error == "" and rev.last_error == ""
        assert prep.session.ingest.problems() == []
        assert prep.session.ingest.state == "watching"  # still watching after all of it
        # both windows see everything: the files in the preparer's library, the reviews in both
        qtbot.waitUntil(lambda: prep.library.model.rowCount() == FILES, timeout=20_000)
        for w in (prep, rev):
            assert w.ws.db.scalar("SELECT count(*) FROM reviews") == FILES
            assert w.ws.db.scalar("SELECT count(*) FROM requests") == requests
        qtbot.waitUntil(lambda: len(prep.requests.rows) == requests, timeout=10_000)
        qtbot.waitUntil(lambda: len(rev.requests.rows) == requests, timeout=10_000)
    finally:
        prep.close()
        rev.close()
    logged = [r.getMessage() for r in caplog.records]
    assert not [m for m in logged if "locked" in m.lower()], logged
    with Workspace.open(root, actor="核查", role="reviewer") as check:
        report = verify_workspace(check)
        assert report.ok, report.problems
        actors = {r["actor"] for r in check.db.query("SELECT DISTINCT actor FROM events")}
        assert {"李会计", "王审计"} <= actors
