"""Workspaces: layout, the lock that makes a second instance read-only, the actor, the store."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.errors import DeskError, ReadOnlyWorkspace
from desktop.workspace import Workspace, set_setting

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_create_lays_out_the_folder(tmp_path):
    with Workspace.create(tmp_path / "w", watch_dir=tmp_path / "in", actor="张三") as ws:
        assert (ws.root / "workspace.db").is_file()
        assert (ws.root / "store").is_dir() and (ws.root / "thumbs").is_dir()
        assert (ws.root / "audit-head.json").is_file()
        assert ws.watch_dir == tmp_path / "in"
        assert ws.actor == "张三"
        ev = ws.db.query_one("SELECT * FROM events")
        assert ev["action"] == "workspace.created" and ev["actor"] == "张三"


def test_create_refuses_an_existing_workspace(ws):
    with pytest.raises(DeskError) as err:
        Workspace.create(ws.root)
    assert err.value.code == "workspace.exists"


def test_open_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DeskError) as err:
        Workspace.open(tmp_path / "nope")
    assert err.value.code == "workspace.not_found"


@pytest.mark.parametrize("version, probe, code", [
    ((3, 31, 1), None, "workspace.sqlite_too_old"),  # Ubuntu 20.04's own SQLite
    (None, "CREATE VIRTUAL TABLE temp.probe USING fts5(text, tokenize = 'no_such_tokenizer')",
     "workspace.sqlite_no_fts"),  # a build without FTS5 or its trigram tokenizer fails the same probe
])
def test_a_sqlite_that_cannot_run_a_workspace_is_refused_in_words(tmp_path, monkeypatch, version, probe, code):
    import sqlite3

    from desktop import workspace as wsmod
    from desktop.text.messages import error_text

    assert wsmod._sqlite_problem(sqlite3.sqlite_version_info, wsmod._FTS_PROBE) is None  # this machine's is fine
    if version:
        monkeypatch.setattr(wsmod.sqlite3, "sqlite_version_info", version)
    if probe:
        monkeypatch.setattr(wsmod, "_FTS_PROBE", probe)
    for attempt in (lambda: Workspace.create(tmp_path / "new"), lambda: Workspace.open(tmp_path)):
        with pytest.raises(DeskError) as err:
            attempt()
        assert err.value.code == code
        text = error_text(err.value.code, err.value.params)
        assert "SQLite" in text and ".".join(map(str, version or sqlite3.sqlite_version_info)) in text
        assert ("3.35.0" in text) == (code == "workspace.sqlite_too_old")
    assert not (tmp_path / "new").exists()  # nothing was created


def test_second_open_in_same_process_is_readonly(ws):
    other = Workspace.open(ws.root)
    try:
        assert other.readonly and other.info.reason == "locked"
        assert other.info.holder.get("pid") == os.getpid()
        from desktop.review.links import link_evidence

        with pytest.raises(ReadOnlyWorkspace):
            link_evidence(other.db, claim_id=1, evidence_id=1)
    finally:
        other.close()


def _snapshot(folder):
    out = {}
    for dirpath, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(dirpath, f)
            if f.endswith(("-shm",)):  # shared-memory index: readers may touch it by design
                continue
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def test_second_process_gets_readonly_and_writes_nothing(imported_ws, tmp_path):
    ws = imported_ws
    ws.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _snapshot(ws.root)
    script = textwrap.dedent(
        f"""
        import json, sys
        from desktop.workspace import Workspace
        from desktop.claims.service import import_report
        ws = Workspace.open({str(ws.root)!r})
        out = {{"readonly": ws.readonly, "reason": ws.info.reason}}
        try:
            import_report(ws.db, path={str(tmp_path / 'x.txt')!r})
        except Exception as exc:
            out["error"] = getattr(exc, "code", type(exc).__name__)
        out["claims"] = ws.db.scalar("SELECT count(*) FROM claims")
        ws.close()
        print(json.dumps(out))
        """
    )
    (tmp_path / "x.txt").write_text("共核查 5 条", encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT)
    assert res.returncode == 0, res.stderr
    import json

    out = json.loads(res.stdout)
    claims = ws.db.scalar("SELECT count(*) FROM claims")  # the writer's count: the reader added none
    assert out == {"readonly": True, "reason": "locked", "error": "workspace.readonly", "claims": claims}
    after = _snapshot(ws.root)
    assert after == before


def test_cli_ingest_in_second_process_names_the_lock_holder(ws, tmp_path):
    """Registering files needs the writer lock: the CLI says who holds it (name, machine, process)."""
    import socket

    f = tmp_path / "台账.txt"
    f.write_text("核查 21099 条", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "desktop", "ingest", str(ws.root), str(f)],
                         capture_output=True, text=True, cwd=REPO_ROOT)
    assert res.returncode == 2
    assert f"测试员（{socket.gethostname()}，进程 {os.getpid()}）" in res.stderr
    assert "Traceback" not in res.stderr
    assert ws.db.scalar("SELECT count(*) FROM evidence") == 0


def test_cli_edits_in_second_process_write_beside_the_lock_holder(ws, sample_report):
    """Commands that do not register files do not need the writer lock: they write through SQLite's own
    locking, and the chain stays one chain (the holder's next write continues it)."""
    res = subprocess.run([sys.executable, "-m", "desktop", "import", str(ws.root), str(sample_report)],
                         capture_output=True, text=True, cwd=REPO_ROOT)
    assert res.returncode == 0, res.stderr
    assert ws.db.scalar("SELECT count(*) FROM claims") > 0
    from desktop.workspace import set_setting

    set_setting(ws.db, key="note", value="after the other process")
    from desktop.integrity import verify_workspace

    assert verify_workspace(ws).ok


def test_lock_is_released_on_close(tmp_path):
    w = Workspace.create(tmp_path / "w")
    w.close()
    again = Workspace.open(tmp_path / "w")
    assert not again.readonly
    again.close()


def test_actor_can_be_changed_and_is_recorded(ws):
    ws.set_identity(actor="王五")
    set_setting(ws.db, key="watch_dir", value="/tmp/x")
    ev = ws.db.query_one("SELECT actor, action, payload FROM events ORDER BY seq DESC LIMIT 1")
    assert ev["actor"] == "王五" and ev["action"] == "settings.changed"


def test_store_copies_are_read_only_and_named_by_hash(ws, tmp_path):
    src = tmp_path / "a.bin"
    data = os.urandom(3 * (1 << 20) + 17)
    src.write_bytes(data)
    obj = ws.store.add_file(src)
    assert obj.sha256 == hashlib.sha256(data).hexdigest()
    assert obj.path == ws.root / "store" / obj.sha256[:2] / obj.sha256
    assert obj.path.read_bytes() == data
    assert not (obj.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    again = ws.store.add_file(src)
    assert again.existed and again.sha256 == obj.sha256
    assert list(ws.store.tmp.iterdir()) == []


def test_store_leaves_no_temp_file_when_the_source_vanishes(ws, tmp_path):
    with pytest.raises(FileNotFoundError):
        ws.store.add_file(tmp_path / "gone.pdf")
    assert list(ws.store.tmp.iterdir()) == []


def test_truncated_chain_opens_readonly_and_says_why(ws):
    import sqlite3

    from desktop.text.messages import readonly_text

    root = ws.root
    set_setting(ws.db, key="a", value="1")
    set_setting(ws.db, key="b", value="2")
    ws.close()
    conn = sqlite3.connect(root / "workspace.db")
    conn.execute("DROP TRIGGER events_append_only_delete")
    conn.execute("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
    conn.commit()
    conn.close()
    again = Workspace.open(root)
    try:
        assert again.readonly and again.info.reason == "tampered"
        assert again.info.holder["problem"] == "events_truncated"
        assert "链头" in readonly_text(again.info)[1]
        with pytest.raises(ReadOnlyWorkspace):
            set_setting(again.db, key="c", value="3")
    finally:
        again.close()
    # no one holds the lock: a third open is not blocked by a stale lock, it is refused writes again
    third = Workspace.open(root)
    assert third.info.reason == "tampered"
    third.close()


def test_unwritable_lock_opens_readonly(ws):
    root = ws.root
    ws.close()
    (root / "workspace.lock").unlink()
    (root / "workspace.lock").mkdir()  # the lock file cannot be opened for writing: as on a read-only share
    again = Workspace.open(root)
    try:
        assert again.readonly and again.info.reason == "unwritable"
        assert again.db.scalar("SELECT count(*) FROM events") >= 1
    finally:
        again.close()


@pytest.fixture
def readonly_mount(tmp_path):
    """A real read-only view of a folder (bind mount, remounted ro), as a read-only network share gives."""
    import shutil as _shutil

    src, view = tmp_path / "rw", tmp_path / "ro"
    src.mkdir()
    view.mkdir()
    if os.geteuid() != 0 or _shutil.which("mount") is None:
        pytest.skip("read-only bind mounts need root (CI runs as root)")
    ok = subprocess.run(["mount", "--bind", str(src), str(view)], capture_output=True).returncode == 0
    if not ok:
        pytest.skip("this sandbox does not allow bind mounts")
    try:
        assert subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True).returncode == 0
        yield src, view
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)


def test_workspace_on_a_readonly_share_opens_readonly(readonly_mount, sample_report):
    from desktop.claims.service import import_report

    src, view = readonly_mount
    with Workspace.create(src / "w") as w:
        import_report(w.db, path=sample_report)
    ro = Workspace.open(view / "w")
    try:
        assert ro.readonly and ro.info.reason == "unwritable"
        assert ro.db.scalar("SELECT count(*) FROM claims") > 0
        from desktop.integrity import verify_workspace

        assert verify_workspace(ro).ok
    finally:
        ro.close()
    res = subprocess.run([sys.executable, "-m", "desktop", "link", str(view / "w"), "1", "1"],
                         capture_output=True, text=True, cwd=REPO_ROOT)
    assert res.returncode == 2 and "不可写" in res.stderr and "Traceback" not in res.stderr


def test_a_readonly_share_shows_commits_still_in_the_wal(readonly_mount, sample_report):
    """A writer that died before checkpointing leaves its last commits only in ``-wal``; reading the share
    must not silently drop them (``immutable=1`` alone would)."""
    src, view = readonly_mount
    Workspace.create(src / "w").close()
    script = textwrap.dedent(f"""
        import os
        from desktop.claims.service import import_report
        from desktop.workspace import Workspace
        w = Workspace.open({str(src / "w")!r})
        w.db.conn.execute("PRAGMA wal_autocheckpoint = 0")
        import_report(w.db, path={str(sample_report)!r})
        print(w.db.scalar("SELECT count(*) FROM claims"), w.db.scalar("SELECT count(*) FROM events"))
        os._exit(0)  # killed: no checkpoint, the commits stay in the -wal
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT)
    assert res.returncode == 0, res.stderr
    claims, events = map(int, res.stdout.split())
    assert claims > 0 and os.path.getsize(src / "w" / "workspace.db-wal") > 0
    (src / "w" / "workspace.db-shm").unlink()  # as after a reboot of the machine that wrote it
    import tempfile
    import threading

    from db.connection import SNAPSHOT_PREFIX

    def my_copies():
        return [d for d in Path(tempfile.gettempdir()).glob(SNAPSHOT_PREFIX + "*")
                if (d / "pid").is_file() and (d / "pid").read_text() == str(os.getpid())]

    stale = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX))  # left by a process killed earlier
    (stale / "pid").write_text("999999999")
    ro = Workspace.open(view / "w")
    try:
        assert ro.readonly and ro.info.reason == "unwritable"
        assert ro.db.scalar("SELECT count(*) FROM claims") == claims
        assert ro.db.scalar("SELECT count(*) FROM events") == events
        other = []
        t = threading.Thread(target=lambda: (other.append(ro.db.scalar("SELECT count(*) FROM claims")),
                                             ro.db.close_thread_connection()))
        t.start()
        t.join()
        assert other == [claims]
        assert len(my_copies()) == 1  # every thread reads the same copy
        assert not stale.exists()
        from desktop.integrity import verify_workspace

        assert verify_workspace(ro).ok
    finally:
        ro.close()
    assert my_copies() == []  # the copy went with the last connection


def test_a_head_file_that_cannot_be_moved_on_opens_readonly(ws):
    """Opening moves a lagging head file on; when that write fails nothing else may be written either."""
    from db import audit

    with ws.db.write() as tx:
        tx.event("test.one", {})
    blocker = ws.db.head_path.with_name(ws.db.head_path.name + ".tmp")
    blocker.mkdir()
    with ws.db.write() as tx:  # committed, but the head file stays one event behind
        tx.event("test.two", {})
    assert ws.db.head_error is not None
    root = ws.root
    ws.close()
    again = Workspace.open(root)
    try:
        assert again.readonly and again.info.reason == "unwritable"
        assert again.info.holder.get("detail")
    finally:
        again.close()
    blocker.rmdir()
    with Workspace.open(root) as third:  # the obstacle gone: opened writable and the head caught up
        assert not third.readonly
        seq = third.db.scalar("SELECT max(seq) FROM events")
        assert audit.read_head(third.db.head_path)["seq"] == seq


def test_the_lock_is_kept_when_its_holder_note_cannot_be_written(tmp_path, monkeypatch):
    """A failed write of who holds the lock (full disk, I/O error) must not leave a lock nobody owns."""
    from desktop import lock as lockmod

    Workspace.create(tmp_path / "w").close()
    real_fsync = os.fsync

    def failing_fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("workspace.lock"):
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(lockmod.os, "fsync", failing_fsync)
    first = Workspace.open(tmp_path / "w")
    monkeypatch.setattr(lockmod.os, "fsync", real_fsync)
    try:
        assert not first.readonly
        second = Workspace.open(tmp_path / "w")
        try:
            assert second.readonly and second.info.reason == "locked"
        finally:
            second.close()
    finally:
        first.close()
    with Workspace.open(tmp_path / "w") as third:  # released with the workspace: free again
        assert not third.readonly


def _copied_unflushed(ws, folder, prefix: str, n: int, size: int):
    """``n`` random source files and their store copies as bulk ingest makes them (not flushed yet)."""
    srcs = []
    for i in range(n):
        p = folder / f"{prefix}{i}.bin"
        p.write_bytes(os.urandom(size + i))
        srcs.append(p)
    return srcs, [ws.store.add_file(p, sync_dir=False, sync_data=False) for p in srcs]


def test_a_batch_of_copies_is_made_durable_at_once(ws, tmp_path, monkeypatch):
    """Bulk ingest copies without a flush per file, then flushes the batch before recording it."""
    from desktop import store as storemod

    srcs, objs = _copied_unflushed(ws, tmp_path, "f", 5, 10_000)
    calls = []
    real = storemod._syncfs
    monkeypatch.setattr(storemod, "_syncfs", lambda root: calls.append(root) or real(root))
    ws.store.sync_batch(objs)
    assert calls == [ws.store.root]
    assert [o.path.read_bytes() for o in objs] == [p.read_bytes() for p in srcs]
    # where syncfs is not available, every file and folder is flushed instead
    monkeypatch.setattr(storemod, "_syncfs", lambda root: False)
    ws.store.sync_batch(objs)


def test_without_syncfs_a_batch_flushes_every_file_and_folder_it_names(ws, tmp_path, monkeypatch):
    """The per-file fallback (no syncfs) must also flush objects another thread copied a moment ago."""
    from desktop import store as storemod

    srcs, objs = _copied_unflushed(ws, tmp_path, "g", 3, 5_000)
    again = ws.store.add_file(srcs[0], sync_dir=False, sync_data=False)  # "existed": copied by someone else
    assert again.existed
    dirs = []
    real = storemod._fsync_dir
    monkeypatch.setattr(storemod, "_syncfs", lambda root: False)
    monkeypatch.setattr(storemod, "_fsync_dir", lambda d: dirs.append(d) or real(d))
    ws.store.sync_batch([again])
    assert again.path.parent in dirs and again.path.parent.parent in dirs
    dirs.clear()
    ws.store.sync_batch(objs)
    assert {o.path.parent for o in objs} <= set(dirs)


def test_a_copy_taken_while_a_writer_commits_is_taken_again(tmp_path, monkeypatch):
    """Reading an unwritable database with a -wal copies both; a checkpoint landing mid-copy (a writer on
    another machine) would tear it, so the copy is taken again; a commit only appended to the log is fine."""
    import sqlite3

    from db import connection

    folder = tmp_path / "share"
    folder.mkdir()
    db = folder / "a.db"
    keeper = sqlite3.connect(db, isolation_level=None)  # keeps the -wal (no checkpoint on close)
    keeper.execute("PRAGMA journal_mode = WAL")
    keeper.execute("PRAGMA wal_autocheckpoint = 0")
    keeper.execute("CREATE TABLE t (x)")
    keeper.execute("INSERT INTO t VALUES (1)")
    copies = []
    real_copy = connection.shutil.copyfile

    def copy_then_commit(src, dst):
        real_copy(src, dst)
        copies.append(Path(src).name)
        if len(copies) == 1:  # right after the first -wal copy: a commit, checkpointed into the main file
            keeper.execute("INSERT INTO t VALUES (2)")
            keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            keeper.execute("INSERT INTO t VALUES (3)")  # and the log starts again
        elif len(copies) == 2:  # a commit merely appended to the log: the copy is still consistent
            keeper.execute("INSERT INTO t VALUES (4)")
        return dst

    monkeypatch.setattr(connection.shutil, "copyfile", copy_then_commit)
    conn = connection._open_unwritable(db)
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] in (3, 4)
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert copies == ["a.db-wal", "a.db", "a.db-wal", "a.db"]  # only the torn first copy was taken again
    finally:
        conn.close()
        keeper.close()


def test_an_object_whose_flush_failed_is_replaced_by_the_next_copy(ws, tmp_path, monkeypatch):
    """A failed write-back leaves the pages clean in the cache and reports the error once: a retry must
    not trust the object already in the store, or its row could name bytes that never reached the disk."""
    from desktop import store as storemod
    from desktop.store import StoredObject

    src = tmp_path / "回单.pdf"
    src.write_bytes(os.urandom(50_000))
    obj = ws.store.add_file(src, sync_dir=False, sync_data=False)

    def io_error(root):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(storemod, "_syncfs", io_error)
    with pytest.raises(OSError):
        ws.store.sync_batch([obj])
    monkeypatch.undo()
    # Another batch naming the same object as "existed" (copied by the other worker) cannot be vouched for
    # by a flush that now succeeds: the kernel reported the error to the first one only.
    with pytest.raises(OSError, match="earlier flush"):
        ws.store.sync_batch([StoredObject(obj.sha256, obj.size, obj.path, True)])
    inode = os.stat(obj.path).st_ino
    again = ws.store.add_file(src, sync_dir=False, sync_data=False)
    assert not again.existed and os.stat(again.path).st_ino != inode  # a fresh copy took its place
    assert again.path.read_bytes() == src.read_bytes()
    assert stat.S_IMODE(os.stat(again.path).st_mode) == 0o444  # read-only, like every object
    ws.store.sync_batch([again])
    assert ws.store.add_file(src, sync_dir=False, sync_data=False).existed  # trusted once it was flushed


def test_the_unwritable_banner_says_it_shows_the_state_at_opening():
    from desktop.text.messages import readonly_text
    from desktop.workspace import OpenInfo

    badge, why = readonly_text(OpenInfo(True, "unwritable", {"detail": "[Errno 30] Read-only file system"}))
    assert "不可写" in badge and "Read-only file system" in why and "重新打开" in why
