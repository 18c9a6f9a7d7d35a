"""GuardedParser: the ingest's ceilings for the other parsers (binder, review preview) — refused by the checks
before any child starts, the time limit kills a parser that never returns, a crash or a corrupt file is a
refusal with its words, and a parse in progress can be cancelled."""

from __future__ import annotations

import threading
import time

import pytest

from desktop.exchange.render import read_blocks
from desktop.parsing.child import TEST_HOOKS_ENV
from desktop.parsing.guarded import GuardedParser, Refused, RunnerClosed
from desktop.parsing.limits import Limits
from tests import hostile_files as H


def test_a_bomb_is_refused_by_the_checks_before_any_child_starts(tmp_path):
    bomb = H.docx_bomb(tmp_path / "b.docx")
    parser = GuardedParser(Limits())
    try:
        t = time.monotonic()
        got = parser.run(read_blocks, bomb, "docx")
        assert time.monotonic() - t < 1.0
        assert isinstance(got, Refused) and got.code == "zip_bomb"
        assert got.detail.startswith("疑似压缩炸弹") and "（设置 parse.zip_" in got.detail
        got = parser.run(read_blocks, H.xlsx_far_cell(tmp_path / "f.xlsx"), "xlsx")
        assert got.code == "xlsx_too_large" and "parse.xlsx_cells" in got.detail
        assert parser.children_started == 0
    finally:
        parser.close()


def test_a_parser_that_never_returns_is_stopped_at_the_time_limit(tmp_path):
    (tmp_path / "a.txt").write_text("核查 21099 条", encoding="utf-8")
    parser = GuardedParser(Limits(timeout_s=5), timeout=2)
    try:
        t = time.monotonic()
        got = parser.run(H.parse_forever, tmp_path / "a.txt", "txt")
        elapsed = time.monotonic() - t
        assert isinstance(got, Refused) and got.code == "extract_timeout" and "parse.timeout_s" in got.detail
        assert 2 <= elapsed < 10, elapsed
        assert parser.run(read_blocks, tmp_path / "a.txt", "txt") == [("text", "核查 21099 条")]  # a fresh child
        assert parser.children_started == 2
    finally:
        parser.close()


def test_a_malformed_file_and_a_crashed_parser_are_refusals_not_exceptions(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    parser = GuardedParser(Limits(), extra_env={TEST_HOOKS_ENV: "1"})
    try:
        got = parser.run(read_blocks, bad, "docx")
        assert isinstance(got, Refused) and got.code == "corrupt" and got.detail.startswith("文件已损坏")
        status, _ = parser._runner.ask_raw("abort")  # what a parser's segmentation fault does
        assert status == "crashed"
    finally:
        parser.close()


def test_cancel_kills_a_parse_in_progress(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    parser = GuardedParser(Limits())
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    try:
        t = time.monotonic()
        with pytest.raises(RunnerClosed):
            parser.run(H.parse_forever, tmp_path / "a.txt", "txt", cancel=stop.is_set)
        assert time.monotonic() - t < 5
    finally:
        parser.close()
    other = GuardedParser(Limits())
    result: list = []
    worker = threading.Thread(target=lambda: result.append(_run_catching(other, tmp_path / "a.txt")))
    worker.start()
    time.sleep(0.5)
    other.cancel_current()  # from another thread, as the review mode does when a newer file is chosen
    worker.join(5)
    assert result == ["closed"]
    assert other.run(read_blocks, tmp_path / "a.txt", "txt") == [("text", "x")]  # the next parse goes on
    other.close()


def _run_catching(parser: GuardedParser, path) -> str:
    try:
        parser.run(H.parse_forever, path, "txt")
    except RunnerClosed:
        return "closed"
    return "returned"
