"""Hostile files for the parsing ceilings (issue 20), generated small on disk:

- :func:`docx_bomb` / :func:`xlsx_bomb`: ~1.5–2 MB Office files whose XML inflates to ~600 MB;
- :func:`xlsx_merged_everything`: a few KB, one merged range A1:XFD1048576;
- :func:`xlsx_far_cell`: a few KB, a single cell at XFD1048576;
- :func:`xlsx_cells`: a plain workbook of ``rows × cols`` numbers (1,000,000 cells: ~5 MB);
- :func:`text_report`: a report of ``mb`` MB of text (the sample repeated).

Written straight as zip members (openpyxl would itself expand the merged range while writing it).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MB = 1 << 20

_CT_DOCX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>')
_RELS_DOCX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'officeDocument" Target="word/document.xml"/></Relationships>')
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_CT_XLSX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS_XLSX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _repeat_into(zf: zipfile.ZipFile, name: str, head: bytes, unit: bytes, total: int, tail: bytes) -> None:
    block = unit * max(1, (1 * MB) // len(unit))
    with zf.open(name, "w", force_zip64=True) as f:
        f.write(head)
        written = len(head)
        while written < total:
            f.write(block)
            written += len(block)
        f.write(tail)


_MADE: dict[tuple, bytes] = {}


def _made_once(make):
    """Deflating hundreds of MB takes seconds: a bomb of a given kind and size is made once per process and
    its bytes written again for the next one asked for."""

    def wrapper(path: Path, inflated_mb: int = 600) -> Path:
        key = (make.__name__, inflated_mb)
        if key not in _MADE:
            _MADE[key] = make(path, inflated_mb).read_bytes()
        else:
            Path(path).write_bytes(_MADE[key])
        return path

    wrapper.__name__ = wrapper.__qualname__ = make.__name__
    wrapper.__doc__ = make.__doc__
    return wrapper


@_made_once
def docx_bomb(path: Path, inflated_mb: int = 600) -> Path:
    """A well-formed .docx whose document.xml is ``inflated_mb`` MB of numbered paragraphs."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CT_DOCX)
        zf.writestr("_rels/.rels", _RELS_DOCX)
        head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
        unit = "<w:p><w:r><w:t>追回资金 658.83 万元，核查 21099 条</w:t></w:r></w:p>".encode()
        _repeat_into(zf, "word/document.xml", head.encode(), unit, inflated_mb * MB, b"</w:body></w:document>")
    return path


def _xlsx(path: Path, sheet_xml: bytes | None = None, *, sheet_writer=None, level: int = 9) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _CT_XLSX)
        zf.writestr("_rels/.rels", _RELS_XLSX)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        if sheet_writer is not None:
            sheet_writer(zf)
        else:
            zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


@_made_once
def xlsx_bomb(path: Path, inflated_mb: int = 600) -> Path:
    """A well-formed .xlsx whose one sheet is ``inflated_mb`` MB of rows of inline strings and numbers."""
    unit = (b'<row><c t="inlineStr"><is><t>\xe8\xbf\xbd\xe5\x9b\x9e</t></is></c><c><v>658.83</v></c>'
            b'<c><v>21099</v></c></row>')

    def write(zf):
        _repeat_into(zf, "xl/worksheets/sheet1.xml", _SHEET_HEAD.encode() + b"<sheetData>", unit,
                     inflated_mb * MB, b"</sheetData></worksheet>")

    return _xlsx(path, sheet_writer=write)


def xlsx_merged_everything(path: Path) -> Path:
    """One value in A1 and one merged range over the whole sheet, A1:XFD1048576."""
    xml = (_SHEET_HEAD + '<dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>指标'
           '</t></is></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
           '</worksheet>')
    return _xlsx(path, xml.encode())


def xlsx_far_cell(path: Path) -> Path:
    """A single number in the last cell of the sheet, XFD1048576."""
    xml = (_SHEET_HEAD + '<sheetData><row r="1048576"><c r="XFD1048576"><v>658.83</v></c></row>'
           '</sheetData></worksheet>')
    return _xlsx(path, xml.encode())


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx_cells(path: Path, rows: int = 1000, cols: int = 1000) -> Path:
    """``rows × cols`` numbers (every cell a different one), with its dimension declared."""
    letters = [_col(c) for c in range(1, cols + 1)]

    def write(zf):
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write((_SHEET_HEAD + f'<dimension ref="A1:{letters[-1]}{rows}"/><sheetData>').encode())
            row = "".join(f'<c r="{letters[c]}\x00"><v>{c}.\x00</v></c>' for c in range(cols))
            for r in range(1, rows + 1):
                f.write(f'<row r="{r}">{row.replace(chr(0), str(r))}</row>'.encode())
            f.write(b"</sheetData></worksheet>")

    return _xlsx(path, sheet_writer=write, level=1)


def text_report(path: Path, mb: float) -> Path:
    """A .txt report of ``mb`` MB: the sample report repeated."""
    sample = (REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt").read_bytes()
    size = int(mb * MB)
    data = (sample + b"\n\n") * (size // (len(sample) + 2) + 1)
    data = data[:size]
    path.write_bytes(data.decode("utf-8", errors="ignore").encode("utf-8"))
    return path


def parse_forever(path: str, ext: str) -> None:
    """A parser stuck in a loop (run by reference in the parsing child: tests of the time limit)."""
    import time

    while True:
        time.sleep(0.05)
