"""Score tables into a workspace: the rows a report import writes (inside its transaction) for each
:class:`~desktop.claims.scoretable.ScoreTable`, and the after-state of every row it wrote, for the
import's audit event. Reading them back is :mod:`desktop.claims.queries`."""

from __future__ import annotations

import json
from typing import Any

from db.database import Tx
from desktop.claims.scoretable import Actual, BudgetRow, Figure, IndicatorRow, Location, ScoreTable, Target

BUDGET_FIELDS = ("planned_start", "planned_full", "executed", "rate", "weight", "score")


def _loc(loc: Location | None) -> dict[str, Any]:
    if loc is None:
        return {"start": None, "end": None, "page": None, "ref": None}
    return {"start": loc.start, "end": loc.end, "page": loc.page, "ref": loc.ref}


def _cell(row_id: int, field: str, value: Figure | Target | Actual | None, *, raw: str | None = None,
          loc: Location | None = None) -> dict[str, Any] | None:
    if value is None and raw is None:
        return None
    if value is None:
        return {"row_id": row_id, "field": field, "raw": raw, "value_text": None, "value": None, "unit": None,
                "unit_source": None, "op": None, **_loc(loc)}
    dec = getattr(value, "value", None)
    return {
        "row_id": row_id, "field": field, "raw": value.raw, "value_text": value.text,
        "value": None if dec is None else format(dec, "f"), "unit": value.unit or None,
        "unit_source": getattr(value, "unit_source", None), "op": getattr(value, "op", None),
        **_loc(value.location),
    }


def store_score_tables(tx: Tx, report_id: int, tables: list[ScoreTable],
                       claim_ids: list[int | None]) -> list[dict[str, Any]]:
    """Write ``tables`` for ``report_id``; ``claim_ids[i]`` is the id of the extractor's claim ``i`` (None
    when that claim was not stored). Returns the rows written, ids included."""
    out: list[dict[str, Any]] = []

    def cid(index: int | None) -> int | None:
        return claim_ids[index] if index is not None and 0 <= index < len(claim_ids) else None

    for n, st in enumerate(tables, 1):
        table_row = {
            "report_id": report_id, "ordinal": n, "title": st.title, "page": st.page, "source": st.source,
            "total_score_raw": st.total_score.raw if st.total_score else None,
            "total_score_text": st.total_score.text if st.total_score else None,
            "total_score": format(st.total_score.value, "f") if st.total_score and st.total_score.value is not None
            else None,
            "grade": st.grade, "budget_unit": st.budget_unit,
            "budget_columns": json.dumps(st.budget_columns, ensure_ascii=False, sort_keys=True),
            "start": st.location.start if st.location else None, "end": st.location.end if st.location else None,
        }
        st.id = table_id = tx.insert("score_tables", table_row)
        st.report_id = report_id
        written: dict[str, Any] = {"id": table_id, **table_row, "rows": []}
        ordinal = 0
        for b in st.budget:
            ordinal += 1
            written["rows"].append(_store_budget(tx, table_id, ordinal, b, cid))
        for r in st.indicators:
            ordinal += 1
            written["rows"].append(_store_indicator(tx, table_id, ordinal, r, cid))
        out.append(written)
    return out


def _row(tx: Tx, table_id: int, ordinal: int, kind: str, name: str, loc: Location | None,
         **extra: Any) -> tuple[int, dict[str, Any]]:
    row = {"table_id": table_id, "ordinal": ordinal, "kind": kind, "name": name, **extra, **_loc(loc)}
    return tx.insert("score_rows", row), row


def _write_cells(tx: Tx, cells: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    out = []
    for c in cells:
        if c is not None:
            out.append({"id": tx.insert("score_cells", c), **c})
    return out


def _write_links(tx: Tx, row_id: int, links: list[tuple[int | None, str]]) -> list[dict[str, Any]]:
    out = []
    seen = set()
    for claim_id, role in links:
        if claim_id is None or (claim_id, role) in seen:
            continue
        seen.add((claim_id, role))
        link = {"row_id": row_id, "claim_id": claim_id, "role": role}
        tx.insert("score_row_claims", link)
        out.append(link)
    return out


def _store_budget(tx: Tx, table_id: int, ordinal: int, b: BudgetRow, cid) -> dict[str, Any]:
    row_id, row = _row(tx, table_id, ordinal, "budget", b.name, b.location, part_of=b.part_of, unit=b.unit or None,
                       level1=None, level2=None, deviation=None)
    b.id = row_id
    cells = _write_cells(tx, [_cell(row_id, f, getattr(b, f)) for f in BUDGET_FIELDS])
    links = []
    for f, index in b.claim_index_by_field.items():
        claim_id = cid(index)
        if claim_id is not None:
            b.claim_ids[f] = claim_id
            links.append((claim_id, f))
    return {"id": row_id, **row, "cells": cells, "claims": _write_links(tx, row_id, links)}


def _store_indicator(tx: Tx, table_id: int, ordinal: int, r: IndicatorRow, cid) -> dict[str, Any]:
    row_id, row = _row(tx, table_id, ordinal, "indicator", r.name, r.location, level1=r.level1, level2=r.level2,
                       deviation=r.deviation, part_of=None, unit=None)
    r.id = row_id
    cells = _write_cells(tx, [
        _cell(row_id, "name", None, raw=r.name, loc=r.name_location) if r.name else None,
        _cell(row_id, "target", r.target), _cell(row_id, "actual", r.actual),
        _cell(row_id, "weight", r.weight), _cell(row_id, "score", r.score),
        _cell(row_id, "deviation", None, raw=r.deviation, loc=r.deviation_location) if r.deviation else None,
    ])
    r.claim_id, r.target_claim_id = cid(r.claim_index), cid(r.target_claim_index)
    r.prose_claim_ids = [c for c in (cid(i) for i in r.prose_claim_indexes) if c is not None]
    links = [(r.claim_id, "actual"), (r.target_claim_id, "target")] + [(c, "prose") for c in r.prose_claim_ids]
    return {"id": row_id, **row, "cells": cells, "claims": _write_links(tx, row_id, links)}
