"""Every audit action the code writes has a name in words, and file events read without internal codes."""

from __future__ import annotations

import re

from desktop.text.audit import ACTION_NAMES, describe
from tests.conftest import REPO

_ACTION = re.compile(r'(?:\.event\(\s*|_transition\([^)]*?)"([a-z]+\.[a-z_]+)"', re.S)
_REGISTER_OUTCOMES = ("added", "new_version", "renamed", "restored", "unchanged")  # evidence.{outcome}


def _written_actions() -> set[str]:
    found = set()
    for path in (REPO / "desktop").rglob("*.py"):
        if "ui" in path.relative_to(REPO / "desktop").parts[:1]:
            continue
        found |= set(_ACTION.findall(path.read_text(encoding="utf-8")))
    return found | {f"evidence.{o}" for o in _REGISTER_OUTCOMES}


def test_every_action_written_has_a_name():
    actions = _written_actions()
    assert {"link.added", "evidence.indexed", "settings.changed", "claim.ignored"} <= actions  # the scan works
    assert sorted(a for a in actions if a not in ACTION_NAMES) == []


def test_indexing_events_read_without_codes():
    cases = [
        {"text_status": "no_ocr", "numbers": 0, "pages": None, "error": None, "ocr_pages": 0},
        {"text_status": "error", "numbers": 0, "pages": 3, "error": "docx_corrupt", "ocr_pages": 0},
        {"text_status": "done", "numbers": 12, "pages": 2, "error": None, "ocr_pages": 1},
    ]
    for payload in cases:
        text = describe({"action": "evidence.indexed", "payload": payload})
        assert text and not re.search(r"[a-z]+_[a-z_]+|(?<![A-Za-z.])(?:done|error|pending|none)(?![A-Za-z])", text), text
        assert "{" not in text
    failed = describe({"action": "evidence.index_failed", "payload": {"error": "docx_corrupt"}})
    assert "Word 文件已损坏" in failed and "docx_corrupt" not in failed
