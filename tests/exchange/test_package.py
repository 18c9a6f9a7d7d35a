"""The 佐证材料包: export on the demo workspace, verify, tampering, bad names, a held workspace, cancel."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.errors import DeskError
from desktop.exchange.export import ExportCancelled, export_package
from desktop.exchange.verify import verify_package
from desktop.workspace import Workspace
from tests.exchange.conftest import add_linked, claims_without_evidence, flip_byte, rewrite_zip

REPO = Path(__file__).resolve().parents[2]


def cli(capsys, *args: str) -> tuple[int, dict]:
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else {"stderr": captured.err})


@pytest.fixture(scope="module")
def exported(demo_template, tmp_path_factory) -> tuple[Path, Path]:
    """The demo workspace exported once through the CLI (tests below only read the package)."""
    import shutil

    root = tmp_path_factory.mktemp("exported")
    ws = root / "W"
    shutil.copytree(demo_template, ws)
    out = root / "材料包.zip"
    assert main(["export", str(ws), str(out)]) == 0
    return ws, out


@pytest.fixture
def package(exported) -> Path:
    return exported[1]


def demo_claim_counts(root: Path) -> tuple[int, int]:
    """(claims that need evidence, of them without any) in the demo workspace: the sample report's 67 and
    its 绩效自评表's rows."""
    from desktop.review.status import claim_rows

    with Workspace.open(root, actor="测试员", readonly=True) as ws:
        rows = [c for c in claim_rows(ws.db) if c["needs_evidence"]]
    return len(rows), sum(1 for c in rows if not c["evidence_ids"])


def test_export_then_verify_on_the_demo_workspace(exported, capsys):
    demo_ws, package = exported
    capsys.readouterr()
    code, data = cli(capsys, "verify", str(package))
    assert code == 0 and data["ok"] and data["problems"] == []
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
        infos = zf.infolist()
        manifest = json.loads(zf.read("manifest.json"))
        assert names[0].startswith("报告/") and names[-1] == "manifest.json"
        assert names[-4:-1] == ["目录.xlsx", "完整性报告.pdf", "package.db"]
        assert all(i.flag_bits & 0x800 for i in infos)  # UTF-8 flag on every member
        assert {m["path"] for m in manifest["members"]} == set(names) - {"manifest.json"}
        for m in manifest["members"]:
            data_ = zf.read(m["path"])
            assert (len(data_), hashlib.sha256(data_).hexdigest()) == (m["size"], m["sha256"])
    assert manifest["format_version"] == 1 and manifest["unit"] == "湛江市社会保险基金管理局"
    assert manifest["year"] == "2024" and manifest["created_by"]["role"] == "editor"
    with Workspace.open(demo_ws, readonly=True) as ws:
        db = ws.db
        evidence = {r["id"]: r["sha256"] for r in db.query("SELECT id, sha256 FROM evidence")}
        linked = {r[0] for r in db.query("SELECT DISTINCT evidence_id FROM links")}
        head = db.query_one("SELECT seq, hash FROM events WHERE action = 'package.exported'")
        before = db.query_one("SELECT seq, hash FROM events WHERE seq = ?", (head["seq"] - 1,))
        row = db.query_one("SELECT * FROM exports")
        first = db.scalar("SELECT hash FROM events WHERE seq = 1")
    assert manifest["workspace"]["id"] == first
    assert manifest["audit"] == {"seq": before["seq"], "head": before["hash"]}
    # every linked file once, with its hash; nothing else under 佐证材料/
    files = [m for m in manifest["members"] if m["path"].startswith("佐证材料/")]
    assert sorted(m["sha256"] for m in files) == sorted(evidence[e] for e in linked)
    assert manifest["counts"]["files"] == len(linked) == 5
    assert any(m["path"].startswith("报告/") for m in manifest["members"])
    # the export is recorded: an exports row, its event carrying the whole row and the package's hash
    assert row["package_sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    assert row["package_id"] == manifest["package_id"] and row["audit_seq"] == before["seq"]
    # the workspace still verifies (the new event continues the chain)
    code, data = cli(capsys, "verify", str(demo_ws))
    assert code == 0, data


def test_package_db_opens_without_reparsing(exported, package, tmp_path):
    with zipfile.ZipFile(package) as zf:
        (tmp_path / "package.db").write_bytes(zf.read("package.db"))
        manifest = json.loads(zf.read("manifest.json"))
    conn = sqlite3.connect(tmp_path / "package.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] >= 67
    assert conn.execute("SELECT count(*) FROM links").fetchone()[0] == 6
    assert conn.execute("SELECT count(*) FROM evidence").fetchone()[0] == 5  # the unlinked photo is left out
    assert conn.execute("SELECT count(*) FROM evidence_text").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM ingest_queue").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM settings WHERE key = 'watch_dir'").fetchone()[0] == 0
    seq = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
    assert seq == manifest["audit"]["seq"]
    paths = {r[0] for r in conn.execute("SELECT path FROM package_files")}
    assert paths == {m["path"] for m in manifest["members"] if m["path"].startswith("佐证材料/")}
    claims = conn.execute("SELECT count(*) FROM package_claims").fetchone()[0]
    assert claims == manifest["counts"]["claims"] == demo_claim_counts(exported[0])[0]
    conn.close()


def test_catalog_has_a_row_per_link_and_per_claim_without_evidence(exported, package, tmp_path):
    import openpyxl

    from desktop.text.exchange import CATALOG_HEADER

    with zipfile.ZipFile(package) as zf:
        (tmp_path / "c.xlsx").write_bytes(zf.read("目录.xlsx"))
        manifest = json.loads(zf.read("manifest.json"))
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    ws = wb["目录"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == CATALOG_HEADER
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    linked = [r for r in rows if r["佐证编号"]]
    missing = [r for r in rows if r["佐证材料"] == "缺佐证"]
    assert len(linked) == manifest["counts"]["links"] == 6
    assert len(missing) == manifest["counts"]["without_evidence"] == demo_claim_counts(exported[0])[1]
    assert [r["序号"] for r in rows] == sorted(r["序号"] for r in rows)  # report order
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:L")
    assert ws.print_title_rows.replace("$", "") == "1:1"
    members = {m["path"] for m in manifest["members"]}
    path_col = header.index("包内路径") + 1
    for r, row in enumerate(ws.iter_rows(min_row=2), 2):
        cell = ws.cell(row=r, column=path_col)
        if cell.value:
            assert cell.hyperlink is not None and cell.hyperlink.target == cell.value in members
    assert "完整性" in wb.sheetnames


@pytest.mark.parametrize("member_kind", ["evidence", "catalog", "database"])
def test_flipping_one_byte_names_exactly_that_member(package, tmp_path, capsys, member_kind):
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    target = {"evidence": next(n for n in names if n.startswith("佐证材料/")), "catalog": "目录.xlsx",
              "database": "package.db"}[member_kind]
    with zipfile.ZipFile(package) as zf:
        data = zf.read(target)
    bad = tmp_path / "bad.zip"
    rewrite_zip(package, bad, change={target: flip_byte(data)})
    code, out = cli(capsys, "verify", str(bad))
    assert code == 1
    assert [(p["code"], p.get("path")) for p in out["problems"]] == [("member_changed", target)]
    assert target in out["problems"][0]["message"]


def test_missing_and_added_members(package, tmp_path, capsys):
    with zipfile.ZipFile(package) as zf:
        evidence = next(n for n in zf.namelist() if n.startswith("佐证材料/"))
    bad = tmp_path / "bad.zip"
    rewrite_zip(package, bad, drop={evidence}, add={"佐证材料/多出来的.txt": b"extra"})
    code, out = cli(capsys, "verify", str(bad))
    assert code == 1
    found = {(p["code"], p.get("path")) for p in out["problems"]}
    assert ("member_missing", evidence) in found and ("member_added", "佐证材料/多出来的.txt") in found


def _with_db_changed(package: Path, dest: Path, tmp_path: Path, sql: str) -> None:
    """Change package.db and re-list it in the manifest, so only the manifest/db disagreement remains."""
    with zipfile.ZipFile(package) as zf:
        db_bytes = zf.read("package.db")
        manifest = json.loads(zf.read("manifest.json"))
    copy = tmp_path / "edit.db"
    copy.write_bytes(db_bytes)
    conn = sqlite3.connect(copy)
    conn.execute(sql)
    conn.commit()
    conn.close()
    new = copy.read_bytes()
    for m in manifest["members"]:
        if m["path"] == "package.db":
            m["size"], m["sha256"] = len(new), hashlib.sha256(new).hexdigest()
    rewrite_zip(package, dest, change={"package.db": new,
                                       "manifest.json": json.dumps(manifest, ensure_ascii=False).encode()})


def test_manifest_and_package_db_must_agree(package, tmp_path, capsys):
    bad = tmp_path / "bad.zip"
    _with_db_changed(package, bad, tmp_path, "UPDATE package_files SET sha256 = 'ab' || substr(sha256, 3)"
                                              " WHERE evidence_id = (SELECT min(evidence_id) FROM package_files)")
    code, out = cli(capsys, "verify", str(bad))
    assert code == 1 and [p["code"] for p in out["problems"]] == ["db_member_differs"]
    bad2 = tmp_path / "bad2.zip"
    _with_db_changed(package, bad2, tmp_path, "UPDATE package SET value = '\"x\"' WHERE key = 'audit_head'")
    code, out = cli(capsys, "verify", str(bad2))
    assert code == 1 and [(p["code"], p.get("field")) for p in out["problems"]] == [("db_mismatch", "audit_head")]


def test_unreadable_packages_exit_2(package, tmp_path, capsys):
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(package.read_bytes()[: package.stat().st_size // 2])
    assert main(["verify", str(truncated)]) == 2
    assert "截断" in capsys.readouterr().err  # its end is gone (a nested .docx's own end may be found)
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["format_version"] = 99
    future = tmp_path / "future.zip"
    rewrite_zip(package, future, change={"manifest.json": json.dumps(manifest).encode()})
    assert main(["verify", str(future)]) == 2
    assert "格式版本为 99" in capsys.readouterr().err
    nomanifest = tmp_path / "none.zip"
    rewrite_zip(package, nomanifest, drop={"manifest.json"})
    assert main(["verify", str(nomanifest)]) == 2


def test_hostile_names_are_windows_safe_short_and_unique(demo_ws, tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    long_name = "关于" + "很长的文件名" * 13 + ".pdf"  # 80 characters, 244 bytes: near Linux's limit
    files = [src / "a" / 'ba<d>:na"me|?*.txt', src / "a" / "CON.txt", src / "a" / long_name,
             src / "a" / "同名.txt", src / "b" / "同名.txt", src / "a" / "trailing. "]
    for i, f in enumerate(files):
        f.write_bytes(f"file {i}\n".encode())
    with Workspace.open(demo_ws) as ws:
        claim = claims_without_evidence(ws, 1)[0]
        ids = add_linked(ws, files, claim)
        out = tmp_path / "p.zip"
        export_package(ws, out)
    with zipfile.ZipFile(out) as zf:
        names = [n for n in zf.namelist() if n.startswith("佐证材料/")]
    from desktop.exchange.names import is_safe_member

    assert all(is_safe_member(n) for n in names)
    assert all(len(n) <= 150 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    mine = [n for n in names if any(f"/E{i}_" in n for i in ids)]
    assert len(mine) == len(ids)
    assert any("ba＜d＞：na＂me｜？＊.txt" in n for n in mine)
    assert any(n.endswith("_CON.txt") or "/E" in n and "CON.txt" in n for n in mine)
    assert any(n.endswith(".pdf") and "关于很长的文件名" in n for n in mine)  # cut, extension kept
    assert verify_package(out).ok


def test_all_adds_the_unlinked_files(demo_ws, tmp_path):
    from desktop.review.status import evidence_rows

    with Workspace.open(demo_ws) as ws:
        expected = sorted(e["name"] for e in evidence_rows(ws.db) if "unlinked" in e["flags"])
        result = export_package(ws, tmp_path / "all.zip", include_unlinked=True)
    with zipfile.ZipFile(tmp_path / "all.zip") as zf:
        unlinked = [n for n in zf.namelist() if n.startswith("佐证材料/未关联/")]
    assert expected and any(name.endswith(".jpg") for name in expected)  # the demo's photo backs no claim
    assert len(unlinked) == result.counts["unlinked_files"] == len(expected)
    assert sorted(n.rsplit("/", 1)[1].split("_", 1)[1] for n in unlinked) == expected
    assert verify_package(tmp_path / "all.zip").ok


def test_a_workspace_held_by_another_process_still_exports(demo_ws, tmp_path):
    out = tmp_path / "held.zip"
    with Workspace.open(demo_ws) as holder:  # this process holds the workspace lock
        assert not holder.readonly
        res = subprocess.run([sys.executable, "-m", "desktop", "export", str(demo_ws), str(out), "--json"],
                             capture_output=True, text=True, cwd=REPO)
        events = holder.db.scalar("SELECT count(*) FROM events WHERE action = 'package.exported'")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["recorded"] is False and data["not_recorded_reason"] == "locked"
    assert events == 0
    assert verify_package(out).ok


def test_cancel_leaves_no_file(demo_ws, tmp_path):
    out = tmp_path / "c.zip"
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    with Workspace.open(demo_ws) as ws:
        with pytest.raises(ExportCancelled):
            export_package(ws, out, cancel=cancel)
        assert ws.db.scalar("SELECT count(*) FROM exports") == 0
    assert list(tmp_path.iterdir()) == [demo_ws]


def test_progress_is_reported(demo_ws, tmp_path):
    seen = []
    with Workspace.open(demo_ws) as ws:
        export_package(ws, tmp_path / "p.zip", progress=lambda s, d, t: seen.append((s, d, t)))
    stages = list(dict.fromkeys(s for s, _, _ in seen))
    assert stages == ["snapshot", "files", "catalog", "completeness", "database", "manifest"]
    files = [(d, t) for s, d, t in seen if s == "files"]
    assert files[-1][0] == files[-1][1] > 0


def test_bad_targets_are_refused_in_words(demo_ws, tmp_path, capsys):
    assert main(["export", str(demo_ws), str(tmp_path / "x.rar")]) == 2
    assert ".zip" in capsys.readouterr().err
    assert main(["export", str(demo_ws), str(tmp_path / "no-such-folder" / "x.zip")]) == 2
    assert "目标文件夹不存在" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nowhere"), str(tmp_path / "x.zip")]) == 2
    capsys.readouterr()
    with Workspace.open(demo_ws, readonly=True) as ws:
        watched = ws.watch_dir
    assert main(["export", str(demo_ws), str(watched / "包.zip")]) == 2  # the watcher would take it in
    assert "监控" in capsys.readouterr().err and not (watched / "包.zip").exists()


def test_a_store_object_altered_after_registration_stops_the_export(demo_ws, tmp_path):
    with Workspace.open(demo_ws) as ws:
        sha = ws.db.scalar("SELECT sha256 FROM evidence WHERE id IN (SELECT evidence_id FROM links) LIMIT 1")
        obj = ws.store.object_path(sha)
        obj.chmod(0o644)
        obj.write_bytes(flip_byte(obj.read_bytes()))
        with pytest.raises(DeskError) as err:
            export_package(ws, tmp_path / "x.zip")
    assert err.value.code == "export.object_altered"
    assert not (tmp_path / "x.zip").exists()


def test_a_disk_that_fills_up_mid_export_leaves_nothing(demo_ws, tmp_path):
    """A real small file system (tmpfs, as root); where mounting is not allowed, the next test stands in."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (not root?): {res.stderr.decode(errors='replace').strip()}"
                    " — test_a_file_size_limit_mid_export_leaves_nothing covers the same path")
    try:
        with Workspace.open(demo_ws) as ws:
            with pytest.raises(DeskError) as err:
                export_package(ws, mnt / "p.zip")
            assert ws.db.scalar("SELECT count(*) FROM exports") == 0
        assert err.value.code == "export.disk_full"
        assert list(mnt.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_file_size_limit_mid_export_leaves_nothing(demo_ws, tmp_path):
    """Writes fail with EFBIG past 300 kB (RLIMIT_FSIZE), as a full disk fails them with ENOSPC."""
    out = tmp_path / "out"
    out.mkdir()
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))\n"
        "from desktop.cli import main\n"
        f"sys.exit(main(['export', {str(demo_ws)!r}, {str(out / 'p.zip')!r}]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 2 and "没有留下不完整的文件" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and "内部错误" not in res.stderr
    assert list(out.iterdir()) == []


def test_the_report_travels_as_imported_even_after_the_original_moved(tmp_path):
    from desktop.claims.service import import_report

    src = tmp_path / "自评报告.txt"
    src.write_bytes((REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt").read_bytes())
    original = src.read_bytes()
    with Workspace.create(tmp_path / "W", actor="测试") as ws:
        import_report(ws.db, path=src)
        src.unlink()  # the user moved or deleted the file after importing it
        export_package(ws, tmp_path / "a.zip")
        for copy in (ws.root / "reports").iterdir():
            copy.unlink()  # a workspace from before report copies were kept: only the text is left
        export_package(ws, tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.read("报告/自评报告.txt") == original
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        names = [n for n in zf.namelist() if n.startswith("报告/")]
        (tmp_path / "b.db").write_bytes(zf.read("package.db"))
    assert names == ["报告/自评报告.txt"]  # the text as imported (the original was a .txt already)
    conn = sqlite3.connect(tmp_path / "b.db")
    assert conn.execute("SELECT original FROM package_reports").fetchall() == [(0,)]
    conn.close()
    assert verify_package(tmp_path / "a.zip").ok and verify_package(tmp_path / "b.zip").ok


def test_the_export_event_reads_in_the_audit_log(exported, capsys):
    demo_ws, _ = exported
    code = main(["log", str(demo_ws), "--action", "package.exported", "--json"])
    events = json.loads(capsys.readouterr().out)["events"]
    assert code == 0 and len(events) == 1
    assert "导出佐证材料包" in events[0]["description"] and "佐证材料 5 份" in events[0]["description"]
    assert events[0]["payload"]["export"]["counts"]["files"] == 5


def test_hostile_members_are_named(package, tmp_path, capsys):
    """A member escaping the folder, a symbolic link, a GBK-encoded name: each named, exit 1."""
    import stat

    bad = tmp_path / "hostile.zip"
    rewrite_zip(package, bad, add={"../逃逸.txt": b"x"})
    with zipfile.ZipFile(bad, "a") as zf:
        link = zipfile.ZipInfo("佐证材料/link")
        link.flag_bits |= 0x800
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        gbk_name = "佐证材料/旧文件.txt".encode("gbk")  # as Chinese Windows tools write names: no UTF-8 flag
        zf.writestr("Q" * len(gbk_name), b"old")
    bad.write_bytes(bad.read_bytes().replace(b"Q" * len(gbk_name), gbk_name))  # local header + directory
    code, out = cli(capsys, "verify", str(bad))
    found = {(p["code"], p["path"]) for p in out["problems"]}
    assert code == 1
    assert ("member_unsafe", "../逃逸.txt") in found and ("member_added", "../逃逸.txt") in found
    assert ("member_symlink", "佐证材料/link") in found
    assert any(c == "member_not_utf8" for c, _ in found)
    assert all(p["message"] for p in out["problems"])


def test_the_workspace_recognises_the_package_it_exported(exported):
    from desktop.exchange.queries import exported_package, exports

    demo_ws, package = exported
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    sha = hashlib.sha256(package.read_bytes()).hexdigest()
    with Workspace.open(demo_ws, readonly=True) as ws:
        assert [e["package_id"] for e in exports(ws.db)] == [manifest["package_id"]]
        by_id = exported_package(ws.db, package_id=manifest["package_id"])
        assert by_id is not None and by_id["package_sha256"] == sha and by_id["counts"]["files"] == 5
        assert exported_package(ws.db, package_sha256=sha)["id"] == by_id["id"]
        assert exported_package(ws.db, package_id="not-ours", manifest_sha256="0" * 64) is None
