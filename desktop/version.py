"""The one version of EvidenceDesk, read from the package metadata (``pyproject.toml`` → the installed
distribution's metadata).

Shown by ``evidence-desk --version`` and 帮助 → 关于, written into the package manifest and the audit
log's ``workspace.created`` event, and used as the ``.deb``'s version. A PyInstaller bundle carries the
distribution's metadata (the spec copies it); a source tree that was never installed reads
``pyproject.toml`` beside the code. Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import re
import sys
from importlib import metadata
from pathlib import Path

DIST_NAME = "evidence-desk"
APP_NAME = "EvidenceDesk"
APP_NAME_ZH = "佐证台"
UNKNOWN = "0+unknown"

_VERSION_LINE = re.compile(r'^version\s*=\s*"([^"]+)"\s*$', re.M)


def _pyproject_version(root: Path) -> str | None:
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    project = text.split("[project]", 1)[-1].split("\n[", 1)[0]  # only the [project] table
    match = _VERSION_LINE.search(project)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=1)
def app_version() -> str:
    """``0.1.0``: the installed distribution's version, else the source tree's, else ``0+unknown``."""
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        pass
    if not getattr(sys, "frozen", False):
        found = _pyproject_version(Path(__file__).resolve().parent.parent)
        if found:
            return found
    return UNKNOWN


def version_line() -> str:
    """What ``--version`` prints: ``佐证台 EvidenceDesk 0.1.0``."""
    return f"{APP_NAME_ZH} {APP_NAME} {app_version()}"


def build_info() -> dict[str, str]:
    """Version and runtime, for the log's first line, the crash report and 关于."""
    import platform

    return {
        "version": app_version(),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "frozen": "yes" if getattr(sys, "frozen", False) else "no",
    }
