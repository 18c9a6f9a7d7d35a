"""Thumbnails: PNGs in ``thumbs/ab/<sha256>.png``, a cache derived from the store.

Images go through Pillow: ``draft()`` lets JPEG decode at 1/2…1/8 scale, EXIF orientation is applied,
and ``MAX_IMAGE_PIXELS`` refuses decompression bombs before any pixel is decoded. PDFs render their
first page with pypdfium2 (under the process-wide pdfium lock). Other types have no thumbnail: the GUI
draws an icon per type. A thumbnail is written to a temp file and renamed, so a crash leaves no partial
PNG (temp files are removed by :func:`clean_temp`). Because the file's existence is the whole state, no
database row changes: there is nothing to audit.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from desktop.evidence.text import IMAGE_EXTS, IMAGE_MAX_PIXELS, PDFIUM_LOCK

SIZE = 256
MAX_PIXELS = IMAGE_MAX_PIXELS  # above this an image is refused as a possible decompression bomb
PDF_EXTS = {"pdf"}
THUMB_EXTS = IMAGE_EXTS | PDF_EXTS


@dataclass
class ThumbResult:
    status: str  # made / none / error
    path: Path | None = None
    error: str | None = None  # image_too_large / image_corrupt / pdf_encrypted / pdf_corrupt
    detail: str | None = None


def thumb_path(thumbs_dir: Path, sha256: str) -> Path:
    return Path(thumbs_dir) / sha256[:2] / f"{sha256}.png"


def none_marker(thumbs_dir: Path, sha256: str) -> Path:
    """Written when no thumbnail can be made (a corrupt image…), so it is not tried at every start."""
    return Path(thumbs_dir) / sha256[:2] / f"{sha256}.none"


def needs_thumbnail(thumbs_dir: Path, sha256: str, ext: str | None) -> bool:
    return (wants_thumbnail(ext) and not thumb_path(thumbs_dir, sha256).exists()
            and not none_marker(thumbs_dir, sha256).exists())


def wants_thumbnail(ext: str | None) -> bool:
    return (ext or "").lower() in THUMB_EXTS


def clean_temp(thumbs_dir: Path) -> int:
    n = 0
    root = Path(thumbs_dir)
    if not root.is_dir():
        return 0
    for sub in root.iterdir():
        if sub.is_dir():
            for p in sub.glob("*.tmp"):
                try:
                    p.unlink()
                    n += 1
                except OSError:
                    pass
    return n


def make_thumbnail(src: Path, ext: str | None, thumbs_dir: Path, sha256: str, size: int = SIZE) -> ThumbResult:
    """Make the thumbnail of store object ``src`` (type from ``ext``); never raises for a bad file."""
    ext = (ext or "").lower()
    dest = thumb_path(thumbs_dir, sha256)
    if dest.exists():
        return ThumbResult("made", dest)
    try:
        if ext in IMAGE_EXTS:
            image = _image(src, size)
        elif ext in PDF_EXTS:
            image = _pdf_page(src, size)
        else:
            return ThumbResult("none")
    except _Refused as exc:
        _mark_none(thumbs_dir, sha256, exc.code)
        return ThumbResult("error", error=exc.code, detail=exc.detail)
    if image is None:
        _mark_none(thumbs_dir, sha256, "empty")
        return ThumbResult("none")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{sha256[:12]}-", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, "PNG", optimize=False)
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return ThumbResult("made", dest)


def _mark_none(thumbs_dir: Path, sha256: str, code: str) -> None:
    marker = none_marker(thumbs_dir, sha256)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(code, encoding="ascii")


class _Refused(Exception):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def _image(src: Path, size: int):
    from PIL import ImageOps

    from desktop.evidence.text import _pillow

    Image = _pillow()

    with warnings.catch_warnings():
        # Pillow warns between MAX_IMAGE_PIXELS and twice that, and raises above: both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(src) as im:
                im.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a fraction of full size
                im = ImageOps.exif_transpose(im)
                im.thumbnail((size, size))
                if im.mode not in ("RGB", "RGBA", "L", "LA"):
                    im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
                return im.copy()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _Refused("image_too_large", str(exc)) from None
        except MemoryError as exc:
            raise _Refused("image_too_large", str(exc)) from None
        except Exception as exc:  # truncated, corrupt, unknown format: Pillow raises many kinds
            raise _Refused("image_corrupt", f"{type(exc).__name__}: {exc}") from None


def _pdf_page(src: Path, size: int):
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(src))
        except pdfium.PdfiumError as exc:
            code = "pdf_encrypted" if "password" in str(exc).lower() else "pdf_corrupt"
            raise _Refused(code, str(exc)) from None
        try:
            if len(pdf) == 0:
                return None
            page = pdf[0]
            try:
                w, h = page.get_size()
                scale = size / max(w, h, 1)
                bitmap = page.render(scale=scale)
                try:
                    return bitmap.to_pil().copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise _Refused("pdf_corrupt", str(exc)) from None
        finally:
            pdf.close()
