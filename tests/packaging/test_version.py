"""One version everywhere: the package metadata, --version, the workspace's creation event, the .deb."""

from __future__ import annotations

import json
import sys
import tomllib
from importlib import metadata

import pytest

from desktop import version
from desktop.cli import main
from desktop.workspace import Workspace
from tests.conftest import REPO
from tests.packaging.helpers import load, path


def _pyproject_version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture
def fresh_version():
    version.app_version.cache_clear()
    yield
    version.app_version.cache_clear()


def test_app_version_is_the_package_metadata_and_pyproject(fresh_version):
    assert version.app_version() == metadata.version("evidence-desk") == _pyproject_version()


def test_version_flag_prints_it(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"佐证台 EvidenceDesk {_pyproject_version()}"


def test_workspace_created_event_carries_it(tmp_path):
    with Workspace.create(tmp_path / "ws", actor="张三") as ws:
        row = ws.db.query_one("SELECT payload FROM events WHERE action = 'workspace.created'")
    assert json.loads(row["payload"])["app_version"] == _pyproject_version()


def test_without_metadata_a_source_tree_reads_pyproject_and_a_bundle_says_unknown(fresh_version, monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(version.metadata, "version", missing)
    assert version.app_version() == _pyproject_version()
    version.app_version.cache_clear()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert version.app_version() == version.UNKNOWN


def test_the_bundle_carries_the_metadata_and_the_deb_takes_the_same_version():
    spec = path("evidence-desk.spec").read_text(encoding="utf-8")
    assert 'copy_metadata("evidence-desk")' in spec  # what app_version() reads inside the bundle
    build_deb = load("build_deb")
    control = build_deb.control_text(build_deb.debian_version(version.app_version()), "amd64", ["libc6"], 1)
    assert f"Version: {_pyproject_version()}\n" in control


@pytest.mark.parametrize("python, debian", [
    ("0.1.0", "0.1.0"), ("1.2rc1", "1.2~rc1"), ("1.2.0.dev3", "1.2.0~dev3"), ("2.0b2", "2.0~b2"),
])
def test_debian_version_sorts_pre_releases_first(python, debian):
    assert load("build_deb").debian_version(python) == debian
