"""Running the CLI as a user would (a real process), for the hostile-input tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, ok: int | None = 0, timeout: float = 120, env: dict | None = None, **kw):
    res = subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], capture_output=True, text=True,
                         cwd=REPO, timeout=timeout, env={**os.environ, **(env or {})}, **kw)
    if ok is not None:
        assert res.returncode == ok, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    return res
