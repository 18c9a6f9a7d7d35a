"""Where EvidenceDesk keeps its own files, and the small per-user settings file.

The user data folder holds ``config.json`` (last workspace, the actor's name) and the demo workspace.
``EVIDENCE_DESK_HOME`` overrides the folder (tests and portable installs use it).
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

APP_DIR_NAME = "EvidenceDesk"


def data_dir() -> Path:
    override = os.environ.get("EVIDENCE_DESK_HOME")
    if override:
        base = Path(override)
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / APP_DIR_NAME
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "evidence-desk"
    base.mkdir(parents=True, exist_ok=True)
    return base


def config_path() -> Path:
    return data_dir() / "config.json"


def load_config() -> dict[str, Any]:
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_config(**changes: Any) -> dict[str, Any]:
    data = load_config()
    data.update(changes)
    path = config_path()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return data


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers, services)
        return "user"


def default_actor() -> str:
    actor = load_config().get("actor")
    return actor if isinstance(actor, str) and actor.strip() else os_user()
