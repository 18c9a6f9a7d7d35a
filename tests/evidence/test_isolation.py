"""Text extraction in a child process: a crash or a hang costs one file, never the app."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.evidence import isolation
from desktop.evidence.isolation import IsolatedExtractor

DEMO = Path(__file__).resolve().parents[2] / "resources" / "samples" / "evidence"


@pytest.fixture
def extractor():
    ex = IsolatedExtractor(timeout=60)
    yield ex
    ex.close()


def test_extracts_in_a_child_like_in_process(extractor):
    ex = extractor(DEMO / "疑点数据核查台账2024.xlsx", "xlsx")
    assert ex.status == "done"
    assert any(n.value == Decimal("21099") and n.locator == "台账!D12" for n in ex.numbers)
    assert extractor._pool is not None and all(p.pid != os.getpid() for p in extractor._pool._processes.values())


def _crash(path: str, ext: str):
    os.abort()  # what a parser's segmentation fault does to a process


def _hang(path: str, ext: str):
    import time

    time.sleep(3600)


def test_a_crashing_parser_costs_one_file(extractor, monkeypatch):
    monkeypatch.setattr(isolation, "_extract_in_child", _crash)
    res = extractor(DEMO / "指标3.1_追回待遇_银行回单.pdf", "pdf")
    assert (res.status, res.error) == ("error", "extract_crashed")
    monkeypatch.undo()
    again = extractor(DEMO / "指标3.1_追回待遇_银行回单.pdf", "pdf")  # a new child takes the next file
    assert again.status == "done" and again.numbers


def test_a_hanging_parser_is_stopped(monkeypatch):
    ex = IsolatedExtractor(timeout=2)
    try:
        monkeypatch.setattr(isolation, "_extract_in_child", _hang)
        res = ex(DEMO / "指标3.1_追回待遇_银行回单.pdf", "pdf")
        assert (res.status, res.error) == ("error", "extract_timeout")
        monkeypatch.undo()
        assert ex(DEMO / "指标3.1_追回待遇_银行回单.pdf", "pdf").status == "done"
    finally:
        ex.close()
