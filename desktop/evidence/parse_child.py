"""The child process that parses evidence files (see :mod:`desktop.evidence.isolation`).

Started as ``python -m desktop.evidence.parse_child`` (or, in a frozen build, as the app itself with
:data:`CHILD_FLAG`). It reads pickled requests from stdin and writes pickled answers to stdout, one at a
time, and ends when stdin closes — which is also what happens when the parent dies. So that a parser stuck
in a loop does not outlive the app either, Linux kills it with the parent (``PR_SET_PDEATHSIG``); elsewhere
a watchdog thread ends it when the parent is gone. It imports no Qt and nothing of the parent's ``__main__``.
"""

from __future__ import annotations

import os
import pickle
import sys

CHILD_FLAG = "--evidence-desk-parse-child"
TEST_HOOKS_ENV = "EVIDENCE_DESK_PARSE_TEST_HOOKS"  # tests only: lets a request crash or hang the child
NO_PDEATHSIG_ENV = "EVIDENCE_DESK_PARSE_NO_PDEATHSIG"  # tests only (with the hooks): the macOS/Windows path


def _die_with_parent() -> None:
    """End this process when the parent dies, even in the middle of a parser that never returns."""
    testing_watchdog = os.environ.get(TEST_HOOKS_ENV) == "1" and os.environ.get(NO_PDEATHSIG_ENV) == "1"
    if sys.platform.startswith("linux") and not testing_watchdog:
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            return
        except (OSError, AttributeError):
            pass
    import threading

    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x00100000, False, parent)  # SYNCHRONIZE
        if handle:
            kernel32.WaitForSingleObject(handle, 0xFFFFFFFF)  # INFINITE: returns when the parent has ended
            os._exit(0)
        return
    import time

    while os.getppid() == parent:  # POSIX: an orphan is adopted by another process
        time.sleep(1.0)
    os._exit(0)


def _handle(kind: str, args: tuple):
    if kind == "extract":
        from desktop.evidence import text

        return text.extract(*args)
    if kind == "thumbnail":
        from pathlib import Path

        from desktop.evidence import thumbnails

        src, ext, thumbs_dir, sha256 = args
        return thumbnails.make_thumbnail(Path(src), ext, Path(thumbs_dir), sha256)
    if os.environ.get(TEST_HOOKS_ENV) == "1":
        if kind == "abort":
            os.abort()  # what a parser's segmentation fault does
        if kind == "hang":
            import time

            time.sleep(3600)
    raise ValueError(f"unknown request {kind!r}")


def serve(stdin=None, stdout=None) -> int:
    _die_with_parent()
    stdin = stdin or sys.stdin.buffer
    if stdout is None:
        # The answers own file descriptor 1: anything a library prints (Python or C) goes to stderr.
        stdout = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    parent = os.getppid()
    while True:
        try:
            kind, args = pickle.load(stdin)
        except (EOFError, pickle.UnpicklingError, OSError):
            return 0  # the parent closed the pipe or is gone
        if os.getppid() != parent:
            return 0
        try:
            answer = ("ok", _handle(kind, args))
        except OSError as exc:  # a full disk, a locked or unreadable file: the parent decides on a retry
            answer = ("oserror", (exc.errno, exc.strerror or str(exc), exc.filename))
        except Exception as exc:  # reported to the parent as this one file's error
            answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
            stdout.flush()
        except (BrokenPipeError, OSError):
            return 0


if __name__ == "__main__":
    sys.exit(serve())
