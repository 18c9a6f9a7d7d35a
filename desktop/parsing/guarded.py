"""One untrusted file parsed outside the ingest, under the same ceilings as the ingest: the binder's own
rendering of a .docx / .xlsx / text file (when LibreOffice is absent or fails, :mod:`desktop.exchange.render`)
and the review mode's preview of a workbook or a .docx (:mod:`desktop.review.preview`).

:meth:`GuardedParser.run` makes the checks before opening here (:func:`desktop.parsing.precheck.check_file`:
an Office file's unpacked size, ratio and members, a workbook's used range, an image's pixels — cheap, from
what the file declares), then runs the parse in a parsing child (:class:`desktop.parsing.runner.ChildRunner`)
under the memory limit and the time limit. Whatever goes wrong comes back as a :class:`Refused` carrying
its words (naming the limit and its setting where a limit was hit) — never an exception for a bad file,
never a wait longer than the time limit, never this process's memory. One child serves every file of a
:class:`GuardedParser` (started at the first parse) and is replaced after a crash, a timeout or running
out of memory. :meth:`GuardedParser.close` (from any thread) kills a parse in progress: its
:meth:`~GuardedParser.run` raises :class:`~desktop.parsing.runner.RunnerClosed`.

The function run must be importable by reference (a module-level function) and get the file's path as a
``str`` first and its extension second; what it returns is what :meth:`run` returns.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from desktop.parsing import precheck
from desktop.parsing.limits import LimitExceeded, Limits, current, is_memory_error
from desktop.parsing.runner import ChildRunner, RunnerClosed


@dataclass(frozen=True)
class Refused:
    """A file not parsed. ``code``: a :class:`LimitExceeded` code (``zip_bomb``, ``xlsx_too_large``,
    ``image_too_large`` …), ``memory_limit``, ``extract_timeout``, ``extract_crashed`` (the parser died),
    ``corrupt`` (the parser raised), ``unreadable`` (the disk). ``detail``: the words, for the user."""

    code: str
    detail: str


def refusal(exc: LimitExceeded) -> Refused:
    from desktop.text.limits import limit_detail

    return Refused(exc.code, limit_detail(exc.code, exc.limit, exc.value, exc.allowed))


class GuardedParser:
    """Checks, then the parse in a parsing child under ``limits`` (the workspace's: ``limits.load(db)``;
    else this process's). Thread-safe; one parse at a time."""

    def __init__(self, limits: Limits | None = None, *, timeout: float | None = None,
                 extra_env: dict[str, str] | None = None):
        self.limits = limits or current()
        self.timeout = timeout
        self.extra_env = extra_env
        self._lock = threading.Lock()
        self._runner = ChildRunner(self.limits, timeout=timeout, extra_env=extra_env)

    @property
    def children_started(self) -> int:
        return self._runner.children_started

    def set_limits(self, limits: Limits) -> None:
        """New limits (a setting changed): the next parse runs under them, in a new child."""
        if limits != self.limits:
            self.limits = limits
            with self._lock:
                self._runner.set_limits(limits)
                if self.timeout is not None:
                    self._runner.timeout = float(self.timeout)

    def check(self, path: str | Path, ext: str) -> Refused | None:
        """The checks before opening alone: a refusal, or None when the file may be parsed."""
        try:
            precheck.check_file(Path(path), ext, self.limits)
        except LimitExceeded as exc:
            return refusal(exc)
        except OSError as exc:
            return Refused("unreadable", _words("unreadable", exc.strerror or str(exc)))
        return None

    def run(self, fn: Callable[..., Any], path: str | Path, ext: str, *args: Any,
            cancel: Callable[[], bool] | None = None) -> Any:
        """``fn(str(path), ext, *args)`` under the ceilings: its value, or a :class:`Refused`. With
        ``cancel``, polled while the child parses: when it turns true the child is killed and
        :class:`RunnerClosed` raised."""
        ext = (ext or "").lower().lstrip(".")
        with self._lock:  # taken first: cancel_current() during the checks closes this one, and the call raises
            runner = self._runner
        refused = self.check(path, ext)
        if refused is not None:
            return refused
        if runner.in_process:  # no child can be started here: parse in this process, checked
            return self._in_process(fn, path, ext, args)
        done = threading.Event()
        if cancel is not None:
            threading.Thread(target=self._watch, args=(runner, cancel, done), name="parse-cancel",
                             daemon=True).start()
        try:
            status, value = runner.call(fn, str(path), ext, *args)
        finally:
            done.set()
        if status == "ok":
            return value
        if status == "unavailable":
            return self._in_process(fn, path, ext, args)
        if status == "raised" and isinstance(value, LimitExceeded):
            return refusal(value)
        if status == "memory":
            return Refused("memory_limit", _limit_words("memory_limit", "parse.memory_mb", self.limits.memory_mb))
        if status == "timeout":
            return Refused("extract_timeout", _limit_words("extract_timeout", "parse.timeout_s",
                                                           int(runner.timeout)))
        if status == "crashed":
            return Refused("extract_crashed", _words("extract_crashed", ""))
        if status == "oserror":
            return Refused("unreadable", _words("unreadable", str(value[1] if len(value) > 1 else value)))
        return Refused("corrupt", _words("corrupt", str(value)))

    @staticmethod
    def _watch(runner: ChildRunner, cancel: Callable[[], bool], done: threading.Event) -> None:
        while not done.wait(0.2):
            try:
                stop = cancel()
            except Exception:  # a cancel check that fails cancels nothing
                stop = False
            if stop:
                runner.close()
                return

    def _in_process(self, fn, path, ext, args) -> Any:
        try:
            return fn(str(path), ext, *args)
        except LimitExceeded as exc:
            return refusal(exc)
        except OSError as exc:
            return Refused("unreadable", _words("unreadable", exc.strerror or str(exc)))
        except Exception as exc:
            if is_memory_error(exc):
                return Refused("memory_limit", _limit_words("memory_limit", "parse.memory_mb",
                                                            self.limits.memory_mb))
            return Refused("corrupt", _words("corrupt", f"{type(exc).__name__}: {exc}"))

    def cancel_current(self) -> None:
        """Kill a parse in progress (its :meth:`run` raises :class:`RunnerClosed`); the next parse starts
        a fresh child."""
        with self._lock:
            old, self._runner = self._runner, ChildRunner(self.limits, timeout=self.timeout,
                                                          extra_env=self.extra_env)
        old.close()

    def close(self) -> None:
        """End the child (a parse in progress raises :class:`RunnerClosed`)."""
        with self._lock:
            runner = self._runner
        runner.close()


# What the ingest found, parsing a file in its child under the ceilings, that makes the file unsafe to open
# in the app's own process (where the binder merges PDFs with qpdf and the preview shows them with pdfium):
# its parse crashed, hung, ran out of memory or went over a limit.
UNSAFE_INGEST_ERRORS = frozenset({"extract_crashed", "extract_timeout", "memory_limit", "zip_bomb",
                                  "image_too_large", "too_many_pages", "xlsx_too_large"})


def unsafe_after_ingest(status: str | None, error: str | None, detail: str | None = None) -> str | None:
    """Why the ingest's verdict (an evidence row's ``status``, ``error``, ``error_detail``) makes the file
    unsafe to open in this process, in words; None when it does not."""
    if status != "error" or error not in UNSAFE_INGEST_ERRORS:
        return None
    if detail and "（设置 " in detail:  # names the limit and its setting (desktop.text.limits)
        return detail
    from desktop.text.limits import HEADLINES, REFUSALS

    return REFUSALS.get(error) or HEADLINES.get(error) or error


def _limit_words(code: str, limit: str, allowed: int) -> str:
    from desktop.text.limits import limit_detail

    return limit_detail(code, limit, None, allowed)


def _words(code: str, detail: str) -> str:
    from desktop.text.limits import refusal_detail

    return refusal_detail(code, detail)


__all__ = ["GuardedParser", "Refused", "RunnerClosed", "UNSAFE_INGEST_ERRORS", "refusal", "unsafe_after_ingest"]
