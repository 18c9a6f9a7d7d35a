from __future__ import annotations

from pathlib import Path

import pytest

from tests.claims.score import SAMPLES

SAMPLE_TXT = SAMPLES / "zhanjiang-shebao-2024-self-evaluation.txt"
SAMPLE_GOLD = SAMPLES / "zhanjiang-shebao-2024-self-evaluation.gold.jsonl"


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE_TXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_gold() -> list[dict]:
    from tests.claims.score import load_gold

    return load_gold(SAMPLE_GOLD)


@pytest.fixture(scope="session")
def generated(tmp_path_factory, sample_text):
    """The sample as a hard-wrapped PDF with running header and page footers, and as a DOCX."""
    from tests.claims.makefiles import make_docx, make_pdf

    folder: Path = tmp_path_factory.mktemp("generated")
    pdf = folder / "sample.pdf"
    pages = make_pdf(sample_text, pdf)
    docx = folder / "sample.docx"
    make_docx(sample_text, docx)
    return {"pdf": pdf, "pdf_pages": pages, "docx": docx}
