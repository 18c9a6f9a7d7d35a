"""Generated PDF pages (fpdf2) with an embedded, subset CJK font.

The font is the computer's own Chinese TrueType font where there is one, else the one shipped in
``resources/fonts`` (WenQuanYi Micro Hei, Apache-2.0). Loading a CJK font costs about half a second, so a
caller draws all its pages into one :class:`Pages` document where it can.
"""

from __future__ import annotations

import functools
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from desktop.resources import resources_dir

FONT_FAMILY = "cjk"
A4 = (595.28, 841.89)  # points
MARGIN = 56.0

# TrueType-outline Chinese fonts (fpdf2 subsets TrueType; CFF-based OpenType such as Noto CJK is avoided).
_SYSTEM_FONTS = {
    "linux": ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"],
    "win32": ["msyh.ttc", "simhei.ttf", "simsun.ttc", "Deng.ttf"],
    "darwin": ["/Library/Fonts/Arial Unicode.ttf", "/System/Library/Fonts/Supplemental/Arial Unicode.ttf"],
}


@functools.lru_cache(maxsize=1)
def font_path() -> Path:
    """The CJK font used for generated pages (``EVIDENCE_DESK_PDF_FONT`` overrides)."""
    override = os.environ.get("EVIDENCE_DESK_PDF_FONT")
    if override and Path(override).is_file():
        return Path(override)
    key = "win32" if sys.platform == "win32" else "darwin" if sys.platform == "darwin" else "linux"
    for name in _SYSTEM_FONTS[key]:
        p = Path(name)
        if key == "win32":
            p = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts" / name
        if p.is_file():
            return p
    return shipped_font()


def shipped_font() -> Path:
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def new_pages():
    """A fresh fpdf2 document in points, A4, with the CJK font loaded and no automatic page breaks."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT_FAMILY, fname=str(font_path()))
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.set_creator("EvidenceDesk")
    pdf.set_producer("EvidenceDesk")
    return pdf


@contextmanager
def open_pages() -> Iterator[Any]:
    """:func:`new_pages`, whose font files are closed when the block ends (fpdf2 leaves them open)."""
    pdf = new_pages()
    try:
        yield pdf
    finally:
        for font in pdf.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()


def fit_text(pdf, text: str, width: float) -> str:
    """``text`` cut (with …) to fit ``width`` points in the current font."""
    text = text.replace("\n", " ")
    if pdf.get_string_width(text) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdf.get_string_width(text[:mid] + "…") <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


# punctuation that must not start a line (避头): it stays at the end of the line before, a little over
_NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)]}%％…—")


def wrap_lines(pdf, text: str, width: float) -> list[str]:
    """``text`` broken into lines that fit ``width`` (character by character: Chinese has no spaces)."""
    out: list[str] = []
    for para in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        para = para.replace("\t", "    ")
        if not para:
            out.append("")
            continue
        line = ""
        line_w = 0.0
        for ch in para:
            w = pdf.get_string_width(ch)
            if line and line_w + w > width and ch not in _NO_LINE_START:
                out.append(line)
                line, line_w = "", 0.0
            line += ch
            line_w += w
        out.append(line)
    return out


def pdf_bytes(pdf) -> bytes:
    return bytes(pdf.output())
