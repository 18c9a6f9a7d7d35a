"""``ingest`` says plainly what happened: 0 all registered, 1 a folder had entries that could not be, 2 a
named file could not be; programs and scripts are registered but marked and never opened."""

from __future__ import annotations

import json

from desktop.evidence.risky import EXECUTABLE_EXTS, is_executable, may_open
from desktop.text.status import executable_warning
from tests.evidence.helpers import cli


def test_every_file_registered_is_0_and_programs_are_marked(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    (folder / "setup.exe").write_bytes(b"MZ\x90\x00" + b"\0" * 60)
    (folder / "运行.bat").write_text("@echo off\r\n", encoding="utf-8")
    (folder / "说明.txt").write_text("合计 100 元", encoding="utf-8")
    ws = tmp_path / "ws"
    cli("init", str(ws), "--watch", str(folder))
    res = cli("ingest", str(ws), check=0)
    assert "setup.exe" in res.stdout and "可执行文件，不会打开" in res.stdout
    assert "注意" in res.stderr and "不会打开" in res.stderr and "无法登记" not in res.stderr
    st = json.loads(cli("status", str(ws), "--json").stdout)
    flags = {e["name"]: e["flags"] for e in st["evidence"]}
    assert "executable" in flags["setup.exe"] and "executable" in flags["运行.bat"]
    assert "executable" not in flags["说明.txt"]
    assert st["summary"]["executable_evidence"] == 2
    by_name = {e["name"]: e for e in st["evidence"]}
    assert not may_open(by_name["setup.exe"]) and may_open(by_name["说明.txt"])


def test_a_folder_with_entries_that_cannot_be_registered_is_1(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    (folder / "空.pdf").write_bytes(b"")
    (folder / "好.txt").write_text("合计 100 元", encoding="utf-8")
    ws = tmp_path / "ws"
    cli("init", str(ws))
    res = cli("ingest", str(ws), str(folder), check=1)
    assert "无法登记" in res.stderr and str(folder / "空.pdf") in res.stderr
    assert "好.txt" in res.stdout  # the rest was registered
    # the same file named on its own is an error in the command
    res = cli("ingest", str(ws), str(folder / "空.pdf"), check=2)
    assert str(folder / "空.pdf") in res.stderr


def test_the_marks_cover_the_usual_programs_and_say_why():
    for ext in ("exe", "bat", "cmd", "msi", "js", "vbs", "ps1", "scr", "lnk"):
        assert ext in EXECUTABLE_EXTS and is_executable(f"安装程序.{ext.upper()}")
    assert not is_executable("报告.pdf") and not is_executable("台账.xlsx") and not is_executable(None)
    assert is_executable("发票.pdf.exe")
    assert ".exe" in executable_warning(".EXE") and "不会打开" in executable_warning("exe")
