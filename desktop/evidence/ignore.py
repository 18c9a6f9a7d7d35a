"""Temp, lock and system files that never become evidence (DESIGN §4), as a workspace setting.

The setting ``ingest.ignore`` holds a JSON list of glob patterns. A pattern is matched, case-insensitively,
against every component of a path below the watched folder, so ``@eaDir`` or ``__MACOSX`` hide whole
folders and ``~$*`` hides Office lock files wherever they are.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from typing import Iterable

SETTING = "ingest.ignore"

DEFAULT_PATTERNS: tuple[str, ...] = (
    "~$*",            # Microsoft Office owner/lock files
    ".~*",            # WPS lock files, LibreOffice .~lock.*#
    "~*.tmp",         # Office atomic-save temp files (~WRL0001.tmp)
    "*.crdownload",   # Chrome downloads in progress
    "*.part",         # Firefox downloads in progress
    "*.partial",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    "@eaDir",         # Synology thumbnails
    "__MACOSX",       # resource forks from zip files made on a Mac
    "$RECYCLE.BIN",
    ".Trash-*",
)


class IgnoreList:
    def __init__(self, patterns: Iterable[str] = DEFAULT_PATTERNS):
        self.patterns = tuple(p for p in patterns if p and p.strip())
        regex = "|".join(fnmatch.translate(p.lower()) for p in self.patterns)
        self._re = re.compile(regex) if regex else None

    def matches_name(self, name: str) -> bool:
        return bool(self._re and self._re.match(name.lower()))

    def matches(self, path: str, root: str | None = None) -> bool:
        """True when ``path`` (or any folder between ``root`` and it) matches a pattern."""
        if self._re is None:
            return False
        rel = os.path.relpath(path, root) if root else path
        parts = [p for p in re.split(r"[\\/]", rel) if p and p not in (".", "..")]
        return any(self.matches_name(p) for p in parts)


def load(db) -> IgnoreList:
    """The workspace's ignore list (the defaults when the setting is absent or unreadable)."""
    value = db.get_setting(SETTING)
    if not value:
        return IgnoreList()
    try:
        patterns = json.loads(value)
    except ValueError:
        return IgnoreList()
    if not isinstance(patterns, list):
        return IgnoreList()
    return IgnoreList(str(p) for p in patterns)


def set_patterns(db, *, patterns: Iterable[str]):
    """Change the workspace's ignore list (audited, through ``set_setting``)."""
    from desktop.workspace import set_setting

    clean = [p.strip() for p in patterns if p and p.strip()]
    return set_setting(db, key=SETTING, value=json.dumps(clean, ensure_ascii=False))
