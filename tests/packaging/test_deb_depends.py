"""The .deb's Depends is derived from what the bundle's files need, minus what it ships (fake bundles)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.packaging.helpers import load

deb_depends = load("deb_depends")

SYSTEM = {  # soname -> where the loader finds it
    "libc.so.6": "/lib/x86_64-linux-gnu/libc.so.6",
    "libm.so.6": "/lib/x86_64-linux-gnu/libm.so.6",
    "libX11.so.6": "/lib/x86_64-linux-gnu/libX11.so.6",
    "libxcb-icccm.so.4": "/lib/x86_64-linux-gnu/libxcb-icccm.so.4",
    "libglib-2.0.so.0": "/lib/x86_64-linux-gnu/libglib-2.0.so.0",
    "libgthread-2.0.so.0": "/lib/x86_64-linux-gnu/libgthread-2.0.so.0",
    "libz.so.1": "/lib/x86_64-linux-gnu/libz.so.1",
}
OWNERS = {  # path -> package (as dpkg -S answers)
    "/lib/x86_64-linux-gnu/libc.so.6": "libc6", "/lib/x86_64-linux-gnu/libm.so.6": "libc6",
    "/lib/x86_64-linux-gnu/libX11.so.6": "libx11-6",
    "/lib/x86_64-linux-gnu/libxcb-icccm.so.4": "libxcb-icccm4",
    "/lib/x86_64-linux-gnu/libglib-2.0.so.0": "libglib2.0-0",
    "/lib/x86_64-linux-gnu/libgthread-2.0.so.0": "libglib2.0-0",
    "/lib/x86_64-linux-gnu/libz.so.1": "zlib1g",
}
NEEDED = {
    "evidence-desk": ["libc.so.6", "libz.so.1"],
    "_internal/libpython3.11.so.1.0": ["libc.so.6", "libm.so.6", "libz.so.1"],
    "_internal/PySide6/Qt/lib/libQt6Core.so.6": ["libglib-2.0.so.0", "libgthread-2.0.so.0", "libicuuc.so.73",
                                                 "libc.so.6"],
    "_internal/PySide6/Qt/plugins/platforms/libqxcb.so": ["libX11.so.6", "libxcb-icccm.so.4", "libQt6Core.so.6"],
    "_internal/PySide6/Qt/lib/libicuuc.so.73": ["libc.so.6"],
}
SHIPPED = {"libQt6Core.so.6", "libicuuc.so.73", "libz.so.1", "libpython3.11.so.1.0"}


def test_depends_are_the_owners_of_what_is_needed_and_not_shipped():
    depends = deb_depends.derive_depends(NEEDED, SHIPPED, SYSTEM.get, OWNERS.get,
                                         ["GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.34", "GLIBC_2.9", "GCC_3.0"])
    # zlib1g is left out (the bundle ships libz.so.1); libc6 gets the highest glibc version needed
    # (2.34 > 2.17 > 2.9, compared as numbers); two sonames of one package give it once.
    assert depends == ["libc6 (>= 2.34)", "libglib2.0-0", "libx11-6", "libxcb-icccm4"]


def test_a_library_nobody_provides_fails_the_build_with_its_name():
    needed = dict(NEEDED, **{"_internal/PySide6/Qt/plugins/platforms/libqwayland.so": ["libwayland-client.so.0"]})
    with pytest.raises(deb_depends.UnresolvedLibraries) as err:
        deb_depends.derive_depends(needed, SHIPPED, SYSTEM.get, OWNERS.get)
    assert set(err.value.missing) == {"libwayland-client.so.0"}
    assert "libqwayland.so" in str(err.value)


def test_a_file_no_package_owns_fails_too():
    owners = dict(OWNERS)
    del owners["/lib/x86_64-linux-gnu/libX11.so.6"]  # e.g. a library copied by hand into /usr/local/lib
    with pytest.raises(deb_depends.UnresolvedLibraries) as err:
        deb_depends.derive_depends(NEEDED, SHIPPED, SYSTEM.get, owners.get)
    assert set(err.value.missing) == {"libX11.so.6"}


def test_without_glibc_versions_libc6_has_no_floor():
    assert deb_depends.derive_depends({"a": ["libc.so.6"]}, set(), SYSTEM.get, OWNERS.get) == ["libc6"]


def test_reads_a_real_elf_file(tmp_path):
    """On a small fake bundle: a real extension module (this Python's _sqlite3) and a link to it."""
    import _sqlite3

    bundle = tmp_path / "Bundle"
    (bundle / "_internal").mkdir(parents=True)
    ext = Path(_sqlite3.__file__)
    shutil.copy2(ext, bundle / "_internal" / ext.name)
    (bundle / "_internal" / "alias.so").symlink_to(ext.name)
    (bundle / "_internal" / "notes.txt").write_text("not ELF", encoding="utf-8")
    files = deb_depends.elf_files(bundle)
    assert files == [bundle / "_internal" / ext.name]  # links and non-ELF files are left out
    needed = deb_depends.needed_sonames(files[0])
    assert "libc.so.6" in needed or any(n.startswith("libsqlite3") for n in needed)
    assert {"alias.so", ext.name, "notes.txt"} <= deb_depends.shipped_names(bundle)
    assert all(v.startswith("GLIBC_") for v in deb_depends.glibc_versions_needed(files[0]))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the loader cache and dpkg are Linux's")
def test_the_loader_cache_and_dpkg_name_libc6():
    cache = deb_depends.loader_cache()
    assert deb_depends.dpkg_owner(cache["libc.so.6"]) == "libc6"
