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


def test_a_revised_score_table_reaches_the_inspector(tmp_path):
    """A report with a 绩效自评表, revised after the package: the supplement carries the new report's table,
    rows, cells and the claims each row gives, and the inspector's workspace holds them as the group's does."""
    import sqlite3

    table = ("项目支出绩效自评表\n一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施\n"
             "产出指标 | 数量指标 | 核查疑点数据 | ≥20000条 | 21099条 | 20 | 20 | \n"
             "产出指标 | 质量指标 | 追回率 | ≥90% | 95% | 20 | 20 | \n")
    report = tmp_path / "自评表.txt"
    report.write_text(table, encoding="utf-8")
    group, folder, claims = make_group(tmp_path)

    def tables(ws):
        conn = sqlite3.connect(f"file:{ws / 'workspace.db'}?mode=ro", uri=True)
        try:
            return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                    for t in ("score_tables", "score_rows", "score_cells", "score_row_claims")}
        finally:
            conn.close()

    cli("import", group, report, "--actor", "李会计")
    pkg = tmp_path / "pkg.zip"
    cli("export", group, pkg)
    review = tmp_path / "审核"
    cli("receive", pkg, review, "--actor", "王审计")
    assert tables(review) == tables(group) and tables(review)["score_cells"]  # the package carries them
    revised = tmp_path / "自评表修订.txt"
    revised.write_text(table.replace("21099条", "21100条"), encoding="utf-8")
    rid = max(c["report_id"] for c in cli("status", group, "--json").json["claims"])
    cli("import", group, revised, "--revises", rid, "--actor", "李会计")
    sup = tmp_path / "sup.zip"
    cli("export", group, sup, "--since", pkg)
    cli("receive", sup, review)
    verify_ok(review)

    g, r = tables(group), tables(review)
    assert len({row[1] for row in g["score_tables"]}) == 2  # the first report's table and the revision's
    assert any(c[3] == "21100条" for c in g["score_cells"])
    for t in g:
        assert r[t] == g[t], (t, set(g[t]) ^ set(r[t]))


def test_dismissed_findings_reach_the_inspector(trip):
    """A finding the group dismissed shows dismissed (with its reason) in the inspector's workspace; one
    dismissed after the package — about a report the supplement does not carry — and one restored travel in
    the supplement."""
    group, folder, claims, pkg, review, tmp = trip

    def dismissed(ws):
        found = cli("check", ws, "--json", ok=None).json["findings"]
        return {f["key"]: (f["dismissal"] or {}).get("reason") for f in found if f["dismissed"]}

    keys = [f["key"] for f in cli("check", group, "--json", ok=None).json["findings"]]
    assert len(keys) >= 2
    cli("dismiss-finding", group, keys[0], "--reason", "已核对原始台账", "--actor", "李会计")
    pkg2 = tmp / "pkg2.zip"
    cli("export", group, pkg2)
    review2 = tmp / "审核2"
    cli("receive", pkg2, review2, "--actor", "王审计")
    assert dismissed(review2) == {keys[0]: "已核对原始台账"} == dismissed(group)

    cli("dismiss-finding", group, keys[1], "--reason", "口径不同", "--actor", "李会计")
    cli("dismiss-finding", group, keys[0], "--undo", "--actor", "李会计")
    sup = tmp / "sup.zip"
    cli("export", group, sup, "--since", pkg2)  # the report did not change: it does not travel
    assert not any(n.startswith("报告/") for n in zipfile.ZipFile(sup).namelist())
    cli("receive", sup, review2)
    verify_ok(review2)
    assert dismissed(review2) == {keys[1]: "口径不同"} == dismissed(group)
