"""Where the plain-file resources live (icons, samples, styles)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    override = os.environ.get("EVIDENCE_DESK_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller bundle
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def samples_dir() -> Path:
    return resources_dir() / "samples"


def docs_dir() -> Path:
    """The user guide and its screenshots: ``docs/`` beside ``resources/`` (the source tree and the bundle,
    which ships ``docs/user-guide.md`` and ``docs/screenshots/``: packaging/evidence-desk.spec)."""
    for base in (resources_dir().parent, Path(__file__).resolve().parent.parent):
        if (base / "docs" / "user-guide.md").is_file():
            return base / "docs"
    return resources_dir().parent / "docs"


def user_guide_path() -> Path:
    return docs_dir() / "user-guide.md"
