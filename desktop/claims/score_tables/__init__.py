"""绩效自评表 readers: every format a score table arrives in, read into
:class:`~desktop.claims.scoretable.ScoreTable` records.

- :mod:`.grid` — tables that kept their grid (xlsx, docx, PDF tables pdfplumber finds);
- :mod:`.flat` — text whose cells lost their borders (pipes, tabs, one cell per line, spaces, or cells
  run together), read under the header that tells the column order;
- :mod:`.layout` — PDF pages whose table pdfplumber does not find: words placed by line and position;
- :mod:`.rows` — cells by role to records (values, directions, units); :mod:`.claims` — claims from
  rows and the prose figures about the same indicator.

:func:`read_tables` is what the extractor calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.claims.document import Document
from desktop.claims.scoretable import ScoreTable


@dataclass
class Found:
    """The score tables of a document and the text they took from the text rules."""

    tables: list[ScoreTable] = field(default_factory=list)
    masks: list[tuple[int, int]] = field(default_factory=list)  # offsets the text rules must leave
    grid_refs: set[str] = field(default_factory=set)  # Document.tables read as score tables


def read_tables(doc: Document, norm: str | None = None) -> Found:
    """Every score table in ``doc``: grid tables first, then flattened tables in the rest of the text."""
    from desktop.claims.score_tables import flat
    from desktop.claims.score_tables.claims import consumed_spans
    from desktop.claims.score_tables.grid import GridReader

    found = Found()
    reader = GridReader(doc.text, doc.format)
    for t in doc.tables:
        if reader.feed(t):
            found.grid_refs.add(t.get("ref"))
            found.masks.extend(flat_header_spans(t))
    for st in reader.tables:
        found.tables.append(st)
        found.masks.extend(consumed_spans(st))
    text = norm if norm is not None else doc.text
    for st, masks in flat.read_text(text, exclude=[(t.get("start") or 0, t.get("end") or 0) for t in doc.tables],
                                    page_at=doc.page_at, original=doc.text):
        found.tables.append(st)
        found.masks.extend(masks)
        found.masks.extend(consumed_spans(st))
    found.tables.sort(key=lambda s: (s.location.start if s.location and s.location.start is not None else 0))
    return found


def row_claims(found: Found, doc: Document, section_at) -> list:
    """(claim, row, field) for every claim the score tables' rows give."""
    from desktop.claims.score_tables.claims import ClaimMaker, table_claims

    maker = ClaimMaker(doc.text, doc.page_at, section_at)
    out = []
    for st in found.tables:
        out.extend(table_claims(st, maker))
    return out


def link(found: Found, row_claims: list, claims: list) -> None:
    """Rows learn the index of their claims in the extractor's final list, and the prose claims that
    speak of the same indicator."""
    from desktop.claims.score_tables.claims import associate_prose
    from desktop.claims.scoretable import IndicatorRow

    index = {id(c): i for i, c in enumerate(claims)}
    for c, row, what in row_claims:
        i = index.get(id(c))
        if i is None:
            continue
        if isinstance(row, IndicatorRow):
            if what == "actual":
                row.claim_index = i
            else:
                row.target_claim_index = i
        else:
            row.claim_indexes.append(i)
            row.claim_index_by_field[what] = i
    associate_prose(found.tables, claims)


def flat_header_spans(table: dict) -> list[tuple[int, int]]:
    """Header cells of a grid table (one role word each): the text rules need not look at them."""
    from desktop.claims.score_tables import vocab as V

    out = []
    for row in table["rows"]:
        for c in row:
            if c is not None and (V.indicator_role(c["text"]) or V.budget_role(c["text"])):
                out.append((c["start"], c["end"]))
    return out


__all__ = ["Found", "link", "read_tables", "row_claims"]
