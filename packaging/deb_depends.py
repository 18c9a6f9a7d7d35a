"""The ``.deb``'s ``Depends:``, derived from the bundle itself at build time — never written by hand.

    python packaging/deb_depends.py dist/EvidenceDesk        # prints the Depends line

1. Every ELF file in the bundle (executable, libraries, Python extension modules, Qt plugins) and the
   sonames it needs (``readelf -d``: ``NEEDED``).
2. Minus the sonames the bundle ships itself (any file or link of that name in the bundle).
3. Each remaining soname resolved as the dynamic loader would (``ldconfig -p``), to the package that owns
   the file (``dpkg -S``). A soname this machine cannot resolve fails the build: the bundle would not
   start where it is missing either, and the list would be incomplete.
4. glibc gets a floor: the highest ``GLIBC_x.y`` symbol version any file needs (``readelf -V``), as
   ``libc6 (>= x.y)``.

:func:`derive_depends` is the pure part (tested on a fake bundle); the rest reads the real machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterable, Mapping

ELF_MAGIC = b"\x7fELF"


class UnresolvedLibraries(RuntimeError):
    """Sonames the bundle needs that neither it ships nor this machine's packages provide."""

    def __init__(self, missing: Mapping[str, list[str]]):
        self.missing = dict(missing)
        lines = [f"  {soname} (needed by {', '.join(sorted(users)[:3])})" for soname, users in sorted(missing.items())]
        super().__init__("the bundle needs libraries that it does not ship and this machine does not have:\n"
                         + "\n".join(lines))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version))


def derive_depends(
    needed: Mapping[str, Iterable[str]],
    shipped: set[str],
    resolve: Callable[[str], str | None],
    owner: Callable[[str], str | None],
    glibc_versions: Iterable[str] = (),
) -> list[str]:
    """``["libc6 (>= 2.34)", "libdbus-1-3", …]``, sorted by package name.

    ``needed``: file in the bundle → sonames it needs; ``shipped``: sonames the bundle has;
    ``resolve(soname)``: the system path the loader would use, or None; ``owner(path)``: the package
    owning that path, or None; ``glibc_versions``: every ``GLIBC_x.y`` a file needs. Raises
    :class:`UnresolvedLibraries` for sonames that cannot be resolved to a package."""
    users: dict[str, list[str]] = {}
    for path, sonames in needed.items():
        for soname in sonames:
            if soname not in shipped:
                users.setdefault(soname, []).append(path)
    packages: set[str] = set()
    missing: dict[str, list[str]] = {}
    for soname, who in sorted(users.items()):
        system_path = resolve(soname)
        package = owner(system_path) if system_path else None
        if package is None:
            missing[soname] = who
        else:
            packages.add(package)
    if missing:
        raise UnresolvedLibraries(missing)
    floors = sorted({v.removeprefix("GLIBC_") for v in glibc_versions if re.fullmatch(r"GLIBC_[\d.]+", v)},
                    key=_version_key)
    depends = []
    for package in sorted(packages):
        if package == "libc6" and floors:
            depends.append(f"libc6 (>= {floors[-1]})")
        else:
            depends.append(package)
    return depends


# -- reading the real bundle and machine -------------------------------------------------------------------


def elf_files(bundle: Path) -> list[Path]:
    """Every regular ELF file under ``bundle`` (links are left out: their targets are listed)."""
    found = []
    for dirpath, _dirs, files in os.walk(bundle):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            with open(path, "rb") as f:
                if f.read(4) == ELF_MAGIC:
                    found.append(path)
    return sorted(found)


def shipped_names(bundle: Path) -> set[str]:
    """The name of every file and link in the bundle (a soname the bundle ships is one of them)."""
    return {name for _dirpath, dirs, files in os.walk(bundle) for name in files + dirs}


def _readelf(*args: str) -> str:
    return subprocess.run(["readelf", *args], capture_output=True, text=True, check=True).stdout


def needed_sonames(path: Path) -> list[str]:
    out = _readelf("-d", "-W", str(path))
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines() if "(NEEDED)" in line]


def glibc_versions_needed(path: Path) -> set[str]:
    """``{"GLIBC_2.34", …}``: the glibc symbol versions ``path`` needs (its ``.gnu.version_r``)."""
    out = _readelf("-V", "-W", str(path))
    section = out.split(".gnu.version_r", 1)[1] if ".gnu.version_r" in out else ""
    return set(re.findall(r"Name:\s+(GLIBC_[\d.]+)", section))


def loader_cache(machine: str = "x86-64") -> dict[str, str]:
    """``{soname: path}`` from ``ldconfig -p``, for this machine's word size (``libc6,x86-64``)."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    cache: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)", line)
        if m and machine in m.group(2):
            cache.setdefault(m.group(1), m.group(3))
    return cache


def dpkg_owner(path: str) -> str | None:
    """The package owning ``path``: tried as given, fully resolved, and across the /lib ↔ /usr/lib merge."""
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        if p.startswith("/lib"):
            candidates.append("/usr" + p)
        elif p.startswith("/usr/lib"):
            candidates.append(p[len("/usr"):])
    for p in dict.fromkeys(candidates):
        res = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
        if res.returncode == 0 and res.stdout.strip():
            first = res.stdout.splitlines()[0]
            if "diversion by" in first:
                continue
            return first.split(":", 1)[0].split(",")[0].strip()
    return None


def bundle_depends(bundle: Path) -> list[str]:
    """The Depends list of a built bundle on this machine (see the module's docstring)."""
    bundle = Path(bundle)
    files = elf_files(bundle)
    if not files:
        raise SystemExit(f"deb_depends: no ELF file under {bundle}")
    needed = {str(f.relative_to(bundle)): needed_sonames(f) for f in files}
    glibc: set[str] = set()
    for f in files:
        glibc |= glibc_versions_needed(f)
    cache = loader_cache()
    return derive_depends(needed, shipped_names(bundle), cache.get, dpkg_owner, glibc)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: deb_depends.py BUNDLE_DIR", file=sys.stderr)
        return 2
    try:
        print(", ".join(bundle_depends(Path(argv[1]))))
    except UnresolvedLibraries as exc:
        print(f"deb_depends: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
