"""The app ends when Qt quits, even without its window being closed (session end, display gone)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import REPO


def test_quitting_without_closing_the_window_ends_the_process(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QTimer
        from desktop.ui.app import make_app, run
        app = make_app()
        QTimer.singleShot(3000, lambda: app.exit(0))  # as when the display goes away: no closeEvent
        sys.exit(run(demo=True, actor="测试员", role="editor"))
        """
    )
    env = {"EVIDENCE_DESK_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen",
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=180)  # before the fix: the ingest threads kept it alive for ever
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr


def test_quit_has_a_key(window):
    assert not window.act_quit.shortcut().isEmpty()
