"""The watched folder can be set, changed and cleared later (audited), never inside or around the workspace."""

from __future__ import annotations

import json

import pytest

from desktop.errors import DeskError, Forbidden
from desktop.evidence.watch_dir import set_watch_dir
from desktop.text.audit import describe
from desktop.text.messages import error_text
from desktop.workspace import Workspace
from tests.evidence.helpers import cli


def _last_event(ws):
    row = ws.db.query_one("SELECT action, payload FROM events ORDER BY seq DESC LIMIT 1")
    payload = json.loads(row["payload"])
    payload.pop("_replay", None)  # the rows the change left, for verify's replay
    return row["action"], payload


def test_set_change_and_clear_are_audited(tmp_path):
    first, second = tmp_path / "佐证材料", tmp_path / "新文件夹"
    first.mkdir()
    second.mkdir()
    with Workspace.create(tmp_path / "ws", actor="编制员") as ws:
        assert ws.watch_dir is None
        set_watch_dir(ws.db, folder=first)
        assert ws.watch_dir == first and _last_event(ws) == (
            "settings.changed", {"key": "watch_dir", "before": None, "after": str(first)})
        change = set_watch_dir(ws.db, folder=second)
        assert (change.before, change.after) == (str(first), str(second)) and ws.watch_dir == second
        action, payload = _last_event(ws)
        said = describe({"action": action, "payload": payload})
        assert said.startswith("监控文件夹：") and " → " in said and said.endswith("新文件夹")
        set_watch_dir(ws.db, folder=None)
        assert ws.watch_dir is None and _last_event(ws)[1]["after"] is None
        with pytest.raises(DeskError) as err:
            set_watch_dir(ws.db, folder=None)
        assert err.value.code == "watch.unchanged"


@pytest.mark.parametrize("where, code", [
    ("missing", "watch.not_found"), ("file", "watch.not_a_folder"), ("inside", "watch.inside_workspace"),
    ("around", "watch.contains_workspace"), ("the workspace", "watch.inside_workspace")])
def test_folders_that_cannot_be_watched_are_refused_in_words(tmp_path, where, code):
    with Workspace.create(tmp_path / "ws", actor="编制员") as ws:
        events = ws.db.scalar("SELECT count(*) FROM events")
        (tmp_path / "ws" / "inbox").mkdir()
        (tmp_path / "a.txt").write_text("x", encoding="utf-8")
        folder = {"missing": tmp_path / "没有", "file": tmp_path / "a.txt", "inside": tmp_path / "ws" / "inbox",
                  "around": tmp_path, "the workspace": tmp_path / "ws"}[where]
        with pytest.raises(DeskError) as err:
            set_watch_dir(ws.db, folder=folder)
        assert err.value.code == code
        text = error_text(err.value.code, err.value.params)
        assert str(folder) in text and "?" not in text and code not in text
        assert ws.db.scalar("SELECT count(*) FROM events") == events and ws.watch_dir is None


def test_the_reviewer_cannot_change_it(tmp_path):
    (tmp_path / "f").mkdir()
    with Workspace.create(tmp_path / "ws", actor="编制员") as ws:
        ws.set_identity(role="reviewer")
        with pytest.raises(Forbidden):
            set_watch_dir(ws.db, folder=tmp_path / "f")


def test_the_cli_shows_and_changes_it(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    (folder / "说明.txt").write_text("合计 100 元", encoding="utf-8")
    ws = tmp_path / "ws"
    cli("init", str(ws))
    assert json.loads(cli("watch-dir", str(ws), "--json").stdout) == {"watch_dir": None}
    res = cli("watch-dir", str(ws), str(folder))
    assert str(folder) in res.stdout
    assert json.loads(cli("watch-dir", str(ws), "--json").stdout) == {"watch_dir": str(folder)}
    assert "说明.txt" in cli("ingest", str(ws)).stdout  # ingest with no path takes the folder set later
    bad = cli("watch-dir", str(ws), str(ws / "store"), check=2)
    assert "不能放在工作区里面" in bad.stderr
