"""Loading the build scripts of ``packaging/`` (not a Python package: the name is taken by PyPI's
``packaging``) as modules, by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGING = REPO / "packaging"


def load(name: str):
    """``packaging/<name>.py`` as a module (cached in ``sys.modules`` under ``evidence_desk_packaging.<name>``)."""
    key = f"evidence_desk_packaging.{name}"
    if key in sys.modules:
        return sys.modules[key]
    if str(PACKAGING) not in sys.path:  # the scripts import each other by their plain names
        sys.path.insert(0, str(PACKAGING))
    spec = importlib.util.spec_from_file_location(key, PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def path(name: str) -> Path:
    return PACKAGING / name
