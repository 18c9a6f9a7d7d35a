"""Export a workspace as a 佐证材料包 (zip) and, optionally, a 佐证材料汇编 (PDF binder).

:func:`export_package` is what the CLI and the GUI call. It never leaves a half-written file under the
names asked for: everything is written into a hidden work folder beside the target (same disk, so the
final rename is atomic), fsynced, and renamed into place only when all of it is done; a failure, a full
disk or a cancel removes the work folder. ``progress(stage, done, total)`` reports as it goes (stages:
:data:`desktop.text.exchange.STAGES`); ``cancel()`` is polled between pieces of at most 8 MiB.

The export reads one snapshot of the database (``package.db`` is that snapshot, pruned), so it works on
a workspace another process holds (read-only); only then is the export not recorded as an audit event.
"""

from __future__ import annotations

import datetime as _dt
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from db.database import Database, utc_now
from desktop.errors import DeskError
from desktop.exchange import packagedb
from desktop.exchange.cancel import ExportCancelled
from desktop.exchange.plan import Plan, build_plan
from desktop.exchange.zipwriter import UTF8_FLAG, ZipWriter as _ZipWriter  # noqa: F401 - UTF8_FLAG: readers
from desktop.version import app_version

FORMAT = "evidence-desk-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PACKAGE_DB = "package.db"
CATALOG = "目录.xlsx"
COMPLETENESS = "完整性报告.pdf"
CHUNK = 1 << 20

Progress = Callable[[str, int, int], None]
Cancel = Callable[[], bool]


@dataclass
class ExportResult:
    path: Path
    package_id: str
    package_sha256: str
    manifest_sha256: str
    audit_seq: int
    audit_head: str
    counts: dict[str, int]
    members: list[dict[str, Any]]
    created_at: str
    binder_path: Path | None = None
    binder_sha256: str | None = None
    binder_pages: int = 0
    binder_notices: list[dict[str, Any]] = field(default_factory=list)  # files shown as a notice page
    recorded: bool = False
    not_recorded_reason: str | None = None
    export_id: int | None = None
    seq: int | None = None  # the package.exported event

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "package_id": self.package_id, "package_sha256": self.package_sha256,
                "manifest_sha256": self.manifest_sha256, "audit_seq": self.audit_seq,
                "audit_head": self.audit_head, "counts": self.counts, "created_at": self.created_at,
                "binder": str(self.binder_path) if self.binder_path else None,
                "binder_sha256": self.binder_sha256, "binder_pages": self.binder_pages,
                "binder_notices": self.binder_notices, "recorded": self.recorded,
                "not_recorded_reason": self.not_recorded_reason, "export_id": self.export_id, "seq": self.seq}


def _check_target(path: Path, suffix: str) -> Path:
    path = Path(path).expanduser().absolute()
    if path.suffix.lower() != suffix:
        raise DeskError("export.bad_suffix", suffix=suffix, path=str(path))
    if path.is_dir():
        raise DeskError("export.target_exists_as_folder", path=str(path))
    if not path.parent.is_dir():
        raise DeskError("export.target_folder_missing", path=str(path.parent))
    return path


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(Path(folder).resolve())
        return True
    except (ValueError, OSError):
        return False


def _os_error(exc: OSError | sqlite3.Error, path: Path) -> DeskError:
    """A failed write in words: a full disk (ENOSPC, a quota, a file size limit; SQLite's "disk is full")
    or anything else the system said."""
    if isinstance(exc, sqlite3.Error):
        if "full" in str(exc):
            return DeskError("export.disk_full", path=str(path))
        return DeskError("export.cannot_write", path=str(path), detail=str(exc))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DeskError("export.disk_full", path=str(path))
    return DeskError("export.cannot_write", path=str(path), detail=exc.strerror or str(exc))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)  # Windows' _commit refuses a read-only descriptor
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows: a folder cannot be opened; its renames are durable with the file
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sha256_file(path: Path, cancel: Cancel | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if cancel and cancel():
                raise ExportCancelled()
            h.update(chunk)
    return h.hexdigest()


def manifest_base(kind: str, package_id: str, plan: Any, ws: Any, created_at: str) -> dict[str, Any]:
    """What every manifest of a package or supplement opens with: format, kind, app, workspace, creator, audit head."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind, "package_id": package_id,
            "app": {"name": "EvidenceDesk", "version": app_version()},
            "workspace": {"id": plan.workspace_id, "name": plan.workspace_name},
            "unit": plan.unit, "year": plan.year, "created_at": created_at,
            "created_by": {"name": ws.actor, "role": ws.role},
            "audit": {"seq": plan.audit_seq, "head": plan.audit_head}}


def export_package(
    ws,
    out: str | Path,
    *,
    binder: str | Path | None = None,
    include_unlinked: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    record: bool = True,
    unit: str | None = None,
    year: str | None = None,
    pledge_text: str | None = None,
) -> ExportResult:
    """Write the package ``out`` (.zip) and, with ``binder``, the binder (.pdf) of workspace ``ws``.

    ``unit``, ``year``, ``pledge_text``: for this export, instead of the workspace settings of those names
    (or, for unit and year, what the report says).
    """
    out = _check_target(Path(out), ".zip")
    binder_path = _check_target(Path(binder), ".pdf") if binder else None
    if binder_path is not None and binder_path == out:
        raise DeskError("export.same_target", path=str(out))
    watch = ws.watch_dir
    for target in (out, binder_path):
        if target is not None and watch is not None and _inside(target, watch):
            # the watcher would register the package (and its work files) as evidence of this workspace
            raise DeskError("export.inside_watch_dir", path=str(target), folder=str(watch))
    problem = ws.db.head_problem()
    if problem is not None:
        raise DeskError("export.workspace_tampered", problem=problem)

    def tick(stage: str, done: int, total: int) -> None:
        if progress:
            progress(stage, done, total)

    def check_cancel() -> None:
        if cancel and cancel():
            raise ExportCancelled()

    work = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.export-tmp"
    try:
        try:
            work.mkdir()
            overrides = {"unit": unit, "year": year, "pledge_text": pledge_text}
            result = _export(ws, out, binder_path, work, include_unlinked, tick, check_cancel, cancel, overrides)
        except (OSError, sqlite3.Error) as exc:  # the work folder or a target cannot be written
            raise _os_error(exc, out) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if record:
        _record(ws, result)
    return result


def _export(ws, out: Path, binder_path: Path | None, work: Path, include_unlinked: bool, tick, check_cancel,
            cancel, overrides: dict[str, str | None]) -> ExportResult:
    tick("snapshot", 0, 1)
    db_copy = work / PACKAGE_DB
    packagedb.snapshot(ws.db, db_copy)
    snap = Database(db_copy, readonly=True)
    try:
        plan = build_plan(snap, ws.root, include_unlinked=include_unlinked)
    finally:
        snap.close()
    if not plan.reports:
        raise DeskError("export.nothing")
    plan.unit = (overrides.get("unit") or "").strip() or plan.unit
    plan.year = (overrides.get("year") or "").strip() or plan.year
    tick("snapshot", 1, 1)
    check_cancel()

    now = _dt.datetime.now(_dt.timezone.utc)
    created_at = utc_now()
    package_id = uuid.uuid4().hex
    builder = None
    pages: dict[int, int] = {}
    if binder_path is not None:
        from desktop.exchange.binder import BinderBuilder
        from desktop.parsing import limits as parse_limits

        builder = BinderBuilder(plan, ws.store, work / "binder", progress=tick, cancel=cancel,
                                pledge_text=overrides.get("pledge_text") or ws.db.get_setting("pledge_text"),
                                limits=parse_limits.load(ws.db))  # the ingest's ceilings, the workspace's settings
        pages = builder.prepare()

    zip_tmp = work / "package.zip"
    writer = _ZipWriter(zip_tmp, now.astimezone(), cancel)
    try:
        report_rows = []
        for r in plan.reports:
            if r.source is not None:
                m = writer.add_file(r.path, r.source)
            else:
                m = writer.add_bytes(r.path, r.text.encode("utf-8"), compress=zipfile.ZIP_STORED)
            report_rows.append({"report_id": r.report_id, "path": r.path, "sha256": m["sha256"],
                                "size": m["size"], "original": r.original and m["sha256"] == r.sha256})
        meta = {"format_version": FORMAT_VERSION, "package_id": package_id, "kind": "package",
                "workspace_id": plan.workspace_id, "workspace_name": plan.workspace_name, "unit": plan.unit,
                "year": plan.year, "created_at": created_at, "created_by": ws.actor, "created_role": ws.role,
                "audit_seq": plan.audit_seq, "audit_head": plan.audit_head,
                "include_unlinked": plan.include_unlinked, "app_version": app_version()}
        _copy_evidence(ws, plan, writer, tick)
        # The evidence goes to the disk in the background (no interpreter lock needed) while 目录.xlsx,
        # 完整性报告.pdf and package.db are made here, so the last fsync has little left to do. They are not
        # made on a second thread during the copy: with one interpreter lock the two only take turns, and
        # on a busy machine every turn waits for the scheduler (see docs/performance.md).
        writer.sync()
        check_cancel()
        _documents(plan, work, pages, _local(created_at), meta, report_rows, tick)
        for stage, name, compress in (("catalog", CATALOG, zipfile.ZIP_STORED),
                                      ("completeness", COMPLETENESS, zipfile.ZIP_STORED),
                                      ("database", PACKAGE_DB, zipfile.ZIP_DEFLATED)):
            writer.add_file(name, work / name, compress=compress)
            tick(stage, 1, 1)
        check_cancel()

        tick("manifest", 0, 1)
        manifest = {**manifest_base("package", package_id, plan, ws, created_at),
                    "include_unlinked": plan.include_unlinked, "counts": plan.counts(),
                    "members": list(writer.members)}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        writer.add_bytes(MANIFEST, manifest_bytes)
    except BaseException:
        writer.abort()
        raise
    writer.close()  # fsynced; hashed as it was written
    package_sha = writer.sha256 or sha256_file(zip_tmp, cancel)
    manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
    tick("manifest", 1, 1)

    result = ExportResult(out, package_id, package_sha, manifest_sha, plan.audit_seq, plan.audit_head,
                          plan.counts(), manifest["members"], created_at)
    binder_tmp = None
    if builder is not None:
        binder_tmp = work / "binder.pdf"
        info = builder.assemble(binder_tmp, package_sha256=package_sha, manifest_sha256=manifest_sha,
                                created_at=_local(created_at))
        _fsync(binder_tmp)
        result.binder_path = binder_path
        result.binder_sha256 = sha256_file(binder_tmp, cancel)
        result.binder_pages = info.pages
        result.binder_notices = info.notices
    check_cancel()
    os.replace(zip_tmp, out)
    if binder_tmp is not None and binder_path is not None:
        try:
            os.replace(binder_tmp, binder_path)
        except OSError:
            out.unlink(missing_ok=True)  # both or neither
            raise
        _fsync_dir(binder_path.parent)
    _fsync_dir(out.parent)
    return result


def _documents(plan: Plan, work: Path, pages: dict[int, int], created_local: str, meta: dict[str, Any],
               report_rows: list[dict[str, Any]], tick) -> None:
    from desktop.exchange.catalog import write_catalog
    from desktop.exchange.completeness_pdf import write_completeness

    tick("catalog", 0, 1)
    write_catalog(plan, work / CATALOG, pages)
    tick("completeness", 0, 1)
    write_completeness(plan, work / COMPLETENESS, created_at=created_local)
    tick("database", 0, 1)
    packagedb.finish(work / PACKAGE_DB, plan, meta, report_rows)


def _copy_evidence(ws, plan: Plan, writer: _ZipWriter, tick) -> None:
    """Every packaged file from the store into the zip, checked against its SHA-256 as it goes."""
    total = sum(f.size for f in plan.files.values())
    done = 0

    def moved(n: int) -> None:
        nonlocal done
        done += n
        tick("files", done, total)

    tick("files", 0, total)
    for f in plan.files.values():
        src = ws.store.object_path(f.sha256)
        try:
            m = writer.add_file(f.path, src, on_chunk=moved)
        except (FileNotFoundError, IsADirectoryError):
            raise DeskError("export.object_missing", evidence_id=f.evidence_id, name=f.name) from None
        if m["sha256"] != f.sha256 or m["size"] != f.size:
            raise DeskError("export.object_altered", evidence_id=f.evidence_id, name=f.name)


def _local(ts: str) -> str:
    from desktop.text.messages import local_time

    return local_time(ts)


def _record(ws, result: ExportResult) -> None:
    """The export as an audit event (and an ``exports`` row), where the workspace can be written."""
    from desktop.exchange.service import record_export

    if ws.readonly:
        result.not_recorded_reason = ws.info.reason or "readonly"
        return
    row = record_export(ws.db, result=result)
    result.recorded, result.export_id, result.seq = True, row["id"], row["seq"]


def plan_for(ws, *, include_unlinked: bool = False) -> Plan:
    """The plan of a package of ``ws`` as it stands (a snapshot in a temporary folder), for previews."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="evidence-desk-plan-") as tmp:
        copy = Path(tmp) / PACKAGE_DB
        packagedb.snapshot(ws.db, copy)
        snap = Database(copy, readonly=True)
        try:
            return build_plan(snap, ws.root, include_unlinked=include_unlinked)
        finally:
            snap.close()
