"""Score tables (绩效自评表) and budget tables, read from their structure.

A score table has a header row naming the indicator (三级指标), the target (年度指标值 / 年初目标值)
and the actual (实际完成值 / 全年实际值); each row below it gives two claims, target and actual, with
the indicator name as subject. A budget table (预算数 / 执行数 / 执行率, unit in the header: 万元) gives
one claim per money cell and per rate cell, the row label and column name as subject.

Tables that are neither are left to the text rules of the extractor.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from desktop.claims.document import Document
from desktop.claims.lexicon import (
    AMOUNT,
    BASE_UNITS,
    COUNT,
    MAGNITUDES,
    NUM,
    UNIT_ONLY,
    ExtractedClaim,
    claim_flags,
    normalise,
    to_decimal,
)
from desktop.claims.lines import Sections, document_lines

TARGET_COL = re.compile(r"年度指标值|年初目标值|年度目标值|全年目标值|目标值|指标值|预期目标值|计划值|预期值|预期目标")
ACTUAL_COL = re.compile(r"实际完成值|全年实际值|实际完成|完成值|实际值|完成情况|实际")
INDICATOR_COL = [re.compile(p) for p in (r"三级指标", r"指标名称|指标内容", r"二级指标", r"绩效指标|指标")]
UNIT_COL = re.compile(r"^(?:度量单位|计量单位|单位)$")
SKIP_COL = re.compile(r"分值|得分|权重|偏差|原因|备注|说明|指标性质|指标方向")
MONEY_COL = re.compile(r"预算数|执行数|年初预算|全年预算|调整后预算|预算执行数|决算数|到位数|拨付数|实际支出|支出数")
RATE_COL = re.compile(r"执行率|到位率|完成率")
HEADER_UNIT = re.compile(r"[(（]\s*(万元|元|亿元)\s*[)）]")
TOTAL_ROW = re.compile(r"^(?:合计|总分|总计|小计)$")
CMP = r"(?P<cmp>≥|≤|>|<|=|＝|＞|＜|大于等于|小于等于|不低于|不少于|不高于|不超过|大于|小于|达到)?"


def _norm(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def _header(rows: list[list[dict[str, Any] | None]]) -> dict[str, Any] | None:
    for hi, row in enumerate(rows[:8]):
        texts = [_norm(c["text"]) if c else "" for c in row]
        target = next((i for i, t in enumerate(texts) if TARGET_COL.search(t) and not ACTUAL_COL.search(t)
                       and not SKIP_COL.search(t)), None)
        actual = next((i for i, t in enumerate(texts) if ACTUAL_COL.search(t) and not SKIP_COL.search(t)
                       and i != target), None)
        if target is not None and actual is not None:
            indicator = None
            for rx in INDICATOR_COL:
                indicator = next((i for i, t in enumerate(texts) if rx.search(t) and i not in (target, actual)), None)
                if indicator is not None:
                    break
            unit = next((i for i, t in enumerate(texts) if UNIT_COL.match(t)), None)
            return {"kind": "score", "header": hi, "target": target, "actual": actual,
                    "indicator": indicator, "unit": unit, "names": texts}
        money = [i for i, t in enumerate(texts) if MONEY_COL.search(t) and not RATE_COL.search(t)]
        rates = [i for i, t in enumerate(texts) if RATE_COL.search(t)]
        if money:
            head_text = " ".join(texts[:]) + " " + " ".join(
                _norm(c["text"]) for r in rows[:hi] for c in r if c)
            m = HEADER_UNIT.search(head_text)
            return {"kind": "budget", "header": hi, "money": money, "rates": rates,
                    "unit": m.group(1) if m else None, "names": texts}
    return None


def classify_tables(doc: Document) -> None:
    """Mark each table of ``doc`` as a score table, a budget table or neither; set ``doc.kind``."""
    any_score = False
    for t in doc.tables:
        info = _header(t["rows"])
        t["info"] = info
        t["kind"] = info["kind"] if info else None
        any_score = any_score or bool(info and info["kind"] == "score")
    body = [s for s in doc.spans if s.kind != "heading"]
    if any_score and (doc.format == "xlsx" or (body and all(s.kind == "cell" for s in body))):
        doc.kind = "score_table"


def table_regions(doc: Document, skip: set[str] | frozenset = frozenset()) -> list[tuple[int, int]]:
    return [(t["start"], t["end"]) for t in doc.tables if t.get("kind") and t.get("ref") not in skip]


def _cell_at(rows, r: int, c: int) -> dict[str, Any] | None:
    """The cell at (r, c), following a vertical merge upwards."""
    while r >= 0:
        row = rows[r]
        if c < len(row) and row[c] is not None:
            return row[c]
        if c < len(row) and row[c] is None:
            r -= 1
            continue
        return None
    return None


def _parse(text: str):
    m = re.fullmatch(rf"\s*{CMP}\s*(?P<num>{NUM})\s*(?P<unit>{UNIT_ONLY})?\s*(?P<post>以上|以下|以内)?\s*",
                     text or "")
    if not m:
        return None
    return m.group("cmp"), m.group("num"), m.group("unit") or "", m.group("post")


def _unit_parts(unit: str) -> tuple[int, str]:
    mag = next((k for k in sorted(MAGNITUDES, key=len, reverse=True) if unit.startswith(k)), "")
    base = unit[len(mag):]
    if unit in BASE_UNITS:  # 千米, 百分点: a unit, not a magnitude
        mag, base = "", unit
    kind = BASE_UNITS.get(base, COUNT) if base else COUNT
    return MAGNITUDES.get(mag, 1), kind


def table_claims(doc: Document, norm: str | None = None, skip: set[str] | frozenset = frozenset()) -> list:
    """Claims of the tables not read as score tables (``skip``: their refs), by the header rules above."""
    out: list[ExtractedClaim] = []
    sections = None

    def make(cell, raw: str, unit: str, subject: str, cmp: str | None, post: str | None, ref: str | None,
             flags_extra: list[str] | None = None) -> None:
        nonlocal sections
        if sections is None:
            sections = Sections(document_lines(doc, norm if norm is not None else normalise(doc.text)[0]))
        value = to_decimal(raw)
        scale, kind = _unit_parts(unit)
        approx = cmp or post
        section, part = sections.at(cell["start"])
        flags = claim_flags(value, unit, kind, scale, approx, False) + (flags_extra or [])
        start, end = cell["start"], cell["end"]
        out.append(ExtractedClaim(
            quote=doc.text[start:end], start=start, end=end, value_raw=raw, value=format(value, "f"), unit=unit,
            scale=str(scale), kind=kind, subject=subject, section=section, part=part, page=doc.page_at(start),
            approx=approx, flags=flags, confidence="high", origin="table", ref=ref,
            context_before=doc.text[max(0, start - 24):start], context_after=doc.text[end:end + 24],
        ))

    for t in doc.tables:
        info = t.get("info")
        if not info or t.get("ref") in skip:
            continue
        rows = t["rows"]
        for r in range(info["header"] + 1, len(rows)):
            row = rows[r]
            if info["kind"] == "score":
                ind = info["indicator"]
                subject_cell = _cell_at(rows, r, ind) if ind is not None else None
                subject = _norm(subject_cell["text"]) if subject_cell else ""
                if TOTAL_ROW.match(subject) or any(TOTAL_ROW.match(_norm(c["text"])) for c in row if c):
                    continue
                unit_cell = row[info["unit"]] if info["unit"] is not None and info["unit"] < len(row) else None
                col_unit = _norm(unit_cell["text"]) if unit_cell else ""
                target_unit = None
                for role in ("target", "actual"):
                    c = info[role]
                    cell = row[c] if c < len(row) else None
                    if not cell or not cell["text"]:
                        continue
                    parsed = _parse(cell["text"])
                    if not parsed:
                        continue
                    cmp, raw, unit, post = parsed
                    extra = []
                    if not unit:
                        unit = col_unit or (target_unit or "")
                        if unit and not col_unit:
                            extra.append("unit_from_target")
                    if role == "target":
                        target_unit = unit
                    if not unit and not cmp:
                        pass
                    make(cell, raw, unit, subject, cmp, post, cell.get("ref"), extra)
            else:  # budget
                label_cell = next((c for c in row if c and c["text"] and not _parse(c["text"])), None)
                label = _norm(label_cell["text"]) if label_cell else ""
                for c in info["money"] + info["rates"]:
                    cell = row[c] if c < len(row) else None
                    if not cell or not cell["text"]:
                        continue
                    parsed = _parse(cell["text"])
                    if not parsed:
                        continue
                    cmp, raw, unit, post = parsed
                    if c in info["rates"] and unit != "%":
                        continue
                    if not unit:
                        unit = info["unit"] or ""
                        if not unit:
                            continue
                    name = info["names"][c] if c < len(info["names"]) else ""
                    make(cell, raw, unit, f"{label} {name}".strip(), cmp, post, cell.get("ref"))
                    if unit.endswith("元"):
                        out[-1].kind = AMOUNT
    return out


__all__ = ["classify_tables", "table_claims", "table_regions", "Decimal"]
