"""Score tables in a workspace: an import stores each table's rows, cells and locations linked to the
claims they give (in the import's one audit event), and the named queries read them back."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from desktop.claims import queries
from desktop.claims.service import import_report, import_revised_report
from desktop.workspace import Workspace
from tests.claims import scoretable_files as F

ROWS = F.spec_rows(12)


@pytest.fixture
def ws(tmp_path):
    with Workspace.create(tmp_path / "ws", actor="编制人") as w:
        yield w


def _report(tmp_path, rows=ROWS, name="自评表.txt", prose="项目年度预算 1250.5 万元。"):
    f = tmp_path / name
    f.write_text(prose + "\n" + F.text_pipes(rows), encoding="utf-8")
    return f


def test_import_stores_rows_cells_and_claim_links(ws, tmp_path):
    result = import_report(ws.db, path=_report(tmp_path))
    (summary,) = queries.score_tables(ws.db)
    assert summary["report_id"] == result.report_id and summary["indicator_rows"] == 12
    assert summary["budget_rows"] == 4 and summary["total_score_text"] == F._total(ROWS)
    st = queries.load_score_table(ws.db, summary["id"])
    assert F.records([st]) == F.expected(ROWS)
    assert F.budget_records([st]) == F.expected_budget()
    claims = {r["id"]: dict(r) for r in ws.db.conn.execute("SELECT * FROM claims")}
    for row, spec in zip(st.indicators, ROWS):
        assert row.id is not None
        if spec.actual_value is None:
            assert row.claim_id is None
            continue
        c = claims[row.claim_id]
        assert (c["value"], c["unit"], c["subject"], c["origin"]) == (spec.actual_value, spec.actual_unit, spec.name,
                                                                     "table")
        t = claims[row.target_claim_id]
        assert "target" in json.loads(t["flags"]) and t["value"] == spec.target_value
        assert isinstance(row.actual.value, Decimal) and row.actual.location.start < row.actual.location.end
        text = ws.db.conn.execute("SELECT text FROM reports WHERE id = ?", (result.report_id,)).fetchone()[0]
        assert text[row.actual.location.start:row.actual.location.end] == spec.actual
    total = st.budget[0]
    assert set(total.claim_ids) == {"planned_start", "planned_full", "executed", "rate"}
    assert claims[total.claim_ids["planned_full"]]["value"] == "1250.5"
    # the prose figure 1250.5 万元 is not an indicator's actual; the row of a claim is found from the claim
    assert queries.score_row_of_claim(ws.db, total.claim_ids["rate"])["role"] == "rate"
    assert queries.score_row_of_claim(ws.db, st.indicators[0].claim_id)["name"] == ROWS[0].name
    # one audit event, carrying every row written
    events = ws.db.conn.execute("SELECT action, payload FROM events WHERE action = 'report.imported'").fetchall()
    assert len(events) == 1
    payload = json.loads(events[0]["payload"])
    written = payload["score_tables"][0]
    assert written["id"] == summary["id"] and len(written["rows"]) == 16
    assert sum(len(r["cells"]) for r in written["rows"]) == ws.db.conn.execute(
        "SELECT count(*) FROM score_cells").fetchone()[0]


def test_view_rows_carry_evidence_state(ws, tmp_path):
    import_report(ws.db, path=_report(tmp_path))
    (summary,) = queries.score_tables(ws.db)
    view = queries.score_table_view(ws.db, summary["id"])
    assert [r["kind"] for r in view[:5]] == ["budget"] * 4 + ["indicator"]
    first = view[4]
    assert first["name"] == ROWS[0].name and first["cells"]["target"]["op"] == "<="
    roles = {c["role"]: c for c in first["claims"]}
    assert set(roles) >= {"actual", "target"} and roles["actual"]["links"] == 0


def test_prose_about_an_indicator_is_linked_to_its_row(ws, tmp_path):
    spec = ROWS[0]
    prose = f"全年{spec.name}达到 {spec.actual_value} {spec.actual_unit}。"
    import_report(ws.db, path=_report(tmp_path, prose=prose))
    st = queries.load_score_tables(ws.db)[0]
    row = st.indicators[0]
    assert len(row.prose_claim_ids) == 1
    c = ws.db.conn.execute("SELECT * FROM claims WHERE id = ?", (row.prose_claim_ids[0],)).fetchone()
    assert c["origin"] == "extracted" and c["value"] == spec.actual_value
    assert queries.score_row_of_claim(ws.db, c["id"])["role"] == "prose"


def test_revised_report_gets_its_own_tables_with_kept_claim_ids(ws, tmp_path):
    first = import_report(ws.db, path=_report(tmp_path))
    old = queries.load_score_tables(ws.db)[0]
    changed = list(ROWS)
    changed[1] = F.SpecRow(**{**vars(ROWS[1]), "actual": "99人次", "actual_value": "99"})
    rev = import_revised_report(ws.db, report_id=first.report_id, path=_report(tmp_path / "..", changed, "v2.txt"))
    (new,) = queries.load_score_tables(ws.db)  # active reports only
    assert new.report_id == rev.report_id and new.id != old.id
    assert new.indicators[0].claim_id == old.indicators[0].claim_id  # the same claim, re-anchored
    assert new.indicators[1].actual.text == "99"
    assert len(queries.load_score_tables(ws.db, first.report_id)) == 1  # the old version keeps its table


DATA = __import__("pathlib").Path(__file__).resolve().parent.parent / "data"


def test_workspace_from_before_score_tables_upgrades(tmp_path):
    import shutil

    from db import schema
    from db.connection import connect

    shutil.copy(DATA / "workspace-0006.db", tmp_path / "workspace.db")
    conn = connect(tmp_path / "workspace.db")
    assert "0009_score_tables" in schema.apply(conn)
    conn.close()
    from db.database import Database

    db = Database(tmp_path / "workspace.db")
    try:
        assert queries.score_tables(db) == [] and queries.load_score_tables(db) == []
        claim = db.conn.execute("SELECT id FROM claims LIMIT 1").fetchone()[0]
        assert queries.score_row_of_claim(db, claim) is None
    finally:
        db.close()


def test_committed_workspace_with_a_score_table_reads_back(tmp_path):
    import shutil

    from db import schema
    from db.connection import connect

    shutil.copy(DATA / "workspace-0009.db", tmp_path / "workspace.db")
    conn = connect(tmp_path / "workspace.db")
    schema.apply(conn)
    conn.close()
    with Workspace.open(tmp_path, actor="编制人") as w:
        (st,) = queries.load_score_tables(w.db)
        assert len(st.indicators) == 8 and st.budget[0].planned_full.text == "3412.8"
        view = queries.score_table_view(w.db, st.id)
        linked = [c for r in view for c in r["claims"] if c["links"]]
        assert linked and linked[0]["review"] == "verified" and linked[0]["role"] == "actual"
