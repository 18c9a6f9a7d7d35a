"""Every numeric option and setting is range-checked: out of range is exit 2 naming the range (issue 20)."""

from __future__ import annotations

import pytest

from desktop.errors import DeskError
from tests.edges.helpers import run

HUGE = "123456789012345678901234567890"


@pytest.fixture(scope="module")
def cli_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("rng")
    (root / "w").mkdir()
    run("init", root / "ws", "--watch", root / "w")
    return root / "ws"


@pytest.mark.parametrize("argv, words", [
    (["link", "{ws}", HUGE, "1"], "1 到 9223372036854775807"),
    (["link", "{ws}", "1", "-5"], "1 到 9223372036854775807"),
    (["unlink", "{ws}", "0", "1"], "1 到 9223372036854775807"),
    (["review", "{ws}", HUGE, "verified"], "1 到 9223372036854775807"),
    (["suggest", "{ws}", "--limit", "-1"], "0 到 1000000"),
    (["suggest", "{ws}", "--claim", "1e3"], "1 到 9223372036854775807"),
    (["search", "{ws}", "x", "--limit", HUGE], "0 到 1000000"),
    (["log", "{ws}", "--limit", "nan"], "0 到 1000000"),
    (["log", "{ws}", "--until", "9999-12-31"], "1900-01-01 到 2100-12-31"),
    (["log", "{ws}", "--since", "0001-01-01T00:00:00"], "1900-01-01 到 2100-12-31"),
    (["review", "{ws}", "1", "needs_more", "--request", "x", "--due", "2025-02-30"], "1900-01-01 到 2100-12-31"),
    (["requests", "{ws}", "--claim", "-1"], "1 到 9223372036854775807"),
    (["watch", "{ws}", "--mode", "polling", "--poll-interval", "-1"], "0.2 到 3600秒"),
    (["watch", "{ws}", "--mode", "polling", "--poll-interval", "nan"], "0.2 到 3600秒"),
    (["watch", "{ws}", "--mode", "polling", "--poll-interval", "inf"], "0.2 到 3600秒"),
    (["watch", "{ws}", "--mode", "polling", "--poll-interval", "1e308"], "0.2 到 3600秒"),
])
def test_out_of_range_is_exit_2_naming_the_range(cli_ws, argv, words):
    res = run(*[a.format(ws=cli_ws) for a in argv], ok=2, timeout=30)  # never a spin: the timeout says so
    assert "超出范围" in res.stderr and words in res.stderr, res.stderr
    assert "内部错误" not in res.stderr


def test_in_range_still_works(cli_ws):
    assert run("suggest", cli_ws, "--limit", "0").returncode == 0
    assert run("log", cli_ws, "--limit", "3", "--since", "2025-01-01", "--until", "2100-12-31").returncode == 0
    res = run("link", cli_ws, "9223372036854775807", "1", ok=2)  # in range, but no such claim: its own words
    assert "找不到指标" in res.stderr


def test_settings_setter_refuses_out_of_range(ws):
    from desktop.workspace import set_setting, setting_number

    for bad in ("-1", "nan", "inf", "0", "1e400", "abc", HUGE):
        with pytest.raises(DeskError) as err:
            set_setting(ws.db, key="ingest.poll_interval", value=bad)
        assert err.value.code == "setting.out_of_range"
        from desktop.text.messages import error_text
        assert "0.2 到 3600" in error_text(err.value.code, err.value.params)
    assert set_setting(ws.db, key="ingest.poll_interval", value="2.5").after == "2.5"
    assert setting_number(ws.db, "ingest.poll_interval", 5.0) == 2.5


def test_watcher_refuses_a_bad_interval_and_ignores_a_bad_stored_one(ws, tmp_path):
    from desktop.evidence.watcher import EvidenceWatcher

    folder = tmp_path / "w"
    folder.mkdir()
    with pytest.raises(DeskError):
        EvidenceWatcher(ws, folder=folder, mode="polling", poll_interval=float("nan"))
    with pytest.raises(DeskError):
        EvidenceWatcher(ws, folder=folder, mode="polling", poll_interval=-1)
    with ws.db.write() as tx:  # a database edited by hand: the default is used, not a spin
        tx.execute("INSERT INTO settings (key, value) VALUES ('ingest.poll_interval', '-1')")
        tx.event("settings.changed", {"key": "ingest.poll_interval", "before": None, "after": "-1"})
    w = EvidenceWatcher(ws, folder=folder, mode="polling")
    assert w.poll_interval == 5.0


def test_tampered_message_names_the_problem():
    from desktop.text.messages import error_text

    text = error_text("workspace.tampered", {"problem": "events_truncated", "path": "/x"})
    assert "（?）" not in text and "末尾的审计事件被删除" in text
    assert "（?）" not in error_text("workspace.tampered", {"path": "/x"})


def test_a_cut_log_is_named_not_shown_as_a_question_mark(tmp_path):
    """The head file names events the log no longer has (a rolled-back log): the refusal says what."""
    import json

    ws = tmp_path / "W"
    run("init", ws)
    head = ws / "audit-head.json"
    data = json.loads(head.read_text(encoding="utf-8"))
    data["seq"] = data["seq"] + 5
    head.write_text(json.dumps(data), encoding="utf-8")
    res = run("not-required", ws, "1", "--reason", "x", ok=2)
    assert "（?）" not in res.stderr and "末尾的审计事件被删除" in res.stderr, res.stderr
