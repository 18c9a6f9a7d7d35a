"""The command line, run as a user would: a real process, real files, JSON out, exit codes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"
LEDGER = REPO / "resources" / "samples" / "evidence" / "疑点数据核查台账2024.xlsx"


def run(*args: str, ok: int | None = 0):
    res = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, cwd=REPO)
    if ok is not None:
        assert res.returncode == ok, res.stderr
    assert "Traceback" not in res.stderr
    return res


def status(ws: Path) -> dict:
    return json.loads(run("status", str(ws), "--json").stdout)


def test_init_import_status_ingest_link_unlink(tmp_path):
    ws = tmp_path / "W"
    run("init", str(ws))
    run("import", str(ws), str(SAMPLE))
    before = status(ws)
    claims = before["claims"]
    assert len(claims) >= 60
    assert all(c["flags"] == ["no_evidence"] for c in claims)
    assert set(claims[0]) >= {"id", "report_id", "quote", "value", "unit", "subject", "section", "page",
                              "evidence_ids", "flags", "review"}
    assert before["summary"].items() >= {"claims": len(claims), "with_evidence": 0, "without_evidence": len(claims),
                                         "evidence": 0, "unlinked_evidence": 0, "value_not_found": 0}.items()

    out = json.loads(run("ingest", str(ws), str(LEDGER), "--wait", "--json").stdout)
    evidence_id = out["files"][0]["evidence_id"]
    target = next(c for c in claims if c["value"] == "21099")
    run("link", str(ws), str(target["id"]), str(evidence_id), "--locator", "台账!D12")

    after = status(ws)
    linked = next(c for c in after["claims"] if c["id"] == target["id"])
    assert linked["flags"] == [] and linked["evidence_ids"] == [evidence_id]
    assert after["summary"]["with_evidence"] == 1
    assert after["summary"]["without_evidence"] == len(claims) - 1
    assert after["summary"]["evidence"] == 1 and after["summary"]["unlinked_evidence"] == 0
    ev = after["evidence"][0]
    assert ev["claim_ids"] == [target["id"]] and ev["flags"] == [] and ev["paths"] == [str(LEDGER)]

    run("unlink", str(ws), str(target["id"]), str(evidence_id))
    again = status(ws)
    assert again["summary"]["with_evidence"] == 0
    assert again["evidence"][0]["flags"] == ["unlinked"]

    log = json.loads(run("log", str(ws), "--json").stdout)["events"]
    assert [e["action"] for e in log] == ["workspace.created", "report.imported", "evidence.added",
                                          "evidence.indexed", "link.added", "link.removed"]
    run("verify", str(ws))


def test_verify_detects_tampering(tmp_path):
    ws = tmp_path / "W"
    run("init", str(ws))
    run("import", str(ws), str(SAMPLE))
    run("ingest", str(ws), str(LEDGER))
    run("link", str(ws), "1", "1")
    assert run("verify", str(ws)).returncode == 0
    conn = sqlite3.connect(ws / "workspace.db")
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("UPDATE events SET payload = replace(payload, '\"claims\":', '\"claims\" :') WHERE seq = 2")
    conn.commit()
    conn.close()
    res = run("verify", str(ws), "--json", ok=1)
    data = json.loads(res.stdout)
    assert data["ok"] is False
    assert data["problems"][0]["code"] == "event_altered" and data["problems"][0]["seq"] == 2
    assert "#2" in data["problems"][0]["message"]


def test_verify_detects_truncation(tmp_path):
    ws = tmp_path / "W"
    run("init", str(ws))
    run("import", str(ws), str(SAMPLE))
    run("ingest", str(ws), str(LEDGER))
    conn = sqlite3.connect(ws / "workspace.db")
    last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
    conn.execute("DROP TRIGGER events_append_only_delete")
    conn.execute("DELETE FROM events WHERE seq >= ?", (last - 1,))
    conn.commit()
    conn.close()
    res = run("verify", str(ws), ok=1)
    assert f"#{last - 1}" in res.stdout and "截掉" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("import", "{ws}", "{missing}"),
        ("link", "{ws}", "999", "1"),
        ("status", "{missing}"),
        ("init", "{ws}"),
        ("import", "{ws}", "{binary}"),
        ("link", "{ws}", "not-a-number", "1"),
        ("frobnicate",),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path, args):
    ws = tmp_path / "W"
    run("init", str(ws))
    binary = tmp_path / "fake.txt"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    fmt = {"ws": str(ws), "missing": str(tmp_path / "missing.txt"), "binary": str(binary)}
    res = run(*[a.format(**fmt) for a in args], ok=2)
    assert res.stderr.strip()
    assert "Traceback" not in res.stderr


def test_claims_command_needs_no_workspace():
    data = json.loads(run("claims", str(SAMPLE), "--json").stdout)
    assert data["source"] == SAMPLE.name
    first = data["claims"][0]
    assert set(first) >= {"quote", "value", "value_raw", "unit", "scale", "subject", "section", "page", "start",
                          "end", "flags", "confidence"}
    text = SAMPLE.read_text(encoding="utf-8")
    for c in data["claims"]:
        assert text[c["start"] : c["end"]] == c["quote"]


def test_usage_errors_are_in_chinese(tmp_path):
    res = run("link", ok=2)
    assert "用法" in res.stderr and "缺少参数" in res.stderr
    assert "usage:" not in res.stderr and "required" not in res.stderr


def test_suggest_for_an_unknown_claim_is_an_error(tmp_path):
    ws = tmp_path / "W"
    run("init", str(ws))
    res = run("suggest", str(ws), "--claim", "99999", ok=2)
    assert "#99999" in res.stderr
