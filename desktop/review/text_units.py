"""What suggestions need from the files' extracted text, kept up to date cheaply.

Two things, both read from ``evidence_text`` (FTS5, one row per page or sheet):

* each file's **title**: the first line of its first unit (``2023年度…收支情况表``), for the year it is about;
* which files' text holds a **trigram** of a claim's words (an FTS lookup), to find the files that speak of
  a claim's subject when its value is small or round and occurs everywhere.

Reading every title, or looking up thousands of trigrams, costs a pass over all text; doing it again
each time one file arrives would make a new file's suggestions as slow as everyone's. So both are kept
for the life of a :class:`~desktop.review.suggest.SuggestionEngine` and brought up to date from the text
units written since the last look (FTS rowids only grow; a re-indexed file's units come back with new,
higher rowids): a new file costs a read of its own text.
"""

from __future__ import annotations

import re

from db.database import Database

TITLE_CHARS = 120
_CJK = re.compile(r"[\u3400-\u9fff]+")


def _trigrams_of(text: str) -> set[str]:
    out: set[str] = set()
    for run in _CJK.findall(text or ""):
        out.update(run[i : i + 3] for i in range(len(run) - 2))
    return out


def _title(text: str | None) -> str:
    return (text or "")[:TITLE_CHARS].strip().split("\n", 1)[0]


class TextUnits:
    def __init__(self, db: Database):
        self.db = db
        self._watermark: int | None = None
        self._titles: dict[int, str] = {}
        self._units: dict[str, int] = {}  # trigram -> text units holding it (as far as we know)
        self._files: dict[str, set[int] | None] = {}  # trigram -> files holding it (None: too many to keep)

    def _top(self) -> int:
        return self.db.scalar("SELECT rowid FROM evidence_text ORDER BY rowid DESC LIMIT 1") or 0

    def sync(self) -> None:
        """Bring titles and trigram lookups up to date with the text indexed since the last call."""
        top = self._top()
        if self._watermark is None or top < self._watermark:  # first look, or rows went away: start over
            self._units.clear()
            self._files.clear()
            self._titles = {}
            for r in self.db.query(
                f"SELECT evidence_id, substr(text, 1, {TITLE_CHARS}) FROM evidence_text ORDER BY rowid DESC"
            ):
                self._titles[int(r[0])] = _title(r[1])  # descending: each file's first unit is seen last
            self._watermark = top
            return
        if top == self._watermark:
            return
        seen: set[int] = set()
        for r in self.db.query("SELECT evidence_id, text FROM evidence_text WHERE rowid > ? ORDER BY rowid",
                               (self._watermark,)):
            eid = int(r[0])
            if eid not in seen:  # the first unit of a file (re)indexed since
                seen.add(eid)
                self._titles[eid] = _title(r[1])
            if not self._units:
                continue
            for tri in _trigrams_of(r[1]) & self._units.keys():
                self._units[tri] += 1
                files = self._files.get(tri)
                if files is not None:
                    files.add(eid)
        self._watermark = top

    def title(self, evidence_id: int) -> str:
        return self._titles.get(evidence_id, "")

    def files_with(self, trigram: str, common: int) -> set[int]:
        """Files whose text holds ``trigram``; empty when none does or when more than ``common`` units do."""
        units = self._units.get(trigram)
        if units is None:
            units = self.db.scalar("SELECT doc FROM evidence_text_vocab WHERE term = ?", (trigram,)) or 0
            self._units[trigram] = units
            self._files[trigram] = None
        if units == 0 or units > common:
            return set()
        files = self._files.get(trigram)
        if files is None:
            files = {int(r[0]) for r in self.db.query(
                "SELECT DISTINCT evidence_id FROM evidence_text WHERE evidence_text MATCH ?", (f'"{trigram}"',))}
            self._files[trigram] = files
        return files


__all__ = ["TextUnits", "TITLE_CHARS"]
