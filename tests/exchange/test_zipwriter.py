"""The zip writer the exports use: one forward pass, each member's CRC known before its header, the file's
SHA-256 taken as it is written. Checked against zipfile, ``unzip -t`` where installed, and the bytes
themselves (every local header agrees with the central directory)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from desktop.exchange import zipwriter
from desktop.exchange.cancel import ExportCancelled
from desktop.exchange.zipwriter import UTF8_FLAG, ZipWriter

WHEN = dt.datetime(2026, 12, 7, 22, 0, 0)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_headers(path: Path) -> dict[str, tuple[int, int, int, int, bool]]:
    """Every local file header read straight from the bytes: name → (flags, CRC, compressed, size, ZIP64),
    the sizes taken from the ZIP64 extra field where the header defers to it."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            at = info.header_offset
            (sig, _ver, flags, _method, _t, _d, crc, csize, usize, nlen, elen) = struct.unpack(
                "<IHHHHHIIIHH", data[at:at + 30])
            assert sig == 0x04034B50
            name = data[at + 30:at + 30 + nlen].decode("utf-8")
            extra = data[at + 30 + nlen:at + 30 + nlen + elen]
            zip64 = usize == 0xFFFFFFFF or csize == 0xFFFFFFFF
            if zip64:
                tag, _size, usize, csize = struct.unpack("<HHQQ", extra[:20])
                assert tag == 1
            out[name] = (flags, crc, csize, usize, zip64)
    return out


def check(path: Path, expected: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
        assert [i.filename for i in infos] == list(expected)
        for info in infos:
            assert info.flag_bits & UTF8_FLAG
            assert zf.read(info) == expected[info.filename]
    headers = local_headers(path)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            flags, crc, csize, usize, _zip64 = headers[info.filename]
            assert not flags & 0x08  # no data descriptor: the header holds the real values
            assert (crc, csize, usize) == (info.CRC, info.compress_size, info.file_size)
    if shutil.which("unzip"):
        res = subprocess.run(["unzip", "-tq", str(path)], capture_output=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_members_of_every_kind_and_the_file_hash(tmp_path, monkeypatch):
    monkeypatch.setattr(zipwriter, "WHOLE", 64 << 10)  # members past 64 KB take the two-pass path
    monkeypatch.setattr(zipwriter, "PIECE", 48 << 10)
    monkeypatch.setattr(zipwriter, "FLUSH_EVERY", 100 << 10)  # the background flush runs
    small = b"%PDF-1.4 small"
    large = os.urandom(300_000)
    db = b"SQLite format 3\x00" + bytes(200_000)  # compresses: deflated, spooled past WHOLE
    (tmp_path / "small.pdf").write_bytes(small)
    (tmp_path / "large.pdf").write_bytes(large)
    (tmp_path / "package.db").write_bytes(db)
    out = tmp_path / "p.zip"
    w = ZipWriter(out, WHEN, None)
    seen: list[int] = []
    members = [
        w.add_file("报告/report.txt", tmp_path / "small.pdf"),
        w.add_file("佐证材料/001_指标/E1_大文件.pdf", tmp_path / "large.pdf", on_chunk=seen.append),
        w.add_bytes("空.txt", b"", compress=zipfile.ZIP_STORED),
        w.add_file("package.db", tmp_path / "package.db", compress=zipfile.ZIP_DEFLATED),
        w.add_bytes("manifest.json", b'{"a": 1}'),
    ]
    w.close()
    assert sum(seen) == len(large)
    assert [m["sha256"] for m in members] == [sha(small), sha(large), sha(b""), sha(db), sha(b'{"a": 1}')]
    assert [m["size"] for m in members] == [len(small), len(large), 0, len(db), 8]
    assert w.members == members
    assert w.sha256 == sha(out.read_bytes())
    check(out, {"报告/report.txt": small, "佐证材料/001_指标/E1_大文件.pdf": large, "空.txt": b"",
                "package.db": db, "manifest.json": b'{"a": 1}'})
    with zipfile.ZipFile(out) as zf:
        assert zf.getinfo("package.db").compress_type == zipfile.ZIP_DEFLATED
        assert zf.getinfo("package.db").compress_size < len(db) // 10


def test_zip64_headers_agree_with_the_central_directory(tmp_path, monkeypatch):
    """Past ZIP64_LIMIT (lowered here: 4 GiB of test data is not an option) sizes and offsets move into
    ZIP64 fields, in the local headers as in the central directory."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 50_000)
    monkeypatch.setattr(zipwriter, "WHOLE", 64 << 10)
    data = {f"佐证材料/E{i}.bin": os.urandom(40_000 + 30_000 * i) for i in range(3)}
    for i, (name, blob) in enumerate(data.items()):
        (tmp_path / f"{i}.bin").write_bytes(blob)
    out = tmp_path / "z64.zip"
    w = ZipWriter(out, WHEN, None)
    for i, name in enumerate(data):
        w.add_file(name, tmp_path / f"{i}.bin")
    w.close()
    assert w.sha256 == sha(out.read_bytes())
    check(out, data)
    assert [h[4] for h in local_headers(out).values()] == [False, True, True]
    with open(out, "rb") as f:
        assert b"PK\x06\x06" in f.read()  # the ZIP64 end of central directory record


def test_a_source_that_changes_between_the_two_passes_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(zipwriter, "WHOLE", 16 << 10)
    monkeypatch.setattr(zipwriter, "PIECE", 16 << 10)
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(100_000))
    real_begin = ZipWriter._begin

    def begin(self, *args):  # between the hashing pass and the copy, one byte changes
        data = bytearray(src.read_bytes())
        data[50_000] ^= 0xFF
        src.write_bytes(bytes(data))
        return real_begin(self, *args)

    monkeypatch.setattr(ZipWriter, "_begin", begin)
    w = ZipWriter(tmp_path / "x.zip", WHEN, None)
    with pytest.raises(OSError, match="changed"):
        w.add_file("big.bin", src)
    w.abort()


def test_cancel_stops_between_members_and_abort_leaves_a_closed_file(tmp_path):
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    for i in range(4):
        (tmp_path / f"{i}.bin").write_bytes(os.urandom(1000))
    out = tmp_path / "c.zip"
    w = ZipWriter(out, WHEN, cancel)
    with pytest.raises(ExportCancelled):
        for i in range(4):
            w.add_file(f"{i}.bin", tmp_path / f"{i}.bin")
    w.abort()
    w.abort()  # twice: nothing happens
    assert len(w.members) == 2
    out.unlink()  # closed: removable everywhere (Windows refuses an open file)


def test_duplicate_member_names_are_refused(tmp_path):
    w = ZipWriter(tmp_path / "d.zip", WHEN, None)
    w.add_bytes("a.txt", b"1")
    with pytest.raises(ValueError):
        w.add_bytes("a.txt", b"2")
    w.close()
    check(tmp_path / "d.zip", {"a.txt": b"1"})
