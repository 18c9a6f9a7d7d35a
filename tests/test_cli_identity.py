"""Who acts in the CLI (the name set in the app), roles in Chinese, ``evidence-desk W``, a closed pipe."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys

import pytest

from desktop import cli, config
from tests.conftest import REPO, SAMPLE_REPORT

F_SETPIPE_SZ = 1031


@pytest.fixture
def run(capsys):
    """The CLI in this process (its config in this test's own user data folder)."""

    def run(*args: str, ok: int = 0) -> subprocess.CompletedProcess:
        capsys.readouterr()
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse's own exits (--help, usage errors)
            code = exc.code
        res = capsys.readouterr()
        assert code == ok, res.err
        assert "Traceback" not in res.err and "内部错误" not in res.err
        return subprocess.CompletedProcess(args, code, res.out, res.err)

    return run


@pytest.fixture
def workspace(tmp_path, run):
    ws = tmp_path / "W"
    run("init", str(ws))
    run("import", str(ws), str(SAMPLE_REPORT))
    return ws


@pytest.fixture
def claim_ids(workspace, run):
    return [c["id"] for c in json.loads(run("status", str(workspace), "--json").stdout)["claims"]]


def test_the_default_actor_is_the_name_set_in_the_app(workspace, claim_ids, run):
    config.save_config(actor="张晓梅", role="reviewer")  # what the identity dialog saves
    run("review", str(workspace), str(claim_ids[0]), "verified")
    run("not-required", str(workspace), str(claim_ids[1]), "--reason", "评分表已含")
    events = json.loads(run("log", str(workspace), "--json", "--newest-first", "--limit", "2").stdout)["events"]
    assert [(e["actor"], e["role"], e["action"]) for e in events] == [
        ("张晓梅", "editor", "claim.marked_not_required"), ("张晓梅", "reviewer", "review.set")]


def test_roles_are_accepted_in_chinese_and_shown_in_help(workspace, claim_ids, run):
    run("review", str(workspace), str(claim_ids[2]), "questioned", "--role", "审核", "--actor", "李审")
    run("not-required", str(workspace), str(claim_ids[3]), "--reason", "x", "--role", "编制", "--actor", "王编")
    events = json.loads(run("log", str(workspace), "--json", "--newest-first", "--limit", "2").stdout)["events"]
    assert [(e["actor"], e["role"]) for e in events] == [("王编", "editor"), ("李审", "reviewer")]
    bad = run("review", str(workspace), str(claim_ids[2]), "verified", "--role", "校对", ok=2)
    assert "未知角色：校对" in bad.stderr
    for args in ((), ("review",)):
        text = run(*args, "--help").stdout
        assert "--actor" in text and "--role" in text and "编制" in text and "审核" in text
        assert "在程序中设置的姓名" in text


def test_a_workspace_folder_alone_opens_it_in_the_window(workspace, monkeypatch):
    opened = []
    monkeypatch.setattr(cli, "cmd_gui", lambda args: opened.append((args.workspace, args.actor, args.role)) or 0)
    assert cli.main([str(workspace)]) == 0
    assert cli.main([str(workspace), "--actor", "张三", "--role", "审核"]) == 0
    assert opened == [(str(workspace), None, None), (str(workspace), "张三", "reviewer")]
    assert cli.workspace_shortcut(["status", str(workspace)], {"status"}) == ["status", str(workspace)]
    assert cli.workspace_shortcut(["没有这个文件夹"], set()) == ["没有这个文件夹"]


def test_a_closed_pipe_ends_quietly(workspace):
    """A real process: ``status --json | head`` with a pipe smaller than the output."""
    r, w = os.pipe()
    fcntl.fcntl(w, F_SETPIPE_SZ, 4096)  # smaller than the output: the writer meets the closed pipe for sure
    proc = subprocess.Popen([sys.executable, "-m", "desktop", "status", str(workspace), "--json"], stdout=w,
                            stderr=subprocess.PIPE, cwd=REPO)
    os.close(w)
    assert os.read(r, 64).startswith(b"{")
    os.close(r)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and err.decode() == ""
