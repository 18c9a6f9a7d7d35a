"""Importing the same report (same bytes) again adds nothing and says which report it already is."""

from __future__ import annotations

import json
import shutil

import pytest

from desktop.errors import DeskError
from tests.conftest import SAMPLE_REPORT
from tests.edges.helpers import run


def test_same_bytes_again_is_refused_and_writes_nothing(ws, tmp_path):
    from desktop.claims.service import import_report

    first = import_report(ws.db, path=SAMPLE_REPORT)
    copy = tmp_path / "改了名字的同一份报告.txt"
    shutil.copy(SAMPLE_REPORT, copy)
    seq = ws.db.scalar("SELECT max(seq) FROM events")
    claims = ws.db.scalar("SELECT count(*) FROM claims")
    for path in (SAMPLE_REPORT, copy):  # the name does not matter, the bytes do
        with pytest.raises(DeskError) as err:
            import_report(ws.db, path=path)
        assert err.value.code == "report.already_imported" and err.value.params["report_id"] == first.report_id
    assert ws.db.scalar("SELECT max(seq) FROM events") == seq  # no event, no rows
    assert ws.db.scalar("SELECT count(*) FROM claims") == claims
    again = import_report(ws.db, path=copy, again=True)  # on purpose
    assert again.report_id != first.report_id
    assert ws.db.scalar("SELECT count(*) FROM reports") == 2


def test_cli_says_so_and_exits_2(tmp_path):
    ws = tmp_path / "W"
    run("init", ws)
    run("import", ws, SAMPLE_REPORT)
    res = run("import", ws, SAMPLE_REPORT, ok=2)
    assert "已导入过" in res.stderr and "--again" in res.stderr and "#1" in res.stderr
    claims = json.loads(run("status", ws, "--json").stdout)["claims"]
    assert {c["report_id"] for c in claims} == {1}
    run("import", ws, SAMPLE_REPORT, "--again")
    claims = json.loads(run("status", ws, "--json").stdout)["claims"]
    assert len({c["report_id"] for c in claims}) == 2
