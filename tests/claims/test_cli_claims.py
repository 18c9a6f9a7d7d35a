"""``evidence-desk claims REPORT --json`` and ``import --revises``: the shapes scripts rely on."""

from __future__ import annotations

import pytest

import json

from desktop import cli
from tests.claims.conftest import SAMPLE_TXT

KEYS = {"quote", "value", "value_raw", "unit", "scale", "subject", "section", "page", "start", "end", "flags",
        "confidence"}


def test_claims_json_shape(capsys):
    assert cli.main(["claims", str(SAMPLE_TXT), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"source", "claims", "score_tables"} and data["source"] == SAMPLE_TXT.name
    assert data["score_tables"] == []  # the sample report has no 自评表
    text = SAMPLE_TXT.read_text(encoding="utf-8")
    for c in data["claims"]:
        assert set(c) == KEYS
        assert text[c["start"]:c["end"]] == c["quote"]
        assert c["confidence"] in ("high", "unclassified")
        assert all(ch in "0123456789." for ch in c["value"])
    high = [c for c in data["claims"] if c["confidence"] == "high"]
    five = next(c for c in high if c["value_raw"] == "五")
    assert (five["value"], five["unit"], five["scale"]) == ("5", "天", "1")
    wan = next(c for c in high if c["value"] == "514.41")
    assert (wan["unit"], wan["scale"]) == ("万人次", "10000")


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_claims_on_a_pdf_carries_pages(generated, capsys):
    assert cli.main(["claims", str(generated["pdf"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert all(isinstance(c["page"], int) and c["page"] >= 1 for c in data["claims"])


def test_claims_bad_input_exit_2_with_chinese(tmp_path, capsys):
    f = tmp_path / "坏.docx"
    f.write_bytes(b"not a zip")
    assert cli.main(["claims", str(f), "--json"]) == 2
    err = capsys.readouterr().err
    assert "文件已损坏" in err and "Traceback" not in err


def test_import_revises(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert cli.main(["init", str(ws)]) == 0
    assert cli.main(["import", str(ws), str(SAMPLE_TXT), "--json"]) == 0
    capsys.readouterr()
    revised = tmp_path / "v2.txt"
    revised.write_text(SAMPLE_TXT.read_text(encoding="utf-8").replace("21099 条", "21199 条"), encoding="utf-8")
    assert cli.main(["import", str(ws), str(revised), "--revises", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["supersedes"] == 1 and len(data["changed"]) == 1 and data["vanished"] == []
    assert data["changed"][0]["new"]["value"] == "21199"
