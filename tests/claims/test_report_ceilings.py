"""Reports at import under the parsing ceilings (issue 20): checked before opening, parsed in the child
under the memory and time limits, refused with exit 2 naming the limit and nothing written; Ctrl+C
leaves the workspace as it was; the stages are shown on stderr."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.claims.readers import read_report_isolated
from desktop.errors import DeskError
from desktop.parsing.limits import Limits
from desktop.workspace import Workspace, set_setting
from tests import hostile_files as H
from tests.claims.conftest import SAMPLE_TXT

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    res = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, cwd=REPO,
                         timeout=timeout)
    assert "Traceback" not in res.stderr, res.stderr
    return res


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "ws"
    assert run("init", str(path)).returncode == 0
    return path


def state(path: Path) -> tuple:
    w = Workspace.open(path)
    try:
        return (w.db.scalar("SELECT count(*) FROM reports"), w.db.scalar("SELECT count(*) FROM claims"),
                w.db.scalar("SELECT count(*) FROM events"))
    finally:
        w.close()


def setting(path: Path, **values) -> None:
    w = Workspace.open(path)
    try:
        for key, value in values.items():
            set_setting(w.db, key=key.replace("__", "."), value=str(value))
    finally:
        w.close()


@pytest.mark.parametrize("make,limit", [(H.docx_bomb, "parse.zip_"), (H.xlsx_bomb, "parse.zip_"),
                                        (H.xlsx_merged_everything, "report.xlsx_cells"),
                                        (H.xlsx_far_cell, "report.xlsx_cells")])
def test_hostile_reports_are_refused_with_exit_2_and_nothing_written(tmp_path, ws, make, limit):
    report = make(tmp_path / ("报告" + (".docx" if make is H.docx_bomb else ".xlsx")))
    before = state(ws)
    t = time.monotonic()
    res = run("import", str(ws), str(report))
    elapsed = time.monotonic() - t
    assert res.returncode == 2 and elapsed < 30, (res.returncode, elapsed)
    assert "报告未导入（工作区没有任何改动）" in res.stderr and limit in res.stderr and "超过上限" in res.stderr
    assert ("疑似压缩炸弹" if "zip" in limit else "工作表范围过大") in res.stderr
    assert state(ws) == before


@pytest.mark.parametrize("make", [H.xlsx_merged_everything, H.xlsx_far_cell, H.docx_bomb])
def test_the_checks_refuse_in_well_under_a_second(tmp_path, make):
    report = make(tmp_path / ("r.docx" if make is H.docx_bomb else "r.xlsx"))
    t = time.monotonic()
    with pytest.raises(DeskError) as err:
        read_report_isolated(report, Limits())
    assert time.monotonic() - t < 1.0
    assert err.value.code == "report.over_limit"


def test_a_million_cell_workbook_is_refused_with_a_clear_message(tmp_path, ws):
    report = H.xlsx_cells(tmp_path / "自评表.xlsx", rows=1000, cols=1000)
    t = time.monotonic()
    res = run("import", str(ws), str(report))
    assert res.returncode == 2 and time.monotonic() - t < 15
    assert "报告工作表范围 1,000,000 个单元格，超过上限 50,000 个单元格（设置 report.xlsx_cells）" in res.stderr


def test_a_text_report_over_the_size_limit_is_refused_at_once(tmp_path, ws):
    setting(ws, report__max_text_mb=1)
    report = H.text_report(tmp_path / "报告.txt", 1.5)
    t = time.monotonic()
    res = run("import", str(ws), str(report))
    assert res.returncode == 2 and time.monotonic() - t < 5
    assert "报告过大" in res.stderr and "超过上限 1 MB（设置 report.max_text_mb）" in res.stderr
    assert state(ws)[0] == 0


def test_a_report_that_outgrows_the_memory_limit_is_refused(tmp_path, ws):
    """Past the checks (raised here), python-docx builds the tree of 120 MB of XML in the child: > 256 MB."""
    setting(ws, parse__memory_mb=256, parse__zip_ratio=10000, parse__zip_unpacked_mb=1000)
    report = H.docx_bomb(tmp_path / "报告.docx", inflated_mb=120)
    before = state(ws)
    res = run("import", str(ws), str(report))
    assert res.returncode == 2
    assert "超出内存上限" in res.stderr and "256 MB（设置 parse.memory_mb）" in res.stderr
    assert state(ws) == before
    ok = run("import", str(ws), str(SAMPLE_TXT))  # the next import gets a fresh child
    assert ok.returncode == 0, ok.stderr


def test_a_report_that_takes_too_long_is_refused_naming_the_time_limit(tmp_path):
    """The time limit is the parent's: a child that does not answer in time is killed."""
    from desktop.claims import readers

    runner = readers._report_runner(Limits(timeout_s=5))
    runner.timeout = 1.0  # below the smallest setting, to keep the test short
    original = runner.call
    runner.call = lambda fn, *a: original(time.sleep, 30)
    try:
        with pytest.raises(DeskError) as err:
            read_report_isolated(SAMPLE_TXT, Limits(timeout_s=5))
        assert err.value.params["limit"] == "parse.timeout_s" and "解析超时" in err.value.params["detail"]
    finally:
        runner.close()
        readers._runner = None


def test_import_shows_its_stages_and_imports_as_before(ws):
    res = run("import", str(ws), str(SAMPLE_TXT))
    assert res.returncode == 0
    lines = res.stderr.splitlines()
    assert lines[0].startswith("读取报告《") and lines[1].startswith("抽取指标（") and lines[2].startswith("写入工作区（")
    assert state(ws)[1] > 0


def test_ctrl_c_during_an_import_leaves_the_workspace_unchanged(tmp_path, ws):
    setting(ws, report__max_text_mb=64)
    report = H.text_report(tmp_path / "长报告.txt", 6)
    before = state(ws)
    with subprocess.Popen([sys.executable, "-m", "desktop", "import", str(ws), str(report)], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            seen = []
            for line in proc.stderr:  # interrupt during the extraction (seconds for 6 MB)
                seen.append(line)
                if line.startswith("抽取指标"):
                    time.sleep(0.5)
                    proc.send_signal(signal.SIGINT)
                    break
            rc = proc.wait(60)
            seen.append(proc.stderr.read())
        finally:
            if proc.poll() is None:
                proc.kill()
    assert rc in (130, -signal.SIGINT), (rc, seen)  # 130 from the CLI (once seen: killed by the signal itself)
    assert state(ws) == before
    assert not any((ws / "reports").glob("*")) if (ws / "reports").exists() else True
