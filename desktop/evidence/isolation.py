"""Text extraction and thumbnails in a child process, under the parsing ceilings.

The child and its limits are :mod:`desktop.parsing` (reports at import use the same); this module says
what an evidence file's outcome is when the child could not give one: ``extract_crashed``,
``extract_timeout`` (解析超时, after ``parse.timeout_s`` seconds), ``memory_limit`` (超出内存上限, the
child stopped at ``parse.memory_mb``). A file refused by the checks before opening gets its own code from
:mod:`desktop.evidence.text` (``zip_bomb`` …). Either way it costs that one file; the next file gets a
fresh child when the last one had to go.
"""

from __future__ import annotations

import os
from pathlib import Path

from desktop.evidence import text as textmod
from desktop.evidence import thumbnails
from desktop.parsing.limits import LimitExceeded, Limits
from desktop.parsing.runner import ChildRunner, RunnerClosed, child_command

DEFAULT_TIMEOUT = float(Limits().timeout_s)  # seconds for one file; a 2,000-page PDF takes well under a minute
ExtractorClosed = RunnerClosed  # the extractor was closed while a file was being parsed


def _memory_detail(limits: Limits) -> str:
    from desktop.text.limits import limit_detail

    return limit_detail("memory_limit", "parse.memory_mb", None, limits.memory_mb)


def _timeout_detail(seconds: float) -> str:
    from desktop.text.limits import limit_detail

    return limit_detail("extract_timeout", "parse.timeout_s", None, int(seconds))


class IsolatedExtractor(ChildRunner):
    """Callable like :func:`desktop.evidence.text.extract`; also makes thumbnails. Thread-safe (one
    request at a time goes to the child)."""

    def __init__(self, timeout: float | None = None, extra_env: dict[str, str] | None = None,
                 limits: Limits | None = None):
        super().__init__(limits, timeout=timeout, extra_env=extra_env)

    def __call__(self, path: str | os.PathLike[str], ext: str | None = None) -> textmod.Extraction:
        ext = (ext or Path(path).suffix.lstrip(".")).lower()
        if self.in_process:
            return textmod.extract(path, ext)
        status, value = self.call(textmod.extract, str(path), ext)
        if status == "ok":
            return value
        if status == "oserror":  # as in-process: the pipeline records it with its usual words
            raise OSError(*value)
        if status == "unavailable":
            return textmod.extract(path, ext)
        if status == "timeout":
            return textmod.Extraction("error", error="extract_timeout", detail=_timeout_detail(self.timeout))
        if status == "memory":
            return textmod.Extraction("error", error="memory_limit", detail=_memory_detail(self.limits))
        if status == "crashed":
            return textmod.Extraction("error", error="extract_crashed", detail="the parsing process died")
        if status == "raised" and isinstance(value, LimitExceeded):
            return textmod.refused(value)
        return textmod.Extraction("error", error="index_failed", detail=str(value))

    def thumbnail(self, src: Path, ext: str | None, thumbs_dir: Path, sha256: str) -> thumbnails.ThumbResult:
        """A thumbnail made in the child as well (decoding images and rendering PDF pages are parsing too)."""
        if self.in_process:
            return thumbnails.make_thumbnail(src, ext, thumbs_dir, sha256)
        status, value = self.call(thumbnails.make_thumbnail, Path(src), ext, Path(thumbs_dir), sha256)
        if status == "ok":
            return value
        if status == "oserror":  # the disk, not the file: the pipeline retries it as it did in-process
            raise OSError(*value)
        if status == "unavailable":
            return thumbnails.make_thumbnail(src, ext, thumbs_dir, sha256)
        if status in ("timeout", "crashed"):
            return thumbnails.ThumbResult("error", error=f"extract_{status}")
        if status == "memory":
            return thumbnails.ThumbResult("error", error="memory_limit")
        return thumbnails.ThumbResult("error", error="thumb_failed", detail=str(value))


__all__ = ["DEFAULT_TIMEOUT", "ExtractorClosed", "IsolatedExtractor", "child_command"]
