"""A full disk ends the command with one clear message (exit 2), the workspace as it was, and ``verify``
passes once space is freed (issue 20). A real small file system (tmpfs) where it can be mounted; a
simulated one (SQLite's page limit, the store refusing with ENOSPC) everywhere."""

from __future__ import annotations

import errno
import os
import random
import subprocess
import sys

import pytest

from desktop.errors import DiskFull, is_disk_full
from tests.edges.helpers import run


def _mount_tmpfs(where, size: str) -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return False
    where.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return res.returncode == 0


def _remount(where, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(where)], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "3m"):
        pytest.skip("cannot mount a tmpfs here (not root, or no mount permission); "
                    "test_engine_stops_on_a_simulated_full_disk covers the same path")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _fill(folder, kind: str) -> int:
    folder.mkdir()
    rnd = random.Random(20)
    if kind == "store":  # large files: the store's copy meets ENOSPC
        for i in range(6):
            (folder / f"扫描件{i}.bin").write_bytes(rnd.randbytes(700_000))
        return 6
    for i in range(20):  # many numbers: the database (text index, numbers) meets SQLITE_FULL
        (folder / f"台账{i}.txt").write_text(
            "\n".join(f"第{j}行 金额 {rnd.randint(1, 10**9)}.{j % 100:02d} 元 {rnd.random()}" for j in range(1200)),
            encoding="utf-8")
    return 20


@pytest.mark.parametrize("kind", ["store", "database"])
def test_full_disk_ends_ingest_with_one_message_and_verify_passes_after(small_disk, tmp_path, kind):
    ws = small_disk / "ws"
    folder = tmp_path / "佐证材料"
    n = _fill(folder, kind)
    run("init", ws, "--watch", folder)
    res = run("ingest", ws, "--wait", ok=2, timeout=90)  # ends (no hang), exit 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "磁盘已满" in lines[0], res.stderr
    _remount(small_disk, "200m")  # space freed
    res = run("verify", ws, ok=None)
    assert res.returncode == 0, res.stdout + res.stderr
    run("ingest", ws, "--wait", timeout=180)  # and it goes on from there
    import json

    data = json.loads(run("status", ws, "--json").stdout)
    assert data["summary"]["evidence"] == n
    assert run("verify", ws, ok=None).returncode == 0


def test_engine_stops_on_a_simulated_full_disk(ws, tmp_path, monkeypatch):
    """Everywhere (no tmpfs needed): the store refuses with ENOSPC after two copies."""
    from desktop.evidence.pipeline import IngestEngine
    from desktop.integrity import verify_workspace
    from desktop.store import ContentStore

    folder = tmp_path / "w"
    folder.mkdir()
    for i in range(20):
        (folder / f"f{i}.txt").write_text(f"文件 {i} 金额 {i}.5 元", encoding="utf-8")
    real_add = ContentStore.add_file
    calls = {"n": 0}

    def add_file(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_add(self, *a, **kw)

    monkeypatch.setattr(ContentStore, "add_file", add_file)
    events = []
    engine = IngestEngine(ws, listener=events.append, watch_root=folder)
    engine.start()
    try:
        engine.scan(str(folder))
        with pytest.raises(DiskFull):
            engine.wait_idle(timeout=30)
    finally:
        engine.stop()
    assert [e.kind for e in events].count("halted") == 1
    assert calls["n"] <= 2 + engine.workers * 1  # nothing retried in a loop
    monkeypatch.setattr(ContentStore, "add_file", real_add)
    assert verify_workspace(ws).ok
    engine = IngestEngine(ws, watch_root=folder)  # space back: the next run resumes and finishes
    with engine:
        engine.scan(str(folder))
        assert engine.wait_idle(timeout=60)
    assert ws.db.scalar("SELECT count(*) FROM evidence") == 20
    assert verify_workspace(ws).ok


def test_sqlite_full_is_recognised(tmp_path):
    import sqlite3

    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("PRAGMA max_page_count = 2")
    conn.execute("CREATE TABLE t (x)")
    with pytest.raises(sqlite3.Error) as err:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (?)", (b"x" * 4000,))
    assert is_disk_full(err.value)
    assert is_disk_full(OSError(errno.ENOSPC, "full"))
    assert not is_disk_full(OSError(errno.EACCES, "denied"))
    conn.close()


SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "samples",
                      "zhanjiang-shebao-2024-self-evaluation.txt")


def _ballast(disk, leave: int) -> None:
    """Fill the tmpfs until ``leave`` bytes are free."""
    import shutil

    free = shutil.disk_usage(disk).free
    with open(disk / "ballast", "wb") as f:
        try:
            f.write(os.urandom(max(0, free - leave)))
        except OSError:
            pass


@pytest.mark.parametrize("leave", [0, 48 * 1024])
def test_full_disk_ends_import_with_one_message(small_disk, leave):
    ws = small_disk / "ws"
    run("init", ws)
    _ballast(small_disk, leave)
    res = run("import", ws, SAMPLE, ok=2)
    # the import's stage lines (读取报告… / 抽取指标… / 写入工作区…) come first; then exactly one message
    lines = [line for line in res.stderr.splitlines() if line.strip() and not line.rstrip().endswith("…")]
    assert len(lines) == 1 and "磁盘已满" in lines[0], res.stderr
    assert "Traceback" not in res.stderr
    (small_disk / "ballast").unlink()
    assert run("verify", ws, ok=None).returncode == 0
    with_claims = run("import", ws, SAMPLE)  # space back: the import goes through
    assert "个指标" in with_claims.stdout
    assert run("verify", ws, ok=None).returncode == 0


def test_full_disk_export_leaves_no_partial_file(small_disk, tmp_path):
    ws = tmp_path / "ws"
    run("init", ws)
    run("import", ws, SAMPLE)
    _ballast(small_disk, 16 * 1024)
    res = run("export", ws, small_disk / "包.zip", "--binder", small_disk / "汇编.pdf", ok=2)
    assert "磁盘空间不足" in res.stderr
    assert sorted(p.name for p in small_disk.iterdir()) == ["ballast"]
