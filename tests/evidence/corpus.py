"""A generated corpus of bad files (no committed binaries), beside good ones.

``make_corpus(folder)`` writes it and returns what each file should come to:

* ``ok`` — registered, text read (or an image without OCR);
* ``("error", code)`` — registered (its bytes are kept), with an error on the evidence;
* ``("failed", code)`` — not registered, shown as a failed file with that error;
* ``ignored`` — a temp / lock file: never registered.

Also ``DELETE_DURING_COPY``: the engine's copy hook deletes that file while it is being copied.
Keys are file names relative to the folder, as bytes (some are not valid UTF-8).
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

from tests.evidence.helpers import DEMO

DELETE_DURING_COPY = "复制中/复制时被删除.bin"  # alone in its folder: only that folder's mtime moves
UNREADABLE = "无权限.pdf"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(side: int = 20000) -> bytes:
    """A valid 1-bit PNG of side × side pixels (400 megapixels) that compresses to ~50 KB."""
    row = b"\x00" * (1 + (side + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def small_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (300, 200), "#c62828").save(buf, "PNG")
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(DEMO / "指标3.1_追回待遇_银行回单.pdf"))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_corpus(folder: Path) -> dict[bytes, object]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[bytes, object] = {}
    base = os.fsencode(folder)

    def put(name: str | bytes, data: bytes, outcome: object) -> bytes:
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        path = os.path.join(base, raw)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        expect[raw] = outcome
        return path

    bank = (DEMO / "指标3.1_追回待遇_银行回单.pdf").read_bytes()
    photo = (DEMO / "镇村通服务网点现场照片.jpg").read_bytes()
    # good files
    put("银行回单.pdf", bank, "ok")
    put("台账.xlsx", (DEMO / "疑点数据核查台账2024.xlsx").read_bytes(), "ok")
    put("会议纪要.docx", (DEMO / "党委会会议记录汇总2024.docx").read_bytes(), "ok")
    put("现场照片.jpg", photo, "ok")
    put("说明（GBK 编码）.txt", "追回多发待遇 658.83 万元".encode("gbk"), "ok")
    put("子目录/补充说明.txt", "核查疑点数据 21,099 条".encode("utf-8"), "ok")
    put("整改报告.txt".encode("gbk"), "整改 14 项".encode("utf-8"), "ok")  # a name from a Windows zip
    put(b"scan-\xff\xfe.pdf", (DEMO / "2024年度部门决算报表（收入支出决算总表）.pdf").read_bytes(), "ok")
    # registered, with an error on the evidence
    put("截断的回单.pdf", bank[: len(bank) // 2], ("error", "pdf_corrupt"))
    put("加密的回单.pdf", encrypted_pdf(), ("error", "pdf_encrypted"))
    put("损坏的照片.jpg", photo[: len(photo) // 2], ("error", "image_corrupt"))
    png = small_png()
    put("损坏的截图.png", png[: len(png) // 2], ("error", "image_corrupt"))
    put("解压炸弹.png", bomb_png(), ("error", "image_too_large"))
    put("改了扩展名.docx", b"PK\x03\x04 not really a zip", ("error", "docx_corrupt"))
    put("改了扩展名.xlsx", os.urandom(2048), ("error", "xlsx_corrupt"))
    # not registered
    put("空文件.pdf", b"", ("failed", "empty"))
    put("空文件.txt", b"", ("failed", "empty"))
    os.chmod(put(UNREADABLE, bank + b"%unreadable", ("failed", "permission_denied")), 0)
    put(DELETE_DURING_COPY, os.urandom(3 << 20), ("failed", "vanished_during_copy"))
    os.symlink("循环B", os.path.join(base, "循环A".encode()))
    os.symlink("循环A", os.path.join(base, "循环B".encode()))
    expect["循环A".encode()] = expect["循环B".encode()] = ("failed", "symlink_loop")
    os.symlink("不存在的文件.pdf", os.path.join(base, "断开的链接.pdf".encode()))
    expect["断开的链接.pdf".encode()] = ("failed", "broken_link")
    # temp and lock files
    for name in ("~$会议纪要.docx", ".~台账.xlsx", ".~lock.台账.xlsx#", "~WRL0001.tmp", "Thumbs.db",
                 "__MACOSX/._现场照片.jpg", "下载中.pdf.crdownload"):
        put(name, b"lock", "ignored")
    return expect
