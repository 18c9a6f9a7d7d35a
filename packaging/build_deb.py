"""Build ``dist/evidence-desk_<version>_<arch>.deb`` from the PyInstaller bundle, with ``dpkg-deb``.

    python packaging/build_deb.py [--bundle dist/EvidenceDesk] [--icons build/icons] [--out dist]

The package holds:

* ``/opt/evidence-desk/`` — the bundle as built;
* ``/usr/bin/evidence-desk`` — a link to the bundle's executable (GUI without arguments, CLI with them);
* ``/usr/share/applications/evidence-desk.desktop`` — the menu entry (``packaging/evidence-desk.desktop``);
* ``/usr/share/icons/hicolor/<N>x<N>/apps/evidence-desk.png`` and ``scalable/apps/evidence-desk.svg``;
* ``/usr/share/doc/evidence-desk/copyright``.

``Depends:`` comes from :mod:`deb_depends` (the libraries the bundle needs and does not ship, mapped to
the packages that own them here). The version is the app's own (:func:`desktop.version.app_version`),
checked against what the bundle prints for ``--version``. No maintainer scripts: the icon cache and the
menu are refreshed by the triggers of hicolor-icon-theme and desktop-file-utils where they are installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from deb_depends import bundle_depends  # noqa: E402
from make_icons import NAME, PNG_SIZES  # noqa: E402

from desktop.version import app_version  # noqa: E402

PACKAGE = "evidence-desk"
INSTALL_DIR = "opt/evidence-desk"
EXECUTABLE = "evidence-desk"
MAINTAINER = "EvidenceDesk <evidence-desk@localhost>"
SUMMARY = "EvidenceDesk (佐证台): claims of a self-evaluation report linked to their evidence"
DESCRIPTION = """\
 An offline desktop app for Chinese government performance self-evaluation
 reports (绩效自评报告): it extracts every quantitative claim, takes in the
 supporting files, links each claim to its evidence, shows what is missing
 and keeps a tamper-evident audit trail.
 .
 The program is self-contained under /opt/evidence-desk (Python, Qt and the
 libraries it needs); it depends only on the desktop's own libraries."""


def control_text(version: str, arch: str, depends: list[str], installed_kib: int) -> str:
    return (f"Package: {PACKAGE}\n"
            f"Version: {version}\n"
            f"Architecture: {arch}\n"
            f"Maintainer: {MAINTAINER}\n"
            f"Installed-Size: {installed_kib}\n"
            f"Depends: {', '.join(depends)}\n"
            f"Section: misc\n"
            f"Priority: optional\n"
            f"Description: {SUMMARY}\n{DESCRIPTION}\n")


def debian_version(version: str) -> str:
    """A Python version as a Debian one (``1.0rc1`` → ``1.0~rc1``: sorts before ``1.0`` in both)."""
    return re.sub(r"\.?(a|b|rc|dev)(\d+)", r"~\1\2", version)


def tree_kib(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            total += p.lstat().st_size if p.is_symlink() else p.stat().st_size
    return (total + 1023) // 1024


def bundle_version(bundle: Path) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(bundle.parent)}
    out = subprocess.run([str(bundle / EXECUTABLE), "--version"], capture_output=True, text=True, env=env,
                         check=True).stdout.strip()
    return out.split()[-1]


def build_deb(bundle: Path, icons: Path, out: Path, work: Path) -> Path:
    version = app_version()
    shipped = bundle_version(bundle)
    if shipped != version:
        raise SystemExit(f"build_deb: the bundle says {shipped}, the source says {version}: rebuild the bundle")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    depends = bundle_depends(bundle)

    if work.exists():
        shutil.rmtree(work)
    root = work / "root"
    shutil.copytree(bundle, root / INSTALL_DIR, symlinks=True)
    (root / "usr/bin").mkdir(parents=True)
    os.symlink(f"/{INSTALL_DIR}/{EXECUTABLE}", root / "usr/bin" / EXECUTABLE)
    apps = root / "usr/share/applications"
    apps.mkdir(parents=True)
    shutil.copy2(ROOT / "packaging" / "evidence-desk.desktop", apps / "evidence-desk.desktop")
    for size in PNG_SIZES:
        dest = root / f"usr/share/icons/hicolor/{size}x{size}/apps"
        dest.mkdir(parents=True)
        shutil.copy2(icons / f"{NAME}-{size}.png", dest / f"{NAME}.png")
    scalable = root / "usr/share/icons/hicolor/scalable/apps"
    scalable.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / f"{NAME}.svg", scalable / f"{NAME}.svg")
    doc = root / "usr/share/doc" / PACKAGE
    doc.mkdir(parents=True)
    shutil.copy2(ROOT / "packaging" / "copyright", doc / "copyright")
    for dirpath, dirs, files in os.walk(root):  # 0755 folders and programs, 0644 the rest
        for d in dirs:
            os.chmod(Path(dirpath) / d, 0o755)
        for name in files:
            p = Path(dirpath) / name
            if not p.is_symlink():
                os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)

    (root / "DEBIAN").mkdir()
    control = control_text(debian_version(version), arch, depends, tree_kib(root))
    (root / "DEBIAN" / "control").write_text(control, encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{PACKAGE}_{debian_version(version)}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"build_deb: {deb} ({deb.stat().st_size // (1024 * 1024)} MiB)")
    print(f"build_deb: Depends: {', '.join(depends)}")
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the .deb from the PyInstaller bundle")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "EvidenceDesk")
    parser.add_argument("--icons", type=Path, default=ROOT / "build" / "icons")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "deb")
    args = parser.parse_args(argv)
    build_deb(args.bundle.absolute(), args.icons, args.out, args.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
