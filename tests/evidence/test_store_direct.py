"""The store writes copies with O_DIRECT where it can (Linux), and falls back to cached writes where not.

The copies must be byte-identical whatever their size (a file's tail is never a whole number of pages),
and a file system or a write that refuses O_DIRECT must cost nothing but the speed.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import mmap
import os
import stat
import sys

import pytest

from desktop import store as storemod
from desktop.workspace import Workspace

pytestmark = pytest.mark.skipif(not storemod.DIRECT_IO, reason="O_DIRECT is Linux-only")

SIZES = [1, 4095, 4096, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 4096, 3 * (1 << 20) + 123]


def _supports_direct(folder) -> bool:
    path = os.path.join(folder, "probe")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o600))
        return True
    except OSError as exc:
        assert exc.errno == errno.EINVAL
        return False
    finally:
        if os.path.exists(path):
            os.unlink(path)


def _source(folder, name: str, size: int) -> tuple:
    """A source file of ``size`` random bytes: ``(path, bytes)``."""
    data = os.urandom(size)
    (folder / name).write_bytes(data)
    return folder / name, data


def _resident_pages(path) -> tuple[int, int]:
    """(pages of ``path`` in the page cache, pages in all), by mincore(2) on a mapping of the file."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    size = os.path.getsize(path)
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert addr not in (None, ctypes.c_void_p(-1).value)
        try:
            vec = (ctypes.c_ubyte * pages)()
            assert libc.mincore(addr, size, vec) == 0
            return sum(v & 1 for v in vec), pages
        finally:
            libc.munmap(addr, size)
    finally:
        os.close(fd)


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws", actor="测试员")
    yield w
    w.close()


def test_copies_of_every_size_are_exact(ws, tmp_path):
    for size in SIZES:
        src, data = _source(tmp_path, f"f{size}.bin", size)
        obj = ws.store.add_file(src, sync_dir=False, sync_data=False)
        assert obj.sha256 == hashlib.sha256(data).hexdigest() and obj.size == size
        ws.store.sync_batch([obj])
        assert ws.store.rehash(obj.sha256) == obj.sha256
        assert obj.path.read_bytes() == data
    assert list(ws.store.tmp.iterdir()) == []
    assert ws.store._direct is _supports_direct(ws.store.tmp)  # direct wherever the file system allows


def test_a_copy_bypasses_the_page_cache(ws, tmp_path):
    if not _supports_direct(tmp_path):
        pytest.skip("this file system refuses O_DIRECT (the fallback is tested below)")
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(8 * (1 << 20) + 100))
    obj = ws.store.add_file(src)
    resident, pages = _resident_pages(obj.path)
    # Only the tail (written through the cache: not a whole page) may be resident; a cached write
    # leaves every page there.
    assert pages > 2000 and resident <= 2, (resident, pages)
    assert ws.store.rehash(obj.sha256) == obj.sha256


def test_a_file_system_that_refuses_o_direct_gets_cached_writes(ws, tmp_path, monkeypatch):
    real_open = os.open
    refused = []

    def open_like_tmpfs(path, flags, mode=0o777, *, dir_fd=None):
        if flags & os.O_DIRECT and str(path).startswith(str(ws.store.tmp)):
            fd = real_open(path, flags & ~os.O_DIRECT, mode)  # tmpfs creates the file, then refuses
            os.close(fd)
            refused.append(path)
            raise OSError(errno.EINVAL, "Invalid argument", path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", open_like_tmpfs)
    for size in (5000, (1 << 20) + 3):
        src, data = _source(tmp_path, f"s{size}.bin", size)
        obj = ws.store.add_file(src)
        assert obj.path.read_bytes() == data
    assert len(refused) == 1  # asked once; the store remembers
    assert ws.store._direct is False
    assert list(ws.store.tmp.iterdir()) == []  # the file the refused open created is gone


def test_a_direct_write_refused_midway_continues_through_the_cache(ws, tmp_path, monkeypatch):
    if not _supports_direct(tmp_path):
        pytest.skip("this file system refuses O_DIRECT")
    real_write = os.write
    refused = []

    def write(fd, data):
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT and not refused:
            refused.append(fd)
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    src, data = _source(tmp_path, "w.bin", 3 * (1 << 20))
    obj = ws.store.add_file(src)
    assert refused and obj.path.read_bytes() == data
    assert ws.store._direct  # only that file fell back


def test_a_short_direct_write_finishes_the_file(ws, tmp_path, monkeypatch):
    if not _supports_direct(tmp_path):
        pytest.skip("this file system refuses O_DIRECT")
    real_write = os.write
    calls = []

    def short_write(fd, data):
        direct = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)
        calls.append((len(data), direct))
        if len(calls) == 1:
            return real_write(fd, data[:8192])  # the disk took two pages of the first MiB
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", short_write)
    src, data = _source(tmp_path, "short.bin", 2 * (1 << 20) + 7)
    obj = ws.store.add_file(src)
    assert obj.path.read_bytes() == data
    # the first write was direct; after the short write the rest of the file went through the cache
    assert calls[0] == (1 << 20, True) and calls[1] == ((1 << 20) - 8192, False)
    assert all(not direct for _, direct in calls[1:])


@pytest.mark.skipif(sys.platform != "linux", reason="Linux")
def test_the_copy_buffer_is_page_aligned(ws):
    buf = ws.store._buffer(storemod.CHUNK)
    address = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    assert address % mmap.PAGESIZE == 0
    assert ws.store._buffer(storemod.CHUNK) is buf  # reused by this thread


def test_publishing_never_replaces_an_object(tmp_path, monkeypatch):
    """Two threads copying the same bytes: the second must not swap the (flushed) object for its copy."""
    folder = tmp_path / "store"
    folder.mkdir()
    first, second = folder / "t1", folder / "t2"
    first.write_bytes(b"same")
    second.write_bytes(b"same")
    dest = folder / "ab" / "ab12"
    assert storemod._publish(first, dest)  # makes the fan-out folder, leaves no temp name
    assert not first.exists() and dest.read_bytes() == b"same"
    assert not os.stat(dest).st_mode & 0o222  # read-only
    inode = os.stat(dest).st_ino
    assert storemod._publish(second, dest) is False
    assert os.stat(dest).st_ino == inode and second.exists()  # untouched; the caller drops its copy

    def no_hard_links(src, dst, **kw):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)  # FAT, some network shares
    third = folder / "t3"
    third.write_bytes(b"other")
    other = folder / "cd" / "cd34"
    assert storemod._publish(third, other) and other.read_bytes() == b"other" and not third.exists()
    assert storemod._publish(second, dest) is False and os.stat(dest).st_ino == inode


@pytest.mark.skipif(not storemod.ANONYMOUS_TEMP, reason="O_TMPFILE and /proc are Linux-only")
def test_a_copy_is_anonymous_until_it_has_its_object_name(ws, tmp_path):
    """No temp name is made and removed per file (two workers did that in one folder and queued on its
    lock), and a copy cut short leaves nothing: the kernel frees an anonymous file that was never linked."""
    src, data = _source(tmp_path, "big.bin", 3 * (1 << 20) + 5)
    during = []
    obj = ws.store.add_file(src, on_chunk=lambda n: during.append(os.listdir(ws.store.tmp)))
    assert during == [[], [], [], []] and obj.path.read_bytes() == data
    st = os.stat(obj.path)
    assert stat.S_IMODE(st.st_mode) == 0o444 and st.st_nlink == 1
    assert ws.store.add_file(src).existed and os.listdir(ws.store.tmp) == []

    def cut(n):
        raise OSError(errno.EIO, "cut short")

    other, _ = _source(tmp_path, "other.bin", 10_000)
    with pytest.raises(OSError, match="cut short"):
        ws.store.add_file(other, on_chunk=cut)
    assert os.listdir(ws.store.tmp) == [] and [sha for sha, _ in ws.store.iter_objects()] == [obj.sha256]


# Kernels and file systems without anonymous files refuse them with EOPNOTSUPP, EISDIR (kernels before
# 3.11, which read O_TMPFILE as O_DIRECTORY) or EINVAL, and EINVAL is also how O_DIRECT is refused.
@pytest.mark.parametrize("refusal", [errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL],
                         ids=["EOPNOTSUPP", "EISDIR", "EINVAL"])
def test_without_anonymous_files_copies_go_through_a_named_temp_file(ws, tmp_path, monkeypatch, refusal):
    real_open = os.open
    refused = []
    direct_before = ws.store._direct

    def open_without_tmpfile(path, flags, mode=0o777, *, dir_fd=None):
        if flags & getattr(os, "O_TMPFILE", 0) == getattr(os, "O_TMPFILE", -1):
            refused.append(path)
            raise OSError(refusal, os.strerror(refusal), path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", open_without_tmpfile)
    ws.store._anonymous = storemod.ANONYMOUS_TEMP
    during = []
    for size in SIZES:
        src, data = _source(tmp_path, f"n{size}.bin", size)
        obj = ws.store.add_file(src, on_chunk=lambda n: during.append(os.listdir(ws.store.tmp)))
        assert obj.path.read_bytes() == data and stat.S_IMODE(os.stat(obj.path).st_mode) == 0o444
    assert ws.store._anonymous is False
    if storemod.ANONYMOUS_TEMP:  # asked once (twice for EINVAL: once more without O_DIRECT, to tell which)
        assert len(refused) == (2 if refusal == errno.EINVAL and direct_before else 1)
    else:
        assert refused == []
    # the named temps still bypass the page cache, where this file system allows it
    assert ws.store._direct is (direct_before and _supports_direct(ws.store.tmp))
    assert all(len(names) == 1 and names[0].endswith(".part") for names in during)
    assert os.listdir(ws.store.tmp) == []


@pytest.mark.parametrize("anonymous", [True, False])
def test_objects_are_read_only_whatever_the_umask(ws, tmp_path, anonymous):
    if anonymous and not storemod.ANONYMOUS_TEMP:
        pytest.skip("no anonymous temp files here")
    ws.store._anonymous = anonymous
    old = os.umask(0o077)
    try:
        src, data = _source(tmp_path, "u.bin", 70_000)
        obj = ws.store.add_file(src)
        blob = ws.store.add_bytes(b"report bytes")
    finally:
        os.umask(old)
    for path in (obj.path, blob.path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o444


@pytest.mark.parametrize("anonymous", [True, False])
def test_a_failed_replacement_keeps_the_object_suspect(ws, tmp_path, monkeypatch, anonymous):
    """The next copy of bytes whose flush failed replaces the object; if that replacement fails, the old
    copy must stay suspect, or a later batch would be vouched for by a flush that never covered it."""
    if anonymous and not storemod.ANONYMOUS_TEMP:
        pytest.skip("no anonymous temp files here")
    ws.store._anonymous = anonymous
    src, data = _source(tmp_path, "s.bin", 30_000)
    obj = ws.store.add_file(src, sync_dir=False, sync_data=False)
    ws.store._mark_suspect(obj.sha256)  # as a failed sync_batch leaves it

    def refuse(a, b):
        raise OSError(errno.EIO, "replace refused")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="replace refused"):
        ws.store.add_file(src, sync_dir=False, sync_data=False)
    monkeypatch.undo()
    assert obj.sha256 in ws.store._suspect and os.listdir(ws.store.tmp) == []
    assert stat.S_IMODE(os.stat(obj.path).st_mode) == 0o444
    inode = os.stat(obj.path).st_ino
    again = ws.store.add_file(src, sync_dir=False, sync_data=False)
    assert not again.existed and os.stat(again.path).st_ino != inode and again.path.read_bytes() == data
