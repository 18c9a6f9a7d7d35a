"""The 佐证材料汇编: page stamps read back, 汇编页码 = the page each file starts on, bookmarks, links,
bad files as notice pages, the text rendering without LibreOffice and the LibreOffice path where present."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from desktop.exchange.export import ExportCancelled, export_package
from desktop.exchange.render import find_soffice
from desktop.workspace import Workspace
from tests.exchange.conftest import add_linked, claims_without_evidence
from tests.review.docgen import docx


def _pdf(path: Path, pages: int = 1, *, rotate: int = 0, password: str | None = None) -> Path:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    if rotate:
        for page in pdf.pages:
            page.obj.Rotate = rotate
    kwargs = {"encryption": pikepdf.Encryption(user=password, owner=password + "-owner")} if password else {}
    pdf.save(path, **kwargs)
    return path


def _bad_files(folder: Path) -> dict[str, Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "encrypted": _pdf(folder / "加密.pdf", password="secret"),
        "broken": folder / "损坏.pdf",
        "rotated": _pdf(folder / "横向.pdf", pages=2, rotate=90),
        "docx": docx(folder / "说明.docx", ["第一段：全年共核查疑点 21099 条。", [["项目", "金额"], ["追回", "658.83"]]]),
        "text": folder / "记录（喆堃）.txt",  # 喆 and 堃 are not in GB 2312: drawn with the full font
        "image": folder / "照片.png",
        "unsupported": folder / "压缩包.zip",
        "huge": folder / "很大.pdf",
    }
    files["broken"].write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage \x00\xff" * 20)
    files["text"].write_text("第一行\n第二行：658.83 万元\n", encoding="gb18030")
    Image.new("RGB", (800, 400), "#7fa7c9").save(files["image"])
    with zipfile.ZipFile(files["unsupported"], "w") as zf:
        zf.writestr("a.txt", "a")
    _pdf(files["huge"], pages=1)
    files["huge"].write_bytes(files["huge"].read_bytes() + b"%" + b" " * 400_000)  # a large PDF
    return files


@pytest.fixture(scope="module")
def binder(demo_template, tmp_path_factory):
    """The demo workspace plus one file of each awkward kind, exported with a binder (no LibreOffice)."""
    import os

    from desktop.exchange import binder as binder_module

    root = tmp_path_factory.mktemp("binder")
    ws_path = root / "W"
    shutil.copytree(demo_template, ws_path)
    files = _bad_files(root / "files")
    old_env = os.environ.get("EVIDENCE_DESK_SOFFICE")
    os.environ["EVIDENCE_DESK_SOFFICE"] = "off"
    old_max = binder_module.MAX_FILE_BYTES
    binder_module.MAX_FILE_BYTES = 300_000
    seen: list[tuple[str, int, int]] = []
    try:
        with Workspace.open(ws_path) as ws:
            claims = claims_without_evidence(ws, 2)
            ids = dict(zip(files, add_linked(ws, list(files.values()), claims[0])))
            ws.db  # the docx also backs a second claim: it appears once in the binder
            from desktop.review.links import link_evidence

            link_evidence(ws.db, claim_id=claims[1], evidence_id=ids["docx"])
            result = export_package(ws, root / "p.zip", binder=root / "汇编.pdf",
                                    progress=lambda s, d, t: seen.append((s, d, t)))
    finally:
        binder_module.MAX_FILE_BYTES = old_max
        if old_env is None:
            os.environ.pop("EVIDENCE_DESK_SOFFICE", None)
        else:
            os.environ["EVIDENCE_DESK_SOFFICE"] = old_env
    texts = _page_texts(root / "汇编.pdf")
    return {"root": root, "result": result, "ids": ids, "texts": texts, "progress": seen, "claims": claims}


def _page_texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return out
    finally:
        pdf.close()


def _catalog_pages(package: Path, tmp: Path) -> list[dict]:
    import openpyxl

    with zipfile.ZipFile(package) as zf:
        (tmp / "c.xlsx").write_bytes(zf.read("目录.xlsx"))
    ws = openpyxl.load_workbook(tmp / "c.xlsx")["目录"]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]


def test_every_page_carries_its_own_number(binder):
    texts, n = binder["texts"], binder["result"].binder_pages
    assert n == len(texts) > 10
    for p, text in enumerate(texts, 1):
        assert f"第 {p} 页 共 {n} 页" in text, (p, text[-80:])


def test_catalog_page_numbers_are_where_each_file_starts(binder, tmp_path):
    texts = binder["texts"]
    rows = [r for r in _catalog_pages(binder["root"] / "p.zip", tmp_path) if r["佐证编号"]]
    assert len(rows) == binder["result"].counts["links"]
    for r in rows:
        page = r["汇编页码"]
        number = r["佐证编号"]
        assert isinstance(page, int), r
        assert number in texts[page - 1].split("\n")[-1] or number in texts[page - 1], (number, page)
        if page > 1:  # the page before belongs to something else: the file starts here
            assert not texts[page - 2].rstrip().endswith(number)
    docx_rows = [r for r in rows if r["佐证编号"] == f"E{binder['ids']['docx']}"]
    assert len(docx_rows) == 2 and docx_rows[0]["汇编页码"] == docx_rows[1]["汇编页码"]  # one file, once


def test_each_file_first_page_carries_its_number(binder):
    texts, result = binder["texts"], binder["result"]
    starts = {}
    for e_id in binder["ids"].values():
        pages = [p for p, t in enumerate(texts, 1) if t.rstrip().endswith(f"E{e_id}")]
        assert pages, e_id
        starts[e_id] = pages[0]
    assert sorted(starts.values()) == sorted(set(starts.values()))


def test_bad_and_unrenderable_files_become_notice_pages(binder):
    texts, ids, result = binder["texts"], binder["ids"], binder["result"]

    def pages_of(key):
        return [t for t in texts if t.rstrip().endswith(f"E{ids[key]}")]

    assert any("已加密" in t for t in pages_of("encrypted"))
    assert any("已损坏" in t for t in pages_of("broken"))
    assert any("无法在汇编中显示" in t for t in pages_of("unsupported"))
    assert any("过大" in t for t in pages_of("huge"))
    assert len(pages_of("rotated")) == 2 and len(pages_of("image")) == 1
    docx_text = "".join(pages_of("docx"))
    assert "以下为从原文件提取的文字与表格" in docx_text and "原件见材料包" in docx_text
    assert "全年共核查疑点 21099 条" in docx_text and "658.83" in docx_text
    assert "第二行：658.83 万元" in "".join(pages_of("text"))  # GB18030 text decoded
    assert "记录（喆堃）.txt" in "".join(pages_of("text"))  # characters beyond the quick font are drawn
    codes = {n["evidence_id"]: n["code"] for n in result.binder_notices}
    assert codes == {ids["encrypted"]: "encrypted", ids["broken"]: "broken", ids["unsupported"]: "unsupported",
                     ids["huge"]: "too_large"}


def test_the_binder_opens_in_qpdf_and_pdfium_without_warnings(binder):
    import pikepdf
    import pypdfium2 as pdfium

    path = binder["root"] / "汇编.pdf"
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == [] if hasattr(pdf, "check_pdf_syntax") else pdf.check() == []
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == binder["result"].binder_pages
    doc[0].render(scale=0.3)
    doc.close()
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("the qpdf program is not installed (./dev.sh installs it): checked with pikepdf only")
    res = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert res.returncode == 0 and "WARNING" not in res.stdout + res.stderr, res.stdout + res.stderr


def test_bookmarks_go_part_section_claim_file(binder):
    import pikepdf

    with pikepdf.open(binder["root"] / "汇编.pdf") as pdf:
        with pdf.open_outline() as outline:
            top = [i.title for i in outline.root]
            assert top[:3] == ["封面", "承诺书", "目录"]
            parts = outline.root[3:]
            assert {p.title for p in parts} <= {"部门整体", "项目支出"} and parts
            for part in parts:
                for section in part.children:
                    for claim in section.children:
                        assert claim.title.split(".")[0].isdigit()
                        assert claim.children and all(f.title.startswith("E") for f in claim.children)


def test_toc_entries_link_to_the_pages_their_files_start_on(binder, tmp_path):
    import pikepdf

    rows = [r for r in _catalog_pages(binder["root"] / "p.zip", tmp_path) if r["佐证编号"]]
    wanted = {r["汇编页码"] for r in rows}
    targets = set()
    with pikepdf.open(binder["root"] / "汇编.pdf") as pdf:
        index = {p.objgen: i for i, p in enumerate(pdf.pages)}
        for page in list(pdf.pages)[:6]:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Link":
                    targets.add(index[annot.Dest[0].objgen] + 1)
    assert wanted <= targets


def test_binder_progress_is_reported(binder):
    stages = list(dict.fromkeys(s for s, _, _ in binder["progress"]))
    assert stages[:2] == ["snapshot", "binder_render"]
    assert {"binder_assemble", "binder_stamp"} <= set(stages)
    stamp = [(d, t) for s, d, t in binder["progress"] if s == "binder_stamp"]
    assert stamp[-1][0] == stamp[-1][1] == binder["result"].binder_pages


def test_cancel_during_the_binder_leaves_no_file(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    state = {"stage": None}

    def progress(stage, done, total):
        state["stage"] = stage

    out = tmp_path / "out"
    out.mkdir()
    with Workspace.open(demo_ws) as ws:
        with pytest.raises(ExportCancelled):
            export_package(ws, out / "p.zip", binder=out / "b.pdf", progress=progress,
                           cancel=lambda: state["stage"] == "binder_render")
    assert list(out.iterdir()) == []


def test_libreoffice_converts_office_files_where_installed(demo_ws, tmp_path, monkeypatch):
    monkeypatch.delenv("EVIDENCE_DESK_SOFFICE", raising=False)
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed here: the conversion path is not tested "
                    "(./dev.sh test installs it); the text rendering is tested above")
    with Workspace.open(demo_ws) as ws:
        result = export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
        office = {r["id"]: r["name"] for r in ws.db.query(
            "SELECT id, name FROM evidence WHERE ext IN ('docx', 'xlsx') AND id IN (SELECT evidence_id FROM links)")}
    assert len(office) == 3 and result.binder_notices == []
    texts = _page_texts(tmp_path / "b.pdf")
    for eid in office:
        pages = "".join(t for t in texts if t.rstrip().endswith(f"E{eid}"))
        assert pages and "以下为从原文件提取" not in pages  # converted, not our fallback
    docx_id = next(i for i, n in office.items() if n.endswith(".docx"))
    assert "14" in "".join(t for t in texts if t.rstrip().endswith(f"E{docx_id}"))
    if shutil.which("qpdf"):
        res = subprocess.run(["qpdf", "--check", str(tmp_path / "b.pdf")], capture_output=True, text=True)
        assert res.returncode == 0 and "WARNING" not in res.stdout + res.stderr, res.stdout + res.stderr


def test_many_sources_merge_through_an_intermediate_file(demo_ws, tmp_path, monkeypatch):
    """Past OPEN_FILES open source PDFs (none read into memory here) the merge goes through a file."""
    from desktop.exchange import binder as binder_module

    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    monkeypatch.setattr(binder_module, "MEMORY_BUDGET", 0)
    monkeypatch.setattr(binder_module, "OPEN_FILES", 2)
    checkpoints = []
    real = binder_module.BinderBuilder._checkpoint
    monkeypatch.setattr(binder_module.BinderBuilder, "_checkpoint",
                        lambda self, *a: checkpoints.append(1) or real(self, *a))
    files = [_pdf(tmp_path / f"回单{i}.pdf", pages=i + 1) for i in range(5)]
    with Workspace.open(demo_ws) as ws:
        add_linked(ws, files, claims_without_evidence(ws, 1)[0])
        result = export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
    assert len(checkpoints) >= 2 and list(tmp_path.glob("*.export-tmp")) == []
    texts = _page_texts(tmp_path / "b.pdf")
    n = result.binder_pages
    assert len(texts) == n and all(f"第 {p} 页 共 {n} 页" in t for p, t in enumerate(texts, 1))
    rows = [r for r in _catalog_pages(tmp_path / "p.zip", tmp_path) if r["佐证编号"]]
    for r in rows:
        assert texts[r["汇编页码"] - 1].rstrip().endswith(r["佐证编号"])


def test_unit_year_and_pledge_given_on_the_command_line_reach_the_binder(demo_ws, tmp_path, monkeypatch, capsys):
    from desktop.cli import main

    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    pledge = tmp_path / "承诺.txt"
    pledge.write_text("我单位郑重承诺：所附材料与原件一致。", encoding="utf-8")
    code = main(["export", str(demo_ws), str(tmp_path / "p.zip"), "--binder", str(tmp_path / "b.pdf"),
                 "--unit", "某某县财政局", "--year", "2025", "--pledge-file", str(pledge), "--json"])
    data = __import__("json").loads(capsys.readouterr().out)
    assert code == 0 and data["binder_pages"] > 3
    texts = _page_texts(tmp_path / "b.pdf")
    assert "某某县财政局" in texts[0] and "2025 年度" in texts[0] and data["package_sha256"] in texts[0].replace("\r\n", "")
    assert "我单位郑重承诺：所附材料与原件一致。" in texts[1] and data["manifest_sha256"] in texts[1].replace("\r\n", "")
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        manifest = __import__("json").loads(zf.read("manifest.json"))
    assert (manifest["unit"], manifest["year"]) == ("某某县财政局", "2025")


def test_a_failed_libreoffice_conversion_falls_back_to_the_text_rendering(demo_ws, tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 1\n")  # converts nothing, as a broken installation would
    fake.chmod(0o755)
    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", str(fake))
    with Workspace.open(demo_ws) as ws:
        result = export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
        docx_id = ws.db.scalar("SELECT id FROM evidence WHERE ext = 'docx'")
    texts = _page_texts(tmp_path / "b.pdf")
    pages = "".join(t for t in texts if t.rstrip().endswith(f"E{docx_id}"))
    assert "以下为从原文件提取的文字与表格" in pages and "合计：14 次" in pages
    assert result.binder_notices == []


def test_a_sideways_phone_photo_stands_upright(demo_ws, tmp_path, monkeypatch):
    """A JPEG whose EXIF orientation says "turn 90°" (as phones save them) is placed turned."""
    import pikepdf
    from PIL import Image

    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    photo = tmp_path / "现场照片.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    Image.new("RGB", (600, 300), "#c04040").save(photo, exif=exif)
    with Workspace.open(demo_ws) as ws:
        (eid,) = add_linked(ws, [photo], claims_without_evidence(ws, 1)[0])
        export_package(ws, tmp_path / "p.zip", binder=tmp_path / "b.pdf")
    texts = _page_texts(tmp_path / "b.pdf")
    page = next(i for i, t in enumerate(texts) if t.rstrip().endswith(f"E{eid}"))
    with pikepdf.open(tmp_path / "b.pdf") as pdf:
        images = []
        for obj in pdf.pages[page].get_images().values():
            images.append((int(obj.Width), int(obj.Height)))
        box = pdf.pages[page].mediabox
    assert (300, 600) in images  # stored turned: taller than wide
    assert float(box[3]) > float(box[2])  # on a portrait page
