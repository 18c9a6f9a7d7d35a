"""Thumbnails from real images and PDFs: EXIF orientation, JPEG draft decoding, the bomb guard."""

from __future__ import annotations

import io

from PIL import Image

from desktop.evidence import thumbnails
from tests.evidence.corpus import bomb_png
from tests.evidence.helpers import DEMO


def _jpeg_rotated(tmp_path):
    """A 400×200 landscape JPEG whose EXIF says "rotate 90°": it must come out as a portrait."""
    im = Image.new("RGB", (400, 200), "#2e7d32")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    p = tmp_path / "phone.jpg"
    p.write_bytes(buf.getvalue())
    return p


def test_image_thumbnail_follows_exif_orientation(tmp_path):
    src = _jpeg_rotated(tmp_path)
    res = thumbnails.make_thumbnail(src, "jpg", tmp_path / "thumbs", "ab" * 32)
    assert res.status == "made"
    with Image.open(res.path) as im:
        assert im.format == "PNG" and im.height > im.width and max(im.size) <= thumbnails.SIZE


def test_pdf_thumbnail_is_its_first_page(tmp_path):
    res = thumbnails.make_thumbnail(DEMO / "指标3.1_追回待遇_银行回单.pdf", "pdf", tmp_path, "cd" * 32)
    with Image.open(res.path) as im:
        assert res.status == "made" and max(im.size) == thumbnails.SIZE and im.height > im.width  # A4


def test_bombs_and_corrupt_images_are_refused_once(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png())
    res = thumbnails.make_thumbnail(bomb, "png", tmp_path / "t", "ef" * 32)
    assert (res.status, res.error) == ("error", "image_too_large")
    assert not thumbnails.needs_thumbnail(tmp_path / "t", "ef" * 32, "png")  # not tried again at every start
    broken = tmp_path / "broken.jpg"
    broken.write_bytes((DEMO / "镇村通服务网点现场照片.jpg").read_bytes()[:300])
    res = thumbnails.make_thumbnail(broken, "jpg", tmp_path / "t", "01" * 32)
    assert (res.status, res.error) == ("error", "image_corrupt")


def test_other_types_have_no_thumbnail(tmp_path):
    assert not thumbnails.wants_thumbnail("xlsx") and thumbnails.wants_thumbnail("PDF")
    res = thumbnails.make_thumbnail(DEMO / "疑点数据核查台账2024.xlsx", "xlsx", tmp_path, "23" * 32)
    assert res.status == "none" and not list(tmp_path.rglob("*.png"))
