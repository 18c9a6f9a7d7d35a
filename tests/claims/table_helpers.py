"""Reading a score-table text the way a user's file is read, for the reader tests."""

from __future__ import annotations

from desktop.claims.extractor import extract_with_tables
from desktop.claims.readers import read_report


def read_tables(tmp_path, text: str, name: str = "表.txt"):
    """The score tables the readers find in ``text``, written to a file and read as a report."""
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    _claims, tables = extract_with_tables(read_report(p))
    return tables


def raw(f):
    return f.raw if f is not None else None


def budget_rows(table):
    """(name, 年初预算数, 全年预算数, 全年执行数, 执行率, 分值, 得分) of each budget row, as written."""
    return [(b.name, raw(b.planned_start), raw(b.planned_full), raw(b.executed), raw(b.rate), raw(b.weight),
             raw(b.score)) for b in table.budget]
