"""Make the app's PNG icons and Windows ``.ico`` from the one SVG source, ``resources/icons/evidence-desk.svg``.

    python packaging/make_icons.py [--svg SVG] [--out build/icons]

writes ``evidence-desk-<N>.png`` for every size in :data:`PNG_SIZES` (the Linux desktop's hicolor sizes)
and ``evidence-desk.ico`` (the sizes in :data:`ICO_SIZES`, each drawn at its own size, not scaled down from
the largest). Part of the build: the PyInstaller spec runs it before anything else.

Qt's own SVG renderer (QtSvg, already in the app's PySide6 wheel) draws the SVG, offscreen; Pillow writes
the files. No other renderer (cairo, rsvg, Inkscape) is needed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "evidence-desk.svg"
NAME = "evidence-desk"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(svg: Path, sizes: tuple[int, ...]):
    """``{size: PIL.Image (RGBA)}``: the SVG drawn at each size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - keeps Qt's GUI up
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not an SVG Qt can draw")
    images = {}
    for size in sizes:
        qimage = QImage(size, size, QImage.Format.Format_RGBA8888)
        qimage.fill(Qt.GlobalColor.transparent)
        painter = QPainter(qimage)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        raw = bytes(qimage.constBits())[: size * size * 4]  # rows of an RGBA8888 image carry no padding
        images[size] = Image.frombytes("RGBA", (size, size), raw)
    return images


def make_icons(svg: Path = SVG, out: Path = ROOT / "build" / "icons") -> dict[str, Path]:
    """Write the PNGs and the ``.ico`` into ``out``; returns ``{"png-16": path, …, "ico": path}``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    images = render(Path(svg), tuple(sorted(set(PNG_SIZES) | set(ICO_SIZES))))
    written: dict[str, Path] = {}
    for size in PNG_SIZES:
        path = out / f"{NAME}-{size}.png"
        images[size].save(path, format="PNG", optimize=True)
        written[f"png-{size}"] = path
    largest = images[max(ICO_SIZES)]
    ico = out / f"{NAME}.ico"
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    written["ico"] = ico
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "icons")
    args = parser.parse_args(argv)
    written = make_icons(args.svg, args.out)
    print(f"make_icons: {len(written)} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
