"""Does an evidence number state a claim's value? At any scale and format, to the precision written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db import schema
from db.connection import connect
from desktop.review import matching
from desktop.review.matching import agreement, claim_value, decade_ranges


def _states(claim: tuple, number: str, unit: str | None = None, *, is_percent: bool = False,
            context: str = "", raw: str | None = None) -> str | None:
    """How the evidence number states the claim ('stated', 'header', 'assumed' …), or None if it does not."""
    value, cunit, scale = claim
    cv = claim_value(value, cunit, scale)
    v = Decimal(number)
    best = None
    for t in cv.targets:
        if matching.in_target(v, t):
            agr = agreement(cv, t, raw=raw or number, unit=unit, is_percent=is_percent, context=context)
            if agr is not None and (best is None or agr.factor > best.factor):
                best = agr
    return best.how if best else None


AMOUNT = ("658.83", "万元", "10000")
COUNT = ("21099", "条", "1")
PCT = ("89", "%", "1")
BIG = ("313.53", "亿元", "100000000")


@pytest.mark.parametrize(
    "claim,number,unit,kw,expected",
    [
        # 658.83 万元 ↔ 6,588,300.00 ↔ 6588300 ↔ 658.83
        (AMOUNT, "6588300.00", "元", {}, "stated"),
        (AMOUNT, "6588300", None, {}, "assumed"),
        (AMOUNT, "658.83", None, {}, "assumed"),
        (AMOUNT, "658.83", "万元", {}, "stated"),
        (AMOUNT, "6588300.00", None, {"context": "合计 6,588,300.00（已追回（元））"}, "header"),
        (AMOUNT, "658.83", None, {"context": "部门：社保局 单位：万元 项目 658.83"}, "header"),
        (AMOUNT, "6588.3", "千元", {}, "stated"),
        (AMOUNT, "6588301", "元", {}, "stated"),  # rounds to 658.83 万元
        # not the claim
        (AMOUNT, "658.38", "万元", {}, None),
        (AMOUNT, "6588400", "元", {}, None),
        (AMOUNT, "658.83", "元", {}, None),  # the unit says otherwise
        (AMOUNT, "658.8", "万元", {}, None),  # less precise than the report
        (AMOUNT, "6588300", None, {"context": "金额（万元）"}, None),
        (AMOUNT, "658.83", None, {"context": "金额（元）"}, None),
        (AMOUNT, "658.83", "人", {}, None),
        (AMOUNT, "658.83", "%", {"is_percent": True}, None),
        # 21099 条 ↔ 21,099 ↔ 2.1099万
        (COUNT, "21099", None, {}, "assumed"),
        (COUNT, "21099", "条", {}, "stated"),
        (COUNT, "2.1099", "万", {}, "stated"),
        (COUNT, "2.1099", "万条", {}, "stated"),
        (COUNT, "21099", "人", {}, "unit_differs"),
        (COUNT, "21909", None, {}, None),
        (COUNT, "21099", "元", {}, None),
        # 89 % ↔ 89% ↔ 0.89 (a plain fraction) ↔ a percent-formatted cell (stored 89, is_percent)
        (PCT, "89", "%", {"is_percent": True}, "stated"),
        (PCT, "0.89", None, {}, "fraction"),
        (PCT, "89", None, {"context": "覆盖率（%）"}, "header"),
        (PCT, "89", None, {}, "assumed"),
        (PCT, "89.4", "%", {"is_percent": True}, "stated"),  # rounds to 89
        (PCT, "89", "人", {}, None),
        (PCT, "0.89", "万元", {}, None),
        (PCT, "88.4", "%", {"is_percent": True}, None),
        # 313.53 亿元 ↔ 31,352,871,234.56 (rounded to the precision written)
        (BIG, "31352871234.56", "元", {}, "stated"),
        (BIG, "31352871234.56", None, {}, "assumed"),
        (BIG, "3135287.12", "万元", {}, "stated"),
        (BIG, "31354871234.56", "元", {}, None),
    ],
)
def test_value_at_any_scale(claim, number, unit, kw, expected):
    assert _states(claim, number, unit, **kw) == expected


def test_approximate_claims_cover_their_range():
    assert _states(("8000", "人次", "1"), "8126", "人次") is None  # no qualifier: 8000 is 8000
    cv = claim_value("8000", "人次", "1", "多")
    assert cv is not None and any(matching.in_target(Decimal("8126"), t) for t in cv.targets)
    assert not any(matching.in_target(Decimal("9126"), t) for t in cv.targets)


def test_small_integers_and_years_weigh_little():
    assert matching.value_weight(Decimal("14")) < matching.value_weight(Decimal("89")) < matching.value_weight(
        Decimal("21099"))
    assert matching.is_trivial(Decimal("2024")) and matching.is_trivial(Decimal("7"))
    assert not matching.is_trivial(Decimal("7.5"))
    assert claim_value("14", "次", "1").low_info
    assert claim_value("五", "天", "1") is None  # a Chinese numeral the extractor did not read


def test_decade_ranges_split_at_powers_of_ten():
    assert decade_ranges(Decimal("99.5"), Decimal("100.5")) == [(1, "995", ":"), (2, "1", "1005")]
    assert decade_ranges(Decimal("313.525"), Decimal("313.535")) == [(2, "313525", "313535")]
    assert decade_ranges(Decimal("9.5"), Decimal("10")) == [(0, "95", ":")]


def test_sig_and_mag_columns_match_python(tmp_path):
    """The generated columns of migration 0006 agree with Decimal for numbers as the indexer writes them."""
    conn = connect(tmp_path / "a.db")
    schema.apply(conn)
    conn.execute("INSERT INTO evidence (sha256, size, name, added_at) VALUES ('x', 1, 'n', 't')")
    values = ["6588300.00", "0.89", "2.1099", "100", "0.0035", "31352871234.56", "7000", "10.5", "0.10", "1",
              "21099", "0.5", "100.00", "9.999", "1E-7", "0", "0.00"]
    conn.executemany("INSERT INTO evidence_numbers (evidence_id, value, raw) VALUES (1, ?, ?)",
                     [(v, v) for v in values])
    for value, sig, mag in conn.execute("SELECT value, sig, mag FROM evidence_numbers"):
        d = Decimal(value)
        if "E" in value:
            assert (sig, mag) == (None, None)
        elif d == 0:
            assert (sig, mag) == ("", None)
        else:
            assert (sig, mag) == matching.sig_mag(d), value
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM evidence_numbers WHERE mag = 2 AND sig >= '1' AND sig < '1005'"))
    assert "evidence_numbers_mag_sig" in plan
    conn.close()


def test_header_unit_reads_the_last_stated_unit():
    assert matching.header_unit("单位：万元 项目 决算数").scale == 10000
    assert matching.header_unit("合计 21,099 6,588,300.00（已追回（元））").base == "元"
    assert matching.header_unit("覆盖率（%）").dim == "percent"
    assert matching.header_unit("企业户数") is None
