"""Every file name the code makes is one Windows accepts (checked with Windows rules, ``ntpath``, here)."""

from __future__ import annotations

import ntpath
import subprocess
import sys

from pathlib import Path

import pytest

from db import audit
from desktop import config, demo, logs, workspace
from desktop import store as storemod
from desktop.evidence import thumbnails
from desktop.paths import (MAX_NAME, MAX_PATH, is_reserved, is_windows_safe_name, utf16_len, windows_name_problems,
                           windows_path_problems, windows_safe_name)
from tests.conftest import REPO

SHA = "ab" + "0123456789abcdef" * 3 + "0123456789abcd"
# A long but ordinary Windows user data folder: 30-character user name.
WINDOWS_APPDATA = "C:\\Users\\" + "z" * 30 + "\\AppData\\Roaming"


@pytest.mark.parametrize("name, problems", [
    ("报告.pdf", []),
    ("E12_疑点数据核查台账2024.xlsx", []),
    ("", ["empty"]),
    ("..", ["dot_name"]),
    ("a:b.txt", ["forbidden_char"]),
    ('he said "no"', ["forbidden_char"]),
    ("tab\there", ["control_char"]),
    ("CON", ["reserved"]),
    ("con.txt", ["reserved"]),
    ("Aux.tar.gz", ["reserved"]),
    ("NUL .txt", ["reserved"]),
    ("COM1", ["reserved"]),
    ("lpt9.log", ["reserved"]),
    ("COM¹", ["reserved"]),
    ("CONOUT$", ["reserved"]),
    ("CONSOLE.txt", []),
    ("COM10", []),
    ("名称.", ["trailing_dot_or_space"]),
    ("名称 ", ["trailing_dot_or_space"]),
    ("bad\udcd5name", ["unpaired_surrogate"]),
    ("档" * 256, ["too_long"]),
    ("档" * 255, []),
    ("😀" * 128, ["too_long"]),  # 256 UTF-16 units
])
def test_problems_follow_windows_rules(name, problems):
    assert windows_name_problems(name) == problems


HOSTILE = [
    "", ".", "..", "...", " ", "CON", "con.txt", "PRN.tar.gz", "aux ", "NUL.", "COM3.doc", "LPT¹", "CONIN$",
    "a<b>c:d\"e/f\\g|h?i*j.pdf", "line\nbreak.txt", "\x00nul", "trailing dots...", "trailing space .pdf ",
    "undecodable \udcd5\udcfb.pdf", "档案" * 200 + ".xlsx", "😀" * 200 + ".png", "x." + "y" * 300,
    "report.PDF", "E12_" + "很长的原始文件名" * 40 + ".docx", "name.with.dots.txt", "COM1.", "  lead.txt",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_safe_name_is_safe_stable_and_close(name):
    safe = windows_safe_name(name)
    assert is_windows_safe_name(safe), (name, safe, windows_name_problems(safe))
    assert windows_safe_name(safe) == safe  # idempotent
    assert utf16_len(safe) <= 120
    assert ntpath.basename(safe) == safe and ntpath.dirname(safe) == ""  # one component, no drive
    if sys.version_info >= (3, 13):
        assert not ntpath.isreserved(safe)
    if is_windows_safe_name(name) and utf16_len(name) <= 120:
        assert safe == name  # a good name is left alone
    for ext in (".pdf", ".xlsx", ".png", ".docx", ".txt", ".PDF"):
        if name.rstrip(". ").endswith(ext):
            assert safe.endswith(ext)  # the extension survives a cut


def test_safe_name_examples():
    assert windows_safe_name("CON.txt") == "CON_.txt"
    assert windows_safe_name("a:b?.pdf") == "a_b_.pdf"
    assert windows_safe_name("名称. ") == "名称"
    assert windows_safe_name("...") == "_"
    assert windows_safe_name("x" * 300 + ".pdf", max_len=50) == "x" * 46 + ".pdf"
    assert windows_safe_name("😀" * 30, max_len=15) == "😀" * 7  # never half a surrogate pair
    assert is_reserved("nul.anything") and not is_reserved("nully")
    with pytest.raises(ValueError):
        windows_safe_name("a", replacement=":")


def test_whole_paths():
    assert windows_path_problems("C:\\Users\\张三\\Documents\\佐证材料\\报告.pdf") == []
    assert windows_path_problems("C:\\Users\\a\\con\\x.txt") == ["con: reserved"]
    assert windows_path_problems("C:\\" + "a\\" * 200) == ["too_long"]
    assert windows_path_problems("\\\\server\\share\\folder\\file.txt") == []


def _relative_parts(path, root):
    return path.relative_to(root).parts


def test_names_the_code_makes_are_windows_safe(tmp_path, monkeypatch):
    """Store objects and temp files, thumbnails and their markers, the workspace's own files, the user
    data folder with its config, log and demo workspace — all of them, with a Windows user data folder."""
    store = storemod.ContentStore(tmp_path / "store")
    made = [
        ("store object", _relative_parts(store.object_path(SHA), tmp_path)),
        ("store temp", _relative_parts(Path(store._temp_name()), tmp_path)),
        ("orphaned", ("store", storemod.ORPHANS, SHA)),
        ("thumbnail", _relative_parts(thumbnails.thumb_path(tmp_path / "thumbs", SHA), tmp_path)),
        ("no-thumbnail marker", _relative_parts(thumbnails.none_marker(tmp_path / "thumbs", SHA), tmp_path)),
        ("thumbnail temp", ("thumbs", SHA[:2], f"{SHA[:12]}-k2j4h5.tmp")),
        ("workspace files", (workspace.DB_NAME, workspace.DB_NAME + "-wal", workspace.DB_NAME + "-shm",
                             workspace.LOCK_NAME, workspace.STORE_DIR, workspace.THUMBS_DIR,
                             audit.HEAD_FILE)),
    ]
    # The user data folder as Windows has it: %APPDATA%\EvidenceDesk
    appdata = tmp_path / "AppData" / "Roaming"
    monkeypatch.delenv("EVIDENCE_DESK_HOME", raising=False)
    monkeypatch.setenv("APPDATA", str(appdata))
    monkeypatch.setattr(sys, "platform", "win32")
    data = config.data_dir()
    assert data == appdata / config.APP_DIR_NAME
    made += [
        ("data dir", _relative_parts(data, appdata)),
        ("config", _relative_parts(config.config_path(), appdata) + (config.config_path().name + ".tmp",)),
        ("log", _relative_parts(logs.log_path(), appdata) + (logs.LOG_FILE_NAME + ".3",)),
        ("demo workspace", _relative_parts(demo.demo_path() / demo.WATCH_DIR_NAME, appdata)),
    ]
    for what, parts in made:
        for part in parts:
            assert is_windows_safe_name(part), (what, part, windows_name_problems(part))

    # The deepest path the app makes itself, under a long user data folder, is far inside MAX_PATH.
    deepest = ntpath.join(WINDOWS_APPDATA, config.APP_DIR_NAME, demo.DEMO_DIR_NAME, workspace.THUMBS_DIR, SHA[:2],
                          f"{SHA}.none")
    assert windows_path_problems(deepest) == []
    assert utf16_len(deepest) < MAX_PATH - 80  # room for a workspace kept in a deeper folder


def test_every_file_in_the_repository_can_be_checked_out_on_windows():
    """The Windows CI clones this repository, and the bundle ships resources/: no name may trip Windows."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split("\0")
    names += [str(p.relative_to(REPO)) for p in (REPO / "resources").rglob("*") if "__pycache__" not in p.parts]
    bad = [(n, part, windows_name_problems(part, MAX_NAME)) for n in names if n
           for part in n.replace("\\", "/").split("/") if not is_windows_safe_name(part)]
    assert bad == []
    lowered: dict[str, str] = {}
    clashes = [(lowered.setdefault(n.lower(), n), n) for n in names if n and lowered.setdefault(n.lower(), n) != n]
    assert clashes == []  # Windows file names ignore case
