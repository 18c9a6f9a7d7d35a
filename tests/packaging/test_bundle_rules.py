"""What the spec keeps in the bundle: Qt modules from the code's imports, kept plugins, no host libraries,
nothing nobody needs (fake PyInstaller tables of contents)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.packaging.helpers import load

rules = load("bundle_rules")


def test_qt_modules_are_read_from_the_imports(tmp_path):
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "a.py").write_text("from PySide6.QtWidgets import QWidget\nimport PySide6.QtCore\n")
    (tmp_path / "ui" / "b.py").write_text("from PySide6 import QtPrintSupport, QtGui\n")
    (tmp_path / "core.py").write_text("import json\nfrom .x import PySide6\n")
    assert rules.qt_modules_imported(tmp_path) == {"QtWidgets", "QtCore", "QtPrintSupport", "QtGui"}


@pytest.mark.qt
def test_the_app_keeps_what_it_imports_and_leaves_out_the_rest():
    import PySide6  # the installed Qt modules are what the spec chooses among

    pyside = __import__("pathlib").Path(PySide6.__file__).parent
    excludes = rules.qt_excludes(REPO / "desktop", pyside)
    kept = rules.qt_modules_kept(REPO / "desktop")
    assert {"QtCore", "QtGui", "QtWidgets", "QtPdf", "QtPdfWidgets", "QtSvg"} <= kept
    assert "PySide6.QtQml" in excludes and "PySide6.QtQuick" in excludes and "PySide6.QtNetwork" in excludes
    assert not any(e.removeprefix("PySide6.") in kept for e in excludes)


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqtga.so", False),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("resources/samples/demo.json", True),
])
def test_qt_files_kept(dest, kept):
    assert rules.qt_file_kept(dest) is kept


def test_windows_plugins_are_kept_in_pyside6s_windows_layout():
    assert rules.qt_file_kept("PySide6\\plugins\\platforms\\qwindows.dll")
    assert rules.qt_file_kept("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll")
    assert rules.qt_file_kept("PySide6\\plugins\\imageformats\\qjpeg.dll")
    assert not rules.qt_file_kept("PySide6\\plugins\\sqldrivers\\qsqlite.dll")


@pytest.mark.parametrize("soname, host", [
    ("libX11.so.6", True), ("libxcb-icccm.so.4", True), ("libxkbcommon-x11.so.0", True), ("libGL.so.1", True),
    ("libfontconfig.so.1", True), ("libglib-2.0.so.0", True), ("libdbus-1.so.3", True),
    ("libstdc++.so.6", True), ("libgcc_s.so.1", True),
    ("libfreetype-57f805ba.so.6.20.6", False), ("libxcb-9065bb12.so.1.1.0", False),  # a wheel's own copies
    ("libsqlite3.so.0", False), ("libssl.so.3", False), ("libQt6Core.so.6", False), ("libffi.so.8", False),
])
def test_host_libraries(soname, host):
    assert rules.is_host_lib(soname) is host


def test_select_binaries_drops_host_libs_unreachable_deps_and_dangling_links():
    toc = [
        ("PySide6/QtGui.abi3.so", "/w/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/w/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/w/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "/w/libQt6WaylandClient.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", "/w/libqwayland.so", "BINARY"),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/w/libqgtk3.so", "BINARY"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6WaylandClient.so.6", "PySide6/Qt/lib/libQt6WaylandClient.so.6", "SYMLINK"),
        ("libX11.so.6", "/usr/lib/libX11.so.6", "BINARY"),
        ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
        ("libcairo.so.2", "/usr/lib/libcairo.so.2", "BINARY"),
        ("libsqlite3.so.0", "/usr/lib/libsqlite3.so.0", "BINARY"),
        ("lib-dynload/_sqlite3.so", "/py/_sqlite3.so", "EXTENSION"),
        ("libpython3.11.so.1.0", "/py/libpython3.11.so.1.0", "BINARY"),
        ("pypdfium2_raw/libpdfium.so", "/w/libpdfium.so", "BINARY"),
        ("_cffi_backend.cpython-311-x86_64-linux-gnu.so", "/w/_cffi_backend.so", "EXTENSION"),
        ("libffi.so.8", "/usr/lib/libffi.so.8", "BINARY"),
    ]
    needs = {
        "/w/QtGui.abi3.so": ["libQt6Gui.so.6", "libQt6Core.so.6"],
        "/w/libQt6Gui.so.6": ["libQt6Core.so.6", "libX11.so.6"],
        "/w/libqwayland.so": ["libQt6WaylandClient.so.6"],
        "/w/libqgtk3.so": ["libgtk-3.so.0"],
        "/usr/lib/libgtk-3.so.0": ["libcairo.so.2"],
        "/py/_sqlite3.so": ["libsqlite3.so.0"],
        "/w/_cffi_backend.so": ["libffi.so.8"],
    }
    kept = [e[0] for e in rules.select_binaries(toc, lambda src: needs.get(src, []))]
    assert kept == [
        "PySide6/QtGui.abi3.so", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Core.so.6",
        "libsqlite3.so.0", "lib-dynload/_sqlite3.so", "libpython3.11.so.1.0", "pypdfium2_raw/libpdfium.so",
        "_cffi_backend.cpython-311-x86_64-linux-gnu.so",  # imported, at the top level: kept, with its libffi
        "libffi.so.8",
        "libQt6Core.so.6",  # the link stays with its target; the Wayland one went with its library
    ]
