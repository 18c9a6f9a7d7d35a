"""Parsing in a child process: a crash or a hang costs one file, never the app, and no child outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.evidence.isolation import ExtractorClosed, IsolatedExtractor
from desktop.parsing.child import NO_PDEATHSIG_ENV, TEST_HOOKS_ENV

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "samples" / "evidence"
SLIP = DEMO / "指标3.1_追回待遇_银行回单.pdf"


@pytest.fixture
def extractor():
    ex = IsolatedExtractor(timeout=60, extra_env={TEST_HOOKS_ENV: "1"})
    yield ex
    ex.close()


def test_extracts_in_a_child_like_in_process(extractor, tmp_path):
    ex = extractor(DEMO / "疑点数据核查台账2024.xlsx", "xlsx")
    assert ex.status == "done"
    assert any(n.value == Decimal("21099") and n.locator == "台账!D12" for n in ex.numbers)
    assert extractor._child.proc.pid != os.getpid()
    thumb = extractor.thumbnail(DEMO / "镇村通服务网点现场照片.jpg", "jpg", tmp_path / "thumbs", "ab" * 32)
    assert thumb.status == "made" and thumb.path.is_file()


def test_a_crashing_parser_costs_one_file(extractor):
    assert extractor.ask_raw("abort") == ("crashed", None)
    again = extractor(SLIP, "pdf")  # a new child takes the next file
    assert again.status == "done" and again.numbers
    assert extractor.children_started == 2


def test_a_hanging_parser_is_stopped():
    ex = IsolatedExtractor(timeout=1.5, extra_env={TEST_HOOKS_ENV: "1"})
    try:
        started = time.monotonic()
        assert ex.ask_raw("hang") == ("timeout", None)
        assert time.monotonic() - started < 10
        assert ex(SLIP, "pdf").status == "done"
    finally:
        ex.close()


def test_closing_does_not_wait_for_a_parser(extractor):
    import threading

    got = []
    t = threading.Thread(target=lambda: got.append(_catch(lambda: extractor.ask_raw("hang"))))
    t.start()
    deadline = time.monotonic() + 10
    while extractor._child is None and time.monotonic() < deadline:  # the request has started a child
        time.sleep(0.01)
    started = time.monotonic()
    extractor.close()
    t.join(10)
    assert time.monotonic() - started < 5
    assert got == ["closed"]


def _catch(fn):
    try:
        return fn()
    except ExtractorClosed:
        return "closed"


@pytest.mark.parametrize("how", ["pdeathsig", "watchdog"])
def test_no_child_outlives_a_killed_parent(tmp_path, how):
    """kill -9 of the app: its parsing child goes too (even one stuck in a parser) — through the kernel on
    Linux, through the child's own watchdog thread where there is no PR_SET_PDEATHSIG (macOS, Windows)."""
    env = {TEST_HOOKS_ENV: "1"}
    if how == "watchdog":
        env[NO_PDEATHSIG_ENV] = "1"
    script = textwrap.dedent(
        f"""
        import sys, threading
        sys.path.insert(0, {str(REPO)!r})
        from desktop.evidence.isolation import IsolatedExtractor
        ex = IsolatedExtractor(timeout=600, extra_env={env!r})
        ex(__import__("pathlib").Path({str(SLIP)!r}), "pdf")  # starts the child
        print(ex._child.proc.pid, flush=True)
        ex.ask_raw("hang")
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child_pid = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child_pid):
        time.sleep(0.1)
    assert not _alive(child_pid)


def test_a_script_without_a_main_guard_is_not_run_again(tmp_path):
    marker = tmp_path / "runs.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        open({str(marker)!r}, "a").write("run\\n")
        from desktop.evidence.isolation import IsolatedExtractor
        ex = IsolatedExtractor()
        print(ex(__import__("pathlib").Path({str(SLIP)!r}), "pdf").status)
        ex.close()
        """
    ), encoding="utf-8")
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "done", res.stderr
    assert marker.read_text() == "run\n"  # the child never imported the parent's script


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_disk_error_in_the_child_is_raised_here(tmp_path):
    """A thumbnail that cannot be written (full disk, no permission) is an OSError in the parent, as it was
    in-process, so the pipeline retries it instead of settling for "thumb_failed"."""
    ex = IsolatedExtractor(timeout=60)
    try:
        not_a_folder = tmp_path / "thumbs"
        not_a_folder.write_bytes(b"")  # thumbnails go "into" a file: the write fails with an OSError
        with pytest.raises(OSError):
            ex.thumbnail(DEMO / "镇村通服务网点现场照片.jpg", "jpg", not_a_folder, "ab" * 32)
    finally:
        ex.close()
