"""What goes into the bundle: the Qt modules, plugins and libraries the app needs, and nothing else.

The spec applies these rules at build time, so nothing here is a list someone must keep up by hand:

* **Qt modules**: the ones the code imports (read from its ``import`` statements), plus QtSvg (the window
  icon is an SVG, drawn by Qt's svg plugins) and QtPdf (the evidence preview). A panel that starts using
  QtPrintSupport brings it in; QtQml, QtQuick, QtNetwork's bindings, QtDesigner… stay out.
* **Qt plugins**: per folder, the ones kept (:data:`QT_PLUGINS_KEPT`); every other folder is dropped.
* **Host libraries** (Linux): the desktop stack and C++ runtime are left to the system
  (:data:`HOST_LIB_PATTERNS`) and become the ``.deb``'s ``Depends`` (``packaging/deb_depends.py``).
* **Unreachable libraries**: a system library PyInstaller collected only for something now left out
  (GTK for the GTK theme plugin, systemd for D-Bus…) is dropped too (:func:`select_binaries`).
"""

from __future__ import annotations

import ast
import posixpath
import re
import subprocess
from pathlib import Path

# -- Qt modules ---------------------------------------------------------------------------------------

ALWAYS_KEEP = frozenset({"QtCore", "QtGui", "QtWidgets", "QtSvg", "QtPdf", "QtPdfWidgets"})


def qt_modules_imported(source_root: Path) -> set[str]:
    """``{"QtCore", "QtWidgets", …}``: every ``PySide6.QtX`` imported by a ``.py`` file under ``source_root``."""
    found: set[str] = set()
    for path in sorted(Path(source_root).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                if node.module == "PySide6":
                    names += [f"PySide6.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "PySide6" and len(parts) > 1 and parts[1].startswith("Qt"):
                    found.add(parts[1])
    return found


def qt_modules_installed(pyside_dir: Path) -> set[str]:
    """Every Qt binding module of an installed PySide6 (``QtCore.abi3.so``, ``QtCore.pyd`` …)."""
    return {p.name.split(".")[0] for p in Path(pyside_dir).iterdir()
            if p.name.startswith("Qt") and p.suffix in (".so", ".pyd")}


def qt_modules_kept(source_root: Path) -> set[str]:
    return qt_modules_imported(source_root) | ALWAYS_KEEP


def qt_excludes(source_root: Path, pyside_dir: Path) -> list[str]:
    """``["PySide6.QtDBus", "PySide6.QtQml", …]``: the installed modules the app does not use."""
    unused = qt_modules_installed(pyside_dir) - qt_modules_kept(source_root)
    return sorted(f"PySide6.{m}" for m in unused)


# -- Qt plugins and translations ------------------------------------------------------------------------

# Per plugin folder, the plugins kept (file name without "lib" and suffix; Linux and Windows names); a
# folder not listed is dropped whole: SQL drivers, QML tooling, designer, network information, TLS, print support, the Wayland
# plugins (a Wayland session runs the app through XWayland), EGLFS / VNC / framebuffer platforms.
QT_PLUGINS_KEPT = {
    # X11, Windows; offscreen for the smoke test and headless runs
    "platforms": {"qxcb", "qwindows", "qoffscreen"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle"},  # Windows' native look
    "platformthemes": {"qxdgdesktopportal"},  # the GTK theme plugin would need GTK 3 on the host
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "imageformats": {"qgif", "qico", "qjpeg", "qsvg", "qtiff", "qwebp"},  # PNG and BMP are built in
    "iconengines": {"qsvgicon"},
    "xcbglintegrations": {"qxcb-egl-integration", "qxcb-glx-integration"},
}
QT_TRANSLATIONS_KEPT = {"qtbase_zh_CN.qm"}


def _parts(dest: str) -> list[str]:
    return dest.replace("\\", "/").split("/")


def _plugin_stem(name: str) -> str:
    stem = name.split(".")[0]
    return stem[3:] if stem.startswith("lib") else stem


def qt_file_kept(dest: str) -> bool:
    """False for a Qt plugin or translation the bundle leaves out (``dest``: the path inside the bundle)."""
    parts = _parts(dest)
    if "plugins" in parts and parts[0] == "PySide6":
        i = parts.index("plugins")
        if len(parts) > i + 2:
            kept = QT_PLUGINS_KEPT.get(parts[i + 1])
            return kept is not None and _plugin_stem(parts[-1]) in kept
    if "translations" in parts and parts[0] == "PySide6" and parts[-1].endswith(".qm"):
        return parts[-1] in QT_TRANSLATIONS_KEPT
    return True


# -- Libraries left to the host (Linux) -----------------------------------------------------------------

# The desktop stack every Debian-based desktop has and that must match its own configuration and drivers
# (X11 / xcb / keyboard, OpenGL, fonts, GLib, D-Bus), and the C++ runtime (the host's graphics drivers may
# need a newer libstdc++ than a shipped one). glibc's own libraries PyInstaller never ships.
HOST_LIB_PATTERNS = (
    r"libX[A-Za-z0-9-]*\.so\.\d+", r"libxcb[a-z0-9-]*\.so\.\d+", r"libxkbcommon(-x11)?\.so\.\d+",
    r"lib(E?GL|GLX|OpenGL|GLdispatch|drm)\.so\.\d+",
    r"libfontconfig\.so\.\d+", r"libfreetype\.so\.\d+",
    r"lib(glib|gobject|gio|gmodule|gthread)-2\.0\.so\.\d+", r"libdbus-1\.so\.\d+",
    r"libstdc\+\+\.so\.\d+", r"libgcc_s\.so\.\d+",
)


def is_host_lib(soname: str) -> bool:
    """True for a library the host provides (``libX11.so.6``); a wheel's renamed private copy
    (``libfreetype-57f805ba.so.6.20.6``) is not one."""
    return any(re.fullmatch(p, soname) for p in HOST_LIB_PATTERNS)


def _is_dependency(entry) -> bool:
    """A library that is in the bundle only because something needs it: the bundle's top level (system
    libraries PyInstaller collected) and Qt's own ``lib`` folder. A Python extension module is imported,
    not needed by a library (``_cffi_backend`` sits at the top level), and libpython is always needed."""
    parts = _parts(entry[0])
    if entry[2] == "EXTENSION" or parts[-1].startswith("libpython"):
        return False
    return len(parts) == 1 or parts[:3] == ["PySide6", "Qt", "lib"]


def select_binaries(entries, needed_of):
    """The binaries to ship: without the Qt plugins not kept, without host libraries, and without the
    libraries nothing shipped still needs.

    ``entries``: PyInstaller's ``(dest, source, typecode)`` tuples; ``needed_of(source)``: the sonames that
    file needs (ELF ``NEEDED``). Roots are everything that is not a mere dependency (Python extension
    modules, Qt plugins, libpython, libraries loaded with ctypes such as pdfium); a dependency stays when a
    kept file needs it, directly or through another kept dependency.
    """
    entries = [e for e in entries if qt_file_kept(e[0]) and not is_host_lib(_parts(e[0])[-1])]
    deps: dict[str, list] = {}
    for e in entries:
        if _is_dependency(e):
            deps.setdefault(_parts(e[0])[-1], []).append(e)
    kept = {id(e) for e in entries if not _is_dependency(e) and e[2] != "SYMLINK"}
    todo = [e for e in entries if id(e) in kept]
    seen: set[str] = set()
    while todo:
        entry = todo.pop()
        for soname in needed_of(entry[1]):
            if soname in seen:
                continue
            seen.add(soname)
            for dep in deps.get(soname, ()):
                if id(dep) not in kept:
                    kept.add(id(dep))
                    todo.append(dep)
    chosen = [e for e in entries if id(e) in kept and e[2] != "SYMLINK"]
    return chosen + without_dangling_links([e for e in entries if e[2] == "SYMLINK"], chosen)


def without_dangling_links(links, files):
    """The ``SYMLINK`` entries of ``links`` whose target is one of ``files``' destinations."""
    dests = {_norm(e[0]) for e in files}
    return [e for e in links if e[2] == "SYMLINK"
            and _norm(posixpath.join(posixpath.dirname(_norm(e[0])), e[1].replace("\\", "/"))) in dests]


def _norm(dest: str) -> str:
    return posixpath.normpath(dest.replace("\\", "/"))


def elf_needed(path: str) -> list[str]:
    """The ``NEEDED`` sonames of an ELF file (``readelf -d``); [] for anything else."""
    try:
        out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True).stdout
    except OSError as exc:
        raise SystemExit(f"readelf is needed to build the bundle (Debian: binutils): {exc}") from exc
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines() if "(NEEDED)" in line]
