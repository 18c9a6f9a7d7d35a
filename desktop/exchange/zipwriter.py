"""Writing an exchange zip in one forward pass: every member hashed as it is written, and the whole file
hashed as it goes, so that nothing is read twice.

``zipfile`` writes a member's local header with a zero CRC, then the data, then seeks back to fill the
header in. Here each member's CRC-32 (and SHA-256, and for deflated members the compressed bytes) is
known *before* its header is written: a member up to :data:`WHOLE` bytes is read in one piece; a larger
one is read twice (first for its CRC-32 and SHA-256, then copied, its CRC-32 checked again). The file is
then written strictly front to back, which lets :class:`_HashedFile` compute the package's own SHA-256 on
the way, and a background thread push the written data to the disk while the rest is still being copied
(the final fsync before the rename then has little left to do).

``zipfile`` itself still lays out every header (``ZipInfo.FileHeader``) and writes the central directory
and the ZIP64 records on close; this module only tells it where each member starts, as
``ZipFile.mkdir`` does.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import tempfile
import threading
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable

from desktop.exchange.cancel import ExportCancelled

UTF8_FLAG = 0x800
#: a member up to this size is read (and hashed, and written) in one piece; the cancel is polled between
#: pieces, so at most this much is copied after 取消
WHOLE = 8 << 20
#: the piece size for larger members
PIECE = 8 << 20
#: written data is pushed to the disk (by a background thread) every this many bytes
FLUSH_EVERY = 32 << 20
#: writes smaller than this are gathered before they reach the file (headers, the central directory)
SMALL = 64 << 10

Cancel = Callable[[], bool]


class _Utf8ZipInfo(zipfile.ZipInfo):
    """Sets the UTF-8 flag on every name, ASCII ones too (zipfile sets it only on non-ASCII names)."""

    __slots__ = ()

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own name
        return self.filename.encode("utf-8"), self.flag_bits | UTF8_FLAG


class _Flusher(threading.Thread):
    """Pushes what has been written so far to the disk when asked, off the copying thread."""

    def __init__(self, fd: int):
        super().__init__(name="export-flush", daemon=True)
        self.fd = fd
        self.wake = threading.Event()
        self.stopping = False
        self.error: OSError | None = None

    def run(self) -> None:
        sync = getattr(os, "fdatasync", os.fsync)
        while True:
            self.wake.wait()
            self.wake.clear()
            if self.stopping:
                return
            try:
                sync(self.fd)
            except OSError as exc:  # reported by the final fsync (which will fail the same way)
                self.error = exc
                return

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.join()


class _HashedFile:
    """The zip's file, written front to back: every byte hashed in order (``sha256``); small writes
    gathered; data flushed to the disk in the background. A seek anywhere but the end (which this
    module's writer never asks for) makes the hash unknown (``None``): the caller then reads the file."""

    def __init__(self, path: Path):
        self.raw = open(path, "xb", buffering=0)
        self.name = str(path)
        self.pos = 0
        self.hash: Any = hashlib.sha256()
        self.small = bytearray()
        self.unflushed = 0
        self.flusher: _Flusher | None = None

    # the file-object protocol zipfile uses
    def write(self, data) -> int:
        n = len(data)
        if n < SMALL:
            self.small += data
            if len(self.small) >= SMALL:
                self._drain()
        else:
            self._drain()
            self._put(data)
        self.pos += n
        return n

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        target = offset if whence == 0 else self.pos + offset if whence == 1 else None
        if target != self.pos:
            self._drain()
            self.hash = None
            self.pos = self.raw.seek(offset, whence)
        return self.pos

    def seekable(self) -> bool:
        return True

    def flush(self) -> None:
        self._drain()

    # ---
    def _put(self, data) -> None:
        if self.hash is not None:
            self.hash.update(data)
        view = memoryview(data)
        while view:
            written = self.raw.write(view)
            view = view[written:]
        self.unflushed += len(data)
        if self.unflushed >= FLUSH_EVERY:
            self.background_flush()

    def _drain(self) -> None:
        if self.small:
            data = bytes(self.small)
            self.small.clear()
            self._put(data)

    def background_flush(self) -> None:
        """Start pushing what is written so far to the disk (returns at once)."""
        self.unflushed = 0
        if self.flusher is None:
            self.flusher = _Flusher(self.raw.fileno())
            self.flusher.start()
        self.flusher.wake.set()

    def sha256(self) -> str | None:
        return self.hash.hexdigest() if self.hash is not None else None

    def finish(self) -> None:
        """Everything to the disk (fsync), then close."""
        try:
            self._drain()
            self._stop_flusher()
            os.fsync(self.raw.fileno())
        finally:
            self.raw.close()

    def _stop_flusher(self) -> None:
        if self.flusher is not None:
            flusher, self.flusher = self.flusher, None
            flusher.stop()
            if flusher.error is not None:
                raise flusher.error

    def abort(self) -> None:
        try:
            self._stop_flusher()
        except OSError:
            pass
        self.raw.close()


class ZipWriter:
    """Members streamed into a new zip file, each hashed as it is written; UTF-8 flag on every name.

    ``add_file`` / ``add_bytes`` return and record ``{"path", "size", "sha256"}`` (``members``);
    ``close`` writes the central directory, fsyncs and closes; ``sha256`` is then the file's own SHA-256.
    """

    def __init__(self, path: Path, when: _dt.datetime, cancel: Cancel | None):
        self.path = Path(path)
        self.out = _HashedFile(self.path)
        try:
            self.zf = zipfile.ZipFile(self.out, "w", allowZip64=True)
        except BaseException:
            self.out.abort()
            raise
        self.date_time = when.timetuple()[:6]
        self.cancel = cancel
        self.members: list[dict[str, Any]] = []
        self.sha256: str | None = None
        self._closed = False

    def _info(self, name: str, compress: int) -> zipfile.ZipInfo:
        info = _Utf8ZipInfo(name, self.date_time)
        info.compress_type = compress
        info.flag_bits |= UTF8_FLAG
        info.external_attr = (0o100644 << 16)  # a regular file, rw-r--r--
        return info

    def _check_cancel(self) -> None:
        if self.cancel and self.cancel():
            raise ExportCancelled()

    def _begin(self, name: str, compress: int, crc: int, size: int, stored_size: int) -> None:
        """Write a member's local header, its CRC and sizes known; its data follows."""
        if name in self.zf.NameToInfo:
            raise ValueError(f"duplicate member {name!r}")
        info = self._info(name, compress)
        info.CRC = crc
        info.file_size = size
        info.compress_size = stored_size
        info.header_offset = self.out.tell()
        self.zf.filelist.append(info)
        self.zf.NameToInfo[name] = info
        self.out.write(info.FileHeader(None))  # ZIP64 extra field when a size needs it

    def _end(self, name: str, size: int, sha256: str) -> dict[str, Any]:
        self.zf.start_dir = self.out.tell()  # where the next member (or the central directory) goes
        member = {"path": name, "size": size, "sha256": sha256}
        self.members.append(member)
        return member

    def add_file(self, name: str, src: Path, *, compress: int = zipfile.ZIP_STORED,
                 on_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
        """``src`` as member ``name``. ``on_chunk(n)``: n more bytes of it are done (they add up to its size)."""
        with open(src, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if compress != zipfile.ZIP_STORED:
                return self._add_deflated(name, f, on_chunk)
            if size <= WHOLE:
                self._check_cancel()
                data = f.read(size + 1)
                return self._add_stored_bytes(name, data, on_chunk)
            return self._add_stored_large(name, f, on_chunk)

    def add_bytes(self, name: str, data: bytes, *, compress: int = zipfile.ZIP_DEFLATED) -> dict[str, Any]:
        if compress != zipfile.ZIP_STORED:
            from io import BytesIO

            return self._add_deflated(name, BytesIO(data), None)
        return self._add_stored_bytes(name, data, None)

    def _add_stored_bytes(self, name: str, data: bytes, on_chunk) -> dict[str, Any]:
        crc = zlib.crc32(data)
        sha = hashlib.sha256(data).hexdigest()
        self._begin(name, zipfile.ZIP_STORED, crc, len(data), len(data))
        self.out.write(data)
        if on_chunk:
            on_chunk(len(data))
        return self._end(name, len(data), sha)

    def _add_stored_large(self, name: str, f, on_chunk) -> dict[str, Any]:
        # first pass: CRC-32 and SHA-256 (half the progress), then the copy (the other half)
        h = hashlib.sha256()
        crc = 0
        size = 0
        while True:
            self._check_cancel()
            piece = f.read(PIECE)
            if not piece:
                break
            crc = zlib.crc32(piece, crc)
            h.update(piece)
            size += len(piece)
            if on_chunk:
                on_chunk(len(piece) // 2)
        f.seek(0)
        self._begin(name, zipfile.ZIP_STORED, crc, size, size)
        again = 0
        copied = 0
        while copied < size:
            self._check_cancel()
            piece = f.read(min(PIECE, size - copied))
            if not piece:
                break
            again = zlib.crc32(piece, again)
            self.out.write(piece)
            copied += len(piece)
            if on_chunk:
                on_chunk(len(piece) - len(piece) // 2)
        if copied != size or again != crc or f.read(1):
            # the file changed between the two passes: the member would not be what was hashed
            raise OSError(f"{name}: the source changed while it was being copied")
        return self._end(name, size, h.hexdigest())

    def _add_deflated(self, name: str, f, on_chunk) -> dict[str, Any]:
        """Compressed into memory (or, past :data:`WHOLE`, a temporary file beside the zip) first: the header
        needs the compressed size."""
        h = hashlib.sha256()
        crc = 0
        size = 0
        comp = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        with tempfile.SpooledTemporaryFile(max_size=WHOLE, dir=self.path.parent) as spool:
            while True:
                self._check_cancel()
                piece = f.read(PIECE)
                if not piece:
                    break
                crc = zlib.crc32(piece, crc)
                h.update(piece)
                size += len(piece)
                spool.write(comp.compress(piece))
                if on_chunk:
                    on_chunk(len(piece))
            spool.write(comp.flush())
            stored = spool.tell()
            spool.seek(0)
            self._begin(name, zipfile.ZIP_DEFLATED, crc, size, stored)
            while piece := spool.read(PIECE):
                self.out.write(piece)
        return self._end(name, size, h.hexdigest())

    def sync(self) -> None:
        """Start pushing what is written so far to the disk (in the background; ``close`` waits for it)."""
        self.out.flush()
        self.out.background_flush()

    def close(self) -> None:
        """The central directory, then everything to the disk; ``sha256`` is then the file's SHA-256."""
        if self._closed:
            return
        self._closed = True
        try:
            self.zf.close()
        except BaseException:
            self.out.abort()
            raise
        self.out.finish()
        self.sha256 = self.out.sha256()

    def abort(self) -> None:
        """Close after a failure without raising again (the file is about to be removed)."""
        if self._closed:
            return
        self._closed = True
        self.out.abort()  # first: what zipfile writes on closing then goes nowhere
        try:
            self.zf.close()
        except Exception:  # noqa: BLE001 - writing to the closed file; the first error is the one to report
            pass
