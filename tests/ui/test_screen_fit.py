"""Windows fit a 1366×768 screen and are remembered; 关联建议 follows role and mode.

The size test runs the app's window in a child process whose offscreen screen *is* 1366×768 (Qt's
offscreen platform reads its screens from a JSON file: ``offscreen:configfile=…``), so the available
geometry the window sizes itself from is that of the small laptop, not the test machine's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize

from tests.conftest import REPO

CHILD = r"""
import json, sys
from desktop.ui.app import make_app
from desktop.demo import build_demo
from desktop.workspace import Workspace

app = make_app()
from desktop.ui.main_window import MainWindow

role, resize_to = sys.argv[1], sys.argv[2]
ws = Workspace.open(build_demo(), actor="测试员", role=role)
w = MainWindow(ws, inline_tasks=True)
w.show()
for _ in range(5):
    app.processEvents()
avail = app.primaryScreen().availableGeometry()

def rect(r):
    return [r.x(), r.y(), r.width(), r.height()]

sb = w.statusBar()
sb_bottom = sb.mapToGlobal(sb.rect().bottomRight())
audit = w.open_audit_view()
for _ in range(5):
    app.processEvents()
asb = audit.statusBar()
out = {
    "avail": rect(avail), "frame": rect(w.frameGeometry()), "size": [w.width(), w.height()],
    "status_bottom_right": [sb_bottom.x(), sb_bottom.y()], "status_visible": sb.isVisible(),
    "identity_visible": w.identity_label.isVisible(),
    "audit_frame": rect(audit.frameGeometry()),
    "audit_status_bottom": asb.mapToGlobal(asb.rect().bottomLeft()).y(), "audit_status_visible": asb.isVisible(),
    "suggestions_visible": w.suggestions_dock.isVisible(),
}
if resize_to != "-":
    width, height = map(int, resize_to.split("x"))
    w.resize(width, height)
    app.processEvents()
audit.close()
w.close()
print("RESULT " + json.dumps(out))
"""


def _screen(tmp_path: Path, width: int, height: int) -> str:
    config = tmp_path / f"screen-{width}x{height}.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": width,
                                               "height": height, "logicalDpi": 96, "dpr": 1}]}))
    return f"offscreen:configfile={config}"


def _run(tmp_path: Path, home: Path, role: str = "editor", resize_to: str = "-", size=(1366, 768)) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=_screen(tmp_path, *size), EVIDENCE_DESK_HOME=str(home))
    proc = subprocess.run([sys.executable, "-c", CHILD, role, resize_to], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def _inside(inner, outer) -> bool:
    return QRect(*outer).contains(QRect(*inner))


def test_main_window_and_audit_log_fit_a_1366x768_screen_and_are_remembered(tmp_path):
    home = tmp_path / "home"
    first = _run(tmp_path, home, resize_to="1200x680")
    assert first["avail"] == [0, 0, 1366, 768]
    assert _inside(first["frame"], first["avail"]), first  # the whole window, its frame included
    assert first["size"][1] <= 768 - 40  # room for a taskbar's worth of frame
    x, y = first["status_bottom_right"]
    assert first["status_visible"] and first["identity_visible"] and 0 <= x < 1366 and 0 <= y < 768, first
    assert _inside(first["audit_frame"], first["avail"]), first
    assert first["audit_status_visible"] and first["audit_status_bottom"] < 768, first
    assert first["suggestions_visible"]
    # the next start opens the window as it was left (QSettings, per role)
    again = _run(tmp_path, home)
    assert again["size"] == [1200, 680], again
    # a reviewer's window: no 关联建议 (a reviewer cannot link), fitting all the same
    reviewer = _run(tmp_path, home, role="reviewer")
    assert not reviewer["suggestions_visible"]
    assert _inside(reviewer["frame"], reviewer["avail"])


def test_a_larger_screen_gives_the_preferred_size(tmp_path):
    big = _run(tmp_path, tmp_path / "home", size=(1920, 1080))
    assert big["size"] == [1360, 820]


def test_sizes_fit_an_available_area_with_a_taskbar(qtbot, demo_ws, monkeypatch):
    """1366×768 less a 40 px taskbar: the window, its frame reserve and its status bar fit."""
    from desktop.ui import geometry
    from desktop.ui.main_window import MainWindow

    avail = QRect(0, 0, 1366, 728)
    monkeypatch.setattr(geometry, "available_rect", lambda widget=None: avail)
    w = MainWindow(demo_ws, inline_tasks=True)
    qtbot.addWidget(w)
    assert w.width() + geometry.FRAME_RESERVE.width() <= 1366
    assert w.height() + geometry.FRAME_RESERVE.height() <= 728
    assert w.minimumSizeHint().height() <= w.height() and w.minimumSizeHint().width() <= w.width()
    assert geometry.fitted_size(QSize(1360, 820), avail) == QSize(1350, 688)
    w.close()


def test_suggestions_hidden_in_review_mode_and_for_a_reviewer_then_back(window):
    dock = window.suggestions_dock
    assert dock.isVisible()
    window.open_review_mode()
    assert not dock.isVisible()
    window.close_review_mode()
    assert dock.isVisible()
    window.set_identity("王审计", "reviewer")
    assert not dock.isVisible()
    window.open_review_mode()
    window.close_review_mode()
    assert not dock.isVisible()  # review mode gives back what the role had
    window.set_identity("测试员", "editor")
    assert dock.isVisible()


def test_a_dock_the_user_closed_stays_closed_after_review_mode(window):
    dock = window.suggestions_dock
    dock.close()
    window.open_review_mode()
    window.close_review_mode()
    assert not dock.isVisible()


@pytest.mark.parametrize("name", ["integrity", "identity", "about", "shortcuts", "watch"])
def test_dialogs_fit_the_small_screen(window, name, monkeypatch):
    from desktop.ui import geometry
    from desktop.ui.dialogs.help import AboutDialog, ShortcutsDialog
    from desktop.ui.dialogs.identity import IdentityDialog
    from desktop.ui.dialogs.integrity import IntegrityDialog
    from desktop.ui.dialogs.watch_folder import WatchFolderDialog

    monkeypatch.setattr(geometry, "available_rect", lambda widget=None: QRect(0, 0, 1366, 728))
    dlg = {"integrity": lambda: IntegrityDialog(window.session, window),
           "identity": lambda: IdentityDialog("测试员", "editor", "演示工作区", window),
           "about": lambda: AboutDialog(window.ws, window),
           "shortcuts": lambda: ShortcutsDialog(window),
           "watch": lambda: WatchFolderDialog(window.session, window)}[name]()
    dlg.show()
    assert dlg.width() + geometry.FRAME_RESERVE.width() <= 1366
    assert dlg.height() + geometry.FRAME_RESERVE.height() <= 728
    assert dlg.minimumSizeHint().width() <= dlg.width()
    dlg.close()


def test_changing_role_in_review_mode_gives_back_the_new_roles_docks(window):
    dock = window.suggestions_dock
    window.open_review_mode()
    window.set_identity("王审计", "reviewer")
    window.close_review_mode()
    assert not dock.isVisible()
    window.open_review_mode()
    window.set_identity("测试员", "editor")
    assert not dock.isVisible()  # still in 审核模式
    window.close_review_mode()
    assert dock.isVisible()


def test_the_tests_window_opens_at_its_preferred_size_on_a_desktop_screen(window, qapp):
    from tests.ui.conftest import DESKTOP_SCREEN

    screen = qapp.primaryScreen().availableGeometry()
    assert (screen.width(), screen.height()) == DESKTOP_SCREEN
    assert (window.width(), window.height()) == (1360, 820)
