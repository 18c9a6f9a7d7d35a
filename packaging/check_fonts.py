"""Refuse to build a bundle that would ship a font without its licence.

    python packaging/check_fonts.py resources/fonts

Every font file (``.ttf .otf .ttc .otc``) in the folder needs a licence text beside it (a file whose name
contains LICENSE, LICENCE, OFL or COPYING). A missing folder is fine (no font shipped yet). Prints what
ships.
"""

from __future__ import annotations

import sys
from pathlib import Path

FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}
LICENCE_WORDS = ("LICENSE", "LICENCE", "OFL", "COPYING")


def font_problems(folder: Path) -> tuple[list[str], list[str]]:
    """``(fonts, problems)`` for the fonts directly in ``folder`` (and its sub-folders, each on its own)."""
    fonts, problems = [], []
    if not folder.is_dir():
        return fonts, problems
    for font in sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES):
        fonts.append(str(font.relative_to(folder)))
        licences = [p for p in font.parent.iterdir()
                    if p.is_file() and any(w in p.name.upper() for w in LICENCE_WORDS)]
        if not licences:
            problems.append(f"{font.relative_to(folder)}: no licence file beside it")
    return fonts, problems


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("resources/fonts")
    fonts, problems = font_problems(folder)
    for p in problems:
        print(f"check_fonts: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_fonts: {len(fonts)} font file(s) in {folder}" + (f": {', '.join(fonts)}" if fonts else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
