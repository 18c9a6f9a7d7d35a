"""Nothing from outside: a link in the watched folder that leads outside it is listed with its reason and
nothing of its target is read — not into the store, not into the full-text index (issue 20)."""

from __future__ import annotations

import hashlib
import json
import os
import time

import pytest

from desktop import confine
from desktop.errors import DeskError
from desktop.evidence.queries import search_evidence
from desktop.evidence.watcher import EvidenceWatcher
from desktop.text.messages import INGEST_ERRORS
from desktop.workspace import Workspace
from tests.edges.helpers import run

SECRET = "机密口令XJ4711 金额 99.5 万元"


def _store_bytes(ws) -> list[bytes]:
    return [p.read_bytes() for _, p in ws.store.iter_objects()]


def _assert_not_taken(ws, secret_file):
    data = secret_file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert not ws.store.has(digest)
    assert all(b"XJ4711" not in b for b in _store_bytes(ws))
    assert search_evidence(ws.db, "XJ4711") == set()  # names, paths and the FTS table
    assert search_evidence(ws.db, "机密口令") == set()


@pytest.fixture
def layout(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "佐证材料"
    (folder / "sub").mkdir(parents=True)
    (folder / "own.txt").write_text("本单位台账 12 元", encoding="utf-8")
    os.symlink("../outside/secret.txt", folder / "leak.txt")  # relative, out
    os.symlink(secret, folder / "sub" / "abs.txt")  # absolute, out
    os.symlink(outside, folder / "dirlink")  # a folder out
    os.symlink("own.txt", folder / "alias.txt")  # inside: followed (same bytes, one copy)
    return folder, secret


def _problems(engine) -> dict[str, str]:
    return {os.path.basename(p["path"]): p["error"] for p in engine.queue.problems()}


def test_scan_lists_outside_links_and_reads_nothing(ws, layout):
    folder, secret = layout
    with EvidenceWatcher(ws, folder=folder, mode="polling", poll_interval=0.5, scan_interval=3600) as w:
        assert w.wait_idle(30)
        problems = _problems(w.engine)
    assert problems == {"leak.txt": "outside_folder", "abs.txt": "outside_folder", "dirlink": "outside_folder"}
    assert "链接指向监控文件夹以外" in INGEST_ERRORS["outside_folder"]
    _assert_not_taken(ws, secret)
    assert search_evidence(ws.db, "本单位台账")  # the folder's own file is there
    names = {os.path.basename(p) for p in ws.db.query_one("SELECT group_concat(path, '|') AS p FROM evidence_paths")["p"].split("|")}
    assert names == {"own.txt", "alias.txt"}  # the inside link: followed once, the store holds one copy


def test_watcher_event_for_a_new_outside_link(ws, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "s.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "w"
    folder.mkdir()
    with EvidenceWatcher(ws, folder=folder, scan_interval=3600, settle=0.3) as w:
        assert w.wait_idle(10)
        os.symlink(secret, folder / "late.txt")
        assert w.wait_for(lambda: "late.txt" in _problems(w.engine), 15)
        assert _problems(w.engine)["late.txt"] == "outside_folder"
    _assert_not_taken(ws, secret)


def test_a_link_swapped_in_after_the_check_is_caught_at_open(ws, tmp_path):
    """The race: the path checked clean, then became a link out before the open. The opened file itself is
    checked before a byte is read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "s.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "w"
    folder.mkdir()
    target = folder / "swap.txt"
    target.write_text("harmless", encoding="utf-8")
    fd = os.open(secret, os.O_RDONLY)
    try:
        with pytest.raises(confine.OutsideFolder) as err:
            confine.check_opened(fd, str(target), root_real=confine.real(folder), workspace_real=confine.real(ws.root))
        assert err.value.code == "outside_folder"
    finally:
        os.close(fd)
    # and through the store: the hook refuses before anything is written there
    before = list(ws.store.iter_objects())

    def opened(fd):
        confine.check_opened(fd, str(secret), root_real=confine.real(folder), workspace_real=None)

    with pytest.raises(confine.OutsideFolder):
        ws.store.add_file(secret, opened=opened)
    assert list(ws.store.iter_objects()) == before


def test_cli_ingest_lists_reason_and_refuses_workspace_paths(tmp_path, layout):
    folder, secret = layout
    wsdir = tmp_path / "ws"
    run("init", wsdir, "--watch", folder)
    res = run("ingest", wsdir, "--wait", "--json", ok=1)  # some entries of the folder could not be taken
    assert res.stderr.count("链接指向监控文件夹以外") == 3
    data = json.loads(res.stdout)
    assert {os.path.basename(p["path"]) for p in data["problems"]} == {"leak.txt", "abs.txt", "dirlink"}
    for target in (wsdir / "workspace.db", wsdir / "store", wsdir / "audit-head.json"):
        res = run("ingest", wsdir, target, ok=2)
        assert "不能把工作区自己的文件" in res.stderr
    os.symlink(wsdir / "workspace.db", tmp_path / "db-link")
    assert "不能把工作区自己的文件" in run("ingest", wsdir, tmp_path / "db-link", ok=2).stderr
    assert "不能把工作区自己的文件" in run("import", wsdir, wsdir / "workspace.db", ok=2).stderr
    with Workspace.open(wsdir, readonly=True) as ws:
        _assert_not_taken(ws, secret)
        assert not any(b.startswith(b"SQLite format 3") for b in _store_bytes(ws))


def test_link_into_the_workspace_from_the_watched_folder(ws, tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    os.symlink(ws.root / "workspace.db", folder / "db.txt")
    with EvidenceWatcher(ws, folder=folder, mode="polling", poll_interval=0.5, scan_interval=3600) as w:
        assert w.wait_idle(20)
        assert _problems(w.engine) == {"db.txt": "into_workspace"}
        w.engine.submit_paths([ws.root / "workspace.db"])  # a drop of the workspace's own file
        assert w.wait_idle(20)
    assert not any(b.startswith(b"SQLite format 3") for b in _store_bytes(ws))


def test_workspace_inside_its_watched_folder_or_watching_another_workspace(tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    with pytest.raises(DeskError) as err:
        Workspace.create(folder / "ws", watch_dir=folder)
    assert err.value.code == "watch.contains_workspace"
    assert not (folder / "ws").exists()  # refused before anything was made
    res = run("init", folder / "ws2", "--watch", folder, ok=2)
    assert "监控文件夹不能包含工作区" in res.stderr
    other = Workspace.create(tmp_path / "other")
    other.close()
    for watched in (tmp_path / "other", tmp_path / "other" / "store"):
        with pytest.raises(DeskError) as err:
            Workspace.create(tmp_path / f"ws-{watched.name}", watch_dir=watched)
        assert err.value.code == "watch.other_workspace"
        res = run("init", tmp_path / f"cli-{watched.name}", "--watch", watched, ok=2)
        assert "另一个工作区" in res.stderr


def test_a_workspace_below_the_watched_folder_is_skipped_with_its_reason(ws, tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "a.txt").write_text("一份 5 元", encoding="utf-8")
    other = Workspace.create(folder / "旧工作区")
    other.store.add_bytes(b"OTHER-WORKSPACE-OBJECT 7 yuan")
    other.close()
    with EvidenceWatcher(ws, folder=folder, mode="polling", poll_interval=0.5, scan_interval=3600) as w:
        assert w.wait_idle(20)
        assert _problems(w.engine) == {"旧工作区": "workspace_folder"}
    assert all(b"OTHER-WORKSPACE-OBJECT" not in b for b in _store_bytes(ws))
    assert all(not b.startswith(b"SQLite format 3") for b in _store_bytes(ws))
    assert len(_store_bytes(ws)) == 1


def test_a_watched_folder_kept_inside_the_workspace_still_works(tmp_path):
    """The demo keeps its 佐证材料 inside the workspace: its files are evidence, the workspace's own are not."""
    root = tmp_path / "W"
    folder = root / "佐证材料"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("台账 5 元", encoding="utf-8")
    with Workspace.create(root, watch_dir=folder, actor="测试员") as ws:
        os.symlink(root / "workspace.db", folder / "库.txt")
        with EvidenceWatcher(ws, mode="polling", poll_interval=0.5, scan_interval=3600) as w:
            assert w.wait_idle(20)
            assert _problems(w.engine) == {"库.txt": "into_workspace"}
        assert search_evidence(ws.db, "台账")
        assert not any(b.startswith(b"SQLite format 3") for b in _store_bytes(ws))


def test_windows_shortcuts_are_plain_files_never_followed(ws, tmp_path):
    """A .lnk is a file to the OS (only a shell resolves it): its own few bytes are registered, flagged
    executable; its target is never opened."""
    from desktop.evidence.risky import is_executable

    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "快捷方式.lnk").write_bytes(b"L\x00\x00\x00" + "C:\\Windows\\secret.txt".encode("utf-16-le"))
    with EvidenceWatcher(ws, folder=folder, mode="polling", poll_interval=0.5, scan_interval=3600) as w:
        assert w.wait_idle(20)
    assert is_executable("快捷方式.lnk")
    assert ws.db.scalar("SELECT count(*) FROM evidence") == 1


def test_watch_dir_refuses_another_workspace(tmp_path):
    other = Workspace.create(tmp_path / "other")
    other.close()
    run("init", tmp_path / "ws")
    res = run("watch-dir", tmp_path / "ws", tmp_path / "other" / "store", ok=2)
    assert "另一个工作区" in res.stderr
