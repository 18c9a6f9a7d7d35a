"""The content store: read-only copies of every evidence file, named by their SHA-256.

``store/ab/abcdef…`` holds the bytes whose SHA-256 is ``abcdef…``. A file is copied and hashed in one
read (1 MiB chunks) into a temp file in ``store/tmp/`` — anonymous (``O_TMPFILE``) on Linux, named
elsewhere — written with O_DIRECT where the file system allows, given its hash name without ever
replacing one, and flushed to disk before any database row names it: a single file before it is named,
a bulk ingest's batch at once after (``sync_batch``). So every object a row names is complete. A crash
therefore leaves at most a named temp file (removed at the next start by
:meth:`ContentStore.clean_temp`; an anonymous one vanishes with the process) or an object no row
names yet (an *orphan*: :meth:`ContentStore.recover` moves it to ``store/orphaned/`` — bytes are never
deleted — and the copy there is dropped as soon as the same bytes are registered again, which the
resumed ingest queue does).
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import mmap
import os
import stat
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

CHUNK = 1 << 20


ORPHANS = "orphaned"


@dataclass(frozen=True)
class StoredObject:
    sha256: str
    size: int
    path: Path
    existed: bool  # the same bytes were already in the store
    mtime_ns: int | None = None  # the source's mtime when it was read


class SourceChanged(OSError):
    """The source file changed while it was being copied (still being written, or replaced)."""


class SourceVanished(FileNotFoundError):
    """The source file was deleted (or moved away) while it was being copied."""


# Where syncfs(2) exists a batch of copies is flushed at once (sync_batch); elsewhere each copy is flushed
# through its own write handle while it is still open — Windows cannot fsync a read-only handle, and the
# object is read-only once renamed.
BATCH_SYNC = sys.platform.startswith("linux")


# Linux: copies are written with O_DIRECT, straight to the disk instead of through the page cache. The
# store makes every copy durable before its row is committed anyway; written through the cache, each
# byte is first copied into it and then written back when the batch is flushed, and that write-back, not
# the copy, was most of the ingest's time (docs/performance.md). The flush (``sync_batch``) still follows,
# for the file sizes, the names and the disk's own cache. A file system that refuses O_DIRECT, or a block
# that is not a whole number of pages (a file's tail), is written through the cache instead.
DIRECT_IO = sys.platform.startswith("linux") and hasattr(os, "O_DIRECT")
_DIRECT_ALIGN = 4096
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# Linux: a copy is written to an anonymous file (O_TMPFILE) and given its object name with one hard link
# (through /proc/self/fd). No temp name is created and unlinked per file — two workers doing that in the
# same folder queued on its lock (measured: docs/performance.md) — and a crash leaves no temp file: the
# kernel frees an anonymous file that was never linked. Elsewhere, a named temp file in ``tmp/``.
ANONYMOUS_TEMP = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
# how open(O_TMPFILE) says that a file system or kernel has no anonymous files
_NO_ANONYMOUS = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL)
_TEMP_SEQ = itertools.count()


def _write_all(fd: int, block: memoryview, direct: bool) -> bool:
    """Write all of ``block`` at the file's offset; returns whether ``fd`` is still in O_DIRECT mode."""
    while block:
        if direct and len(block) % _DIRECT_ALIGN:
            direct = _cached(fd)
        try:
            n = os.write(fd, block)
        except OSError as exc:
            if direct and exc.errno == errno.EINVAL:  # alignment this file system does not accept
                direct = _cached(fd)
                continue
            raise
        if n <= 0:
            raise OSError(errno.EIO, "the file system accepted no bytes")
        block = block[n:]
        if block and direct:  # after a short write the offset may not be aligned
            direct = _cached(fd)
    return direct


def _link_new(link: Callable[[str], None], dest: str) -> bool:
    """``link(dest)`` (a hard link to the new object), making the fan-out folder if it is the first object
    there; False when ``dest`` exists (it is never replaced)."""
    try:
        try:
            link(dest)
        except FileNotFoundError:  # the first object in its fan-out folder (or the source is gone: raised again)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            link(dest)
    except FileExistsError:
        return False
    return True


def _link_fd(fd: int, dest: str) -> None:
    """Name the anonymous file open as ``fd``: linkat(…, AT_SYMLINK_FOLLOW) of its /proc entry. (os.link
    calls plain link(2) — which would link the /proc entry itself — unless a directory descriptor is
    given; for an absolute path the kernel ignores it.)"""
    os.link(f"/proc/self/fd/{fd}", dest, src_dir_fd=fd, follow_symlinks=True)


def _publish_fd(fd: int, dest: str) -> bool:
    """:func:`_publish` for an anonymous temp file open as ``fd``."""
    os.fchmod(fd, 0o444)  # read-only, whatever the umask made of the mode it was created with
    return _link_new(lambda name: _link_fd(fd, name), dest)


def _publish(tmp: str, dest: str) -> bool:
    """Give the finished temp file its object name, read-only; False (nothing done) when the name is taken.

    Never replaces: two threads copying the same bytes at once must not swap the object a committed row
    names (already flushed) for the other's copy (not flushed yet). A hard link does it where the file
    system has them; elsewhere (FAT, some shares) a check-then-rename, whose race only costs that flush.
    """
    try:
        if not _link_new(lambda name: os.link(tmp, name), dest):
            return False
    except OSError:  # no hard links on this file system
        if os.path.exists(dest):
            return False
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.replace(tmp, dest)
    else:
        try:
            os.unlink(tmp)  # before the chmod: Windows cannot delete a read-only name
        except OSError:
            pass  # a temp name that cannot go now is removed at the next start
    os.chmod(dest, 0o444)
    return True


def _cached(fd: int) -> bool:
    """Turn O_DIRECT off for the rest of this file; returns False (the new mode)."""
    import fcntl

    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_DIRECT)
    return False


def _reader(fd: int, buf) -> Callable[[], int]:
    """``readinto(buf)`` for a raw descriptor: ``readv`` where it exists, else through a file object."""
    if hasattr(os, "readv"):
        return lambda: os.readv(fd, [buf])
    import io

    raw = io.FileIO(fd, "rb", closefd=False)
    return lambda: raw.readinto(buf)


def _syncfs(path: Path) -> bool:
    """``syncfs(2)`` on the file system holding ``path`` (Linux); False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            err = ctypes.get_errno()
            if err == errno.ENOSYS:
                return False
            # A write-back error (EIO, ENOSPC): the kernel reports it once, so it must not be swallowed
            # and "retried" by a per-file fsync that would then succeed over lost pages.
            raise OSError(err, os.strerror(err), str(path))
    finally:
        os.close(fd)
    return True


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ContentStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        # Objects whose flush failed: their pages may never reach the disk (a failed write-back leaves
        # them clean in the cache), so the next copy of the same bytes replaces them instead of trusting them.
        self._suspect: set[str] = set()
        self._suspect_lock = threading.Lock()
        self._direct = DIRECT_IO
        self._anonymous = ANONYMOUS_TEMP
        self._local = threading.local()
        self._root_s = str(self.root)

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(exist_ok=True)

    def _open_temp(self, direct: bool = True) -> tuple[int, str | None, bool]:
        """A new temp file in ``tmp/`` for writing: ``(fd, name, direct)``, ``direct`` when it bypasses the
        page cache (see :data:`DIRECT_IO`); ``name`` None for an anonymous file (see :data:`ANONYMOUS_TEMP`)."""
        while self._anonymous:
            direct = direct and self._direct
            anonymous = os.O_WRONLY | os.O_TMPFILE | _O_CLOEXEC
            try:
                return os.open(self.tmp, anonymous | (os.O_DIRECT if direct else 0), 0o600), None, direct
            except FileNotFoundError:
                if self.tmp.is_dir():
                    raise
                self.ensure()
            except OSError as exc:
                if exc.errno not in _NO_ANONYMOUS:
                    raise
                if direct and exc.errno == errno.EINVAL:
                    # EINVAL is the answer both to O_DIRECT and to O_TMPFILE: asking without O_DIRECT
                    # tells which was refused.
                    try:
                        fd = os.open(self.tmp, anonymous, 0o600)
                    except OSError as again:
                        if again.errno not in _NO_ANONYMOUS:
                            raise
                    else:
                        self._direct = False  # (tmpfs has anonymous files but refuses O_DIRECT)
                        return fd, None, False
                self._anonymous = False  # this file system or kernel has none: named temp files
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY | _O_CLOEXEC
        for _ in range(100):
            name = self._temp_name()
            direct = direct and self._direct
            try:
                return os.open(name, flags | (os.O_DIRECT if direct else 0), 0o600), name, direct
            except FileExistsError:
                continue  # left by an earlier process with the same pid
            except FileNotFoundError:
                self.ensure()
            except OSError as exc:
                if not (direct and exc.errno == errno.EINVAL):
                    raise
                # This file system refuses O_DIRECT (tmpfs, some FUSE and network file systems); the
                # refused open may still have created the file.
                self._direct = False
                try:
                    os.unlink(name)
                except FileNotFoundError:
                    pass
        raise FileExistsError(errno.EEXIST, "no free temp name", str(self.tmp))

    def _temp_name(self) -> str:
        return os.path.join(self.tmp, f"in-{os.getpid()}-{next(_TEMP_SEQ)}.part")

    def _buffer(self, chunk: int):
        """This thread's copy buffer: page-aligned (O_DIRECT needs it) and reused, so its pages stay mapped."""
        buf = getattr(self._local, "buf", None)
        if buf is None or len(buf) != chunk:
            buf = self._local.buf = mmap.mmap(-1, chunk)
        return buf

    def object_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.object_path(sha256).is_file()

    def add_file(
        self,
        src: str | os.PathLike[str] | bytes,
        *,
        chunk: int = CHUNK,
        on_chunk: Callable[[int], None] | None = None,
        sync_dir: bool = True,
        sync_data: bool = True,
        opened: Callable[[int], None] | None = None,
    ) -> StoredObject:
        """Copy ``src`` into the store, hashing as it goes; return its object.

        ``opened(fd)`` runs once the source is open and before a byte of it is read: it may refuse the
        file by raising (the ingest checks there that the file really opened lies inside the watched
        folder, see :mod:`desktop.confine`); nothing is created in the store then.

        ``sync_dir=False, sync_data=False`` (bulk ingest) leave the flush of the object's folder and data to
        :meth:`sync_batch` (one flush of the whole store for a batch instead of one per file); until then
        the object must not be named by a committed row. The source is opened read-only and never touched
        otherwise. Raises ``OSError`` (permission,
        vanished, locked, symlink loop), :class:`SourceChanged` when the file changed during the copy
        or its name now points at another file, :class:`SourceVanished` when it was deleted meanwhile.
        """
        digest = hashlib.sha256()
        size = 0
        # Open the source before creating the temp file: a file we cannot read leaves nothing behind.
        # (os.open and readv rather than a file object: fewer system calls, each of which gives up and
        # takes back the interpreter lock that the other workers and the GUI wait for.)
        src_fd = os.open(src, os.O_RDONLY | _O_BINARY | _O_CLOEXEC)
        try:
            if opened is not None:
                opened(src_fd)
            start = os.fstat(src_fd)
            if not stat.S_ISREG(start.st_mode):
                raise IsADirectoryError(errno.EISDIR, "not a regular file", os.fsdecode(src))
            buf = self._buffer(chunk)
            fd, tmp_name, direct = self._open_temp()
            fd_open = True
            try:
                with memoryview(buf) as view:
                    readinto = _reader(src_fd, buf)
                    while True:
                        n = readinto()
                        if not n:
                            break
                        block = view[:n]
                        digest.update(block)
                        direct = _write_all(fd, block, direct)
                        size += n
                        if on_chunk:
                            on_chunk(size)
                        if size == start.st_size:
                            break  # the size it had: no read for the end (growth is caught below)
                if sync_data or not BATCH_SYNC:
                    os.fsync(fd)
                if tmp_name is not None:  # a named file is closed before it is renamed (Windows)
                    fd_open = False
                    os.close(fd)
                end = os.fstat(src_fd)
                if end.st_size != size or end.st_mtime_ns != start.st_mtime_ns:
                    raise SourceChanged(errno.EAGAIN, "changed while copying", os.fsdecode(src))
                # The name must still lead to what was read: a file deleted or replaced meanwhile is
                # not this path's content.
                try:
                    now = os.stat(src)
                except FileNotFoundError:
                    raise SourceVanished(errno.ENOENT, "deleted while copying", os.fsdecode(src)) from None
                if (now.st_dev, now.st_ino) != (start.st_dev, start.st_ino) or now.st_size != size:
                    raise SourceChanged(errno.EAGAIN, "replaced while copying", os.fsdecode(src))
                sha = digest.hexdigest()
                # Strings, not Paths, until the result: this runs for every file of a bulk ingest,
                # holding the interpreter lock that the other workers and the GUI wait for.
                dest = os.path.join(self._root_s, sha[:2], sha)
                if self._suspect and os.path.exists(dest) and self._take_suspect(sha):
                    # the fresh copy replaces the object whose flush failed
                    try:
                        if tmp_name is None:  # an anonymous copy is given a temp name first
                            tmp_name = self._temp_name()
                            _link_fd(fd, tmp_name)
                        os.chmod(dest, 0o644)  # Windows cannot replace a read-only file
                        os.chmod(tmp_name, 0o444)
                        os.replace(tmp_name, dest)
                    except BaseException:
                        self._mark_suspect(sha)  # still the old copy: the next copy must replace it
                        try:
                            os.chmod(dest, 0o444)
                        except OSError:
                            pass
                        raise
                    fresh = True
                elif tmp_name is None:
                    fresh = _publish_fd(fd, dest)
                else:
                    fresh = _publish(tmp_name, dest)
                    if not fresh:
                        os.unlink(tmp_name)
                # not fresh: the same bytes are there (perhaps copied a moment ago by another thread, and
                # not flushed yet: the caller's flush covers "existed" objects too)
                if fresh and sync_dir:
                    _fsync_dir(os.path.dirname(dest))
                return StoredObject(sha, size, Path(dest), not fresh, start.st_mtime_ns)
            except BaseException:
                if fd_open:
                    fd_open = False
                    os.close(fd)
                if tmp_name is not None:
                    try:
                        os.unlink(tmp_name)
                    except FileNotFoundError:
                        pass
                raise
            finally:
                if fd_open:
                    os.close(fd)
        finally:
            os.close(src_fd)

    def sync_batch(self, objects: Iterable[StoredObject]) -> None:
        """Make new ``objects`` (copied with ``sync_data=False, sync_dir=False``) durable, data and names.

        On Linux one ``syncfs`` of the store's file system does it for the whole batch: one journal commit
        instead of one per file. Elsewhere each file and each folder is flushed.
        """
        # Objects that "existed" are included: another thread may have copied them a moment ago, still
        # unflushed, and this batch's rows must not name them before they are on disk.
        fresh = list(objects)
        if not fresh:
            return
        with self._suspect_lock:
            suspect = [o.sha256 for o in fresh if o.sha256 in self._suspect]
        if suspect:
            # An earlier flush of these bytes failed and the kernel reports that once: this flush cannot
            # vouch for them. The batch is retried, and the next copy of them replaces the object.
            raise OSError(errno.EIO, "an earlier flush of this object failed", suspect[0])
        try:
            self._sync_batch(fresh)
        except OSError:
            with self._suspect_lock:
                self._suspect.update(o.sha256 for o in fresh)
            raise

    def _mark_suspect(self, sha256: str) -> None:
        with self._suspect_lock:
            self._suspect.add(sha256)

    def _take_suspect(self, sha256: str) -> bool:
        with self._suspect_lock:
            if sha256 in self._suspect:
                self._suspect.discard(sha256)
                return True
            return False

    def _sync_batch(self, fresh: list[StoredObject]) -> None:
        if _syncfs(self.root):
            return
        if BATCH_SYNC:  # syncfs failed here: flush each file (Linux fsyncs a read-only descriptor)
            for o in fresh:
                fd = os.open(o.path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        # elsewhere add_file flushed each file's data through its write handle already
        # Every object's folder, "existed" ones too (see above), and the folders above them, which may
        # have gained a new fan-out folder in this batch.
        folders = {o.path.parent for o in fresh}
        for folder in sorted(folders | {f.parent for f in folders}):
            _fsync_dir(folder)

    def add_bytes(self, data: bytes) -> StoredObject:
        self.ensure()
        sha = hashlib.sha256(data).hexdigest()
        dest = self.object_path(sha)
        if dest.exists():
            return StoredObject(sha, len(data), dest, True)
        fd, tmp_name, direct = self._open_temp(direct=False)  # ``data`` is not page-aligned
        try:
            try:
                _write_all(fd, memoryview(data), direct)
                os.fsync(fd)
                if tmp_name is None:
                    fresh = _publish_fd(fd, str(dest))
            finally:
                os.close(fd)
            if tmp_name is not None:
                fresh = _publish(tmp_name, str(dest))
                if not fresh:
                    os.unlink(tmp_name)
            if not fresh:
                return StoredObject(sha, len(data), dest, True)
        except BaseException:
            if tmp_name is not None and os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise
        _fsync_dir(dest.parent)
        return StoredObject(sha, len(data), dest, False)

    def clean_temp(self) -> int:
        """Remove temp files a crash left behind; return how many."""
        if not self.tmp.is_dir():
            return 0
        n = 0
        for p in self.tmp.iterdir():
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
        return n

    def recover(self, known: Iterable[str]) -> dict[str, int]:
        """After a crash: remove temp files, move objects no database row names to ``orphaned/``.

        ``known`` is every SHA-256 the database names. Nothing is deleted but temp files (incomplete by
        construction) and quarantined copies of bytes that are registered again.
        """
        known = set(known)
        removed = self.clean_temp()
        moved = dropped = 0
        for sha, path in list(self.iter_objects()):
            if sha in known:
                continue
            quarantine = self.root / ORPHANS
            quarantine.mkdir(exist_ok=True)
            os.replace(path, quarantine / sha)
            moved += 1
        for sha in list(self.orphans()):
            if sha in known:
                self.drop_orphan(sha)
                dropped += 1
        return {"temp": removed, "orphaned": moved, "dropped": dropped}

    def orphans(self) -> Iterator[str]:
        folder = self.root / ORPHANS
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                yield p.name

    def drop_orphan(self, sha256: str) -> bool:
        """Forget the quarantined copy of ``sha256`` (called once those bytes are registered again)."""
        try:
            (self.root / ORPHANS / sha256).unlink()
            return True
        except FileNotFoundError:
            return False

    def iter_objects(self) -> Iterator[tuple[str, Path]]:
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.name == "tmp" or not sub.is_dir() or len(sub.name) != 2:
                continue
            for obj in sorted(sub.iterdir()):
                yield obj.name, obj

    def rehash(self, sha256: str, chunk: int = CHUNK) -> str | None:
        """SHA-256 of the object named ``sha256`` as it is on disk now (None if missing)."""
        path = self.object_path(sha256)
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                while True:
                    block = f.read(chunk)
                    if not block:
                        break
                    digest.update(block)
        except FileNotFoundError:
            return None
        return digest.hexdigest()
