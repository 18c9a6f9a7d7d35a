"""Qt fixtures: the application (made as the app makes it), a demo workspace, a main window."""

from __future__ import annotations

import atexit
import gc
import json
import os
import tempfile
from pathlib import Path

import pytest

import desktop.ui  # noqa: F401 - arms the refcount guard before any test touches Qt

DESKTOP_SCREEN = (1440, 900)


def _desktop_screen() -> None:
    """Qt's offscreen screen is 800×800 unless told otherwise, and windows size themselves to the screen
    (desktop.ui.geometry): give the tests an ordinary desktop's screen, 1440×900, so windows open at the
    size a user sees. tests/ui/test_screen_fit.py makes its own 1366×768 screen."""
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return
    path = Path(tempfile.gettempdir()) / f"evidence-desk-test-screen-{os.getpid()}.json"
    path.write_text(json.dumps({"screens": [{"name": "desktop", "x": 0, "y": 0, "width": DESKTOP_SCREEN[0],
                                             "height": DESKTOP_SCREEN[1], "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"
    atexit.register(path.unlink, missing_ok=True)


_desktop_screen()


@pytest.fixture(scope="session")
def qapp(qapp_args):
    """pytest-qt's application, made by the app's own ``make_app`` (fonts, and cyclic garbage collected on
    the GUI thread only: see ``desktop.ui.gui_gc``)."""
    from desktop.ui.app import make_app

    return make_app(list(qapp_args))


@pytest.fixture(autouse=True)
def _collect_cycles_between_tests():
    """With a QApplication the automatic collector is off (collected by a GUI-thread timer); tests that
    spin no event loop still have their cycles collected, here on the main thread."""
    yield
    if not gc.isenabled():
        from desktop.ui.gui_gc import collect_due

        collect_due()


@pytest.fixture
def demo_ws(demo_root):
    from desktop.workspace import Workspace

    ws = Workspace.open(demo_root, actor="测试员")
    yield ws
    ws.close()


@pytest.fixture
def window(qtbot, demo_ws):
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow

    make_app()
    w = MainWindow(demo_ws, inline_tasks=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()
