from __future__ import annotations

import pytest


@pytest.fixture
def demo_ws(tmp_path):
    from desktop.demo import build_demo
    from desktop.workspace import Workspace

    root = build_demo(tmp_path / "demo")
    ws = Workspace.open(root, actor="测试员")
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
