"""The persisted ingest queue and the engine around it: dedupe, priorities, back-off, crash recovery."""

from __future__ import annotations

import errno
import os

from desktop.evidence.ingest_tasks import classify
from desktop.evidence.pipeline import IngestEngine
from desktop.evidence.queue import INDEX, REGISTER, SCAN, THUMB, Hint, IngestQueue
from desktop.workspace import Workspace
from tests.evidence.helpers import DEMO


def test_hints_for_one_file_collapse_into_one_pending_task(ws, tmp_path):
    q = IngestQueue(ws.db)
    p = str(tmp_path / "a.pdf")
    q.add([Hint(p, delay=5), Hint(p, delay=1), Hint(p, ready=True)])
    q.add([Hint(p, delay=30)])
    rows = ws.db.query("SELECT * FROM ingest_queue")
    assert len(rows) == 1 and rows[0]["ready"] == 1 and rows[0]["state"] == "pending"
    (t,) = q.claim([REGISTER], 10)  # due now: the earliest hint wins
    assert t.path == p and t.attempts == 1
    q.add([Hint(p, ready=True)])  # changed again while being processed: a second, pending row
    assert q.counts()[REGISTER] == {"in_progress": 1, "pending": 1}
    assert q.claim([REGISTER], 10, busy={t.key}) == []  # never two tasks on one file at once


def test_workers_share_out_the_last_files(ws, tmp_path):
    """With fewer than a full batch each left, a claim takes its share, so two workers finish together."""
    q = IngestQueue(ws.db)
    q.add([Hint(str(tmp_path / f"{i:03d}.pdf"), ready=True) for i in range(300)])
    sizes = []
    while True:
        got = q.claim([REGISTER], 128, share=2)
        if not got:
            break
        sizes.append(len(got))
    assert sizes == [128, 86, 43, 22, 16, 5] and sum(sizes) == 300  # (never fewer than 16 while there are)
    q.add([Hint(str(tmp_path / f"x{i}.pdf"), ready=True) for i in range(3)])
    assert len(q.claim([REGISTER], 128)) == 3  # one worker: all of it


def test_registration_runs_before_text_and_thumbnails(ws, tmp_path):
    from desktop.evidence.service import register_file

    ids = []
    for i in range(3):
        f = tmp_path / f"{i}.txt"
        f.write_text(f"第 {i} 份", encoding="utf-8")
        ids.append(register_file(ws, f).evidence_id)
    q = IngestQueue(ws.db)
    q.add([Hint(task=THUMB, evidence_id=ids[0], ready=True), Hint(task=INDEX, evidence_id=ids[0], ready=True),
           Hint(str(tmp_path / "x"), ready=True), Hint(str(tmp_path), SCAN, ready=True)])
    order = [q.claim([SCAN, REGISTER, INDEX, THUMB], 1)[0].task for _ in range(4)]
    assert order == [REGISTER, SCAN, INDEX, THUMB]
    q.add([Hint(task=THUMB, evidence_id=ids[1], ready=True), Hint(task=THUMB, evidence_id=ids[2], ready=True)])
    q.bump([ids[2]])  # on screen: sooner
    assert q.claim([THUMB], 1)[0].evidence_id == ids[2]


def test_transient_errors_are_classified_for_back_off():
    assert classify(OSError(errno.EACCES, "x")) == ("permission_denied", True)
    assert classify(OSError(errno.ENOSPC, "x")) == ("disk_full", True)
    assert classify(OSError(errno.EBUSY, "x")) == ("locked", True)
    assert classify(OSError(errno.ELOOP, "x")) == ("symlink_loop", False)
    winlock = OSError(errno.EACCES, "x")
    winlock.winerror = 32  # Windows: sharing violation (file open in Excel)
    assert classify(winlock) == ("locked", True)


def test_retry_later_keeps_the_error_and_counts_attempts(ws, tmp_path):
    q = IngestQueue(ws.db)
    q.add([Hint(str(tmp_path / "locked.xlsx"), ready=True)])
    (t,) = q.claim([REGISTER], 1)
    q.retry_later(t, delay=60, error="locked", detail="in use")
    (p,) = q.problems()
    assert (p["state"], p["error"], p["attempts"]) == ("pending", "locked", 1)
    assert q.claim([REGISTER], 1) == []  # not before its time
    assert q.outstanding() == 0  # waiting after an error does not keep the queue busy
    assert q.retry([p["id"]]) == 1  # the user's "retry": now, attempts reset
    (t,) = q.claim([REGISTER], 1)
    assert t.attempts == 1


def test_interrupted_tasks_resume_and_a_file_that_keeps_crashing_is_failed(tmp_path):
    ws = Workspace.create(tmp_path / "ws", actor="测试员")
    q = IngestQueue(ws.db)
    q.add([Hint(str(tmp_path / "ok.pdf"), ready=True), Hint(task=INDEX, evidence_id=None, ready=True)])
    claimed = q.claim([REGISTER, INDEX], 5)
    assert len(claimed) == 2
    ws.db.conn.execute("UPDATE ingest_queue SET attempts = 3")  # both in progress at three crashes
    ws.close()  # the process "dies" with both tasks in progress

    ws = Workspace.open(tmp_path / "ws", actor="测试员")
    rec = IngestQueue(ws.db).recover()
    # parsing is suspected; a registration (copied in a batch, contents never read) always resumes
    assert rec["resumed"] == 1 and [t.task for t in rec["poison"]] == [INDEX]
    counts = IngestQueue(ws.db).counts()
    assert counts[REGISTER] == {"pending": 1} and counts[INDEX] == {"failed": 1}
    ws.close()


def test_engine_inline_registers_indexes_and_thumbnails(ws, tmp_path):
    folder = tmp_path / "材料"
    folder.mkdir()
    for name in ("指标3.1_追回待遇_银行回单.pdf", "镇村通服务网点现场照片.jpg", "疑点数据核查台账2024.xlsx"):
        (folder / name).write_bytes((DEMO / name).read_bytes())
    (folder / "~$lock.docx").write_bytes(b"lock")
    seen = []
    engine = IngestEngine(ws, inline=True, listener=seen.append)
    engine.start()
    engine.submit_paths([folder])
    assert engine.wait_idle()
    kinds = [e.kind for e in seen]
    assert kinds.count("registered") == 3 and kinds.count("indexed") == 3 and kinds.count("thumb") == 2
    assert ws.db.scalar("SELECT count(*) FROM evidence WHERE text_status = 'pending'") == 0
    assert sorted(p.suffix for p in ws.thumbs.rglob("*.png")) == [".png", ".png"]
    scanned = next(e for e in seen if e.kind == "scanned")
    assert scanned.data["ignored"] == [str(folder / "~$lock.docx")]
    assert ws.db.scalar("SELECT count(*) FROM ingest_queue") == 0  # done rows purged once idle
    engine.stop()


def test_engine_recovers_evidence_left_without_text(ws, tmp_path):
    from desktop.evidence.service import register_file

    f = tmp_path / "说明.txt"
    f.write_text("追回 658.83 万元", encoding="utf-8")
    r = register_file(ws, f)  # registered, but the process ended before the text was extracted
    engine = IngestEngine(ws, inline=True)
    engine.start()
    assert engine.recovered["requeued_index"] == 1
    engine.wait_idle()
    assert ws.db.scalar("SELECT text_status FROM evidence WHERE id = ?", (r.evidence_id,)) == "done"
    engine.stop()


def test_engine_threads_stop_cleanly(ws, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("1 2 3", encoding="utf-8")
    with IngestEngine(ws, workers=2) as engine:
        engine.submit_paths([f])
        assert engine.wait_idle(timeout=20)
        names = {t.name for t in engine._threads}
        assert names == {"ingest-flusher", "ingest-worker-0", "ingest-worker-1"}
    assert not engine._threads and os.path.exists(f)


def test_without_syncfs_each_copy_is_flushed_through_its_write_handle(ws, tmp_path, monkeypatch):
    """Windows cannot fsync a read-only handle (and store objects are read-only): where there is no syncfs
    the copy is flushed while its write handle is open, and the batch flush never reopens the objects."""
    import fcntl

    from desktop import store as storemod

    real_fsync = os.fsync

    flushed_for_writing = []

    def windows_like_fsync(fd):
        target = os.readlink(f"/proc/self/fd/{fd}")
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY and not os.path.isdir(target):
            raise OSError(9, "Bad file descriptor")
        if not os.path.isdir(target):
            flushed_for_writing.append(target)
        return real_fsync(fd)

    monkeypatch.setattr(storemod, "BATCH_SYNC", False)
    monkeypatch.setattr(storemod, "_syncfs", lambda root: False)
    monkeypatch.setattr(storemod.os, "fsync", windows_like_fsync)
    folder = tmp_path / "材料"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"第 {i} 份 {i * 1000} 元", encoding="utf-8")
    with IngestEngine(ws, workers=2) as engine:
        engine.submit_paths([folder])
        assert engine.wait_idle(timeout=30, derived=False)
    assert ws.db.scalar("SELECT count(*) FROM evidence") == 5
    # each copy was flushed through its own write handle, in the store's temp folder before its rename
    assert len([t for t in flushed_for_writing if "/store/tmp/" in t]) == 5


def test_a_failed_batch_flush_is_retried_not_a_dead_worker(ws, tmp_path, monkeypatch):
    from desktop import store as storemod

    failures = []
    real = storemod.ContentStore.sync_batch

    # (an I/O error: a full disk is not retried but stops the engine, tests/edges/test_disk_full.py)
    def io_error_once(self, objects):
        if not failures:
            failures.append(True)
            raise OSError(errno.EIO, "Input/output error")
        return real(self, objects)

    monkeypatch.setattr(storemod.ContentStore, "sync_batch", io_error_once)
    f = tmp_path / "a.txt"
    f.write_text("追回 658.83 万元", encoding="utf-8")
    with IngestEngine(ws, workers=2, retry_delays=(0.1,)) as engine:
        engine.submit_paths([f])
        assert engine.wait_for(lambda: ws.db.scalar("SELECT count(*) FROM evidence") == 1, timeout=20)
        # the flush runs on the committer: were it gone, the worker would commit quietly in its place
        assert engine._committer_thread.is_alive()
        assert all(t.is_alive() for t in engine._threads)
    assert failures == [True]


def test_a_file_missing_on_the_stores_side_is_retried_not_taken_for_a_deleted_source(ws, tmp_path, monkeypatch):
    from desktop import store as storemod

    f = tmp_path / "a.txt"
    f.write_text("追回 658.83 万元", encoding="utf-8")
    with IngestEngine(ws, workers=2, retry_delays=(0.1,)) as engine:
        engine.submit_paths([f])
        assert engine.wait_idle(timeout=20, derived=False)
    real = storemod.ContentStore.add_file
    failures = []

    def store_folder_gone_once(self, src, **kw):  # e.g. the store's temp folder removed under the copy
        if not failures:
            failures.append(True)
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(self.tmp))
        return real(self, src, **kw)

    monkeypatch.setattr(storemod.ContentStore, "add_file", store_folder_gone_once)
    f.write_text("追回 700.00 万元", encoding="utf-8")  # a new version, which the store fails to take once
    events = []
    with IngestEngine(ws, workers=2, retry_delays=(0.1,)) as engine:
        engine.add_listener(events.append)
        engine.submit_paths([f])
        assert engine.wait_for(lambda: ws.db.scalar("SELECT count(*) FROM evidence") == 2, timeout=20)
    assert failures == [True]
    assert [e.error for e in events if e.kind == "retrying"] == ["store_error"]
    assert not [e for e in events if e.kind == "absent"]  # the file was never marked gone from the folder
    assert ws.db.scalar("SELECT present FROM evidence_paths ORDER BY evidence_id DESC LIMIT 1") == 1


def test_a_link_whose_target_goes_during_the_copy_is_a_broken_link_not_a_store_error(ws, tmp_path, monkeypatch):
    from desktop import store as storemod

    target = tmp_path / "原件.txt"
    target.write_text("合计 100 元", encoding="utf-8")
    link = tmp_path / "快捷方式.txt"
    link.symlink_to(target)
    real = storemod.ContentStore.add_file

    def target_deleted_first(self, src, **kw):  # between the engine's stat and the store's open
        target.unlink()
        return real(self, src, **kw)

    monkeypatch.setattr(storemod.ContentStore, "add_file", target_deleted_first)
    events = []
    with IngestEngine(ws, workers=1, retry_delays=(0.1,)) as engine:
        engine.add_listener(events.append)
        engine.submit_paths([link])
        assert engine.wait_idle(timeout=20, derived=False)
    assert [(e.kind, e.error) for e in events if e.kind in ("failed", "retrying")] == [("failed", "broken_link")]
