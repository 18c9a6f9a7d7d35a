"""Schema history of the workspace database.

Migrations are numbered, each runs in one transaction (sqlite-utils ``Migrations``), and once one has
shipped it is never edited: a change is a new migration at the end. ``tests/db/test_migrations.py``
upgrades a committed database file from every earlier version.

Since 0012 ``verify`` rebuilds the tracked tables from the audit events (``db/replay.py``). A migration
that only adds tables, columns with constant defaults or indexes needs nothing more; one that rewrites
rows of a tracked table (a backfill) ends with ``replay.record_tables(db.conn, [...], action=
"schema.migrated", reason="<its name>")``, or every upgraded workspace reports those rows as changed
(``tests/db/test_replay_upgrade.py`` replays every committed old database after all migrations).
"""

from __future__ import annotations

import functools
import re

from sqlite_utils import Database as SUDatabase
from sqlite_utils import Migrations

migrations = Migrations("evidence_desk")


def _run(db: SUDatabase, statements: list[str]) -> None:
    # One statement at a time: executescript() would COMMIT the migration's transaction.
    for statement in statements:
        db.conn.execute(statement)


@migrations(name="0001_initial")
def m0001_initial(db: SUDatabase) -> None:
    _run(
        db,
        [
            """CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
            """CREATE TABLE reports (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                source_path TEXT,
                sha256 TEXT NOT NULL,
                format TEXT NOT NULL,
                kind TEXT NOT NULL DEFAULT 'narrative' CHECK (kind IN ('narrative', 'score_table')),
                text TEXT NOT NULL,
                locations TEXT NOT NULL DEFAULT '{}',
                supersedes INTEGER REFERENCES reports(id),
                state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'superseded')),
                imported_at TEXT NOT NULL
            )""",
            """CREATE TABLE claims (
                id INTEGER PRIMARY KEY,
                report_id INTEGER NOT NULL REFERENCES reports(id),
                quote TEXT NOT NULL,
                start INTEGER,
                end INTEGER,
                page INTEGER,
                section TEXT,
                part TEXT,
                subject TEXT,
                value_raw TEXT,
                value TEXT,
                unit TEXT,
                scale TEXT NOT NULL DEFAULT '1',
                approx TEXT,
                value_high TEXT,
                kind TEXT,
                flags TEXT NOT NULL DEFAULT '[]',
                confidence TEXT NOT NULL DEFAULT 'high' CHECK (confidence IN ('high', 'unclassified')),
                origin TEXT NOT NULL DEFAULT 'extracted' CHECK (origin IN ('extracted', 'manual', 'table')),
                needs_evidence INTEGER NOT NULL DEFAULT 1,
                no_evidence_reason TEXT,
                state TEXT NOT NULL DEFAULT 'active'
                    CHECK (state IN ('active', 'candidate', 'ignored', 'dismissed', 'vanished')),
                context_before TEXT,
                context_after TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX claims_report ON claims(report_id, start)",
            """CREATE TABLE evidence (
                id INTEGER PRIMARY KEY,
                sha256 TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                name TEXT NOT NULL,
                ext TEXT,
                mime TEXT,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'error')),
                error TEXT,
                error_detail TEXT,
                text_status TEXT NOT NULL DEFAULT 'pending',
                pages INTEGER,
                thumb TEXT,
                supersedes INTEGER REFERENCES evidence(id),
                added_at TEXT NOT NULL
            )""",
            "CREATE INDEX evidence_supersedes ON evidence(supersedes)",
            """CREATE TABLE evidence_paths (
                id INTEGER PRIMARY KEY,
                evidence_id INTEGER NOT NULL REFERENCES evidence(id),
                path TEXT NOT NULL,
                size INTEGER,
                mtime_ns INTEGER,
                present INTEGER NOT NULL DEFAULT 1,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL,
                UNIQUE (path, evidence_id)
            )""",
            "CREATE INDEX evidence_paths_evidence ON evidence_paths(evidence_id)",
            """CREATE VIRTUAL TABLE evidence_text USING fts5(
                text, evidence_id UNINDEXED, locator UNINDEXED, page UNINDEXED,
                tokenize = 'trigram'
            )""",
            """CREATE TABLE evidence_numbers (
                id INTEGER PRIMARY KEY,
                evidence_id INTEGER NOT NULL REFERENCES evidence(id),
                value TEXT NOT NULL,
                raw TEXT NOT NULL,
                locator TEXT,
                page INTEGER,
                context TEXT,
                is_percent INTEGER NOT NULL DEFAULT 0
            )""",
            "CREATE INDEX evidence_numbers_value ON evidence_numbers(value)",
            "CREATE INDEX evidence_numbers_evidence ON evidence_numbers(evidence_id)",
            """CREATE TABLE links (
                id INTEGER PRIMARY KEY,
                claim_id INTEGER NOT NULL REFERENCES claims(id),
                evidence_id INTEGER NOT NULL REFERENCES evidence(id),
                locator TEXT,
                note TEXT,
                origin TEXT NOT NULL DEFAULT 'manual',
                actor TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (claim_id, evidence_id)
            )""",
            "CREATE INDEX links_evidence ON links(evidence_id)",
            """CREATE TABLE suggestion_rejections (
                claim_id INTEGER NOT NULL REFERENCES claims(id),
                evidence_id INTEGER NOT NULL REFERENCES evidence(id),
                actor TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (claim_id, evidence_id)
            )""",
            """CREATE TABLE reviews (
                id INTEGER PRIMARY KEY,
                claim_id INTEGER NOT NULL REFERENCES claims(id),
                state TEXT NOT NULL
                    CHECK (state IN ('pending', 'verified', 'questioned', 'needs_more', 'not_required')),
                comment TEXT,
                reviewer TEXT NOT NULL,
                fingerprint TEXT,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX reviews_claim ON reviews(claim_id, id)",
            """CREATE TABLE ingest_queue (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL,
                task TEXT NOT NULL DEFAULT 'register',
                evidence_id INTEGER REFERENCES evidence(id),
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'in_progress', 'done', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                next_try_at TEXT,
                enqueued_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX ingest_queue_state ON ingest_queue(state, next_try_at)",
            """CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                ts TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                action TEXT NOT NULL,
                report_id INTEGER,
                claim_id INTEGER,
                evidence_id INTEGER,
                payload TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )""",
            "CREATE INDEX events_claim ON events(claim_id)",
            "CREATE INDEX events_evidence ON events(evidence_id)",
            """CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
               BEGIN SELECT RAISE(ABORT, 'events is append-only'); END""",
            """CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
               BEGIN SELECT RAISE(ABORT, 'events is append-only'); END""",
        ],
    )


@migrations(name="0003_evidence_number_unit")
def m0003_evidence_number_unit(db: SUDatabase) -> None:
    """The unit written after a number in evidence (元, 万元, 条, %): suggestions scale by it."""
    _run(db, ["ALTER TABLE evidence_numbers ADD COLUMN unit TEXT"])


@migrations(name="0004_ingest_queue")
def m0004_ingest_queue(db: SUDatabase) -> None:
    """What the watcher and the ingest queue need; file names that are not valid Unicode, kept exactly.

    ``ingest_queue``: a priority (registration before text before thumbnails), whether the file is known
    to be complete (closed after writing) or must first prove stable (same size and mtime twice), the
    size and mtime last seen, the error detail, where the task came from, the exact bytes of an
    undecodable name, and at most one *pending* task per (task, path, evidence) so repeated watcher
    hints collapse into one row. ``evidence_paths.raw_path``: the exact bytes of an undecodable name
    (``path`` then holds a readable escaped form; see ``desktop/evidence/fspath.py``).
    """
    _run(
        db,
        [
            "ALTER TABLE ingest_queue ADD COLUMN priority INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE ingest_queue ADD COLUMN ready INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE ingest_queue ADD COLUMN seen_size INTEGER",
            "ALTER TABLE ingest_queue ADD COLUMN seen_mtime_ns INTEGER",
            "ALTER TABLE ingest_queue ADD COLUMN error_detail TEXT",
            "ALTER TABLE ingest_queue ADD COLUMN origin TEXT",
            "ALTER TABLE ingest_queue ADD COLUMN raw_path BLOB",
            """CREATE UNIQUE INDEX ingest_queue_one_pending
               ON ingest_queue(task, path, coalesce(evidence_id, 0)) WHERE state = 'pending'""",
            "CREATE INDEX ingest_queue_pick ON ingest_queue(state, priority, id)",
            "CREATE INDEX ingest_queue_path ON ingest_queue(path)",
            "ALTER TABLE evidence_paths ADD COLUMN raw_path BLOB",
            "CREATE INDEX evidence_paths_present ON evidence_paths(present, path)",
        ],
    )


@migrations(name="0005_review_basis_event_indexes")
def m0005_review_basis_event_indexes(db: SUDatabase) -> None:
    """Reviews keep what a sign-off was given on; the audit viewer filters by person, action and date."""
    _run(
        db,
        [
            # JSON: the claim's value and, per linked file, its sha256, locator and newest versions at the
            # time of the review; ``fingerprint`` stays the digest of it (see desktop/review/review.py).
            "ALTER TABLE reviews ADD COLUMN basis TEXT",
            "CREATE INDEX events_actor ON events(actor)",
            "CREATE INDEX events_action ON events(action)",
            "CREATE INDEX events_ts ON events(ts)",
        ],
    )


# The significant digits and the decade of each evidence number, as the value is written (TEXT, no
# separators): "6588300.00" -> sig "65883", mag 6; "0.89" -> "89", -1; "2.1099" -> "21099", 0. Within one
# decade the string order of ``sig`` is the numeric order, so "every number that rounds to 658.83 at any
# scale" is a handful of range scans on (mag, sig). Virtual generated columns: nothing to backfill, and
# no writer has to know about them. Scientific notation ("1E-7", rare) is left out of the index (NULL).
_PLAIN = "instr(value, 'E') = 0 AND instr(value, 'e') = 0"
_INT_PART = "substr(value, 1, instr(value || '.', '.') - 1)"
_FRAC_PART = "substr(value, instr(value || '.', '.') + 1)"
SIG_SQL = f"CASE WHEN {_PLAIN} THEN rtrim(ltrim(replace(value, '.', ''), '0'), '0') END"
MAG_SQL = (
    f"CASE WHEN NOT ({_PLAIN}) THEN NULL"
    f" WHEN ltrim({_INT_PART}, '0') <> '' THEN length(ltrim({_INT_PART}, '0')) - 1"
    f" WHEN rtrim({_FRAC_PART}, '0') <> '' THEN length(ltrim({_FRAC_PART}, '0')) - length({_FRAC_PART}) - 1"
    " END"
)


@migrations(name="0006_evidence_number_digits")
def m0006_evidence_number_digits(db: SUDatabase) -> None:
    """Significant digits + decade of every evidence number, indexed: suggestions match at any scale."""
    _run(
        db,
        [
            f"ALTER TABLE evidence_numbers ADD COLUMN sig TEXT GENERATED ALWAYS AS ({SIG_SQL}) VIRTUAL",
            f"ALTER TABLE evidence_numbers ADD COLUMN mag INTEGER GENERATED ALWAYS AS ({MAG_SQL}) VIRTUAL",
            # evidence_id in the index: "only in these files" is decided without reading the table
            "CREATE INDEX evidence_numbers_mag_sig ON evidence_numbers(mag, sig, evidence_id)",
            # a cell's neighbours (is 1972 in 明细!A1974 a row number?) without scanning the whole file
            "CREATE INDEX evidence_numbers_locator ON evidence_numbers(evidence_id, locator)",
            # how many text units hold a word (a view on the FTS index, no storage): common words are
            # no use for finding the few files that speak of a claim's subject
            "CREATE VIRTUAL TABLE evidence_text_vocab USING fts5vocab('evidence_text', 'row')",
        ],
    )


@migrations(name="0008_exports")
def m0008_exports(db: SUDatabase) -> None:
    """Packages this workspace exported: a later supplement (``export --since``) and ``apply`` recognise
    a package or a return by its id and hashes. Each row is also the payload of its ``package.exported``
    event (see docs/formats.md)."""
    _run(
        db,
        [
            """CREATE TABLE exports (
                id INTEGER PRIMARY KEY,
                package_id TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL DEFAULT 'package',
                since_package_id TEXT,
                package_sha256 TEXT NOT NULL,
                manifest_sha256 TEXT NOT NULL,
                binder_sha256 TEXT,
                audit_seq INTEGER NOT NULL,
                audit_head TEXT NOT NULL,
                path TEXT NOT NULL,
                binder_path TEXT,
                counts TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX exports_package_sha256 ON exports(package_sha256)",
            "CREATE INDEX exports_manifest_sha256 ON exports(manifest_sha256)",
        ],
    )


@migrations(name="0009_score_tables")
def m0009_score_tables(db: SUDatabase) -> None:
    """绩效自评表 as records: a report's score tables, their budget and indicator rows, each row's cells
    (raw text, value as written and as a decimal, unit and where it came from, comparator, location), and
    the claims each row gives (actual, target, budget amounts and rate) or the report's prose states about
    it. Rows are read only through ``desktop/claims/queries.py``."""
    _run(
        db,
        [
            """CREATE TABLE score_tables (
                id INTEGER PRIMARY KEY,
                report_id INTEGER NOT NULL REFERENCES reports(id),
                ordinal INTEGER NOT NULL,
                title TEXT,
                page INTEGER,
                source TEXT NOT NULL,
                total_score_raw TEXT,
                total_score_text TEXT,
                total_score TEXT,
                grade TEXT,
                budget_unit TEXT,
                budget_columns TEXT NOT NULL DEFAULT '{}',
                start INTEGER,
                end INTEGER,
                UNIQUE (report_id, ordinal)
            )""",
            """CREATE TABLE score_rows (
                id INTEGER PRIMARY KEY,
                table_id INTEGER NOT NULL REFERENCES score_tables(id),
                ordinal INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('budget', 'indicator')),
                name TEXT NOT NULL,
                level1 TEXT,
                level2 TEXT,
                part_of TEXT,
                unit TEXT,
                deviation TEXT,
                start INTEGER,
                end INTEGER,
                page INTEGER,
                ref TEXT,
                UNIQUE (table_id, ordinal)
            )""",
            """CREATE TABLE score_cells (
                id INTEGER PRIMARY KEY,
                row_id INTEGER NOT NULL REFERENCES score_rows(id),
                field TEXT NOT NULL CHECK (field IN ('name', 'target', 'actual', 'weight', 'score', 'deviation',
                    'planned_start', 'planned_full', 'executed', 'rate')),
                raw TEXT,
                value_text TEXT,
                value TEXT,
                unit TEXT,
                unit_source TEXT,
                op TEXT CHECK (op IS NULL OR op IN ('>=', '<=', '=', '>', '<')),
                start INTEGER,
                end INTEGER,
                page INTEGER,
                ref TEXT,
                UNIQUE (row_id, field)
            )""",
            """CREATE TABLE score_row_claims (
                row_id INTEGER NOT NULL REFERENCES score_rows(id),
                claim_id INTEGER NOT NULL REFERENCES claims(id),
                role TEXT NOT NULL CHECK (role IN ('actual', 'target', 'planned_start', 'planned_full', 'executed',
                    'rate', 'prose')),
                PRIMARY KEY (row_id, claim_id, role)
            )""",
            "CREATE INDEX score_tables_report ON score_tables(report_id, ordinal)",
            "CREATE INDEX score_row_claims_claim ON score_row_claims(claim_id)",
        ],
    )


@migrations(name="0010_requests")
def m0010_requests(db: SUDatabase) -> None:
    """The inspector's side: 补充材料 requests, and what travelled in from another PC.

    ``requests``: what an inspector asks for, for which claim, by when, and how it was answered. ``uid``
    names a request on every PC it travels to (the local ``id`` may differ); ``version`` counts its state
    changes (待补充 1 → 已答复 2 → 已接受 / 已退回 3 → 已答复 4 …), so a copy that arrives from the other side
    is taken only when it is newer. ``answers`` is a JSON list of evidence ids; ``basis`` the evidence ids
    linked to the claim when the request was made (what is linked since is the answer).

    ``received``: every package, supplement or return this workspace took in (receiving or applying the
    same file again changes nothing). ``evidence_remote``: evidence known here by its row and hash only —
    a version the sender did not ship, or a file that failed verification and was opened anyway
    (``receive --force``); the store has no bytes for it. ``reviews.origin``: where a review was first
    recorded when it came from another workspace (the hash of its event there), so it is taken once.
    See docs/formats.md.
    """
    _run(
        db,
        [
            """CREATE TABLE requests (
                id INTEGER PRIMARY KEY,
                uid TEXT NOT NULL UNIQUE,
                claim_id INTEGER NOT NULL REFERENCES claims(id),
                review_id INTEGER REFERENCES reviews(id),
                text TEXT NOT NULL,
                due TEXT,
                state TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'answered', 'accepted', 'reopened')),
                version INTEGER NOT NULL DEFAULT 1,
                answers TEXT NOT NULL DEFAULT '[]',
                basis TEXT NOT NULL DEFAULT '[]',
                comment TEXT,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_by TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX requests_claim ON requests(claim_id)",
            "CREATE INDEX requests_state ON requests(state)",
            """CREATE TABLE received (
                id INTEGER PRIMARY KEY,
                exchange_id TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL CHECK (kind IN ('package', 'supplement', 'return')),
                package_id TEXT NOT NULL,
                manifest_sha256 TEXT NOT NULL,
                file_sha256 TEXT NOT NULL,
                sender TEXT NOT NULL,
                audit_seq INTEGER,
                audit_head TEXT,
                counts TEXT NOT NULL DEFAULT '{}',
                actor TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE evidence_remote (
                evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id),
                reason TEXT NOT NULL CHECK (reason IN ('not_shipped', 'failed_verification')),
                exchange_id TEXT NOT NULL
            )""",
            "ALTER TABLE reviews ADD COLUMN origin TEXT",
            "CREATE UNIQUE INDEX reviews_origin ON reviews(origin) WHERE origin IS NOT NULL",
        ],
    )


@migrations(name="0011_finding_dismissals")
def m0011_finding_dismissals(db: SUDatabase) -> None:
    """一致性检查 findings are computed, never stored; a dismissal is (with the reason, who and when).

    ``finding_key`` identifies the finding across re-imports (its rule and the ids of the claims it
    involves, which re-anchoring keeps, or the score-table cells and names it is about); ``rule``,
    ``claim_ids``, ``cells`` (JSON), ``figures`` (the numbers as they were, JSON) and ``message`` keep what was
    dismissed, so the inspector sees it and a finding whose figures have changed since asks again.
    """
    _run(
        db,
        [
            """CREATE TABLE finding_dismissals (
                id INTEGER PRIMARY KEY,
                finding_key TEXT NOT NULL UNIQUE,
                rule TEXT NOT NULL,
                severity TEXT NOT NULL,
                report_id INTEGER REFERENCES reports(id),
                claim_ids TEXT NOT NULL DEFAULT '[]',
                cells TEXT NOT NULL DEFAULT '[]',
                figures TEXT NOT NULL DEFAULT '[]',
                message TEXT NOT NULL,
                reason TEXT NOT NULL,
                actor TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
        ],
    )


@migrations(name="0012_replay_baseline")
def m0012_replay_baseline(db: SUDatabase) -> None:
    """From here on every audit event carries the rows its change left (``_replay``, see db/replay.py), and
    ``verify`` rebuilds the state from the log. A workspace that already has events gets one
    ``audit.baseline`` event holding every tracked row as it is now: replay starts from it. (A new
    workspace has no events yet: its first event already carries its rows.)"""
    from db import replay

    replay.record_tables(db.conn, replay.TABLES, action=replay.BASELINE_ACTION,
                         reason="0012_replay_baseline")


def apply(conn) -> list[str]:
    """Apply every pending migration on ``conn``; return the names applied."""
    db = SUDatabase(conn, execute_plugins=False)
    names = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return names


def applied(conn) -> list[str]:
    return [m.name for m in migrations.applied(SUDatabase(conn, execute_plugins=False))]


def expected_objects(names: tuple[str, ...]) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """What the migrations ``names`` create, run into an in-memory database: ``(type, name)`` →
    ``(tbl_name, tokens of its SQL)`` for every table, index, view and trigger (SQLite's own excepted)."""
    return dict(_expected(tuple(names)))


@functools.lru_cache(maxsize=4)
def _expected(names: tuple[str, ...]) -> tuple:
    import sqlite3

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        db = SUDatabase(conn, execute_plugins=False)
        migrations.ensure_migrations_table(db)
        wanted = set(names)
        for m in migrations._migrations:
            if m.name in wanted:
                conn.execute("BEGIN")
                m.fn(db)
                conn.execute("COMMIT")
        return tuple(schema_objects(conn).items())
    finally:
        conn.close()


def schema_objects(conn) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    return {
        (r[0], r[1]): (r[2], sql_tokens(r[3] or ""))
        for r in conn.execute("SELECT type, name, tbl_name, sql FROM main.sqlite_master")
        if not r[1].startswith("sqlite_")
    }


_TOKEN = re.compile(r"""\s+|--[^\n]*|/\*.*?(?:\*/|$)|'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]"""
                    r"""|[A-Za-z_\u0080-\uffff][\w\u0080-\uffff$]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\|\||<=|>=|<>|!=|==|<<|>>|.""",
                    re.S)


def sql_tokens(sql: str) -> tuple[str, ...]:
    """The statement as a token stream: whitespace and comments dropped, keywords and identifiers (bare or
    quoted: SQLite compares them without case) upper-cased, string literals kept exactly."""
    out = []
    for m in _TOKEN.finditer(sql):
        t = m.group()
        if t.isspace() or t.startswith("--") or t.startswith("/*"):
            continue
        if t[0] in "\"`[":
            t = t[1:-1].upper()
        elif t[0] != "'":
            t = t.upper()
        out.append(t)
    return tuple(out)


def pending(conn) -> list[str]:
    return [m.name for m in migrations.pending(SUDatabase(conn, execute_plugins=False))]
