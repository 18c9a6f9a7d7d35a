"""``verify PACKAGE.zip``: every member re-hashed against the manifest, and the manifest against
``package.db``. Nothing is unpacked but ``package.db`` (into a temporary folder, after its hash matched
or not — a mismatch is reported either way).

A package that cannot be checked at all (not a zip, truncated, no or unreadable manifest, a newer format)
raises :class:`~desktop.errors.DeskError` (the CLI exits 2); a package that can be checked returns a
:class:`PackageReport` whose ``problems`` name each member changed, missing or added (exit 1).
"""

from __future__ import annotations

import hashlib
import json
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from desktop.errors import DeskError
from desktop.exchange import packagedb
from desktop.exchange.export import CHUNK, FORMAT, FORMAT_VERSION, MANIFEST, PACKAGE_DB, UTF8_FLAG
from desktop.exchange.names import is_safe_member
from desktop.exchange.plan import EVIDENCE_ROOT, REPORTS_ROOT

MAX_MANIFEST = 64 << 20
DB_FIELDS = (("format_version", "format_version"), ("package_id", "package_id"),
             ("workspace_id", ("workspace", "id")), ("audit_seq", ("audit", "seq")),
             ("audit_head", ("audit", "head")))


@dataclass
class PackageReport:
    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    package_sha256: str
    members: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _get(d: dict[str, Any], key) -> Any:
    if isinstance(key, tuple):
        for k in key:
            d = d.get(k) if isinstance(d, dict) else None
        return d
    return d.get(key)


def read_manifest(zf: zipfile.ZipFile, path: Path, *, fmt: str = FORMAT, version: int = FORMAT_VERSION,
                  wrong_format: str = "package.wrong_format") -> tuple[dict[str, Any], bytes]:
    """The manifest, bounded in size, of format ``fmt`` and a version we know (a package by default; the
    return and supplement readers pass their own)."""
    try:
        info = zf.getinfo(MANIFEST)
    except KeyError:
        raise DeskError("package.no_manifest", path=str(path)) from None
    if info.file_size > MAX_MANIFEST:
        raise DeskError("package.bad_manifest", path=str(path), detail="too large")
    try:
        with zf.open(info) as f:
            data = f.read(MAX_MANIFEST + 1)
        manifest = json.loads(data.decode("utf-8"))
    except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, OSError, EOFError) as exc:
        raise DeskError("package.bad_manifest", path=str(path), detail=str(exc)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("members"), list):
        raise DeskError("package.bad_manifest", path=str(path), detail="no member list")
    if manifest.get("format") != fmt:
        raise DeskError(wrong_format, path=str(path), format=str(manifest.get("format")), expected=fmt)
    v = manifest.get("format_version")
    if not isinstance(v, int) or v > version:
        raise DeskError("package.too_new", path=str(path), version=v, supported=version)
    return manifest, data


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, cancel) -> tuple[str, int]:
    """SHA-256 and size of a member, reading at most ``limit + 1`` bytes (a zip bomb stops there)."""
    h = hashlib.sha256()
    n = 0
    with zf.open(info) as f:
        while n <= limit:
            chunk = f.read(min(CHUNK, limit + 1 - n))
            if not chunk:
                break
            if cancel and cancel():
                from desktop.exchange.cancel import ExportCancelled

                raise ExportCancelled()
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def verify_package(path: str | Path, progress: Callable[[int, int], None] | None = None, cancel=None
                   ) -> PackageReport:
    path = Path(path)
    if not path.is_file():
        raise DeskError("package.not_found", path=str(path))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DeskError("package.not_zip", path=str(path)) from exc
    with zf:
        manifest, manifest_bytes = read_manifest(zf, path)
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
        report = PackageReport(path, manifest, hashlib.sha256(manifest_bytes).hexdigest(), h.hexdigest())
        problems = report.problems
        infos: dict[str, zipfile.ZipInfo] = {}
        folded: set[str] = set()
        for info in zf.infolist():
            name = info.filename
            if name.casefold() in folded:
                problems.append({"code": "member_duplicate", "path": name})
                continue
            infos[name] = info
            folded.add(name.casefold())
            if not is_safe_member(name):
                problems.append({"code": "member_unsafe", "path": name})
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append({"code": "member_symlink", "path": name})
            if info.flag_bits & 0x1:
                problems.append({"code": "member_encrypted", "path": name})
            if not (info.flag_bits & UTF8_FLAG) and not name.isascii():
                problems.append({"code": "member_not_utf8", "path": name})
        listed: dict[str, dict[str, Any]] = {}
        for m in manifest["members"]:
            if isinstance(m, dict) and isinstance(m.get("path"), str):
                listed[m["path"]] = m
        total = len(listed)
        report.members = total
        for i, (name, m) in enumerate(listed.items(), 1):
            info = infos.get(name)
            if info is None:
                problems.append({"code": "member_missing", "path": name})
                continue
            size = m.get("size") if isinstance(m.get("size"), int) else -1
            if info.file_size != size or info.flag_bits & 0x1:
                problems.append({"code": "member_changed", "path": name})
                continue
            try:
                digest, n = _hash_member(zf, info, max(size, 0), cancel)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError):
                problems.append({"code": "member_changed", "path": name})
                continue
            if n != size or digest != m.get("sha256"):
                problems.append({"code": "member_changed", "path": name})
            if progress:
                progress(i, total)
        for name in infos:
            if name != MANIFEST and name not in listed and not name.endswith("/"):
                problems.append({"code": "member_added", "path": name})
        if PACKAGE_DB in infos and PACKAGE_DB in listed:
            problems.extend(_check_db(zf, infos[PACKAGE_DB], manifest, listed))
    return report


def _check_db(zf: zipfile.ZipFile, info: zipfile.ZipInfo, manifest: dict[str, Any],
              listed: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """``package.db`` against the manifest: identity, audit head, the member lists, the audit chain."""
    problems: list[dict[str, Any]] = []
    size = listed[PACKAGE_DB].get("size")
    if not isinstance(size, int) or info.file_size != size:
        return problems  # already reported as changed; reading it would trust an unknown size
    with tempfile.TemporaryDirectory(prefix="evidence-desk-verify-") as tmp:
        copy = Path(tmp) / PACKAGE_DB
        try:
            with zf.open(info) as src, open(copy, "wb") as dst:
                left = size
                while left > 0 and (chunk := src.read(min(CHUNK, left))):
                    dst.write(chunk)
                    left -= len(chunk)
            conn = packagedb.open_readonly(copy)
        except Exception as exc:
            return [{"code": "db_unreadable", "detail": f"{type(exc).__name__}: {exc}"}]
        try:
            meta = packagedb.read_package(conn)
            for key, mkey in DB_FIELDS:
                if meta.get(key) != _get(manifest, mkey):
                    problems.append({"code": "db_mismatch", "field": key, "manifest": _get(manifest, mkey),
                                     "db": meta.get(key)})
            in_db = packagedb.members(conn)
            in_manifest = {p: m for p, m in listed.items()
                           if p.startswith(EVIDENCE_ROOT + "/") or p.startswith(REPORTS_ROOT + "/")}
            for p, (sha, sz) in in_db.items():
                m = in_manifest.get(p)
                if m is None:
                    problems.append({"code": "db_member_unlisted", "path": p})
                elif m.get("sha256") != sha or m.get("size") != sz:
                    problems.append({"code": "db_member_differs", "path": p})
            for p in in_manifest:
                if p not in in_db:
                    problems.append({"code": "db_member_missing", "path": p})
            chain, seq, head = packagedb.chain(conn)
            for c in chain[:5]:
                problems.append({"code": "db_chain_broken", "seq": c.seq, "detail": c.code})
            if seq != _get(manifest, ("audit", "seq")) or head != _get(manifest, ("audit", "head")):
                problems.append({"code": "db_head_mismatch", "seq": seq})
        except Exception as exc:  # a package.db that is not ours (missing tables, garbage)
            problems.append({"code": "db_unreadable", "detail": f"{type(exc).__name__}: {exc}"})
        finally:
            conn.close()
    return problems
