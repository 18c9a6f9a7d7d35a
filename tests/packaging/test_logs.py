"""The rotating log in the user data folder: the CLI writes to it and says where it is."""

from __future__ import annotations

import logging

import pytest

from desktop import logs
from desktop.cli import main
from desktop.text import app as apptext
from desktop.version import app_version, build_info


@pytest.fixture(autouse=True)
def _close_log():
    yield
    logs.close_logging()


def test_cli_start_is_logged_in_the_data_folder(tmp_path, _user_data_dir):
    assert main(["init", str(tmp_path / "ws"), "--json"]) == 0
    log = _user_data_dir / "logs" / "evidence-desk.log"
    assert logs.log_path() == log
    assert f"start cli:init: EvidenceDesk {app_version()}" in log.read_text(encoding="utf-8")


def test_an_unexpected_error_goes_to_the_log_and_the_cli_says_where(tmp_path, _user_data_dir, monkeypatch, capsys):
    from desktop.cli import workspace as cli_workspace

    def broken(args):
        raise RuntimeError("a bug in init")

    monkeypatch.setattr(cli_workspace, "cmd_init", broken)
    assert main(["init", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    log = _user_data_dir / "logs" / "evidence-desk.log"
    assert err.strip() == apptext.internal_error_line(RuntimeError("a bug in init"), log)
    assert "Traceback" not in err
    text = log.read_text(encoding="utf-8")
    assert "unexpected error in cli:init" in text and "RuntimeError: a bug in init" in text and "broken" in text
    assert not (_user_data_dir / "error.log").exists()  # one log, not two


def test_the_log_rotates(monkeypatch, _user_data_dir):
    monkeypatch.setattr(logs, "MAX_BYTES", 4000)
    logs.setup_logging("test")
    for i in range(200):
        logging.getLogger("evidence_desk.test").warning("line %d %s", i, "x" * 40)
    folder = _user_data_dir / "logs"
    assert (folder / "evidence-desk.log.1").is_file() and (folder / "evidence-desk.log.3").is_file()
    assert not (folder / "evidence-desk.log.4").exists()
    assert "line 199" in (folder / "evidence-desk.log").read_text(encoding="utf-8")


def test_the_log_follows_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("EVIDENCE_DESK_HOME", str(tmp_path / "one"))
    logs.setup_logging("first")
    monkeypatch.setenv("EVIDENCE_DESK_HOME", str(tmp_path / "two"))
    logs.setup_logging("second")
    assert "start second" in (tmp_path / "two" / "logs" / "evidence-desk.log").read_text(encoding="utf-8")
    assert "start second" not in (tmp_path / "one" / "logs" / "evidence-desk.log").read_text(encoding="utf-8")


def test_crash_report_and_dialog_text(tmp_path):
    try:
        raise ValueError("坏数据")
    except ValueError as exc:
        report = apptext.crash_report(type(exc), exc, exc.__traceback__, build_info(), tmp_path / "x.log")
    assert report.startswith(f"佐证台 EvidenceDesk {app_version()}\n")
    assert f"日志：{tmp_path / 'x.log'}" in report
    assert "Traceback (most recent call last)" in report and "ValueError: 坏数据" in report
    message = apptext.crash_message(tmp_path / "x.log")
    assert apptext.COPY_BUTTON == "复制错误信息" and apptext.COPY_BUTTON in message and str(tmp_path / "x.log") in message
    about = apptext.about_text(build_info(), tmp_path / "x.log", tmp_path)
    assert f"版本：{app_version()}" in about
