"""A demo workspace (sample report + demo evidence), built once per module and copied for each test."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from desktop.demo import build_demo
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence
from desktop.workspace import Workspace


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("demo") / "W")


@pytest.fixture
def demo_ws(demo_template, tmp_path) -> Path:
    dest = tmp_path / "W"
    shutil.copytree(demo_template, dest)
    return dest


def claims_without_evidence(ws: Workspace, n: int) -> list[int]:
    from desktop.review.status import claim_rows

    return [c["id"] for c in claim_rows(ws.db) if not c["evidence_ids"] and c["needs_evidence"]][:n]


def add_linked(ws: Workspace, files: list[Path], claim_id: int) -> list[int]:
    """Register ``files`` and link each to ``claim_id``; return their evidence ids."""
    ids = []
    for f in files:
        eid = register_file(ws, f).evidence_id
        link_evidence(ws.db, claim_id=claim_id, evidence_id=eid)
        ids.append(eid)
    return ids


def rewrite_zip(src: Path, dest: Path, *, change: dict[str, bytes] | None = None, drop: set[str] = frozenset(),
                add: dict[str, bytes] | None = None) -> None:
    """Copy a package member by member, replacing, dropping or adding members (names keep their flags)."""
    change = change or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = change.get(info.filename, zin.read(info))
            zout.writestr(info, data)
        for name, data in (add or {}).items():
            info = zipfile.ZipInfo(name)
            info.flag_bits |= 0x800
            zout.writestr(info, data)


def flip_byte(data: bytes, at: int | None = None) -> bytes:
    i = len(data) // 2 if at is None else at
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
