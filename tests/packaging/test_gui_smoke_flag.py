"""``--smoke``: the GUI shows its main window (on a workspace; smoke.sh uses the demo), says so, and closes itself (what packaging/smoke.sh runs on
the bundle), logging its start in the rotating log."""

from __future__ import annotations

import subprocess
import sys

from desktop.version import app_version
from desktop.workspace import Workspace
from tests.conftest import REPO


def test_smoke_flag_shows_the_window_and_exits_0(tmp_path):
    Workspace.create(tmp_path / "ws", actor="测试员").close()  # an empty one: quicker than the demo
    env = {"EVIDENCE_DESK_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path)}
    res = subprocess.run([sys.executable, "-m", "desktop", "--workspace", str(tmp_path / "ws"), "--smoke", "--actor", "测试员", "--role", "editor"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr
    assert "smoke: main window shown: True" in res.stdout.splitlines()
    assert "Traceback" not in res.stderr
    log = (tmp_path / "home" / "logs" / "evidence-desk.log").read_text(encoding="utf-8")
    assert f"start gui: EvidenceDesk {app_version()}" in log
