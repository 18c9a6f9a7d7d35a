"""Helpers for the ingest tests: folder snapshots, running the CLI, a child process that cannot bypass
file permissions even as root."""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "samples" / "evidence"

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def snapshot(folder: Path) -> dict[bytes, tuple]:
    """Everything about a folder that writing to it would change: names, sizes, mtimes, bytes (files),
    mtimes (folders). Keys are raw bytes so names that are not UTF-8 are compared exactly."""
    out: dict[bytes, tuple] = {}
    root = os.fsencode(folder)
    for dirpath, dirnames, filenames in os.walk(root):
        st = os.lstat(dirpath)
        out[os.path.relpath(dirpath, root) + b"/"] = ("dir", st.st_mtime_ns)
        for name in filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if os.path.islink(p):
                out[os.path.relpath(p, root)] = ("link", os.readlink(p), st.st_mtime_ns)
                continue
            try:
                with open(p, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                digest = None  # unreadable for this process
            out[os.path.relpath(p, root)] = ("file", st.st_size, st.st_mtime_ns, st.st_mode, digest)
    return out


def sha256_file(path: str | os.PathLike) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def drop_dac_override() -> None:
    """``preexec_fn``: remove the capabilities that let root read any file (no-op when not root).

    Run as root, ``chmod 000`` does not make a file unreadable; without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH in the bounding set, the exec'd child is held to the permission bits like
    anyone else, while still owning (and writing) its own workspace.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def cli(*args: str, check: int | None = 0, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, cwd=REPO,
                         timeout=timeout, **kw)
    assert "Traceback" not in res.stderr, res.stderr
    if check is not None:
        assert res.returncode == check, res.stderr
    return res


def present_rows(db, folder: Path) -> list:
    prefix = str(folder) + os.sep
    return [r for r in db.query("SELECT * FROM evidence_paths WHERE present = 1") if r["path"].startswith(prefix)]
