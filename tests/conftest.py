"""Shared fixtures. Real parts only: a real SQLite file in a temp folder, real files, real Qt offscreen.

This file runs for every test, also where PySide6 is unimportable (``./dev.sh test-core``): it imports
nothing of Qt or of ``desktop.ui``. Tests under ``tests/ui`` get the ``qt`` marker here; a test elsewhere
that needs Qt (it draws a PDF with QPdfWriter) says so with ``@pytest.mark.qt``. The Qt fixtures are in
``tests/ui/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # without a display, Qt would abort

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    # Started with Ctrl+C ignored (a background job of a non-interactive shell): every child would inherit
    # the ignored SIGINT, and the tests that interrupt ``watch`` or ``import`` with it would wait in vain.
    # A handled signal is reset to the default in a child, so handle it here as Python does by default.
    signal.signal(signal.SIGINT, signal.default_int_handler)

import pytest

REPO = Path(__file__).resolve().parent.parent
UI_TESTS = REPO / "tests" / "ui"
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


@pytest.fixture(scope="session")
def _demo_built_once(tmp_path_factory) -> tuple[Path, Path]:
    """The demo workspace, built once per session (per xdist worker) at ``place`` and moved aside to
    ``template``. The workspace records absolute paths (its watched folder in its settings and its audit
    trail, the evidence paths), so a copy is the same workspace only at the very path it was built at."""
    from desktop.demo import build_demo

    base = tmp_path_factory.mktemp("demo")
    place, template = base / "demo", base / "template"
    build_demo(place)
    place.rename(template)
    return place, template


@pytest.fixture
def demo_root(_demo_built_once) -> Path:
    """A fresh demo workspace, byte for byte what ``build_demo`` made (mtimes kept: the watched files look
    exactly as registered), at the path it was built at; whatever the previous test did to it is gone."""
    place, template = _demo_built_once
    if place.exists():
        shutil.rmtree(place)
    shutil.copytree(template, place, symlinks=True)
    return place


@pytest.fixture
def imported_ws(ws, sample_report):
    from desktop.claims.service import import_report

    import_report(ws.db, path=sample_report)
    return ws


# Tests that assert how long something takes (a refusal in well under a second including a child's start, a
# row within 2 s, a GUI that never stalls, a file settling after 0.3 s appends) or race the watcher or a
# kill -9 (a kill between the commit and the head file's write is reported as head_behind): marked
# ``serial``, so that ``./dev.sh test`` runs them in a pass of their own, not beside another test on the
# other core. A test that times itself is added here, not marked by hand: the serial pass collects only the
# files named here, so a test marked elsewhere would run in neither pass (collection refuses it).
SERIAL = (
    "tests/claims/test_report_ceilings.py::test_the_checks_refuse_in_well_under_a_second",
    "tests/claims/test_report_ceilings.py::test_a_text_report_over_the_size_limit_is_refused_at_once",
    "tests/edges/test_append_settles.py::test_a_file_appended_every_0_3_s_settles_into_one_or_two_versions",
    "tests/evidence/test_isolation.py::test_a_hanging_parser_is_stopped",
    "tests/evidence/test_isolation.py::test_closing_does_not_wait_for_a_parser",
    "tests/evidence/test_watcher.py::test_a_burst_of_files_is_registered_exactly_once",
    "tests/evidence/test_verify_during_ingest.py::test_verify_after_a_real_kill_9_during_ingest",
    "tests/evidence/test_watcher.py::test_polling_mode_registers_within_two_intervals",
    "tests/ui/test_evidence_library.py::test_a_file_closed_in_the_watched_folder_shows_within_2_seconds",
    "tests/ui/test_evidence_library.py::test_progress_state_and_a_responsive_gui_while_ingesting",
)


def pytest_collection_modifyitems(config, items):
    """Every test under tests/ui needs Qt: mark it ``qt`` (``-m "not qt"`` leaves them out). The tests in
    ``SERIAL`` are marked ``serial``."""
    for item in items:
        if UI_TESTS in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt)
        where = Path(str(item.path)).relative_to(REPO).as_posix()
        if where in SERIAL or f"{where}::{item.originalname}" in SERIAL:
            item.add_marker(pytest.mark.serial)
        elif item.get_closest_marker("serial") is not None:
            raise pytest.UsageError(f"{item.nodeid} is marked serial by hand: add it to SERIAL in tests/conftest.py")
