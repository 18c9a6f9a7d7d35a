"""Reading an exchange file from another PC (package, supplement, return) — verified before anything is
written from it.

:func:`open_package` (packages and supplements: the export's ``verify_package`` plus the checks below) and
:func:`open_return` (returns) either raise or hand back a :class:`VerifiedArchive` whose members all hashed
to what the manifest says. Two kinds of refusal:

* :class:`~desktop.errors.DeskError` (the CLI exits 2): the file cannot be taken at all — not a zip,
  truncated, no manifest, another format, a newer format version, member names that are unsafe (absolute,
  ``..``, a drive, a backslash), symbolic links, encrypted members, names not marked UTF-8 (a GBK-named
  zip made by an old archiver), or a member that would unpack to far more than it weighs (a zip bomb);
* :class:`VerificationFailed` (exit 1): it is well formed but a member is changed, missing or added, or
  ``package.db`` disagrees with the manifest; ``problems`` name each member.

Members are read again when they are used (:meth:`VerifiedArchive.extract`), each hashed while it is
copied and compared once more, so a file swapped between the check and the use is still caught.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.errors import DeskError
from desktop.exchange.export import CHUNK, UTF8_FLAG
from desktop.exchange.names import is_safe_member

MANIFEST = "manifest.json"
MAX_MANIFEST = 64 << 20
#: a member that inflates more than this many times its compressed size, beyond BOMB_MIN bytes, is refused
BOMB_RATIO = 200
BOMB_MIN = 16 << 20
#: what a return may weigh in all (it holds JSON and three documents, never evidence files)
MAX_RETURN = 512 << 20
# structural problems: refused outright (exit 2), not "verification failed"
STRUCTURAL = ("member_unsafe", "member_symlink", "member_encrypted", "member_duplicate", "member_not_utf8",
              "member_bomb")


class VerificationFailed(DeskError):
    """The file is well formed but does not match its manifest: ``problems`` name each member."""

    def __init__(self, path: Path, problems: list[dict[str, Any]]):
        super().__init__("exchange.verification_failed", path=str(path), count=len(problems))
        self.problems = problems


@dataclass
class VerifiedArchive:
    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    file_sha256: str
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # path → {size, sha256}
    failed: set[str] = field(default_factory=set)  # members that failed (only with force)

    def read(self, name: str) -> bytes:
        """A whole member (small ones: JSON), checked against the manifest."""
        m = self.members[name]
        with zipfile.ZipFile(self.path) as zf:
            info = zf.getinfo(name)
            with zf.open(info) as f:
                data = f.read(m["size"] + 1)
        if len(data) != m["size"] or hashlib.sha256(data).hexdigest() != m["sha256"]:
            raise VerificationFailed(self.path, [{"code": "member_changed", "path": name}])
        return data

    def extract(self, name: str, dest: Path) -> None:
        """Copy a member to ``dest`` (a new file), hashing as it goes; a mismatch removes it and raises."""
        m = self.members[name]
        h = hashlib.sha256()
        n = 0
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(zf.getinfo(name)) as src, open(dest, "xb") as out:
                while n <= m["size"]:
                    chunk = src.read(min(CHUNK, m["size"] + 1 - n))
                    if not chunk:
                        break
                    h.update(chunk)
                    out.write(chunk)
                    n += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except (zipfile.BadZipFile, EOFError, KeyError, ValueError) as exc:
            Path(dest).unlink(missing_ok=True)
            raise VerificationFailed(self.path, [{"code": "member_changed", "path": name}]) from exc
        except BaseException:
            Path(dest).unlink(missing_ok=True)
            raise
        if n != m["size"] or h.hexdigest() != m["sha256"]:
            Path(dest).unlink(missing_ok=True)
            raise VerificationFailed(self.path, [{"code": "member_changed", "path": name}])


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _ends_with_directory(path: Path) -> bool:
    """Whether the file ends with a zip's end-of-central-directory record (and its comment). A truncated
    file does not — though it may still *contain* one: a stored member that is itself a zip (an .xlsx, a
    .docx) brings its own, and ``zipfile`` would read that inner archive instead."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(max(0, size - (22 + 0xFFFF)))
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    while at >= 0:
        if at + 22 <= len(tail) and at + 22 + int.from_bytes(tail[at + 20:at + 22], "little") == len(tail):
            return True
        at = tail.rfind(b"PK\x05\x06", 0, at)
    return False


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise DeskError("package.not_found", path=str(path))
    try:
        if not _ends_with_directory(path):
            raise zipfile.BadZipFile("no end of central directory at the end: truncated")
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DeskError("package.not_zip", path=str(path)) from exc


def structure_problems(zf: zipfile.ZipFile) -> list[dict[str, Any]]:
    """Names, links, encryption and inflation of every member, before any is read."""
    problems: list[dict[str, Any]] = []
    folded: set[str] = set()
    for info in zf.infolist():
        name = info.filename
        if name.casefold() in folded:
            problems.append({"code": "member_duplicate", "path": name})
        folded.add(name.casefold())
        if not (info.flag_bits & UTF8_FLAG) and not name.isascii():
            problems.append({"code": "member_not_utf8", "path": name})
        elif not is_safe_member(name):
            problems.append({"code": "member_unsafe", "path": name})
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append({"code": "member_symlink", "path": name})
        if info.flag_bits & 0x1:
            problems.append({"code": "member_encrypted", "path": name})
        if info.file_size > BOMB_MIN and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
            problems.append({"code": "member_bomb", "path": name, "size": info.file_size,
                             "compressed": info.compress_size})
    return problems


def _refuse_structure(path: Path, problems: list[dict[str, Any]]) -> None:
    bad = [p for p in problems if p["code"] in STRUCTURAL]
    if bad:
        raise DeskError("exchange.unsafe", path=str(path), problems=bad)


def _read_manifest(zf: zipfile.ZipFile, path: Path, fmt: str, version: int) -> tuple[dict[str, Any], bytes]:
    from desktop.exchange.verify import read_manifest

    return read_manifest(zf, path, fmt=fmt, version=version, wrong_format="exchange.wrong_format")


def forceable(problems: list[dict[str, Any]]) -> set[str]:
    """The members a forced receive opens anyway, flagged 校验失败: evidence files (under ``佐证材料/``) that
    are changed or missing. A package whose problems are all of these can be opened with ``force``."""
    return {p["path"] for p in problems if p["code"] in ("member_changed", "member_missing")
            and str(p.get("path", "")).startswith("佐证材料/")}


def open_package(path: str | Path, *, force: bool = False, progress=None) -> VerifiedArchive:
    """A package or supplement, verified (the export's ``verify_package`` plus names and inflation).

    ``force``: members under ``佐证材料/`` that fail are listed in ``failed`` instead of refusing (a package
    received with ``--force``); anything else that fails still refuses.
    """
    from desktop.exchange.verify import verify_package

    path = Path(path).expanduser().absolute()
    with _open_zip(path) as zf:
        _refuse_structure(path, structure_problems(zf))
    report = verify_package(path, progress)
    _refuse_structure(path, report.problems)
    problems = report.problems
    failed: set[str] = set()
    if force:
        failed = forceable(problems)
        problems = [p for p in problems if p.get("path") not in failed]
    if problems:
        raise VerificationFailed(path, problems)
    members = {m["path"]: {"size": m["size"], "sha256": m["sha256"]} for m in report.manifest["members"]}
    return VerifiedArchive(path, report.manifest, report.manifest_sha256, report.package_sha256, members, failed)


def open_return(path: str | Path, *, fmt: str, version: int, required: tuple[str, ...]) -> VerifiedArchive:
    """A return: manifest format and version, safe names, every member hashed against the manifest."""
    path = Path(path).expanduser().absolute()
    with _open_zip(path) as zf:
        problems = structure_problems(zf)
        _refuse_structure(path, problems)
        manifest, manifest_bytes = _read_manifest(zf, path, fmt, version)
        infos = {i.filename: i for i in zf.infolist()}
        listed: dict[str, dict[str, Any]] = {}
        for m in manifest["members"]:
            if not (isinstance(m, dict) and isinstance(m.get("path"), str) and isinstance(m.get("size"), int)
                    and isinstance(m.get("sha256"), str)):
                raise DeskError("package.bad_manifest", path=str(path), detail="member entry")
            listed[m["path"]] = {"size": m["size"], "sha256": m["sha256"]}
        if sum(m["size"] for m in listed.values()) > MAX_RETURN:
            raise DeskError("exchange.too_large", path=str(path))
        problems = []
        for name, m in listed.items():
            info = infos.get(name)
            if info is None:
                problems.append({"code": "member_missing", "path": name})
                continue
            if info.file_size != m["size"]:
                problems.append({"code": "member_changed", "path": name})
                continue
            h = hashlib.sha256()
            n = 0
            try:
                with zf.open(info) as f:
                    while n <= m["size"]:
                        chunk = f.read(min(CHUNK, m["size"] + 1 - n))
                        if not chunk:
                            break
                        h.update(chunk)
                        n += len(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                problems.append({"code": "member_changed", "path": name})
                continue
            if n != m["size"] or h.hexdigest() != m["sha256"]:
                problems.append({"code": "member_changed", "path": name})
        for name in infos:
            if name != MANIFEST and name not in listed and not name.endswith("/"):
                problems.append({"code": "member_added", "path": name})
        for name in required:
            if name not in listed and not any(p.get("path") == name for p in problems):
                problems.append({"code": "member_missing", "path": name})
    if problems:
        raise VerificationFailed(path, problems)
    return VerifiedArchive(path, manifest, hashlib.sha256(manifest_bytes).hexdigest(), _file_sha256(path), listed)


def copy_into(folder: Path, archive: VerifiedArchive, names: list[str]) -> None:
    """Keep verified members (manifest, package.db, documents) in ``folder`` for the record."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive.path) as zf, zf.open(MANIFEST) as f:
        data = f.read(MAX_MANIFEST + 1)
    if hashlib.sha256(data).hexdigest() != archive.manifest_sha256:
        raise VerificationFailed(archive.path, [{"code": "member_changed", "path": MANIFEST}])
    (folder / MANIFEST).write_bytes(data)
    for name in names:
        if name in archive.members:
            dest = folder / name.replace("/", "_")
            if dest.exists():
                dest.unlink()
            archive.extract(name, dest)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
