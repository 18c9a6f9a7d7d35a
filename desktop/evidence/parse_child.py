"""The child process that parses evidence files (see :mod:`desktop.evidence.isolation`).

Started as ``python -m desktop.evidence.parse_child`` (or, in a frozen build, as the app itself with
:data:`CHILD_FLAG`). It reads pickled requests from stdin and writes pickled answers to stdout, one at a
time, and ends when stdin closes — which is also what happens when the parent dies. On Linux it also asks
the kernel to kill it when the parent goes (``PR_SET_PDEATHSIG``), so a parser stuck in a loop does not
outlive the app. It imports no Qt and nothing of the parent's ``__main__``.
"""

from __future__ import annotations

import os
import pickle
import sys

CHILD_FLAG = "--evidence-desk-parse-child"
TEST_HOOKS_ENV = "EVIDENCE_DESK_PARSE_TEST_HOOKS"  # tests only: lets a request crash or hang the child


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


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
        except Exception as exc:  # reported to the parent as this one file's error
            answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
            stdout.flush()
        except (BrokenPipeError, OSError):
            return 0


if __name__ == "__main__":
    sys.exit(serve())
