"""Text extraction in a child process.

Parsing untrusted files is the riskiest thing EvidenceDesk does: a PDF that sends pdfium into an endless
loop, a crafted image that crashes a decoder, a workbook that eats gigabytes. In a child process such a
file costs one file — it gets the error ``extract_crashed`` / ``extract_timeout`` — and the app goes on.
It also takes the Python-heavy parsing (openpyxl, python-docx) off this process's interpreter lock, so
the GUI thread is not kept waiting behind it during a bulk ingest.

:class:`IsolatedExtractor` is callable like :func:`desktop.evidence.text.extract`. The child is started
on first use (``spawn``: no inherited threads, no Qt) and reused; a crashed or hung child is replaced.
``close()`` ends it (the ingest engine calls it when it stops).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from desktop.evidence import text as textmod
from desktop.evidence import thumbnails

DEFAULT_TIMEOUT = 180.0  # seconds for one file; a 2,000-page PDF takes well under a minute


def _extract_in_child(path: str, ext: str) -> textmod.Extraction:
    return textmod.extract(path, ext)


def _thumbnail_in_child(src: str, ext: str | None, thumbs_dir: str, sha256: str) -> thumbnails.ThumbResult:
    return thumbnails.make_thumbnail(Path(src), ext, Path(thumbs_dir), sha256)


class IsolatedExtractor:
    def __init__(self, timeout: float = DEFAULT_TIMEOUT, workers: int = 1):
        self.timeout = timeout
        self.workers = workers
        self._pool: cf.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.in_process = False  # set when a child cannot be started here: parse in-process instead

    def _get_pool(self) -> cf.ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("extractor closed")
            if self._pool is None:
                self._pool = cf.ProcessPoolExecutor(max_workers=self.workers,
                                                    mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def _discard(self, pool: cf.ProcessPoolExecutor, kill: bool) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if kill:  # a hung child does not end by itself
            for proc in list(getattr(pool, "_processes", {}).values()):
                try:
                    proc.kill()
                except (OSError, AttributeError):
                    pass
        pool.shutdown(wait=True, cancel_futures=True)

    def __call__(self, path: str | os.PathLike[str], ext: str | None = None) -> textmod.Extraction:
        ext = (ext or Path(path).suffix.lstrip(".")).lower()
        if self.in_process:
            return textmod.extract(path, ext)
        pool = self._get_pool()
        try:
            try:
                future = pool.submit(_extract_in_child, str(path), ext)
            except BrokenProcessPool:
                self._discard(pool, kill=True)
                pool = self._get_pool()
                future = pool.submit(_extract_in_child, str(path), ext)
        except (RuntimeError, OSError):
            # No child here: a script without the ``if __name__ == "__main__"`` guard, or no process
            # slots left. Parsing in-process loses the isolation, not the file.
            self.in_process = True
            self._discard(pool, kill=True)
            return textmod.extract(path, ext)
        try:
            return future.result(timeout=self.timeout)
        except cf.TimeoutError:
            self._discard(pool, kill=True)
            return textmod.Extraction("error", error="extract_timeout",
                                      detail=f"no result after {self.timeout:.0f} s")
        except BrokenProcessPool as exc:
            self._discard(pool, kill=False)
            return textmod.Extraction("error", error="extract_crashed", detail=str(exc) or "child process died")

    def thumbnail(self, src: Path, ext: str | None, thumbs_dir: Path, sha256: str) -> thumbnails.ThumbResult:
        """A thumbnail made in the child as well (decoding images and rendering PDF pages are parsing too)."""
        if self.in_process:
            return thumbnails.make_thumbnail(src, ext, thumbs_dir, sha256)
        try:
            pool = self._get_pool()
            future = pool.submit(_thumbnail_in_child, str(src), ext, str(thumbs_dir), sha256)
        except (RuntimeError, OSError, BrokenProcessPool):
            self.in_process = True
            return thumbnails.make_thumbnail(src, ext, thumbs_dir, sha256)
        try:
            return future.result(timeout=self.timeout)
        except cf.TimeoutError:
            self._discard(pool, kill=True)
            return thumbnails.ThumbResult("error", error="extract_timeout")
        except BrokenProcessPool:
            self._discard(pool, kill=False)
            return thumbnails.ThumbResult("error", error="extract_crashed")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
