"""Running a parse in the child process (:mod:`desktop.parsing.child`), under the ceilings.

Parsing untrusted files is the riskiest thing EvidenceDesk does: a PDF that sends pdfium into an endless
loop, a crafted image that crashes a decoder, a workbook that eats gigabytes. In a child process such a
file costs one file and the app goes on. The child is our own small server, started with
``python -m desktop.parsing.child`` — not ``multiprocessing``, which would import the parent's
``__main__`` in the child (running an unguarded script twice) and leave children behind when the parent
is killed. Requests and answers are pickled over the child's stdin and stdout, one at a time. The child
ends when its stdin closes or the parent dies; a crashed, hung or out-of-memory child is replaced by a
new one for the next request.

The answers are unpickled here. That is not a boundary to defend: a file cannot choose what the child
answers (our code builds the answer from what the parser returned), and a child compromised by a file
already runs as the same user, unsandboxed. A schema'd JSON answer is worth it once the child is
sandboxed (docs/performance.md, "The binder and the review preview under the same ceilings").

The limits (:class:`~desktop.parsing.limits.Limits`) are given to a child once, in its environment, when
it starts — never per file, so a file costs no extra set-up. The time limit is kept here: a child that
does not answer within ``limits.timeout_s`` is killed.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path

from desktop.parsing.child import CHILD_FLAG
from desktop.parsing.limits import LIMITS_ENV, Limits

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
WINDOWS_CONSOLE_EXE = "evidence-desk.exe"  # the Windows bundle's console twin of EvidenceDesk.exe
log = logging.getLogger("evidence_desk.parse_child")


def child_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller build: the app itself serves as the child
        exe = Path(sys.executable)
        console = exe.with_name(WINDOWS_CONSOLE_EXE)
        if sys.platform == "win32" and console.is_file():  # the windowed GUI has no standard streams
            exe = console
        return [str(exe), CHILD_FLAG]
    return [sys.executable, "-m", "desktop.parsing.child"]


class _Child:
    """One running child: a process, its pipes, and a reader thread turning answers into a queue."""

    def __init__(self, extra_env: dict[str, str] | None = None, limits: Limits | None = None):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        env.pop("QT_QPA_PLATFORM", None)
        self.limits = limits or Limits()
        env[LIMITS_ENV] = self.limits.to_env()
        env.update(extra_env or {})
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        command = child_command()
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, creationflags=flags)
        log.info("parser child %d started: %s", self.proc.pid, " ".join(command))
        self.answers: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, name="parse-child-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            try:
                self.answers.put(pickle.load(out))
            except Exception:  # EOF (the child ended or died) or a torn answer
                self.answers.put(None)
                try:
                    out.close()
                except OSError:
                    pass
                return

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ask(self, kind: str, args: tuple, timeout: float):
        """The answer, or raises TimeoutError (child hung) / EOFError (child died)."""
        try:
            pickle.dump((kind, args), self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.proc.stdin.flush()
        except (OSError, ValueError) as exc:  # ValueError: close() closed the pipe a moment ago
            raise EOFError("child gone") from exc
        try:
            answer = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        if answer is None:
            raise EOFError("child died")
        return answer

    def stop(self, kill: bool = False) -> None:
        """End the child. Never blocks for long: a child that cannot even be reaped (stuck in the kernel
        on a stalled share) is left to the OS. Its stdout is closed by the reader thread at end of file,
        not here — closing a pipe another thread is reading waits for that read."""
        try:
            self.proc.stdin.close()  # the child ends at EOF
        except (OSError, ValueError):
            pass
        try:
            if not kill:
                try:
                    self.proc.wait(2)
                    return
                except subprocess.TimeoutExpired:
                    pass
            self.proc.kill()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass


class RunnerClosed(RuntimeError):
    """The runner was closed while a file was being parsed: leave that file for the next run."""


class ChildRunner:
    """Runs functions in a parsing child under ``limits``. Thread-safe (one request at a time goes to
    the child); the child is started on the first request and replaced after a crash, a timeout or
    running out of memory."""

    def __init__(self, limits: Limits | None = None, *, timeout: float | None = None,
                 extra_env: dict[str, str] | None = None):
        self.limits = limits or Limits()
        self.timeout = float(timeout if timeout is not None else self.limits.timeout_s)
        self.extra_env = extra_env
        self._child: _Child | None = None
        self._lock = threading.Lock()
        self._state = threading.Lock()
        self._closed = False
        self.in_process = False  # set when no child can be started here: parse in-process instead
        self.children_started = 0

    def _request(self, kind: str, args: tuple):
        """("ok", value) / ("error", text) / ("raised", exception) / ("oserror", args) /
        ("memory", detail) from the child, or ("crashed"|"timeout"|"unavailable", None)."""
        with self._lock:  # one request at a time
            with self._state:  # close() may run at any moment: never start a child it cannot see
                if self._closed:
                    raise RunnerClosed()
                if self._child is not None and (not self._child.alive() or self._child.limits != self.limits):
                    # ended between requests (Linux ends it with the thread that started it), or started
                    # under limits since changed (set_limits): a new one
                    old, self._child = self._child, None
                    old.stop(kill=True)
                if self._child is None:
                    try:
                        self._child = _Child(self.extra_env, self.limits)
                        self.children_started += 1
                    except OSError as exc:
                        log.warning("no parser child (%s): parsing in this process", exc)
                        self.in_process = True
                        return ("unavailable", None)
                child = self._child
            try:
                answer = child.ask(kind, args, self.timeout)
            except TimeoutError:
                self._forget(child)
                return ("timeout", None)
            except EOFError:
                self._forget(child)
                if self._closed:  # close() ended the child under us: not this file's fault
                    raise RunnerClosed() from None
                return ("crashed", None)
            except BaseException:  # Ctrl+C while waiting: the child's work is abandoned with it
                self._forget(child)
                raise
            if answer[0] == "memory":  # the child ends itself after this answer
                self._forget(child)
            return answer

    def set_limits(self, limits: Limits) -> None:
        """New limits (the settings changed): the child in use finishes its file; the next starts anew."""
        self.limits = limits
        self.timeout = float(limits.timeout_s)

    def call(self, fn, *args):
        """Run ``fn(*args)`` in the child; the answer as :meth:`_request` gives it."""
        return self._request("call", (fn, args))

    def _forget(self, child: _Child) -> None:
        with self._state:
            if self._child is child:
                self._child = None
        child.stop(kill=True)

    def ask_raw(self, kind: str, args: tuple = ()):
        """Tests: any request (with the test hooks on, ``abort``, ``hang`` and ``eat``)."""
        return self._request(kind, args)

    def close(self) -> None:
        """End the child now. A request in progress raises :class:`RunnerClosed` (its file is left for
        the next run), so stopping never waits for a slow or hung parser."""
        with self._state:
            self._closed = True
            child, self._child = self._child, None
        if child is not None:
            child.stop(kill=True)


__all__ = ["ChildRunner", "RunnerClosed", "child_command"]
