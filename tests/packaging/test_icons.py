"""The icon script makes every PNG size and the .ico from the one SVG (run as the build runs it)."""

from __future__ import annotations

import pytest

import os
import subprocess
import sys

from PIL import Image

from tests.conftest import REPO
from tests.packaging.helpers import load, path

make_icons = load("make_icons")


@pytest.mark.qt  # the SVG is drawn with QtSvg
def test_icons_are_drawn_from_the_svg_at_every_size(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    res = subprocess.run([sys.executable, str(path("make_icons.py")), "--out", str(tmp_path)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    for size in make_icons.PNG_SIZES:
        with Image.open(tmp_path / f"evidence-desk-{size}.png") as im:
            assert im.format == "PNG" and im.size == (size, size) and im.mode == "RGBA"
            alpha = im.getchannel("A")
            assert alpha.getpixel((0, 0)) == 0  # the rounded page leaves the corner transparent
            assert alpha.getpixel((size // 2, size // 2)) == 255  # the page itself is opaque
            # the green seal is drawn (bottom right quarter has green-dominant pixels)
            r, g, b, _ = im.getpixel((int(size * 0.69), int(size * 0.64)))
            assert g > r and g > b, (size, (r, g, b))
    with Image.open(tmp_path / "evidence-desk.ico") as ico:
        assert ico.format == "ICO"
        assert set(ico.ico.sizes()) == {(s, s) for s in make_icons.ICO_SIZES}
        small = ico.ico.getimage((16, 16)).convert("RGBA")
    with Image.open(tmp_path / "evidence-desk-16.png") as png16:
        assert small.tobytes() == png16.convert("RGBA").tobytes()  # drawn at 16 px, not scaled from 256


def test_the_build_uses_them():
    spec = path("evidence-desk.spec").read_text(encoding="utf-8")
    assert "make_icons.py" in spec and 'ICONS / "evidence-desk.ico"' in spec
    iss = (REPO / "packaging" / "windows" / "evidence-desk.iss").read_text(encoding="utf-8")
    assert "evidence-desk.ico" in iss
    assert (REPO / "resources" / "icons" / "evidence-desk.svg").is_file()  # the window's icon (desktop/ui/app.py)
