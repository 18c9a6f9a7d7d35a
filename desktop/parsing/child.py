"""The child process that parses untrusted files (see :mod:`desktop.parsing.runner`): evidence for the
ingest engine, reports at import.

Started as ``python -m desktop.parsing.child`` (or, in a frozen build, as the app itself with
:data:`CHILD_FLAG`). It reads pickled requests from stdin and writes pickled answers to stdout, one at a
time, and ends when stdin closes — which is also what happens when the parent dies. So that a parser stuck
in a loop does not outlive the app either, Linux kills it with the parent (``PR_SET_PDEATHSIG``); elsewhere
a watchdog thread ends it when the parent is gone. It imports no Qt and nothing of the parent's ``__main__``.

A request is ``("call", (function, args))``: the function travels by reference (its module and name), so
this module needs to import neither the evidence nor the claims code. The ceilings are set once, when the
child starts (:func:`apply_limits`): the memory limit as ``RLIMIT_AS`` on POSIX (on Windows it is not
enforced: there the checks before opening, the time limit and the caps on extracted numbers and text
hold the line); the time limit is the parent's (it kills a child that does not answer in time). A parse
that runs out of memory is answered ``("memory", detail)`` and the child then ends, so the next file gets
a fresh process. Ctrl+C in a terminal reaches the whole process group: the child ignores it and leaves
the decision to the parent.
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


def apply_limits() -> None:
    """The ceilings of this process, once: the limits from the environment, the memory limit as the
    address-space limit (POSIX), Ctrl+C left to the parent."""
    from desktop.parsing import limits as limitsmod

    lim = limitsmod.Limits.from_env(os.environ.get(limitsmod.LIMITS_ENV))
    limitsmod.set_current(lim)
    try:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        pass
    if sys.platform != "win32":
        try:
            import resource

            cap = lim.memory_mb * 1024 * 1024
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (ImportError, ValueError, OSError):  # macOS may refuse it: the other ceilings still hold
            pass


def _handle(kind: str, args: tuple):
    if kind == "call":
        fn, fargs = args
        return fn(*fargs)
    if os.environ.get(TEST_HOOKS_ENV) == "1":
        if kind == "abort":
            os.abort()  # what a parser's segmentation fault does
        if kind == "hang":
            import time

            time.sleep(3600)
        if kind == "eat":  # allocate until the ceiling stops it
            hoard = []
            while True:
                hoard.append(bytearray(64 << 20))
    raise ValueError(f"unknown request {kind!r}")


def serve(stdin=None, stdout=None) -> int:
    _die_with_parent()
    apply_limits()
    from desktop.parsing.limits import is_memory_error, memory_failed, reset_memory_failure

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
        reset_memory_failure()
        try:
            answer = ("ok", _handle(kind, args))
        except MemoryError as exc:
            answer = ("memory", f"MemoryError: {exc}")
        except OSError as exc:  # a full disk, a locked or unreadable file: the parent decides on a retry
            answer = ("oserror", (exc.errno, exc.strerror or str(exc), exc.filename))
        except Exception as exc:  # reported to the parent as this one file's error
            if is_memory_error(exc):
                answer = ("memory", f"{type(exc).__name__}: {exc}")
            elif hasattr(exc, "__reduce__") and type(exc).__module__.startswith("desktop."):
                answer = ("raised", exc)  # our own errors (a refusal naming its limit) travel whole
            else:
                answer = ("error", f"{type(exc).__name__}: {exc}")
        if answer[0] == "ok" and memory_failed():
            answer = ("memory", "a parser ran out of memory")
        try:
            try:
                pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                pickle.dump(("memory", "the answer did not fit in memory"), stdout, protocol=pickle.HIGHEST_PROTOCOL)
                answer = ("memory", None)
            stdout.flush()
        except (BrokenPipeError, OSError):
            return 0
        except Exception as exc:  # an answer that cannot be pickled
            pickle.dump(("error", f"{type(exc).__name__}: {exc}"), stdout, protocol=pickle.HIGHEST_PROTOCOL)
            stdout.flush()
        if answer[0] == "memory":
            return 0  # a heap that hit its ceiling parses nothing more: the parent starts a fresh child


if __name__ == "__main__":
    sys.exit(serve())
