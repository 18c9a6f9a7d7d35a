"""A report as text plus a map from offsets back to where the text came from."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """A stretch of ``Document.text`` and its origin (page, paragraph, table cell)."""

    start: int
    end: int
    page: int | None = None
    kind: str = "paragraph"  # paragraph / heading / cell
    ref: str | None = None  # "p12", "t1!R3C2", "Sheet1!B2"


@dataclass
class Document:
    source: str  # file name as given
    format: str  # txt / md / docx / pdf / xlsx
    text: str
    spans: list[Span] = field(default_factory=list)
    kind: str = "narrative"  # narrative / score_table
    warnings: list[dict[str, Any]] = field(default_factory=list)  # codes for the UI, e.g. scanned pages
    rows: list[dict[str, Any]] = field(default_factory=list)  # score-table rows, when kind == score_table
    #: tables read from their structure: {"ref": "t1", "page": 3, "title": "...",
    #: "rows": [[{"text", "start", "end"} | None, ...], ...]} (None: a merged cell's continuation)
    tables: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spans.sort(key=lambda s: s.start)
        self._starts = [s.start for s in self.spans]
        # the page of the last span at or before each span that has one: page_at is a bisect, not a walk
        # back over every span (which made extraction quadratic in a report without pages)
        self._pages: list[int | None] = []
        last = None
        for s in self.spans:
            if s.page is not None:
                last = s.page
            self._pages.append(last)

    def span_at(self, offset: int) -> Span | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.spans[i].start <= offset < max(self.spans[i].end, self.spans[i].start + 1):
            return self.spans[i]
        return None

    def page_at(self, offset: int) -> int | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        return self._pages[i] if i >= 0 else None

    def locations_json(self) -> dict[str, Any]:
        return {
            "spans": [[s.start, s.end, s.page, s.kind, s.ref] for s in self.spans],
            "warnings": self.warnings,
            "tables": [{"ref": t.get("ref"), "page": t.get("page"), "start": t.get("start"), "end": t.get("end")}
                       for t in self.tables],
        }

    def pages(self) -> int | None:
        pages = [s.page for s in self.spans if s.page is not None]
        return max(pages) if pages else None
