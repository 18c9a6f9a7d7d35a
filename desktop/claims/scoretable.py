"""The 绩效自评表 (score table) as records.

A score table has a **budget block** (项目资金 / 部门整体支出规模: 年初预算数, 全年预算数, 全年执行数, 分值,
执行率, 得分 — one row for 年度资金总额 and its 其中 parts: 当年财政拨款, 上年结转资金, 其他资金) and
**indicator rows** (一级 / 二级 / 三级指标, 年度指标值 as a target with a direction, 实际完成值, 分值, 得分,
偏差原因分析及改进措施), plus a table-level 总分 and 自评等级 when stated.

Every value keeps the text as written (``raw``), the number as written with normalised digits
(``text``: full-width digits made ASCII, thousands separators dropped, ``10.00`` stays ``10.00``), the
:class:`~decimal.Decimal` value, and where it came from (:class:`Location`: offsets into the report
text, page, cell reference). Units carry their magnitude (``万元``); where a unit was not written in the
cell, ``unit_source`` says where it came from (the 度量单位 column, the header, the target, the
indicator's name).

The readers (``desktop.claims.score_tables``) build these; the extractor turns each indicator row's
actual into a claim needing evidence and keeps its target as a claim marked as a target; the
consistency checks and the 自评表 view read them back from a workspace (``desktop.claims.queries``).
Names here are stable: fields are added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: comparators of a target, normalised (None: no direction written, or qualitative)
OPS = (">=", "<=", "=", ">", "<")

#: where a unit that is not written in the value's own cell came from
UNIT_SOURCES = ("cell", "unit_column", "header", "name", "target", "sheet")


@dataclass(frozen=True)
class Location:
    """Where a value or a row came from: offsets into ``Document.text`` (``end`` exclusive), the page
    (PDF), and a cell reference when the table had a grid (``t2!R5C3`` for docx/pdf/pipe tables,
    ``Sheet1!D7`` for xlsx); ``ref`` is None for text whose cells lost their borders."""

    start: int | None = None
    end: int | None = None
    page: int | None = None
    ref: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "page": self.page, "ref": self.ref}


@dataclass
class Figure:
    """One number cell: 分值, 得分, 执行率, a budget amount, 总分.

    ``raw`` is the cell as written (``IO`` for an OCR'd 10, ``100.00%``); ``text`` the number with
    normalised digits (None when the cell holds no readable number); ``value`` its Decimal."""

    raw: str
    text: str | None = None
    value: Decimal | None = None
    unit: str = ""
    location: Location | None = None


@dataclass
class Target:
    """年度指标值: ``op`` one of :data:`OPS` or None, ``value`` None when the target is qualitative, a
    date, a range, relative to last year, compound or unreadable (``raw`` keeps the text)."""

    raw: str
    op: str | None = None
    text: str | None = None
    value: Decimal | None = None
    unit: str = ""
    unit_source: str | None = None  # one of UNIT_SOURCES, None when no unit
    location: Location | None = None

    @property
    def quantitative(self) -> bool:
        return self.value is not None


@dataclass
class Actual:
    """实际完成值: ``value`` None for text (完成, 达成目标值, 增372人次). A comparator written on the
    actual itself (``≥360天``) is kept in ``op``."""

    raw: str
    text: str | None = None
    value: Decimal | None = None
    unit: str = ""
    unit_source: str | None = None
    op: str | None = None
    location: Location | None = None

    @property
    def quantitative(self) -> bool:
        return self.value is not None


@dataclass
class BudgetRow:
    """One line of the budget block: 年度资金总额 or a 其中 part (``part_of`` names its total)."""

    name: str
    unit: str = ""  # the amount unit of the block (万元 / 元), from its header
    planned_start: Figure | None = None  # 年初预算数
    planned_full: Figure | None = None  # 全年预算数 / 调整后预算数 / 预算数(A)
    executed: Figure | None = None  # 全年执行数 / 执行数(B)
    rate: Figure | None = None  # 执行率
    weight: Figure | None = None  # 分值
    score: Figure | None = None  # 得分
    part_of: str | None = None
    location: Location | None = None
    #: indices into the extractor's claim list for this row's amounts and rate (by field in the dict)
    claim_indexes: list[int] = field(default_factory=list)
    claim_index_by_field: dict[str, int] = field(default_factory=dict)
    #: in a workspace: the row's id and its claims' ids by field (planned_start / planned_full / executed / rate)
    id: int | None = None
    claim_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class IndicatorRow:
    """One 三级指标 row. ``claim_index`` is the index of the actual's claim in the extractor's list (None
    when the actual is not a number); ``target_claim_index`` the target's; ``prose_claim_indexes`` the
    claims in the report's prose about the same indicator (same value, or same name)."""

    name: str
    level1: str | None = None
    level2: str | None = None
    target: Target | None = None
    actual: Actual | None = None
    weight: Figure | None = None  # 分值 / 权重
    score: Figure | None = None  # 得分
    deviation: str | None = None  # 偏差原因分析及改进措施
    location: Location | None = None  # the whole row
    name_location: Location | None = None
    deviation_location: Location | None = None
    claim_index: int | None = None
    target_claim_index: int | None = None
    prose_claim_indexes: list[int] = field(default_factory=list)
    #: in a workspace (``desktop.claims.queries``): the row's id and its claims' ids
    id: int | None = None
    claim_id: int | None = None
    target_claim_id: int | None = None
    prose_claim_ids: list[int] = field(default_factory=list)


@dataclass
class ScoreTable:
    """A 绩效自评表: its budget block and indicator rows in the order of the form."""

    title: str | None = None
    page: int | None = None
    budget: list[BudgetRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    total_score: Figure | None = None  # 总分 / 自评得分
    grade: str | None = None  # 自评等级: 优 / 良 / 中 / 差
    budget_unit: str | None = None
    source: str = "text"  # xlsx / docx / pdf / grid (a pipe or tab table in text) / text (flattened)
    location: Location | None = None  # the whole table
    #: the budget block's column headers as written (role -> 预算数 / 调整后预算数 …), for subjects
    budget_columns: dict[str, str] = field(default_factory=dict)
    #: in a workspace: the table's id and its report's
    id: int | None = None
    report_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``score_tables`` entry of ``claims FILE --json``: values as written (digits normalised);
        a target or actual that is not a figure (完成, 按规定时限, 增372人次) is ``null`` here and kept as
        text in the model (``Target.raw``)."""
        return {
            "title": self.title,
            "page": self.page,
            "total_score": _fig(self.total_score),
            "grade": self.grade,
            "budget": [
                {"name": b.name, "planned_start": _fig(b.planned_start), "planned_full": _fig(b.planned_full),
                 "executed": _fig(b.executed), "rate": _fig(b.rate), "weight": _fig(b.weight),
                 "score": _fig(b.score)}
                for b in self.budget
            ],
            "indicators": [
                {"level1": r.level1, "level2": r.level2, "name": r.name,
                 "target": None if r.target is None or r.target.value is None else {
                     "raw": r.target.raw, "op": r.target.op, "value": r.target.text, "unit": r.target.unit},
                 "actual": None if r.actual is None or r.actual.value is None else {
                     "raw": r.actual.raw, "value": r.actual.text, "unit": r.actual.unit},
                 "weight": _fig(r.weight), "score": _fig(r.score), "deviation": r.deviation,
                 "claim_index": r.claim_index}
                for r in self.indicators
            ],
        }


def _fig(f: Figure | None) -> str | None:
    """A figure in JSON: the number as written with normalised digits (``100%`` → ``100%`` for a rate
    written with its sign, as the form prints it)."""
    if f is None:
        return None
    if f.text is None:
        return None
    return f.text + ("%" if f.unit == "%" else "")


__all__ = ["OPS", "UNIT_SOURCES", "Actual", "BudgetRow", "Figure", "IndicatorRow", "Location", "ScoreTable",
           "Target"]
