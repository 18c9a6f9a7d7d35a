"""The content store: read-only copies of every evidence file, named by their SHA-256.

``store/ab/abcdef…`` holds the bytes whose SHA-256 is ``abcdef…``. A file is copied and hashed in one
read (1 MiB chunks) into ``store/tmp/``, flushed to disk, then renamed to its hash name, so an object
under its final name is always complete. A crash leaves at most a temp file, which
:meth:`ContentStore.clean_temp` removes at the next start.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredObject:
    sha256: str
    size: int
    path: Path
    existed: bool  # the same bytes were already in the store


class SourceChanged(OSError):
    """The source file changed size while it was being copied (still being written)."""


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

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(exist_ok=True)

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
    ) -> StoredObject:
        """Copy ``src`` into the store, hashing as it goes; return its object.

        The source is opened read-only and never touched otherwise. Raises ``OSError`` (permission,
        vanished, locked) or :class:`SourceChanged` when the file grew or shrank during the copy.
        """
        self.ensure()
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = _mkstemp(self.tmp)
        tmp_path = Path(tmp_name)
        try:
            with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
                start = os.fstat(fin.fileno())
                if not stat.S_ISREG(start.st_mode):
                    raise IsADirectoryError(f"not a regular file: {src!r}")
                while True:
                    block = fin.read(chunk)
                    if not block:
                        break
                    digest.update(block)
                    fout.write(block)
                    size += len(block)
                    if on_chunk:
                        on_chunk(len(block))
                fout.flush()
                os.fsync(fout.fileno())
                end = os.fstat(fin.fileno())
                if end.st_size != size or end.st_mtime_ns != start.st_mtime_ns:
                    raise SourceChanged(f"changed while copying: {src!r}")
            sha = digest.hexdigest()
            dest = self.object_path(sha)
            if dest.exists():
                tmp_path.unlink()
                return StoredObject(sha, size, dest, True)
            dest.parent.mkdir(exist_ok=True)
            os.chmod(tmp_path, 0o444)
            os.replace(tmp_path, dest)
            _fsync_dir(dest.parent)
            return StoredObject(sha, size, dest, False)
        except BaseException:
            try:
                tmp_path.unlink()
            except FileNotFoundError:
                pass
            raise

    def add_bytes(self, data: bytes) -> StoredObject:
        self.ensure()
        sha = hashlib.sha256(data).hexdigest()
        dest = self.object_path(sha)
        if dest.exists():
            return StoredObject(sha, len(data), dest, True)
        fd, tmp_name = _mkstemp(self.tmp)
        with os.fdopen(fd, "wb") as fout:
            fout.write(data)
            fout.flush()
            os.fsync(fout.fileno())
        dest.parent.mkdir(exist_ok=True)
        os.chmod(tmp_name, 0o444)
        os.replace(tmp_name, dest)
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


def _mkstemp(folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix="in-", suffix=".part", dir=folder)
