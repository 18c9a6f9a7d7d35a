"""Generated PDF pages (fpdf2) with an embedded, subset CJK font.

fpdf2 reads the whole glyph table of the font it embeds a subset of, which for a full CJK font (50,000
glyphs) costs a second or more per document. So a document is first drawn with the *quick* font shipped
in ``resources/fonts`` (WenQuanYi Micro Hei cut down to GB 2312 and our own wording, Apache-2.0); if it
used a character that font lacks, it is drawn again with the *full* font: the computer's own Chinese
TrueType font where there is one, else the full WenQuanYi Micro Hei shipped beside the quick one.
:func:`draw_pdf` does that; a caller draws all its pages into one document where it can.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from desktop.resources import resources_dir

T = TypeVar("T")
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


def quick_font() -> Path | None:
    p = resources_dir() / "fonts" / "wqy-microhei-gb2312.ttf"
    return p if p.is_file() else None


@functools.lru_cache(maxsize=1)
def font_path() -> Path:
    """The full CJK font (``EVIDENCE_DESK_PDF_FONT`` overrides)."""
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


def new_pages(font: Path | None = None):
    """A fresh fpdf2 document in points, A4, with a CJK font (default: the full one) and no automatic
    page breaks."""
    from fpdf import FPDF

    logging.getLogger("fpdf").setLevel(logging.ERROR)  # a glyph missing even from the full font: drawn blank
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT_FAMILY, fname=str(font or font_path()))
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.set_creator("EvidenceDesk")
    pdf.set_producer("EvidenceDesk")
    return pdf


def draw_pdf(draw: Callable[[Any], T], dest: Path) -> T:
    """Run ``draw(pdf)`` on a fresh document and write it to ``dest``: with the quick font, or — when
    the drawing used a character the quick font lacks — again from the start with the full font.
    ``draw`` must leave no trace but in ``pdf`` and in what it returns (it may run twice)."""
    quick = quick_font()
    if quick is not None:
        with open_pages(quick) as pdf:
            result = draw(pdf)
            if not missing_glyphs(pdf):
                pdf.output(str(dest))
                return result
    with open_pages() as pdf:
        result = draw(pdf)
        pdf.output(str(dest))
        return result


def missing_glyphs(pdf) -> list[int]:
    return [c for font in pdf.fonts.values() for c in getattr(font, "missing_glyphs", [])]


@contextmanager
def open_pages(font: Path | None = None) -> Iterator[Any]:
    """:func:`new_pages`, whose font files are closed when the block ends (fpdf2 leaves them open)."""
    pdf = new_pages(font)
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
NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)]}%％…—")


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
            if line and line_w + w > width and ch not in NO_LINE_START:
                out.append(line)
                line, line_w = "", 0.0
            line += ch
            line_w += w
        out.append(line)
    return out


def pdf_bytes(pdf) -> bytes:
    return bytes(pdf.output())
