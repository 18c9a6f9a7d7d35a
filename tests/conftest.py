"""Shared fixtures. Real parts only: a real SQLite file in a temp folder, real files, real Qt offscreen."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # without a display, Qt would abort

import pytest

import desktop.ui  # noqa: F401,E402 - arms the refcount guard before any test touches Qt

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "resources" / "samples"
SAMPLE_REPORT = SAMPLES / "zhanjiang-shebao-2024-self-evaluation.txt"
SAMPLE_GOLD = SAMPLES / "zhanjiang-shebao-2024-self-evaluation.gold.jsonl"


@pytest.fixture(autouse=True)
def _user_data_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own user data folder (config, demo workspace)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("EVIDENCE_DESK_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    """Fail a test that leaves a thread running (watchers, executors)."""
    before = set(threading.enumerate())
    yield
    deadline = 50
    leaked = []
    for _ in range(deadline):
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
        if not leaked:
            break
        threading.Event().wait(0.1)
    assert not leaked, f"threads left running: {leaked}"


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
    import gc

    if not gc.isenabled():
        from desktop.ui.gui_gc import collect_due

        collect_due()


@pytest.fixture(autouse=True)
def _restore_switch_interval():
    """A window's ingest bridge shortens the interpreter's switch interval for the rest of the process
    (right for the app); a test must not hand that on to the next one, whose timing would then depend on
    whether a window was made before it."""
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def sample_report() -> Path:
    return SAMPLE_REPORT


@pytest.fixture
def ws(tmp_path):
    from desktop.workspace import Workspace

    w = Workspace.create(tmp_path / "ws", actor="测试员")
    yield w
    w.close()


@pytest.fixture
def imported_ws(ws, sample_report):
    from desktop.claims.service import import_report

    import_report(ws.db, path=sample_report)
    return ws
