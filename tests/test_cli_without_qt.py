"""The command line works on a machine without Qt: with PySide6 unimportable (in the CLI and in the parsing
child it starts), ``claims``, ``init``, ``import``, ``ingest --wait``, ``status``, ``suggest``, ``verify``
and ``log`` do their work."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO, SAMPLE_REPORT
from tests.evidence.helpers import DEMO

BLOCKED = REPO / "tests" / "qt_blocked"


def _cli(home, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(BLOCKED), str(REPO)]), EVIDENCE_DESK_HOME=str(home))
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)


def test_qt_is_really_unimportable_there(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(BLOCKED))
    out = subprocess.run([sys.executable, "-c", "import PySide6"], env=env, capture_output=True, text=True)
    assert out.returncode == 1 and "made unimportable" in out.stderr


def test_the_headless_commands_run_without_qt(tmp_path):
    home, ws, folder = tmp_path / "home", tmp_path / "W", tmp_path / "佐证材料"
    folder.mkdir()
    for name in ("指标3.1_追回待遇_银行回单.pdf", "疑点数据核查台账2024.xlsx", "党委会会议记录汇总2024.docx"):
        (folder / name).write_bytes((DEMO / name).read_bytes())

    def ok(*args: str):
        res = _cli(home, *args)
        assert res.returncode == 0, (args, res.stderr)
        assert "Traceback" not in res.stderr and "PySide6" not in res.stderr
        return json.loads(res.stdout) if "--json" in args else res.stdout

    claims = ok("claims", str(SAMPLE_REPORT), "--json")
    assert len(claims["claims"]) >= 60
    ok("init", str(ws), "--watch", str(folder), "--actor", "李会计")
    imported = ok("import", str(ws), str(SAMPLE_REPORT), "--json")
    assert imported["claims"] > 60
    ingested = ok("ingest", str(ws), "--wait", "--json")
    files = {os.path.basename(f["path"]): f for f in ingested["files"]}
    assert set(files) == {p.name for p in folder.iterdir()}
    assert all(f["text_status"] == "done" for f in files.values())  # parsed in the child, without Qt
    status = ok("status", str(ws), "--json")
    assert status["summary"]["claims"] == imported["claims"] and len(status["evidence"]) == 3
    suggestions = ok("suggest", str(ws), "--json")["suggestions"]
    slip = files["指标3.1_追回待遇_银行回单.pdf"]["evidence_id"]
    assert any(s["evidence_id"] == slip and s["strength"] == "strong" for s in suggestions)
    assert "完整性校验通过" in ok("verify", str(ws))
    assert ok("verify", str(ws), "--json")["ok"] is True
    log = ok("log", str(ws), "--json")
    assert {"report.imported", "evidence.added", "evidence.indexed"} <= {e["action"] for e in log["events"]}
