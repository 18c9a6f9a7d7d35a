"""What a return carries for people: 审核意见书.xlsx / .pdf and 补充材料通知单.pdf, read back as a person
would (openpyxl, pdfium's text layer, qpdf's check)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from tests.inspection.cli import cli, make_group


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVIDENCE_DESK_HOME", str(tmp_path_factory.mktemp("home")))
        root = tmp_path_factory.mktemp("docs")
        group, _folder, claims = make_group(root, {"台账.txt": "核查疑点数据 21099 条", "回单.txt": "追回 658.83 万元"})
        cli("link", group, claims[0], 1, "--locator", "第 1 页")
        cli("link", group, claims[1], 2)
        cli("export", group, root / "pkg.zip")
        review = root / "审核"
        cli("receive", root / "pkg.zip", review, "--actor", "王审计")
        cli("review", review, claims[0], "verified", "--comment", "与台账一致", "--actor", "王审计")
        # a name outside GB 2312 (堃): the documents are drawn again with the full font
        cli("review", review, claims[1], "needs_more", "--comment", "经办人张堃签字缺失", "--actor", "王审计",
            "--request", "请补充张堃签字的银行回单", "--request", "请补充发放明细", "--due", "2025-05-31")
        cli("review", review, claims[2], "questioned", "--comment", "数字与决算不符", "--actor", "王审计")
        reqs = cli("requests", review, "--json").json["requests"]
        out = root / "回复.zip"
        cli("reply", review, out, "--actor", "王审计")
        unpacked = root / "unpacked"
        with zipfile.ZipFile(out) as zf:
            zf.extractall(unpacked)
        yield {"dir": unpacked, "claims": claims, "requests": reqs, "review": review}


def _pdf_text(path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_opinion_workbook(returned):
    wb = load_workbook(returned["dir"] / "审核意见书.xlsx")
    sheet = wb["审核意见"]
    header = [c.value for c in sheet[1]]
    assert header[:9] == ["序号", "部分", "章节", "指标", "数值与单位", "佐证材料", "审核状态", "审核意见", "补充材料请求"]
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    first, second, third = rows[1], rows[2], rows[3]
    assert (first["审核状态"], first["审核意见"]) == ("已核实", "与台账一致")
    assert "E1《台账.txt》 第 1 页" in first["佐证材料"]
    assert len(first["佐证指纹（已核实）"]) == 64
    assert second["审核状态"] == "需补充" and "请补充张堃签字的银行回单" in second["补充材料请求"]
    assert "截止 2025-05-31" in second["补充材料请求"]
    assert third["审核状态"] == "存疑" and third["佐证指纹（已核实）"] in (None, "")
    assert sheet.freeze_panes == "A2"
    req = [r for r in wb["补充材料清单"].iter_rows(min_row=2, values_only=True)]
    assert [(r[3], r[5]) for r in req] == [("请补充张堃签字的银行回单", "待补充"), ("请补充发放明细", "待补充")]
    totals = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert (totals["已核实"], totals["需补充"], totals["存疑"], totals["待补充"]) == (1, 1, 1, 2)


def test_opinion_pdf_per_section_with_totals_and_fingerprints(returned):
    text = _pdf_text(returned["dir"] / "审核意见书.pdf")
    body = json.loads((returned["dir"] / "return.json").read_text(encoding="utf-8"))
    fingerprint = next(r["fingerprint"] for r in body["reviews"] if r["state"] == "verified")
    for words in ("审核意见书", "汇总", "已核实 1", "需补充 1", "存疑 1", "待补充 2", "与台账一致", "经办人张堃签字缺失",
                  "请补充张堃签字的银行回单", "数字与决算不符", "已核实指标的佐证指纹", fingerprint, "第 1 页 共"):
        assert words in text, words
    if shutil.which("qpdf"):
        res = subprocess.run(["qpdf", "--check", str(returned["dir"] / "审核意见书.pdf")], capture_output=True,
                             text=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_notice_lists_the_open_requests_only(returned):
    text = _pdf_text(returned["dir"] / "补充材料通知单.pdf")
    assert "补充材料通知单" in text and "下列 2 项" in text
    for r in returned["requests"]:
        assert f"#{r['id']}" in text and r["text"] in text
    assert "截止日期：2025-05-31" in text
    assert "与台账一致" not in text  # reviews are in the opinion, not the notice
