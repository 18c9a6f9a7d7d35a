"""The Windows build files that carry Chinese text start with a UTF-8 byte-order mark: Windows PowerShell
5.1 and Inno Setup read a file without one in the ANSI code page, and 佐证台 would come out garbled."""

from __future__ import annotations

import pytest

from tests.conftest import REPO

WINDOWS = REPO / "packaging" / "windows"


@pytest.mark.parametrize("name", ["build.ps1", "smoke.ps1", "evidence-desk.iss"])
def test_utf8_with_bom(name):
    data = (WINDOWS / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    data[3:].decode("utf-8")  # and the rest is UTF-8 (raises otherwise)


def test_the_installer_keeps_data_out_of_the_program_folder():
    iss = (WINDOWS / "evidence-desk.iss").read_text(encoding="utf-8-sig")
    assert "PrivilegesRequired=lowest" in iss  # no administrator needed
    assert "[UninstallDelete]" not in iss  # the user's %APPDATA%\EvidenceDesk stays
    assert '{group}\\卸载佐证台"; Filename: "{uninstallexe}"' in iss
