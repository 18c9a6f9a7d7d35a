"""Control characters in names never reach the terminal raw: every CLI line and log line escapes them."""

from __future__ import annotations

import json
import logging

import pytest

from desktop.text.safe import SafeStream, printable
from tests.edges.helpers import run

EVIL = "\x1b[31m红\x1b]0;title\x07\u202eexe.txt\x9b2J\x7f"
RAW = ["\x1b", "\x07", "\u202e", "\x9b", "\x7f"]


def _clean(text: str) -> bool:
    return not any(ch in text for ch in RAW)


def test_printable_escapes_controls_and_bidi_only():
    assert printable("a\x1b[31mb") == "a\\u001b[31mb"
    assert printable("名称\t表.pdf") == "名称\\u0009表.pdf"
    assert printable("名称\t表\n", keep="\n\t") == "名称\t表\n"
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u0085\x9b\x00\r":
        assert ch not in printable(f"x{ch}y")
    assert printable("整改通知 2024 ✓ \udcd5") == "整改通知 2024 ✓ \udcd5"  # nothing else touched
    assert json.loads('"' + printable("\u202e\x85") + '"') == "\u202e\x85"  # still valid inside JSON


def test_safe_stream_keeps_tabs_and_newlines(capsys):
    import sys

    s = SafeStream(sys.stdout)
    print(f"E1\t{EVIL}", file=s)
    out = capsys.readouterr().out
    assert _clean(out) and out.startswith("E1\t") and out.endswith("\n")


@pytest.fixture(scope="module")
def evil_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("esc")
    folder = root / "w"
    folder.mkdir()
    (folder / EVIL).write_text("追回多发待遇 658.83 万元\n", encoding="utf-8")
    home = root / "home"
    env = {"EVIDENCE_DESK_HOME": str(home)}
    run("init", root / "ws", "--watch", folder, "--actor", "\x1b[2J张三", env=env)
    return root / "ws", env, home


def test_ingest_status_search_log_print_no_raw_escape(evil_ws):
    ws, env, home = evil_ws
    res = run("ingest", ws, "--wait", env=env)
    assert "\\u001b[31m红" in res.stdout and _clean(res.stdout + res.stderr)
    for argv in (["status", ws], ["status", ws, "--json"], ["search", ws, "658.83"], ["log", ws],
                 ["log", ws, "--json"], ["ingest", ws, "--json"], ["suggest", ws]):
        res = run(*argv, env=env)
        assert _clean(res.stdout + res.stderr), argv
        if "--json" in argv:
            json.loads(res.stdout)  # escaped output is still valid JSON
    data = json.loads(run("status", ws, "--json", env=env).stdout)
    assert any(EVIL in p for e in data["evidence"] for p in e["paths"])  # the name itself, exactly, in JSON
    logs = "".join(p.read_text(encoding="utf-8") for p in (home / "logs").glob("*.log*"))
    assert _clean(logs)


def test_log_formatter_escapes(tmp_path, monkeypatch):
    from desktop import logs

    monkeypatch.setenv("EVIDENCE_DESK_HOME", str(tmp_path))
    logs.close_logging()
    path = logs.setup_logging("test")
    try:
        logging.getLogger("evidence_desk.test").warning("file %s\nforged line", EVIL)
        try:
            raise ValueError(EVIL)
        except ValueError as exc:
            logs.log_unexpected(type(exc), exc, exc.__traceback__, "test")
    finally:
        logs.close_logging()
    text = path.read_text(encoding="utf-8")
    assert _clean(text) and "\\u001b[31m" in text
    assert "\nforged line" not in text  # the message stays one line
