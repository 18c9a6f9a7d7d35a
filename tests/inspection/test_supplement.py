"""Supplements: only what is new or changed since the package or return, a revised report and a removed
link travel too, and a supplement that skips one, or follows nothing this workspace exported, is refused."""

from __future__ import annotations

import zipfile

import pytest

from tests.inspection.cli import SAMPLE, cli, make_group, snapshot, verify_ok


@pytest.fixture
def trip(tmp_path):
    group, folder, claims = make_group(tmp_path, {"台账.txt": "核查疑点数据 21099 条", "回单.txt": "追回 658.83 万元",
                                                   "明细.txt": "明细 42 名"})
    cli("link", group, claims[0], 1)
    cli("link", group, claims[1], 2)
    pkg = tmp_path / "pkg.zip"
    cli("export", group, pkg)
    review = tmp_path / "审核"
    cli("receive", pkg, review, "--actor", "王审计")
    return group, folder, claims, pkg, review, tmp_path


def test_only_what_changed_travels(trip):
    group, folder, claims, pkg, review, tmp = trip
    cli("unlink", group, claims[1], 2)                      # a removal
    cli("link", group, claims[2], 3)                        # a new link to a file the inspector lacks
    sup = tmp / "sup.zip"
    out = cli("export", group, sup, "--since", pkg, "--json").json
    assert (out["counts"]["claims"], out["counts"]["files"]) == (2, 1)
    names = zipfile.ZipFile(sup).namelist()
    assert [n for n in names if n.startswith("佐证材料/")] == [n for n in names if "E3_明细.txt" in n]
    assert not any(n.startswith("报告/") for n in names)  # the report did not change
    cli("verify", sup)
    cli("receive", sup, review)
    verify_ok(review)
    r = {c["id"]: c for c in cli("status", review, "--json").json["claims"]}
    assert (r[claims[0]]["evidence_ids"], r[claims[1]]["evidence_ids"], r[claims[2]]["evidence_ids"]) == ([1], [], [3])


def test_a_revised_report_travels_with_its_claims(trip):
    group, folder, claims, pkg, review, tmp = trip
    text = SAMPLE.read_text(encoding="utf-8")
    revised = tmp / "修订版.txt"
    assert "21099" in text
    revised.write_text(text.replace("21099", "21100"), encoding="utf-8")
    report_id = cli("status", group, "--json").json["claims"][0]["report_id"]
    cli("import", group, revised, "--revises", report_id)
    sup = tmp / "sup.zip"
    cli("export", group, sup, "--since", pkg)
    assert any(n.startswith("报告/") for n in zipfile.ZipFile(sup).namelist())
    cli("receive", sup, review)
    verify_ok(review)
    g = {c["id"]: (c["report_id"], c["value"]) for c in cli("status", group, "--json").json["claims"]}
    r = {c["id"]: (c["report_id"], c["value"]) for c in cli("status", review, "--json").json["claims"]}
    assert r == g and "21100" in {v for _, v in g.values()}


def test_a_skipped_supplement_and_an_unknown_since_are_refused(trip):
    group, folder, claims, pkg, review, tmp = trip
    cli("link", group, claims[2], 3)
    sup1 = tmp / "sup1.zip"
    cli("export", group, sup1, "--since", pkg)
    cli("unlink", group, claims[2], 3)
    sup2 = tmp / "sup2.zip"
    cli("export", group, sup2, "--since", sup1)
    before = snapshot(review)
    assert "更早的补充材料包" in cli("receive", sup2, review, ok=2).err
    assert snapshot(review) == before
    cli("receive", sup1, review)
    cli("receive", sup2, review)
    assert next(c for c in cli("status", review, "--json").json["claims"] if c["id"] == claims[2])["evidence_ids"] == []
    # the first one again, now older than what arrived since: nothing changes
    before = snapshot(review)
    assert cli("receive", sup1, review, "--json").json["already"] is True
    assert snapshot(review) == before
    verify_ok(review)
    # --since must name a package or return of this workspace
    (tmp / "别处").mkdir()
    other, _f, _c = make_group(tmp / "别处")
    before = snapshot(other)
    assert "既不是本工作区导出的" in cli("export", other, tmp / "x.zip", "--since", pkg, ok=2).err
    assert snapshot(other) == before and not (tmp / "x.zip").exists()
    assert "--since" in cli("export", group, tmp / "y.zip", "--since", SAMPLE, ok=2).err
