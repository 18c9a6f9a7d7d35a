"""A file re-opened and appended to again and again under the watcher becomes one or two versions, not one
per append: a change to a registered file must settle (``ingest.quiet_seconds``) before it is copied."""

from __future__ import annotations

import threading
import time

import pytest

from desktop.evidence.watcher import EvidenceWatcher


class Versions:
    def __init__(self):
        self.events = []
        self.lock = threading.Lock()

    def __call__(self, e):
        if e.kind == "registered" and e.outcome in ("added", "new_version"):
            with self.lock:
                self.events.append(e)


def _versions(ws, name: str) -> int:
    return ws.db.scalar(
        "SELECT count(DISTINCT e.id) FROM evidence e JOIN evidence_paths p ON p.evidence_id = e.id"
        " WHERE p.path LIKE ?", (f"%{name}",))


@pytest.mark.parametrize("mode", ["events", "polling"])
def test_a_file_appended_every_0_3_s_settles_into_one_or_two_versions(ws, tmp_path, mode):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    log = folder / "运行日志.txt"
    seen = Versions()
    with EvidenceWatcher(ws, folder=folder, mode=mode, poll_interval=0.5, scan_interval=3600,
                         listener=seen) as w:
        assert w.wait_idle(10)
        appends = 0
        end = time.monotonic() + 4.0
        while time.monotonic() < end:  # re-opened, appended, closed: every 0.3 s for 4 s
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"第 {appends} 行 金额 {appends}.5 元\n")
            appends += 1
            time.sleep(0.3)
        assert appends >= 12
        final = log.read_bytes()
        # once it is left alone, the last state is registered (within the quiet time and a poll or two)
        assert w.wait_for(lambda: any(e.data.get("sha256") and _sha(final) == e.data["sha256"]
                                      for e in list(seen.events)), 15)
        assert w.wait_idle(15)
    versions = _versions(ws, "运行日志.txt")
    assert 1 <= versions <= 2, (versions, appends)
    assert len(seen.events) == versions


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_a_file_saved_once_later_is_still_a_new_version_promptly(ws, tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    f = folder / "台账.txt"
    f.write_text("v1 12 元", encoding="utf-8")
    seen = Versions()
    with EvidenceWatcher(ws, folder=folder, scan_interval=3600, listener=seen, quiet_seconds=1.0) as w:
        assert w.wait_idle(10)
        assert [e.outcome for e in seen.events] == ["added"]
        f.write_text("v2 13 元", encoding="utf-8")
        start = time.monotonic()
        assert w.wait_for(lambda: [e.outcome for e in seen.events] == ["added", "new_version"], 10)
        assert time.monotonic() - start < 5  # the quiet second, then the copy
    assert _versions(ws, "台账.txt") == 2


def test_the_cli_takes_a_named_file_as_it_is(tmp_path):
    """The wait applies to what the watcher sees; a file named on the command line is taken at once."""
    from tests.edges.helpers import run

    folder = tmp_path / "w"
    folder.mkdir()
    f = folder / "a.txt"
    f.write_text("v1 1 元", encoding="utf-8")
    ws = tmp_path / "ws"
    run("init", ws, "--watch", folder)
    run("ingest", ws, f)
    f.write_text("v2 2 元", encoding="utf-8")
    t = time.monotonic()
    assert "新版本" in run("ingest", ws, f).stdout
    assert time.monotonic() - t < 10
