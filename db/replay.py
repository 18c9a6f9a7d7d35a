"""Replay: the audit events carry the rows each change left, so the state can be rebuilt from the log and
compared, row by row, with the tables.

How the rows get into the events: every write connection gets TEMP triggers (invisible in
``sqlite_master``, so they are not part of the schema) on each *tracked* table; they note the key of every
row inserted, updated or deleted. When a mutation's event is appended (:meth:`db.database.Tx.event`),
:func:`collect` reads those rows as they now are and puts their images in the event's payload under
``_replay``: ``{"<table>": {"set": [row image, …], "del": [key, …]}}``. No service has to remember to
record what it wrote, and a write path added later is covered as soon as its rows are in a tracked table.

A *row image* is the row's columns as JSON values; large columns (a report's text) are kept as their
SHA-256 (``"sha256:…"``), BLOBs as ``"blob:<hex>"``. A baseline event (``audit.baseline``, written by
migration 0012 for a workspace made before replay existed) carries the images of every tracked row: replay
starts from it.

Tables are *registered* (:func:`register`): the tables of the core schema are registered here; an area
that adds a table registers it the same way. What is not tracked — the full-text index, the numbers found
in files (both derived from the store's bytes, which verify re-hashes), the ingest queue (work in
progress) — is named in :data:`UNTRACKED`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable

PAYLOAD_KEY = "_replay"
BASELINE_ACTION = "audit.baseline"
LOG_TABLE = "_replay_log"


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...] = ("id",)
    hashed: tuple[str, ...] = ()  # kept as their SHA-256 in the events
    area: str = ""
    blobs: bool = False  # has BLOB columns (kept as "blob:<hex>"); elsewhere a BLOB is a difference anyway


TABLES: dict[str, Table] = {}
UNTRACKED = ("events", "evidence_text", "evidence_text_vocab", "evidence_numbers", "ingest_queue",
             "_sqlite_migrations")


def register(table: Table) -> Table:
    TABLES[table.name] = table
    return table


for _t in (
    Table("settings", ("key",), area="workspace"),
    Table("reports", hashed=("text", "locations"), area="claims"),
    Table("claims", area="claims"),
    Table("score_tables", area="claims"),
    Table("score_rows", area="claims"),
    Table("score_cells", area="claims"),
    Table("score_row_claims", ("row_id", "claim_id", "role"), area="claims"),
    Table("evidence", area="evidence"),
    Table("evidence_paths", area="evidence", blobs=True),
    Table("evidence_remote", ("evidence_id",), area="evidence"),
    Table("links", area="review"),
    Table("suggestion_rejections", ("claim_id", "evidence_id"), area="review"),
    Table("reviews", area="review"),
    Table("requests", area="review"),
    Table("finding_dismissals", area="checks"),
    Table("exports", area="exchange"),
    Table("received", area="exchange"),
):
    register(_t)


def _value(v: Any, hashed: bool) -> Any:
    if isinstance(v, (bytes, bytearray, memoryview)):
        v = "blob:" + bytes(v).hex()
    if hashed and v is not None:
        return "sha256:" + hashlib.sha256(str(v).encode("utf-8", "surrogatepass")).hexdigest()
    return v


def image(table: Table, row: sqlite3.Row | dict[str, Any]) -> dict[str, Any]:
    keys = row.keys()
    return {k: _value(row[k], k in table.hashed) for k in keys}


def key_of(table: Table, img: dict[str, Any]) -> tuple:
    return tuple(img.get(k) for k in table.key)


# --- recording -----------------------------------------------------------------------------------


def _existing(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}


def install(conn: sqlite3.Connection) -> None:
    """Put the TEMP log table and triggers on ``conn`` (idempotent; call inside or outside a transaction)."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {LOG_TABLE} (tbl TEXT NOT NULL, k TEXT NOT NULL)")
    have = _existing(conn)
    temp = {r[0] for r in conn.execute("SELECT name FROM temp.sqlite_master WHERE type = 'trigger'")}
    for t in TABLES.values():
        if t.name not in have:
            continue
        for op, rows in (("insert", ("NEW",)), ("update", ("OLD", "NEW")), ("delete", ("OLD",))):
            name = f"_replay_{t.name}_{op}"
            if name in temp:
                continue
            body = " ".join(
                f"INSERT INTO {LOG_TABLE} (tbl, k) VALUES ('{t.name}', json_array("
                + ", ".join(f"{r}.\"{k}\"" for k in t.key) + "));"
                for r in rows
            )
            conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {op.upper()} ON main.\"{t.name}\""
                         f" BEGIN {body} END")


def clear(conn: sqlite3.Connection) -> None:
    conn.execute(f"DELETE FROM temp.{LOG_TABLE}")


def pending(conn: sqlite3.Connection) -> int:
    return conn.execute(f"SELECT count(*) FROM temp.{LOG_TABLE}").fetchone()[0]


def _fetch(conn: sqlite3.Connection, table: Table, keys: list[tuple]) -> dict[tuple, dict[str, Any]]:
    out: dict[tuple, dict[str, Any]] = {}
    q = f'SELECT * FROM main."{table.name}"'
    if len(table.key) == 1:
        col = table.key[0]
        for i in range(0, len(keys), 500):
            chunk = [k[0] for k in keys[i:i + 500]]
            marks = ", ".join("?" * len(chunk))
            for r in conn.execute(f'{q} WHERE "{col}" IN ({marks})', chunk):
                img = image(table, r)
                out[key_of(table, img)] = img
    else:
        where = " AND ".join(f'"{c}" IS ?' for c in table.key)
        for k in keys:
            r = conn.execute(f"{q} WHERE {where}", k).fetchone()
            if r is not None:
                out[k] = image(table, r)
    return out


def collect(conn: sqlite3.Connection) -> dict[str, Any]:
    """The rows written since the last collect, as ``{table: {"set": [...], "del": [...]}}``; clears the log."""
    noted: dict[str, set[tuple]] = {}
    for tbl, k in conn.execute(f"SELECT DISTINCT tbl, k FROM temp.{LOG_TABLE}"):
        noted.setdefault(tbl, set()).add(tuple(json.loads(k)))
    if not noted:
        return {}
    clear(conn)
    out: dict[str, Any] = {}
    for name in sorted(noted):
        table = TABLES[name]
        keys = sorted(noted[name], key=lambda k: tuple((v is None, str(type(v)), v) for v in k))
        now = _fetch(conn, table, keys)
        entry: dict[str, Any] = {}
        sets = [now[k] for k in keys if k in now]
        dels = [list(k) for k in keys if k not in now]
        if sets:
            entry["set"] = sets
        if dels:
            entry["del"] = dels
        out[name] = entry
    return out


def read_state(conn: sqlite3.Connection, tables: Iterable[str] | None = None) -> dict[str, dict[tuple, dict]]:
    """Every tracked row of the database as it is, keyed by table and key."""
    have = _existing(conn)
    state: dict[str, dict[tuple, dict]] = {}
    for name in (tables if tables is not None else TABLES):
        table = TABLES[name]
        if name not in have:
            continue
        rows = {}
        cur = conn.cursor()
        cur.row_factory = None  # plain tuples: a dict per row is built here, once
        cur.execute(f'SELECT * FROM main."{name}"')
        cols = [d[0] for d in cur.description]
        at = [cols.index(k) for k in table.key]
        slow = bool(table.hashed) or table.blobs
        for r in cur:
            if slow:
                img = {c: _value(v, c in table.hashed) for c, v in zip(cols, r)}
            else:
                img = dict(zip(cols, r))
            rows[tuple(r[i] for i in at)] = img
        state[name] = rows
    return state


def baseline_payload(conn: sqlite3.Connection, tables: Iterable[str] | None = None) -> dict[str, Any]:
    """Every row of ``tables`` (default: all tracked ones) as an event payload that replaces them whole."""
    state = read_state(conn, tables)
    return {PAYLOAD_KEY: {name: {"set": list(rows.values()), "all": True} for name, rows in state.items()},
            "baseline": sorted(state)}


def record_tables(conn: sqlite3.Connection, tables: Iterable[str], *, action: str, reason: str,
                  ts: str | None = None) -> None:
    """For a migration that rewrites rows of tracked tables (a backfill, a changed default): append one
    event holding those tables whole, so replay takes the migration's rows as recorded. Call it at the
    end of the migration, inside its transaction; the head file catches up on the next read-write open."""
    import datetime as _dt

    from db import audit

    if conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0:
        return  # a new workspace: its first event records its rows
    ts = ts or _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    payload = {**baseline_payload(conn, tables), "reason": reason}
    audit.append_event(conn, ts=ts, actor="佐证台", role="system", action=action, payload=payload)


# --- replaying -----------------------------------------------------------------------------------


@dataclass
class Replayed:
    """The state the events describe: per table, key → (row image, seq of the event that last wrote it)."""

    rows: dict[str, dict[tuple, tuple[dict[str, Any], int]]] = field(default_factory=dict)
    gone: dict[str, dict[tuple, int]] = field(default_factory=dict)  # deleted rows: seq of the deletion
    started: int | None = None  # seq replay starts at (the first event, or the last baseline)
    covered: bool = False  # False: the log has events without row images and no baseline after them

    def apply(self, seq: int, action: str, data: dict[str, Any]) -> None:
        if action == BASELINE_ACTION:
            self.rows, self.gone = {}, {}
            self.started, self.covered = seq, True
        for name, entry in data.items():
            table = TABLES.get(name)
            if table is None or not isinstance(entry, dict):
                continue
            rows = self.rows.setdefault(name, {})
            gone = self.gone.setdefault(name, {})
            if entry.get("all"):  # the whole table as it is (a baseline, a migration that rewrote rows)
                for k in rows:
                    gone[k] = seq
                rows.clear()
            single = table.key[0] if len(table.key) == 1 else None
            for img in entry.get("set") or ():
                k = (img.get(single),) if single else key_of(table, img)
                rows[k] = (img, seq)
                if gone:
                    gone.pop(k, None)
            for k in entry.get("del") or ():
                k = tuple(k)
                rows.pop(k, None)
                gone[k] = seq


_DECODER = json.JSONDecoder()
_PREFIX = '{"' + PAYLOAD_KEY + '":'


def parse_rows(payload: str) -> dict[str, Any] | None:
    """``{PAYLOAD_KEY: rows}`` of an event's payload text, reading no more of it than needed: the payload is
    canonical JSON (sorted keys), so the row images usually come first and the rest is left unparsed."""
    try:
        if payload.startswith(_PREFIX):
            value, _end = _DECODER.raw_decode(payload, len(_PREFIX))
            return {PAYLOAD_KEY: value}
        data = json.loads(payload)
    except ValueError:
        return None  # an altered event: the chain check names it
    return data if isinstance(data, dict) else None


class Replayer:
    """Feed it the events in order (:meth:`feed`); :attr:`state` is what they describe.

    Replay is *covered* when it can vouch for every tracked row: the log's first event already carries
    row images (a workspace made since replay exists), or a baseline recorded the state at some point.
    """

    NEEDLE = '"' + PAYLOAD_KEY + '"'

    def __init__(self) -> None:
        self.state = Replayed()
        self._first = True

    def wants(self, payload_text: str) -> bool:
        return self.NEEDLE in payload_text

    def feed(self, seq: int, action: str, payload: dict[str, Any] | None) -> None:
        data = payload.get(PAYLOAD_KEY) if isinstance(payload, dict) else None
        if isinstance(data, dict):
            if self._first:
                self.state.started, self.state.covered = seq, True
            self.state.apply(seq, action, data)
        self._first = False


def replay_events(events: Iterable[tuple[int, str, Any]]) -> Replayed:
    """``events``: (seq, action, payload as text or dict) in order."""
    r = Replayer()
    for seq, action, payload in events:
        if isinstance(payload, str):
            if not r.wants(payload):
                r.feed(seq, action, None)
                continue
            try:
                payload = json.loads(payload)
            except ValueError:  # an altered event: the chain check names it
                payload = None
        r.feed(seq, action, payload)
    return r.state


@dataclass
class Difference:
    table: str
    key: tuple
    kind: str  # "changed", "missing" (recorded, not in the table), "extra" (in the table, not recorded)
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # column → (table value, recorded value)
    seq: int | None = None  # the event that last recorded the row (or its deletion)
    row: dict[str, Any] | None = None  # the row as it is (extra, changed) or as recorded (missing)
    recorded: dict[str, Any] | None = None


def compare_live(replayed: Replayed, conn: sqlite3.Connection) -> tuple[list[Difference], int]:
    """The replayed state against the tables as they are, streaming: each row is read as a tuple and compared
    with the recorded image laid out in the same columns; dicts are built only for rows that differ.
    Returns the differences and how many rows were compared."""
    have_tables = _existing(conn)
    diffs: list[Difference] = []
    count = 0
    for name, table in TABLES.items():
        if name not in have_tables:
            continue
        want = dict(replayed.rows.get(name, {}))
        gone = replayed.gone.get(name, {})
        cur = conn.cursor()
        cur.row_factory = None
        cur.execute(f'SELECT * FROM main."{name}"')
        cols = [d[0] for d in cur.description]
        at = [cols.index(k) for k in table.key]
        single = at[0] if len(at) == 1 else None
        convert = bool(table.hashed) or table.blobs
        for r in cur:
            count += 1
            if convert:
                r = tuple(_value(v, c in table.hashed) for c, v in zip(cols, r))
            k = (r[single],) if single is not None else tuple(r[i] for i in at)
            rec = want.pop(k, None)
            if rec is None:
                diffs.append(Difference(name, k, "extra", seq=gone.get(k), row=dict(zip(cols, r))))
                continue
            img, seq = rec
            if tuple(map(img.get, cols)) == r:
                continue
            row = dict(zip(cols, r))
            fields = {c: (row[c], img[c]) for c in cols if c in img and row[c] != img[c]}
            if fields:
                diffs.append(Difference(name, k, "changed", fields, seq, row=row, recorded=img))
        for k, (img, seq) in want.items():
            diffs.append(Difference(name, k, "missing", seq=seq, row=img, recorded=img))
    order = list(TABLES)
    diffs.sort(key=lambda d: (order.index(d.table), str(d.key)))
    return diffs, count
