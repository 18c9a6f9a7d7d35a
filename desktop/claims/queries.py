"""Named reads of reports, claims and score tables for the window, the command line and the consistency
checks (Qt-free, any thread; the only place their SQL lives).

Claim rows with their flags (what the claims list shows) come from :func:`desktop.review.status.claim_rows`;
here are the reports themselves and what a view needs around one claim, and the score tables (绩效自评表):

- :func:`score_tables` — the tables of the workspace's active reports (or of one report), as summaries;
- :func:`load_score_table` / :func:`load_score_tables` — tables as records with their rows, cells and the
  ids of the claims each row gives;
- :func:`score_table_view` — one table's rows as the form shows them, each with its claims' evidence
  state (links, the latest review), for the 自评表 view;
- :func:`score_row_of_claim` — the row a claim belongs to (as actual, target, budget figure or prose).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from db.database import Database
from desktop.claims.scoretable import Actual, BudgetRow, Figure, IndicatorRow, Location, ScoreTable, Target


def active_reports(db: Database) -> list[dict[str, Any]]:
    """The reports in use (a revised report replaces its earlier version), oldest first."""
    return [dict(r) for r in db.query(
        "SELECT id, name, imported_at FROM reports WHERE state = 'active' ORDER BY id")]


def report_names(db: Database) -> dict[int, str]:
    return {r["id"]: r["name"] for r in active_reports(db)}


def report_text(db: Database, report_id: int) -> str | None:
    return db.scalar("SELECT text FROM reports WHERE id = ?", (report_id,))


def report_claims(db: Database, report_id: int) -> list[dict[str, Any]]:
    """Every claim of a report (all states), in text order, with its linked evidence ids."""
    rows = db.query(
        """SELECT c.*, (SELECT group_concat(evidence_id) FROM links l WHERE l.claim_id = c.id) AS evidence
           FROM claims c WHERE c.report_id = ? ORDER BY c.start IS NULL, c.start, c.id""", (report_id,))
    out = []
    for r in rows:
        c = dict(r)
        c["flags"] = json.loads(c["flags"] or "[]")
        c["evidence_ids"] = [int(x) for x in (c.pop("evidence") or "").split(",") if x]
        out.append(c)
    return out


def claim_exists(db: Database, claim_id: int) -> bool:
    return db.query_one("SELECT 1 FROM claims WHERE id = ?", (claim_id,)) is not None


def claim_report_id(db: Database, claim_id: int) -> int | None:
    return db.scalar("SELECT report_id FROM claims WHERE id = ?", (claim_id,))


def claim_labels(db: Database, claim_ids) -> dict[int, dict[str, Any]]:
    """id → what a list names a claim by (subject, value as written, unit, quote, section), for lists that
    refer to claims (the 补充材料清单)."""
    ids = sorted({int(i) for i in claim_ids})
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for r in db.query(f"SELECT id, subject, value_raw, value, unit, quote, section FROM claims"
                          f" WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r["id"]] = dict(r)
    return out


def claim_context(db: Database, claim_id: int) -> tuple[str, str]:
    """The report text just before and just after the claim's quote ("" where there is none)."""
    row = db.query_one("SELECT context_before, context_after FROM claims WHERE id = ?", (claim_id,))
    if row is None:
        return "", ""
    return row["context_before"] or "", row["context_after"] or ""


# --- score tables (绩效自评表) ----------------------------------------------------------------------


def _conn(db):
    return db.conn if hasattr(db, "conn") else db


def score_tables(db, report_id: int | None = None) -> list[dict[str, Any]]:
    """Summaries (id, report, title, page, counts, 总分, 等级) of the score tables of ``report_id``, or of
    every active report, in report and form order."""
    sql = """SELECT t.id, t.report_id, r.name AS report_name, t.ordinal, t.title, t.page, t.source,
                    t.total_score_text, t.grade, t.budget_unit,
                    (SELECT count(*) FROM score_rows s WHERE s.table_id = t.id AND s.kind = 'budget') AS budget_rows,
                    (SELECT count(*) FROM score_rows s WHERE s.table_id = t.id AND s.kind = 'indicator')
                        AS indicator_rows
             FROM score_tables t JOIN reports r ON r.id = t.report_id"""
    if report_id is None:
        rows = _conn(db).execute(sql + " WHERE r.state = 'active' ORDER BY t.report_id, t.ordinal").fetchall()
    else:
        rows = _conn(db).execute(sql + " WHERE t.report_id = ? ORDER BY t.ordinal", (report_id,)).fetchall()
    return [dict(r) for r in rows]


def load_score_tables(db, report_id: int | None = None) -> list[ScoreTable]:
    """Every score table of ``report_id`` (or of the active reports) as records, rows and claim ids in."""
    return [load_score_table(db, t["id"]) for t in score_tables(db, report_id)]


def _location(row) -> Location | None:
    if row["start"] is None and row["page"] is None and row["ref"] is None:
        return None
    return Location(row["start"], row["end"], row["page"], row["ref"])


def _dec(v: str | None) -> Decimal | None:
    return None if v is None else Decimal(v)


def _figure(c) -> Figure | None:
    if c is None:
        return None
    return Figure(raw=c["raw"] or "", text=c["value_text"], value=_dec(c["value"]), unit=c["unit"] or "",
                  location=_location(c))


def load_score_table(db, table_id: int) -> ScoreTable:
    conn = _conn(db)
    t = conn.execute("SELECT * FROM score_tables WHERE id = ?", (table_id,)).fetchone()
    if t is None:
        from desktop.errors import DeskError

        raise DeskError("score_table.not_found", table_id=table_id)
    total = None
    if t["total_score_text"] is not None or t["total_score_raw"] is not None:
        total = Figure(raw=t["total_score_raw"] or "", text=t["total_score_text"], value=_dec(t["total_score"]))
    st = ScoreTable(title=t["title"], page=t["page"], total_score=total, grade=t["grade"],
                    budget_unit=t["budget_unit"], source=t["source"],
                    location=Location(t["start"], t["end"], t["page"], None) if t["start"] is not None else None,
                    budget_columns=json.loads(t["budget_columns"] or "{}"), id=t["id"], report_id=t["report_id"])
    rows = conn.execute("SELECT * FROM score_rows WHERE table_id = ? ORDER BY ordinal", (table_id,)).fetchall()
    row_ids = [r["id"] for r in rows]
    cells: dict[int, dict[str, Any]] = {}
    claims: dict[int, list[tuple[int, str]]] = {}
    if row_ids:
        marks = ",".join("?" * len(row_ids))
        for c in conn.execute(f"SELECT * FROM score_cells WHERE row_id IN ({marks})", row_ids):
            cells.setdefault(c["row_id"], {})[c["field"]] = c
        for link in conn.execute(
                f"SELECT row_id, claim_id, role FROM score_row_claims WHERE row_id IN ({marks}) ORDER BY claim_id",
                row_ids):
            claims.setdefault(link["row_id"], []).append((link["claim_id"], link["role"]))
    for r in rows:
        rc = cells.get(r["id"], {})
        links = claims.get(r["id"], [])
        if r["kind"] == "budget":
            b = BudgetRow(name=r["name"], unit=r["unit"] or "", part_of=r["part_of"], location=_location(r),
                          id=r["id"], claim_ids={role: cid for cid, role in links})
            for f in ("planned_start", "planned_full", "executed", "rate", "weight", "score"):
                setattr(b, f, _figure(rc.get(f)))
            st.budget.append(b)
            continue
        target = actual = None
        if "target" in rc:
            c = rc["target"]
            target = Target(raw=c["raw"] or "", op=c["op"], text=c["value_text"], value=_dec(c["value"]),
                            unit=c["unit"] or "", unit_source=c["unit_source"], location=_location(c))
        if "actual" in rc:
            c = rc["actual"]
            actual = Actual(raw=c["raw"] or "", text=c["value_text"], value=_dec(c["value"]), unit=c["unit"] or "",
                            unit_source=c["unit_source"], op=c["op"], location=_location(c))
        st.indicators.append(IndicatorRow(
            name=r["name"], level1=r["level1"], level2=r["level2"], target=target, actual=actual,
            weight=_figure(rc.get("weight")), score=_figure(rc.get("score")), deviation=r["deviation"],
            location=_location(r), name_location=_location(rc["name"]) if "name" in rc else None,
            deviation_location=_location(rc["deviation"]) if "deviation" in rc else None, id=r["id"],
            claim_id=next((cid for cid, role in links if role == "actual"), None),
            target_claim_id=next((cid for cid, role in links if role == "target"), None),
            prose_claim_ids=[cid for cid, role in links if role == "prose"],
        ))
    return st


def score_table_view(db, table_id: int) -> list[dict[str, Any]]:
    """The rows of one table as the form shows them (budget block first), each with the claims it gives
    and their evidence state: ``links`` (how many files back the claim) and ``review`` (its latest state)."""
    conn = _conn(db)
    rows = conn.execute(
        """SELECT s.id, s.kind, s.ordinal, s.name, s.level1, s.level2, s.part_of, s.deviation, s.start, s.end,
                  s.page
           FROM score_rows s WHERE s.table_id = ? ORDER BY s.ordinal""", (table_id,)).fetchall()
    cells = conn.execute(
        """SELECT c.row_id, c.field, c.raw, c.value_text, c.unit, c.op FROM score_cells c
           JOIN score_rows s ON s.id = c.row_id WHERE s.table_id = ?""", (table_id,)).fetchall()
    links = conn.execute(
        """SELECT k.row_id, k.claim_id, k.role, cl.state, cl.needs_evidence,
                  (SELECT count(*) FROM links l WHERE l.claim_id = k.claim_id) AS links,
                  (SELECT v.state FROM reviews v WHERE v.claim_id = k.claim_id ORDER BY v.id DESC LIMIT 1) AS review
           FROM score_row_claims k JOIN score_rows s ON s.id = k.row_id JOIN claims cl ON cl.id = k.claim_id
           WHERE s.table_id = ? ORDER BY k.claim_id""", (table_id,)).fetchall()
    by_row: dict[int, dict[str, Any]] = {}
    for r in rows:
        by_row[r["id"]] = {**dict(r), "cells": {}, "claims": []}
    for c in cells:
        by_row[c["row_id"]]["cells"][c["field"]] = {k: c[k] for k in ("raw", "value_text", "unit", "op")}
    for k in links:
        by_row[k["row_id"]]["claims"].append({"claim_id": k["claim_id"], "role": k["role"], "state": k["state"],
                                              "links": k["links"], "review": k["review"],
                                              "needs_evidence": bool(k["needs_evidence"])})
    return [by_row[r["id"]] for r in rows]


#: the claim that stands for a row (its evidence state, what selecting the row selects), best first
ROW_CLAIM_ROLES = {"indicator": ("actual", "target"), "budget": ("executed", "planned_full", "rate", "planned_start")}


def row_claim(row: dict[str, Any]) -> dict[str, Any] | None:
    """The claim of a :func:`score_table_view` row that stands for it: the actual of an indicator, the
    全年执行数 of a budget line (else the next figure it gives); None for a row that gives no claim
    (a qualitative indicator, an empty budget line)."""
    active = {c["role"]: c for c in row["claims"] if c["state"] == "active"}
    for role in ROW_CLAIM_ROLES.get(row["kind"], ()):
        if role in active:
            return active[role]
    return None


def row_evidence_state(row: dict[str, Any]) -> str | None:
    """``covered`` (a file backs the row's claim), ``missing``, ``not_required`` (无需佐证), or None when
    the row gives no claim."""
    c = row_claim(row)
    if c is None:
        return None
    if c["links"]:
        return "covered"
    return "missing" if c.get("needs_evidence", True) else "not_required"


def score_table_totals(rows: list[dict[str, Any]]) -> dict[str, Decimal | int]:
    """分值 and 得分 summed over the rows the form scores: every indicator row and the budget block's own
    line (not its 其中 parts); ``rows`` are :func:`score_table_view` rows. ``scored`` counts the rows with
    a 得分; ``covered`` / ``with_claims`` count the rows whose claim has evidence / that give a claim."""
    weight = score = Decimal(0)
    scored = covered = with_claims = 0
    for r in rows:
        state = row_evidence_state(r)
        if state is not None:
            with_claims += 1
            covered += state in ("covered", "not_required")
        if r["kind"] == "budget" and r.get("part_of"):
            continue
        w, s = (_cell_value(r["cells"].get(f)) for f in ("weight", "score"))
        if w is not None:
            weight += w
        if s is not None:
            score += s
            scored += 1
    return {"weight": weight, "score": score, "scored": scored, "covered": covered, "with_claims": with_claims}


def _cell_value(cell: dict[str, Any] | None) -> Decimal | None:
    if not cell or cell.get("value_text") is None:
        return None
    try:
        return Decimal(cell["value_text"])
    except ArithmeticError:
        return None


def score_row_of_claim(db, claim_id: int) -> dict[str, Any] | None:
    """The score-table row a claim belongs to: table and row ids, the row's name and the claim's role in
    it (actual / target / a budget field, or prose about it); None for a claim no row speaks of."""
    row = _conn(db).execute(
        """SELECT k.role, s.id AS row_id, s.name, s.kind, t.id AS table_id, t.title, t.report_id
           FROM score_row_claims k JOIN score_rows s ON s.id = k.row_id JOIN score_tables t ON t.id = s.table_id
           WHERE k.claim_id = ?
           ORDER BY k.role = 'prose', t.report_id DESC LIMIT 1""", (claim_id,)).fetchone()
    return dict(row) if row else None
