"""Bad returns and supplements: each refused in words — exit 2, or 1 when a member does not match the
manifest (naming it) — and nothing written to the workspace.

Built once per module: a group workspace with a package, the inspector's review workspace with a return,
a supplement; and a second group (another workspace) with its own package, return and supplement.
"""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.inspection.cli import cli, make_group, snapshot

UTF8 = 0x800


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVIDENCE_DESK_HOME", str(tmp_path_factory.mktemp("home")))
        root = tmp_path_factory.mktemp("trip")
        group, folder, claims = make_group(root, {"台账.txt": "核查疑点数据 21099 条"})
        cli("link", group, claims[0], 1, "--actor", "李会计")
        cli("export", group, root / "pkg.zip", "--actor", "李会计")
        review = root / "审核"
        cli("receive", root / "pkg.zip", review, "--actor", "王审计")
        cli("review", review, claims[0], "needs_more", "--request", "请补充回单", "--actor", "王审计")
        cli("reply", review, root / "ret.zip", "--actor", "王审计")
        cli("apply", group, root / "ret.zip", "--actor", "李会计")
        (folder / "回单.txt").write_text("追回 6,588,300.00 元", encoding="utf-8")
        cli("ingest", group, "--actor", "李会计")
        cli("link", group, claims[0], 2, "--actor", "李会计")
        cli("request", group, 1, "answered", "--actor", "李会计")
        cli("export", group, root / "sup.zip", "--since", root / "ret.zip", "--actor", "李会计")
        # another evaluation group, its own package, return and supplement
        other_root = root / "other"
        other_root.mkdir()
        other, ofolder, oclaims = make_group(other_root, {"明细.txt": "明细 42 名"})
        cli("link", other, oclaims[0], 1, "--actor", "张会计")
        cli("export", other, other_root / "pkg.zip", "--actor", "张会计")
        oreview = other_root / "审核"
        cli("receive", other_root / "pkg.zip", oreview, "--actor", "赵处长")
        cli("review", oreview, oclaims[0], "verified", "--actor", "赵处长")
        cli("reply", oreview, other_root / "ret.zip", "--actor", "赵处长")
        cli("request", other, 1, "answered", ok=2)  # (no requests there: a usage error, nothing else)
        cli("link", other, oclaims[1], 1, "--actor", "张会计")
        cli("export", other, other_root / "sup.zip", "--since", other_root / "pkg.zip", "--actor", "张会计")
        yield {"root": root, "group": group, "review": review, "ret": root / "ret.zip", "sup": root / "sup.zip",
               "other_ret": other_root / "ret.zip", "other_sup": other_root / "sup.zip",
               "other_pkg": other_root / "pkg.zip"}


@pytest.fixture
def ws(trip, tmp_path):
    """Fresh copies of both workspaces for each test."""
    group, review = tmp_path / "group", tmp_path / "review"
    shutil.copytree(trip["group"], group)
    shutil.copytree(trip["review"], review)
    return {"group": group, "review": review}


def rewrite(src: Path, dest: Path, *, drop=(), replace=None, add=(), manifest=None, keep_manifest_hashes=False):
    """A copy of zip ``src`` with members dropped, replaced or added; ``manifest(m)`` edits the manifest.
    Replaced members get their manifest entry updated unless ``keep_manifest_hashes``."""
    import hashlib

    replace = replace or {}
    with zipfile.ZipFile(src) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    m = json.loads(dict((i.filename, d) for i, d in items)["manifest.json"])
    if not keep_manifest_hashes:
        for entry in m["members"]:
            if entry["path"] in replace:
                data = replace[entry["path"]]
                entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    if manifest:
        manifest(m)
    with zipfile.ZipFile(dest, "w") as out:
        for info, data in items:
            if info.filename in drop:
                continue
            if info.filename == "manifest.json":
                data = json.dumps(m, ensure_ascii=False).encode("utf-8")
            out.writestr(info, replace.get(info.filename, data))
        for info, data in add:
            out.writestr(info, data)
    return dest


def member(name: str, *, utf8=True, mode=0o100644, compress=zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2025, 5, 1, 0, 0, 0))
    info.external_attr = mode << 16
    info.compress_type = compress
    if utf8:
        info.flag_bits |= UTF8
    return info


def with_gbk_name(path: Path, name: str) -> Path:
    """Add a member named in GBK bytes without the UTF-8 flag, as an old Chinese archiver writes it
    (zipfile itself would write UTF-8 and set the flag: the name bytes are patched in afterwards)."""
    raw = name.encode("gbk")
    placeholder = ("Q" * (len(raw) - 4) + ".pdf").encode("ascii")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(member(placeholder.decode(), utf8=False), b"%PDF-1.4")
    data = path.read_bytes()
    assert data.count(placeholder) == 2  # local header and central directory
    path.write_bytes(data.replace(placeholder, raw))
    with zipfile.ZipFile(path) as zf:
        assert raw.decode("cp437") in zf.namelist()
    return path


def refused(args, target: Path, code: int, *words: str):
    before = snapshot(target)
    res = cli(*args, ok=code)
    for w in words:
        assert w in res.err, res.err
    assert snapshot(target) == before, "something was written"
    return res


# --- returns (apply) -------------------------------------------------------------------------


def test_truncated_return(trip, ws, tmp_path):
    data = trip["ret"].read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    refused(("apply", ws["group"], cut), ws["group"], 2, "不是有效的 zip")


@pytest.mark.parametrize("name", ["审核意见书.pdf", "return.json", "补充材料通知单.pdf", "审核意见书.xlsx"])
def test_tampered_return_member_is_named(trip, ws, tmp_path, name):
    with zipfile.ZipFile(trip["ret"]) as zf:
        data = bytearray(zf.read(name))
    data[len(data) // 2] ^= 0x01
    bad = rewrite(trip["ret"], tmp_path / "bad.zip", replace={name: bytes(data)}, keep_manifest_hashes=True)
    refused(("apply", ws["group"], bad), ws["group"], 1, name, "内容与清单不符")


def test_return_rewritten_consistently_but_not_by_its_chain(trip, ws, tmp_path):
    """return.json changed and the manifest re-hashed to match: the audit chain inside gives it away."""
    with zipfile.ZipFile(trip["ret"]) as zf:
        body = json.loads(zf.read("return.json"))
    body["reviews"][0]["state"] = "verified"
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    bad = rewrite(trip["ret"], tmp_path / "bad.zip", replace={"return.json": data})
    refused(("apply", ws["group"], bad), ws["group"], 1, "return.json")


def test_return_from_another_workspace(trip, ws):
    refused(("apply", ws["group"], trip["other_ret"]), ws["group"], 2, "另一个工作区")


def test_return_from_the_future(trip, ws, tmp_path):
    bad = rewrite(trip["ret"], tmp_path / "new.zip", manifest=lambda m: m.update(format_version=99))
    refused(("apply", ws["group"], bad), ws["group"], 2, "格式版本为 99")


def test_a_package_is_not_a_return(trip, ws):
    refused(("apply", ws["group"], trip["sup"]), ws["group"], 2, "格式不对")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt", "C:/evil.txt",
                                  "a\\..\\evil.txt"])
def test_return_with_unsafe_member_names(trip, ws, tmp_path, name):
    bad = rewrite(trip["ret"], tmp_path / "bad.zip", add=[(member(name), b"x")],
                  manifest=lambda m: m["members"].append({"path": name, "size": 1, "sha256": "0" * 64}))
    refused(("apply", ws["group"], bad), ws["group"], 2, "不安全")
    assert not (tmp_path / "evil.txt").exists() and not (ws["group"].parent / "evil.txt").exists()


def test_return_with_a_symlink(trip, ws, tmp_path):
    bad = rewrite(trip["ret"], tmp_path / "bad.zip",
                  add=[(member("link.pdf", mode=stat.S_IFLNK | 0o777), b"/etc/passwd")])
    refused(("apply", ws["group"], bad), ws["group"], 2, "符号链接")


def test_return_zip_bomb(trip, ws, tmp_path):
    """A member that inflates a thousandfold (20 MB of zeros in 20 KB) is refused before it is read."""
    bomb = member("炸弹.bin", compress=zipfile.ZIP_DEFLATED)
    bad = rewrite(trip["ret"], tmp_path / "bomb.zip", add=[(bomb, bytes(20 << 20))])
    assert (tmp_path / "bomb.zip").stat().st_size < 200_000
    refused(("apply", ws["group"], bad), ws["group"], 2, "炸弹.bin")


def test_return_with_gbk_member_names(trip, ws, tmp_path):
    """An old archiver writes GBK bytes without the UTF-8 flag: Python reads them as cp437 mojibake."""
    bad = with_gbk_name(rewrite(trip["ret"], tmp_path / "gbk.zip"), "审核意见书副本.pdf")
    refused(("apply", ws["group"], bad), ws["group"], 2, "UTF-8")


def test_deflate_stream_cut_inside_a_member(trip, ws, tmp_path):
    """Sizes intact, the compressed bytes of return.json garbled: refused as a changed member."""
    with zipfile.ZipFile(trip["ret"]) as zf:
        info = zf.getinfo("return.json")
        offset = info.header_offset
    data = bytearray(trip["ret"].read_bytes())
    start = offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10: start + 40] = zlib.compress(b"garbage")[:30]
    bad = tmp_path / "garbled.zip"
    bad.write_bytes(bytes(data))
    refused(("apply", ws["group"], bad), ws["group"], 1, "return.json")


# --- supplements (receive into the review workspace) -------------------------------------------


def test_truncated_supplement(trip, ws, tmp_path):
    data = trip["sup"].read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) - 4000])
    refused(("receive", cut, ws["review"]), ws["review"], 2, "不是有效的 zip")


def test_tampered_supplement_member_is_named(trip, ws, tmp_path):
    with zipfile.ZipFile(trip["sup"]) as zf:
        name = next(n for n in zf.namelist() if n.startswith("佐证材料/"))
        data = bytearray(zf.read(name))
    data[0] ^= 0x01
    bad = rewrite(trip["sup"], tmp_path / "bad.zip", replace={name: bytes(data)}, keep_manifest_hashes=True)
    refused(("receive", bad, ws["review"]), ws["review"], 1, name)


def test_supplement_package_db_not_matching_the_manifest(trip, ws, tmp_path):
    """A new file slipped in and listed in the manifest but not in package.db: named, refused."""
    bad = rewrite(trip["sup"], tmp_path / "bad.zip", add=[(member("佐证材料/001_x/E99_假.txt"), b"fake")],
                  manifest=lambda m: m["members"].append(
                      {"path": "佐证材料/001_x/E99_假.txt", "size": 4,
                       "sha256": __import__("hashlib").sha256(b"fake").hexdigest()}))
    refused(("receive", bad, ws["review"]), ws["review"], 1, "E99_假.txt")


def test_supplement_for_another_package(trip, ws):
    refused(("receive", trip["other_sup"], ws["review"]), ws["review"], 2, "另一个佐证材料包")


def test_another_package_into_a_review_workspace(trip, ws):
    refused(("receive", trip["other_pkg"], ws["review"]), ws["review"], 2, "另一个佐证材料包")


def test_supplement_from_another_workspace_claiming_this_package(trip, ws, tmp_path):
    """Another group's supplement relabelled as following this package (manifest and package.db agree
    with each other, the audit chain does not continue this one): refused in words."""
    import sqlite3

    pid = json.loads(zipfile.ZipFile(trip["sup"]).read("manifest.json"))["since"]["package_id"]
    with zipfile.ZipFile(trip["other_sup"]) as zf:
        db = zf.read("package.db")
    tmp = tmp_path / "package.db"
    tmp.write_bytes(db)
    conn = sqlite3.connect(tmp)
    since = json.loads(conn.execute("SELECT value FROM package WHERE key = 'since'").fetchone()[0])
    since["package_id"] = pid
    conn.execute("UPDATE package SET value = ? WHERE key = 'since'", (json.dumps(since),))
    conn.commit()
    conn.close()

    def relabel(m):
        m["since"]["package_id"] = pid

    bad = rewrite(trip["other_sup"], tmp_path / "bad.zip", replace={"package.db": tmp.read_bytes()},
                  manifest=relabel)
    refused(("receive", bad, ws["review"]), ws["review"], 2, "另一个工作区")


def test_supplement_from_the_future(trip, ws, tmp_path):
    bad = rewrite(trip["sup"], tmp_path / "new.zip", manifest=lambda m: m.update(format_version=7))
    refused(("receive", bad, ws["review"]), ws["review"], 2, "格式版本为 7")


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil.txt"])
def test_supplement_with_unsafe_member_names(trip, ws, tmp_path, name):
    bad = rewrite(trip["sup"], tmp_path / "bad.zip", add=[(member(name), b"x")])
    refused(("receive", bad, ws["review"]), ws["review"], 2, "不安全")


def test_supplement_with_a_symlink_and_gbk_name(trip, ws, tmp_path):
    bad = rewrite(trip["sup"], tmp_path / "bad.zip",
                  add=[(member("佐证材料/link", mode=stat.S_IFLNK | 0o777), b"/etc/passwd")])
    res = refused(("receive", with_gbk_name(bad, "补充材料说明.pdf"), ws["review"]), ws["review"], 2, "符号链接")
    assert "UTF-8" in res.err


def test_supplement_zip_bomb(trip, ws, tmp_path):
    bad = rewrite(trip["sup"], tmp_path / "bomb.zip",
                  add=[(member("佐证材料/bomb.bin", compress=zipfile.ZIP_DEFLATED), bytes(20 << 20))])
    refused(("receive", bad, ws["review"]), ws["review"], 2, "bomb.bin")


def test_the_good_files_still_go_through(trip, ws):
    """The same fixtures, untouched, are taken (so the refusals above are about the damage alone)."""
    cli("receive", trip["sup"], ws["review"])
    assert cli("apply", ws["group"], trip["ret"], "--json").json["already"] is True
