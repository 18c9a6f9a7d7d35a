"""Build ``wqy-microhei-gb2312.ttf``: WenQuanYi Micro Hei cut down to the characters of GB 2312 (6,763
hanzi and its symbols), ASCII, Latin-1, common punctuation and every character of EvidenceDesk's own
wording (``desktop/text``).

Why: fpdf2 reads a font's whole glyph table to embed a subset, and the full font has 49,531 glyphs; this
one has about 8,000, so a generated PDF page costs a quarter of the time. A document using a character
outside it is drawn again with the full font (see ``desktop/exchange/pdfdraw.py``).

    .venv/bin/python resources/fonts/make_quick_font.py [path/to/wqy-microhei.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset, ttLib

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def characters() -> set[int]:
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    chars |= set(range(0x2000, 0x2070)) | set(range(0x2100, 0x2200)) | set(range(0x2460, 0x2500))
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0)) | set(range(0x2500, 0x2600))
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    for module in sorted((REPO / "desktop" / "text").glob("*.py")):
        chars |= {ord(c) for c in module.read_text(encoding="utf-8") if ord(c) >= 0x20}
    return chars


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else HERE / "wqy-microhei.ttc"
    font = ttLib.TTFont(source, fontNumber=0)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = True  # a post table with names: loading need not derive them from the cmap
    options.drop_tables += ["FFTM"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=characters())
    sub.subset(font)
    out = HERE / "wqy-microhei-gb2312.ttf"
    font.save(out)
    print(f"{out.name}: {len(font.getGlyphOrder())} glyphs, {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
