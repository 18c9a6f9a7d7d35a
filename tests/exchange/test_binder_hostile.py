"""The binder's own rendering of .docx / .xlsx (no LibreOffice, or LibreOffice failed) runs under the same
ceilings as the ingest: a zip bomb, a workbook spanning the whole grid, a malformed .docx or one that outgrows
the parsing child's memory, linked as evidence, becomes one placeholder page saying why, and the package and
the binder are still made — the app neither crashes nor grows."""

from __future__ import annotations

import shutil
import time

import pytest

from desktop.exchange.export import export_package
from desktop.exchange.verify import verify_package
from desktop.workspace import Workspace
from tests import hostile_files as H
from tests.exchange.conftest import add_linked, claims_without_evidence
from tests.exchange.test_binder import _page_texts


def _peak_rss_kb() -> int:
    try:
        import resource
    except ImportError:  # Windows: not measured
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux


def _pages_of(texts: list[str], eid: int) -> str:
    return "".join(t for t in texts if t.rstrip().endswith(f"E{eid}"))


@pytest.fixture(scope="module")
def hostile_binder(demo_template, tmp_path_factory):
    import os

    root = tmp_path_factory.mktemp("hostile")
    ws_path = root / "W"
    shutil.copytree(demo_template, ws_path)
    d = root / "files"
    d.mkdir()
    files = {
        "docx_bomb": H.docx_bomb(d / "情况说明.docx"),
        "xlsx_bomb": H.xlsx_bomb(d / "台账.xlsx"),
        "merged": H.xlsx_merged_everything(d / "合并.xlsx"),
        "malformed": d / "损坏.docx",
        "fine": d / "说明.txt",
    }
    files["malformed"].write_bytes(b"PK\x03\x04" + b"\x00garbage" * 500)
    files["fine"].write_text("全年追回资金 658.83 万元", encoding="utf-8")
    old_env = os.environ.get("EVIDENCE_DESK_SOFFICE")
    os.environ["EVIDENCE_DESK_SOFFICE"] = "off"
    rss_before = _peak_rss_kb()
    try:
        with Workspace.open(ws_path) as ws:
            claim = claims_without_evidence(ws, 1)[0]
            ids = dict(zip(files, add_linked(ws, list(files.values()), claim)))
            t = time.monotonic()
            result = export_package(ws, root / "p.zip", binder=root / "汇编.pdf")
            elapsed = time.monotonic() - t
    finally:
        if old_env is None:
            os.environ.pop("EVIDENCE_DESK_SOFFICE", None)
        else:
            os.environ["EVIDENCE_DESK_SOFFICE"] = old_env
    rss_growth_kb = _peak_rss_kb() - rss_before
    return {"root": root, "result": result, "ids": ids, "texts": _page_texts(root / "汇编.pdf"),
            "elapsed": elapsed, "rss_growth_kb": rss_growth_kb}


def test_bombs_become_placeholder_pages_saying_why(hostile_binder):
    texts, ids = hostile_binder["texts"], hostile_binder["ids"]
    for key in ("docx_bomb", "xlsx_bomb"):
        page = _pages_of(texts, ids[key])
        assert "此文件未能编入汇编" in page and "疑似压缩炸弹" in page and "parse.zip_" in page, page
        assert "原件见材料包" in page
    merged = _pages_of(texts, ids["merged"])
    assert "工作表范围过大" in merged and "parse.xlsx_cells" in merged, merged
    assert "已损坏" in _pages_of(texts, ids["malformed"])
    assert "658.83" in _pages_of(texts, ids["fine"])  # the other files are rendered as before
    notices = {n["evidence_id"]: n for n in hostile_binder["result"].binder_notices}
    assert notices[ids["docx_bomb"]]["code"] == "refused"
    assert notices[ids["docx_bomb"]]["params"]["reason"] == "zip_bomb"
    assert notices[ids["merged"]]["params"]["reason"] == "xlsx_too_large"
    assert notices[ids["malformed"]]["code"] == "broken"


def test_the_package_and_the_binder_are_still_valid(hostile_binder):
    import pikepdf

    result = hostile_binder["result"]
    assert verify_package(hostile_binder["root"] / "p.zip").ok
    with pikepdf.open(hostile_binder["root"] / "汇编.pdf") as pdf:
        assert len(pdf.pages) == result.binder_pages == len(hostile_binder["texts"])
    n = result.binder_pages
    assert all(f"第 {p} 页 共 {n} 页" in t for p, t in enumerate(hostile_binder["texts"], 1))


def test_the_bombs_are_refused_quickly_and_never_inflated_here(hostile_binder):
    # checks before opening: nothing inflated in this process (the bombs unpack to ~600 MB each)
    assert hostile_binder["elapsed"] < 60, hostile_binder["elapsed"]
    assert hostile_binder["rss_growth_kb"] < 300 * 1024, hostile_binder["rss_growth_kb"]


def test_a_docx_past_the_checks_stops_at_the_childs_memory_limit(demo_ws, tmp_path, monkeypatch):
    """The checks raised (settings) so that 120 MB of XML reach python-docx: in the parsing child at 256 MB
    it runs out of memory, and the binder says so on the file's page."""
    from desktop.workspace import set_setting

    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    bomb = H.docx_bomb(tmp_path / "大文件.docx", inflated_mb=120)
    with Workspace.open(demo_ws) as ws:
        for key, value in (("parse.memory_mb", "256"), ("parse.zip_ratio", "10000"),
                           ("parse.zip_unpacked_mb", "1000")):
            set_setting(ws.db, key=key, value=value)
        (eid,) = add_linked(ws, [bomb], claims_without_evidence(ws, 1)[0])
        t = time.monotonic()
        result = export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
        elapsed = time.monotonic() - t
    page = _pages_of(_page_texts(tmp_path / "b.pdf"), eid)
    assert "此文件未能编入汇编" in page and "超出内存上限" in page and "256 MB" in page, page
    assert {n["evidence_id"]: n["params"].get("reason") for n in result.binder_notices} == {eid: "memory_limit"}
    assert verify_package(tmp_path / "p.zip").ok
    assert elapsed < 120, elapsed


def test_a_bomb_is_not_handed_to_libreoffice(demo_ws, tmp_path, monkeypatch):
    """LibreOffice runs without a memory limit: files refused by the checks never reach it."""
    handed = tmp_path / "handed.txt"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nfor a in \"$@\"; do echo \"$a\" >> '{handed}'; done\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", str(fake))
    bomb = H.docx_bomb(tmp_path / "情况说明.docx")
    with Workspace.open(demo_ws) as ws:
        (eid,) = add_linked(ws, [bomb], claims_without_evidence(ws, 1)[0])
        result = export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
    args = handed.read_text() if handed.exists() else ""
    assert f"E{eid}." not in args and ".docx" in args  # the demo's own .docx was handed over, the bomb not
    assert {n["evidence_id"]: n["params"].get("reason") for n in result.binder_notices} == {eid: "zip_bomb"}
    assert "疑似压缩炸弹" in _pages_of(_page_texts(tmp_path / "b.pdf"), eid)




def test_images_are_decoded_in_the_parsing_child(demo_ws, tmp_path, monkeypatch):
    """A picture over the workspace's pixel limit is a placeholder naming the limit; one within it is decoded
    in the child and placed from its pixels (PNG) or from its own bytes (an upright JPEG)."""
    from PIL import Image

    from desktop.parsing.guarded import GuardedParser
    from desktop.workspace import set_setting

    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    Image.new("RGB", (2000, 1000), "white").save(tmp_path / "大图.png")
    Image.new("RGB", (800, 400), "#7fa7c9").save(tmp_path / "小图.png")
    Image.new("RGB", (640, 480), "#c04040").save(tmp_path / "照片.jpg")
    ran: list[tuple[str, str]] = []
    real_run = GuardedParser.run
    monkeypatch.setattr(GuardedParser, "run", lambda self, fn, path, ext, *a, **k: ran.append((fn.__name__, ext))
                        or real_run(self, fn, path, ext, *a, **k))
    with Workspace.open(demo_ws) as ws:
        set_setting(ws.db, key="parse.image_megapixels", value="1")
        ids = add_linked(ws, [tmp_path / "大图.png", tmp_path / "小图.png", tmp_path / "照片.jpg"],
                         claims_without_evidence(ws, 1)[0])
        result = export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
    texts = _page_texts(tmp_path / "b.pdf")
    big = _pages_of(texts, ids[0])
    assert "此文件未能编入汇编" in big and "图片" in big and "parse.image_megapixels" in big, big
    assert {n["evidence_id"]: n["params"].get("reason") for n in result.binder_notices} == {ids[0]: "image_too_large"}
    assert len([t for t in texts if t.rstrip().endswith(f"E{ids[1]}")]) == 1
    assert len([t for t in texts if t.rstrip().endswith(f"E{ids[2]}")]) == 1
    assert ran.count(("read_image", "png")) == 2 and ran.count(("read_image", "jpg")) >= 1  # all through the child


def test_a_pdf_whose_parse_crashed_in_the_ingest_is_not_merged(demo_ws, tmp_path, monkeypatch):
    """The binder merges PDFs with qpdf in the app's process: one that crashed the ingest's parsing child is
    a notice page instead, and the other PDFs are merged as before."""
    from tests.exchange.test_binder import _pdf

    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    files = [_pdf(tmp_path / "回单.pdf", pages=3), _pdf(tmp_path / "凭证.pdf", pages=2)]
    with Workspace.open(demo_ws) as ws:
        bad, good = add_linked(ws, files, claims_without_evidence(ws, 1)[0])
        ws.db.conn.execute("UPDATE evidence SET status = 'error', error = 'extract_crashed' WHERE id = ?", (bad,))
        result = export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
    texts = _page_texts(tmp_path / "b.pdf")
    assert [t for t in texts if t.rstrip().endswith(f"E{bad}")] == [_pages_of(texts, bad)]  # one page
    assert "此文件未能编入汇编：解析程序意外退出" in _pages_of(texts, bad)
    assert len([t for t in texts if t.rstrip().endswith(f"E{good}")]) == 2
    assert {n["evidence_id"]: n["params"].get("reason") for n in result.binder_notices} == {bad: "extract_crashed"}


def test_cancelling_the_export_kills_a_parse_in_progress(demo_ws, tmp_path, monkeypatch):
    """A file whose reading never ends (a parser stuck in a loop, in the child) does not hold the export:
    cancelling stops it at once, not at the time limit, and nothing is written."""
    from desktop.exchange import render
    from desktop.exchange.export import ExportCancelled

    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    monkeypatch.setattr(render, "read_blocks", H.parse_forever)  # run by reference in the child: it loops
    state = {"since": None}

    def progress(stage, done, total):
        if stage == "binder_render" and state["since"] is None:
            state["since"] = time.monotonic()

    out = tmp_path / "out"
    out.mkdir()
    with Workspace.open(demo_ws) as ws:
        t = time.monotonic()
        with pytest.raises(ExportCancelled):
            export_package(ws, out / "p.zip", binder=out / "b.pdf", progress=progress,
                           cancel=lambda: state["since"] is not None and time.monotonic() - state["since"] > 1.5)
        assert time.monotonic() - t < 20  # the time limit is 180 s
    assert list(out.iterdir()) == []
