"""Receiving at the inspector's: a package becomes a review workspace, a supplement is merged into it.

``receive PACKAGE.zip REVIEW_WS`` verifies the package first (:func:`desktop.exchange.archive.open_package`)
and refuses it, naming each member that fails, unless ``force`` (then the failing evidence files are kept
as rows without bytes, flagged 校验失败). The review workspace is made from ``package.db`` and the files —
nothing is parsed again: claims, links with their locators, evidence rows with their extracted text and
numbers, reviews and requests are copied with their ids (so 指标 #12 and E7 are the same numbers on both
PCs). Its audit chain starts with one ``package.received`` event naming the package (id, manifest hash,
zip hash) and the sender's audit head, and carrying every row it wrote. It is a review workspace: it opens
in the 审核 role only (``Workspace.review_only``), so claims and links cannot be changed there.

``receive SUPPLEMENT.zip REVIEW_WS`` merges a supplement (``export … --since``): new and changed reports,
claims (each with its whole set of links), evidence with its bytes, the group's reviews, and requests
(taken when newer, each with its own event attributed to who changed it over there), then one
``supplement.received`` event with every row written. Its audit chain must continue the one this
workspace last received from the same sender; receiving the same file twice changes nothing.

If anything fails, nothing is left behind: a new review workspace is removed, a merge rolls back and the
files it had copied into the store are taken out again.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.database import Tx
from desktop.errors import DeskError
from desktop.exchange import packagedb, rows as R
from desktop.exchange.archive import VerifiedArchive, open_package
from desktop.exchange.export import PACKAGE_DB
from desktop.workspace import STORE_DIR, THUMBS_DIR, Workspace, require_role

RECEIVED_DIR = "received"  # <review workspace>/received/<exchange id>/: manifest, package.db, documents
KEEP = ("package.db", "目录.xlsx", "完整性报告.pdf")
REPORT_COPIES = "reports"
LOCAL_SETTINGS = ("watch_dir", "kind", "package_id", "source_workspace_id", "source_workspace_name")


@dataclass
class Received:
    workspace: Path
    kind: str  # package / supplement
    exchange_id: str
    package_id: str
    already: bool = False  # this very file was received before: nothing changed
    outdated: bool = False  # a supplement older than what arrived since: nothing in it is new
    counts: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)  # members opened anyway (force), flagged 校验失败
    seq: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"workspace": str(self.workspace), "kind": self.kind, "exchange_id": self.exchange_id,
                "package_id": self.package_id, "already": self.already, "outdated": self.outdated, "counts": self.counts,
                "failed": self.failed, "seq": self.seq}


def _write_error(exc: OSError, path: Path) -> DeskError:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DeskError("receive.disk_full", path=str(path))
    return DeskError("receive.cannot_write", path=str(path), detail=exc.strerror or str(exc))


def receive(path: str | Path, dest: str | Path, *, actor: str | None = None, force: bool = False,
            progress=None) -> Received:
    """A package into a new review workspace ``dest``, or a supplement into the review workspace ``dest``."""
    dest = Path(dest).expanduser().absolute()
    if Workspace.is_workspace(dest):
        ws = Workspace.open(dest, actor=actor, role="reviewer")
        try:
            if not ws.review_only:
                raise DeskError("receive.not_review_workspace", path=str(dest))
            ws.check_writable()
            return receive_supplement(ws, path, progress=progress)
        finally:
            ws.close()
    return receive_package(path, dest, actor=actor, force=force, progress=progress)


# --- a package: a new review workspace ----------------------------------------------------------


def _check_dest(dest: Path) -> bool:
    """True when ``dest`` is to be made (False: an existing empty folder)."""
    if dest.exists():
        if not dest.is_dir():
            raise DeskError("workspace.not_a_folder", path=str(dest))
        if any(dest.iterdir()):
            raise DeskError("receive.dest_not_empty", path=str(dest))
        return False
    if not dest.parent.is_dir():
        raise DeskError("receive.dest_parent_missing", path=str(dest.parent))
    return True


def receive_package(path: str | Path, dest: str | Path, *, actor: str | None = None, force: bool = False,
                    progress=None) -> Received:
    dest = Path(dest).expanduser().absolute()
    _check_dest(dest)
    archive = open_package(path, force=force, progress=progress)
    manifest = archive.manifest
    if manifest.get("kind") == "supplement":
        raise DeskError("receive.supplement_needs_workspace", path=str(archive.path))
    if manifest.get("kind") != "package":
        raise DeskError("exchange.wrong_kind", path=str(archive.path), kind=str(manifest.get("kind")))
    made = _check_dest(dest)
    try:
        work = Path(tempfile.mkdtemp(prefix=".evidence-desk-receive-", dir=dest.parent))
    except OSError as exc:
        raise _write_error(exc, dest) from exc
    try:
        try:
            if made:
                dest.mkdir()
            try:
                return _build(archive, dest, work, actor)
            except (OSError, sqlite3.OperationalError) as exc:  # a full disk, a folder that cannot be written
                raise _write_error(exc if isinstance(exc, OSError) else OSError(str(exc)), dest) from exc
        except BaseException:
            if made:
                shutil.rmtree(dest, ignore_errors=True)
            elif dest.is_dir():
                for child in dest.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _open_db(archive: VerifiedArchive, work: Path) -> sqlite3.Connection:
    pdb = work / PACKAGE_DB
    archive.extract(PACKAGE_DB, pdb)
    return packagedb.open_readonly(pdb)


def _store_files(ws: Workspace, archive: VerifiedArchive, src: sqlite3.Connection, work: Path,
                 fresh: list[str]) -> dict[int, str]:
    """Copy every evidence member that passed into the store; evidence id → sha256 of what was stored.
    ``fresh`` collects the objects this call created (taken out again if the receive fails)."""
    stored: dict[int, str] = {}
    for n, r in enumerate(src.execute("SELECT evidence_id, path, sha256 FROM package_files ORDER BY evidence_id")):
        if r["path"] in archive.failed:
            continue
        tmp = work / f"member-{n}"
        archive.extract(r["path"], tmp)
        try:
            obj = ws.store.add_file(tmp)
        finally:
            tmp.unlink(missing_ok=True)
        if obj.sha256 != r["sha256"]:  # cannot happen after extract() checked it; never store it under a lie
            raise DeskError("exchange.member_mismatch", path=r["path"])
        if not obj.existed:
            fresh.append(obj.sha256)
        stored[r["evidence_id"]] = obj.sha256
    return stored


def _copy_reports(ws: Workspace, archive: VerifiedArchive, src: sqlite3.Connection, work: Path) -> None:
    """The reports' original files, where the package has them, beside the database (``reports/``)."""
    folder = ws.root / REPORT_COPIES
    for r in src.execute("SELECT p.path, p.sha256, p.original, r.name FROM package_reports p"
                         " JOIN reports r ON r.id = p.report_id"):
        if not r["original"]:
            continue
        folder.mkdir(exist_ok=True)
        dest = folder / f"{r['sha256']}{Path(r['name']).suffix}"
        if not dest.exists():
            archive.extract(r["path"], dest)
            os.chmod(dest, 0o444)


def _keep_record(ws: Workspace, archive: VerifiedArchive, exchange_id: str) -> None:
    """Copies of the file's manifest, package.db and documents, for the record (after the commit: the
    ``received`` row and the event hold the hashes, so a copy that cannot be written loses nothing)."""
    from desktop.exchange.archive import copy_into

    try:
        copy_into(ws.root / RECEIVED_DIR / exchange_id, archive, [n for n in KEEP if n in archive.members])
    except (OSError, DeskError):  # (the file itself replaced since it was read: the copies are not needed)
        pass


def _sender(manifest: dict[str, Any]) -> dict[str, Any]:
    ws = manifest.get("workspace") or {}
    by = manifest.get("created_by") or {}
    return {"workspace_id": ws.get("id"), "workspace_name": ws.get("name"), "name": by.get("name"),
            "role": by.get("role"), "unit": manifest.get("unit"), "year": manifest.get("year")}


def _received_row(tx: Tx, archive: VerifiedArchive, kind: str, package_id: str, counts: dict[str, int]
                  ) -> dict[str, Any]:
    m = archive.manifest
    audit = m.get("audit") or {}
    row = {"exchange_id": m["package_id"], "kind": kind, "package_id": package_id,
           "manifest_sha256": archive.manifest_sha256, "file_sha256": archive.file_sha256,
           "sender": json.dumps(_sender(m), ensure_ascii=False, sort_keys=True),
           "audit_seq": audit.get("seq"), "audit_head": audit.get("head"),
           "counts": json.dumps(counts, sort_keys=True), "actor": tx.actor, "created_at": tx.now}
    row["id"] = tx.insert("received", row)
    return {**row, "sender": _sender(m), "counts": counts}


def _copy_table(src: sqlite3.Connection, tx: Tx, table: str, *, where: str = "", params=(),
                adjust=None) -> list[dict[str, Any]]:
    if not R.has_table(src, table):
        return []
    cols = R.common_columns(src, tx.conn, table)
    out = R.fetch(src, table, cols, where, params)
    if adjust:
        out = [adjust(r) for r in out]
    R.upsert(tx.conn, table, out)
    return out


def _copy_derived(src: sqlite3.Connection, tx: Tx, evidence_ids: list[int]) -> dict[str, int]:
    """Extracted text (FTS) and numbers of these files, as the sender extracted them."""
    n_text = n_num = 0
    cols = R.common_columns(src, tx.conn, "evidence_numbers")
    for eid in evidence_ids:
        tx.execute("DELETE FROM evidence_text WHERE evidence_id = ?", (eid,))
        tx.execute("DELETE FROM evidence_numbers WHERE evidence_id = ?", (eid,))
        text = [(r[0], r[1], r[2], r[3]) for r in src.execute(
            "SELECT text, evidence_id, locator, page FROM evidence_text WHERE evidence_id = ?", (eid,))]
        tx.executemany("INSERT INTO evidence_text (text, evidence_id, locator, page) VALUES (?, ?, ?, ?)", text)
        nums = R.fetch(src, "evidence_numbers", cols, "evidence_id = ?", (eid,))
        R.insert_many(tx.conn, "evidence_numbers", nums)
        n_text += len(text)
        n_num += len(nums)
    return {"text_units": n_text, "numbers": n_num}


def _build(archive: VerifiedArchive, dest: Path, work: Path, actor: str | None) -> Received:
    manifest = archive.manifest
    package_id = manifest["package_id"]
    src = _open_db(archive, work)
    try:
        _make_folders(dest)
        ws = Workspace.open(dest, actor=actor, role="reviewer")
        fresh: list[str] = []
        try:
            if ws.readonly:
                raise DeskError("workspace.unwritable", path=str(dest))
            stored = _store_files(ws, archive, src, work, fresh)
            _copy_reports(ws, archive, src, work)
            failed_ids = [r[0] for r in src.execute("SELECT evidence_id FROM package_files WHERE path IN"
                                                    f" ({','.join('?' * len(archive.failed))})",
                                                    sorted(archive.failed))] if archive.failed else []
            with ws.db.write() as tx:
                tx.execute("PRAGMA defer_foreign_keys = ON")
                payload = _write_package_rows(src, tx, archive, stored, failed_ids)
                counts = {k: len(v) for k, v in payload["rows"].items()}
                counts.update(payload.pop("derived"), files=len(stored))
                payload["received"] = _received_row(tx, archive, "package", package_id, counts)
                payload["package"] = {"package_id": package_id, "manifest_sha256": archive.manifest_sha256,
                                      "package_sha256": archive.file_sha256, **_sender(manifest),
                                      "audit": manifest.get("audit"), "created_at": manifest.get("created_at")}
                ev = tx.event("package.received", payload)
            _keep_record(ws, archive, package_id)
            return Received(dest, "package", package_id, package_id, counts=counts,
                            failed=sorted(archive.failed), seq=ev["seq"])
        except BaseException:
            for sha in fresh:
                ws.store.object_path(sha).unlink(missing_ok=True)
            raise
        finally:
            ws.close()
    finally:
        src.close()


def _make_folders(root: Path) -> None:
    """The store and thumbnail folders, as ``Workspace.create`` makes them."""
    from desktop.store import ContentStore

    ContentStore(root / STORE_DIR).ensure()
    (root / THUMBS_DIR).mkdir(exist_ok=True)


def _write_package_rows(src: sqlite3.Connection, tx: Tx, archive: VerifiedArchive, stored: dict[int, str],
                        failed_ids: list[int]) -> dict[str, Any]:
    m = archive.manifest
    sender = _sender(m)
    settings = {r["key"]: r["value"] for r in src.execute("SELECT key, value FROM settings")
                if r["key"] not in LOCAL_SETTINGS}
    settings.update({
        "name": f"{sender['workspace_name'] or settings.get('name') or '材料包'}（审核）",
        "kind": "review",
        "package_id": m["package_id"],
        "source_workspace_id": sender["workspace_id"] or "",
        "source_workspace_name": sender["workspace_name"] or "",
    })
    for key, value in settings.items():
        tx.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value ="
                   " excluded.value", (key, value))
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["reports"] = _copy_table(src, tx, "reports")
    rows["claims"] = _copy_table(src, tx, "claims")
    rows.update(_copy_score_tables(src, tx, [r["id"] for r in rows["reports"]]))
    rows["evidence"] = _copy_table(src, tx, "evidence", adjust=lambda r: {**r, "thumb": None})
    _copy_table(src, tx, "evidence_paths", adjust=lambda r: {**r, "present": 0})  # seen on the sender's PC
    rows["links"] = _copy_table(src, tx, "links")
    origin = sender["workspace_id"] or m["package_id"]
    rows["reviews"] = _copy_table(src, tx, "reviews", adjust=lambda r: {**r, "origin": f"{origin}/R{r['id']}"})
    rows["requests"] = _copy_table(src, tx, "requests")
    rows["finding_dismissals"], _ = _mirror_dismissals(src, tx)
    derived = _copy_derived(src, tx, sorted(stored))
    remote = []
    for e in rows["evidence"]:
        if e["id"] in stored:
            continue
        reason = "failed_verification" if e["id"] in failed_ids else "not_shipped"
        remote.append({"evidence_id": e["id"], "reason": reason, "exchange_id": m["package_id"]})
    R.insert_many(tx.conn, "evidence_remote", remote)
    rows["evidence_remote"] = remote
    payload_rows = {t: [R.for_payload(t, r) for r in v] for t, v in rows.items()}
    return {"settings": settings, "rows": payload_rows, "derived": derived}


# --- a supplement: merged into the review workspace ---------------------------------------------


def _known_head(ws: Workspace, package_id: str) -> tuple[int, str]:
    """The sender's audit head as of the last package or supplement this workspace received from it."""
    row = ws.db.query_one("SELECT audit_seq, audit_head FROM received WHERE package_id = ? AND kind IN"
                          " ('package', 'supplement') ORDER BY audit_seq DESC LIMIT 1", (package_id,))
    if row is None:
        raise DeskError("receive.not_review_workspace", path=str(ws.root))
    return row["audit_seq"], row["audit_head"]


def receive_supplement(ws: Workspace, path: str | Path, *, progress=None) -> Received:
    """Merge a supplement (or recognise the package this workspace was made from). 审核 only."""
    require_role(ws.db, "supplement.receive", "reviewer")
    archive = open_package(path, progress=progress)
    m = archive.manifest
    package_id = ws.db.get_setting("package_id") or ""
    exchange_id = m["package_id"]
    if m.get("kind") == "package":
        if exchange_id == package_id:
            return Received(ws.root, "package", exchange_id, package_id, already=True)
        raise DeskError("receive.other_package", path=str(archive.path), expected=package_id)
    if m.get("kind") != "supplement":
        raise DeskError("exchange.wrong_kind", path=str(archive.path), kind=str(m.get("kind")))
    since = m.get("since") or {}
    if since.get("package_id") != package_id:
        raise DeskError("receive.other_package", path=str(archive.path), expected=package_id)
    if (m.get("workspace") or {}).get("id") != ws.db.get_setting("source_workspace_id"):
        raise DeskError("receive.other_workspace", path=str(archive.path))
    if ws.db.query_one("SELECT 1 FROM received WHERE exchange_id = ?", (exchange_id,)):
        return Received(ws.root, "supplement", exchange_id, package_id, already=True)
    known_seq, known_head = _known_head(ws, package_id)
    audit = m.get("audit") or {}
    if not isinstance(since.get("audit_seq"), int) or since["audit_seq"] > known_seq:
        raise DeskError("receive.supplement_gap", path=str(archive.path), since=since.get("audit_seq"),
                        known=known_seq)
    if not isinstance(audit.get("seq"), int) or audit["seq"] <= known_seq:
        # older than (or as old as) what this workspace already has from the sender: nothing in it is new
        return Received(ws.root, "supplement", exchange_id, package_id, outdated=True)
    try:
        work = Path(tempfile.mkdtemp(prefix=".evidence-desk-receive-", dir=ws.root))
    except OSError as exc:
        raise _write_error(exc, ws.root) from exc
    fresh: list[str] = []
    try:
        src = _open_db(archive, work)
        try:
            row = src.execute("SELECT hash FROM events WHERE seq = ?", (known_seq,)).fetchone()
            if known_seq and (row is None or row["hash"] != known_head):
                raise DeskError("receive.other_workspace", path=str(archive.path))
            stored = _store_files(ws, archive, src, work, fresh)
            requests = R.fetch(src, "requests", R.common_columns(src, ws.db.conn, "requests")) \
                if R.has_table(src, "requests") else []
            with ws.db.write(mutations=1 + len(requests)) as tx:
                tx.execute("PRAGMA defer_foreign_keys = ON")
                payload = _merge_rows(src, tx, archive, stored, requests)
                counts = {k: len(v) for k, v in payload["rows"].items()}
                counts.update(payload.pop("derived"), files=len(stored))
                payload["received"] = _received_row(tx, archive, "supplement", package_id, counts)
                payload["supplement"] = {"exchange_id": exchange_id, "manifest_sha256": archive.manifest_sha256,
                                         "package_sha256": archive.file_sha256, "since": since,
                                         **_sender(m), "audit": audit}
                ev = tx.event("supplement.received", payload)
        finally:
            src.close()
    except BaseException as exc:
        for sha in fresh:  # not committed: the objects it copied in are nobody's
            ws.store.object_path(sha).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(exc, ws.root) from exc
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _keep_record(ws, archive, exchange_id)
    return Received(ws.root, "supplement", exchange_id, package_id, counts=counts, seq=ev["seq"])


def _merge_rows(src: sqlite3.Connection, tx: Tx, archive: VerifiedArchive, stored: dict[int, str],
                requests: list[dict[str, Any]]) -> dict[str, Any]:
    from desktop.review.requests import merge_in

    m = archive.manifest
    sender = _sender(m)
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["reports"] = _copy_table(src, tx, "reports")
    rows["claims"] = _copy_table(src, tx, "claims")
    rows.update(_copy_score_tables(src, tx, [r["id"] for r in rows["reports"]]))
    before_ev = {r[0] for r in tx.execute("SELECT id FROM evidence")}
    rows["evidence"] = _copy_table(src, tx, "evidence", adjust=lambda r: {**r, "thumb": None})
    _copy_table(src, tx, "evidence_paths", adjust=lambda r: {**r, "present": 0})
    # each claim in the supplement comes with its whole set of links: what is not there was removed
    claim_ids = [r["id"] for r in rows["claims"]]
    removed = []
    for cid in claim_ids:
        for link in tx.execute("SELECT * FROM links WHERE claim_id = ?", (cid,)).fetchall():
            removed.append(dict(link))
        tx.execute("DELETE FROM links WHERE claim_id = ?", (cid,))
    rows["links"] = _copy_table(src, tx, "links")
    kept = {(r["claim_id"], r["evidence_id"]) for r in rows["links"]}
    rows["links_removed"] = [r for r in removed if (r["claim_id"], r["evidence_id"]) not in kept]
    origin = sender["workspace_id"] or m["package_id"]
    reviews = []
    if R.has_table(src, "reviews"):
        cols = [c for c in R.common_columns(src, tx.conn, "reviews") if c not in ("id", "origin")]
        for r in R.fetch(src, "reviews", ["id", *cols]):
            key = f"{origin}/R{r.pop('id')}"
            if tx.execute("SELECT 1 FROM reviews WHERE origin = ?", (key,)).fetchone():
                continue
            r["origin"] = key
            r["id"] = tx.insert("reviews", r)
            reviews.append(r)
    rows["reviews"] = reviews
    derived = _copy_derived(src, tx, sorted(i for i in stored if i not in before_ev or _remote(tx, i)))
    for eid in stored:  # bytes that arrived now for a file known so far by its row only
        tx.execute("DELETE FROM evidence_remote WHERE evidence_id = ?", (eid,))
    remote = []
    for e in rows["evidence"]:
        if e["id"] not in stored and e["id"] not in before_ev:
            remote.append({"evidence_id": e["id"], "reason": "not_shipped", "exchange_id": m["package_id"]})
    R.insert_many(tx.conn, "evidence_remote", remote)
    rows["evidence_remote"] = remote
    taken = []
    for r in requests:
        who = r.get("updated_by") or sender["name"] or ""
        role = "editor" if r.get("state") == "answered" else "reviewer"
        after = merge_in(tx, r, actor=who, role=role, source={"exchange_id": m["package_id"]})
        if after is not None:
            taken.append(after)
    rows["requests"] = taken
    rows["finding_dismissals"], rows["finding_dismissals_removed"] = _mirror_dismissals(src, tx)
    payload_rows = {t: [R.for_payload(t, x) for x in v] for t, v in rows.items()}
    return {"rows": payload_rows, "derived": derived}


def _copy_score_tables(src: sqlite3.Connection, tx: Tx, report_ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    """The 绩效自评表 of the reports that travelled (a revised report's are new; a known report's are the
    same rows again), with their rows, cells and the claims each row gives."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not report_ids or not R.has_table(src, "score_tables"):
        return out
    marks = ",".join("?" * len(report_ids))
    tables = f"SELECT id FROM score_tables WHERE report_id IN ({marks})"
    rows = f"SELECT id FROM score_rows WHERE table_id IN ({tables})"
    params = tuple(report_ids)
    out["score_tables"] = _copy_table(src, tx, "score_tables", where=f"report_id IN ({marks})", params=params)
    out["score_rows"] = _copy_table(src, tx, "score_rows", where=f"table_id IN ({tables})", params=params)
    out["score_cells"] = _copy_table(src, tx, "score_cells", where=f"row_id IN ({rows})", params=params)
    cols = R.common_columns(src, tx.conn, "score_row_claims")  # no id: its key is the whole row
    gives = R.fetch(src, "score_row_claims", cols, f"row_id IN ({rows})", params)
    tx.executemany(f"INSERT OR IGNORE INTO score_row_claims ({', '.join(cols)}) "
                   f"VALUES ({', '.join('?' * len(cols))})", [tuple(g[c] for c in cols) for g in gives])
    out["score_row_claims"] = gives
    return out


def _mirror_dismissals(src: sqlite3.Connection, tx: Tx) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sender's dismissed 一致性检查 findings (only the group dismisses): the package or supplement carries
    the whole set, so the receiver's becomes that set. Returns (rows added or changed, rows removed).

    A supplement names a dismissal of a report it does not carry by its finding key only (``report_id``
    NULL): the receiver keeps the report it has, or takes the report of the first claim involved."""
    if not R.has_table(src, "finding_dismissals"):
        return [], []
    cols = R.common_columns(src, tx.conn, "finding_dismissals")
    incoming = R.fetch(src, "finding_dismissals", cols)
    known = {r["finding_key"]: dict(r) for r in tx.execute("SELECT * FROM finding_dismissals")}
    reports = {r[0] for r in tx.execute("SELECT id FROM reports")}
    keys = {r["finding_key"] for r in incoming}
    removed = [row for key, row in known.items() if key not in keys]
    for row in removed:
        tx.execute("DELETE FROM finding_dismissals WHERE id = ?", (row["id"],))
    changed = []
    for r in incoming:
        old = known.get(r["finding_key"])
        if r.get("report_id") is None:
            r["report_id"] = old["report_id"] if old else _first_claim_report(tx, r.get("claim_ids"))
        if r["report_id"] not in reports:
            r["report_id"] = None
        if old is not None and all(old.get(c) == r.get(c) for c in cols):
            continue
        tx.execute("DELETE FROM finding_dismissals WHERE finding_key = ? OR id = ?", (r["finding_key"], r["id"]))
        R.insert_many(tx.conn, "finding_dismissals", [r])
        changed.append(r)
    return changed, removed


def _first_claim_report(tx: Tx, claim_ids: str | None) -> int | None:
    try:
        ids = json.loads(claim_ids or "[]")
    except ValueError:
        return None
    if not ids or not isinstance(ids[0], int):
        return None
    row = tx.execute("SELECT report_id FROM claims WHERE id = ?", (ids[0],)).fetchone()
    return row[0] if row else None


def _remote(tx: Tx, evidence_id: int) -> bool:
    return tx.execute("SELECT 1 FROM evidence_remote WHERE evidence_id = ?", (evidence_id,)).fetchone() is not None
