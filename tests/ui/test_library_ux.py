"""The evidence library as a new user meets it (issue 18): number-aware search with where each file matched
and an empty state that says what was searched; names not cut; a preview large enough to read; programs and
scripts marked and never opened; an encrypted PDF says it cannot be read and offers no 重试."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from desktop.text.library import ENCRYPTED_TEXT
from desktop.ui.panels.evidence_library.views import HitRole, two_lines


def _names(window) -> list[str]:
    m = window.evidence_model
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def _search(window, qtbot, text: str) -> None:
    lib = window.library
    lib.set_search_text(text)
    qtbot.waitUntil(lambda: not lib.searching, timeout=5000)


def _add(window, qtbot, path: Path) -> int:
    window.add_evidence([path])
    qtbot.waitUntil(lambda: path.name in _names(window), timeout=10000)
    m = window.evidence_model
    return m.evidence_id_at(_names(window).index(path.name))


def test_a_count_typed_without_separators_finds_the_ledger_with_where_and_what(window, qtbot):
    lib, m = window.library, window.evidence_model
    _search(window, qtbot, "21099")
    assert _names(window) == ["疑点数据核查台账2024.xlsx"]
    match = m.index(0, m.MATCH_COLUMN).data()
    assert match.startswith("台账!D12：") and "21,099" in match  # the locator and the snippet
    assert m.index(0, 0).data(HitRole) == match  # also drawn under the name, however narrow the pane
    assert lib.list_view.rowHeight(0) >= 40
    assert not lib.list_view.isColumnHidden(m.MATCH_COLUMN)
    assert lib.search_note.isVisibleTo(lib) and "找到 1 个文件" in lib.search_note.text()
    _search(window, qtbot, "")
    assert lib.list_view.isColumnHidden(m.MATCH_COLUMN) and not lib.search_note.isVisibleTo(lib)
    assert m.index(0, 0).data(HitRole) is None and lib.list_view.rowHeight(0) < 40


def test_an_amount_in_wan_finds_the_bank_slip_in_yuan(window, qtbot):
    m = window.evidence_model
    _search(window, qtbot, "658.83万")
    names = _names(window)
    assert "指标3.1_追回待遇_银行回单.pdf" in names  # (the ledger's 已追回 column states it too)
    match = m.index(names.index("指标3.1_追回待遇_银行回单.pdf"), m.MATCH_COLUMN).data()
    assert match.startswith("第 1 页：") and "6,588,300.00" in match


def test_nothing_found_says_what_was_searched_and_what_to_try(window, qtbot):
    lib = window.library
    _search(window, qtbot, "98765.43")
    assert _names(window) == []
    note = lib.search_note.text()
    assert "没有找到与“98765.43”相符的佐证材料" in note
    assert "数值“98765.43”" in note and "可以试试" in note  # searched as a number too, and what to try
    assert lib.search_note.isVisibleTo(lib)


def test_names_are_not_cut_to_a_few_characters_and_show_in_full_as_a_tooltip(window, qtbot):
    lib, m = window.library, window.evidence_model
    window.resize(1366, 768)
    qtbot.wait(50)
    view = lib.list_view
    assert view.columnWidth(0) >= 230  # about 16 characters; the rest elided in the middle
    row = _names(window).index("2024年度部门决算报表（收入支出决算总表）.pdf")
    tip = m.index(row, 0).data(3)  # ToolTipRole
    assert tip.splitlines()[0] == "2024年度部门决算报表（收入支出决算总表）.pdf"
    assert str(window.ws.watch_dir) in tip  # and its path
    # the grid writes each name under its thumbnail
    lib.set_view_mode("grid")
    grid = lib.grid_view
    assert grid.gridSize().height() - grid.iconSize().height() >= 40  # room for two lines of the name
    fm = grid.fontMetrics()
    lines = two_lines("2024年度部门决算报表（收入支出决算总表）.pdf", fm, grid.gridSize().width() - 8)
    assert len(lines) == 2 and lines[0].startswith("2024年度部门") and lines[1].endswith(".pdf")
    image = grid.viewport().grab().toImage()  # something is drawn under the thumbnails (the names)
    rect = grid.visualRect(m.index(row, 0))
    below = {image.pixel(x, y) for x in range(rect.left() + 10, rect.right() - 10)
             for y in range(rect.top() + grid.iconSize().height() + 8, rect.bottom() - 4)}
    assert len(below) > 2


def test_the_preview_is_large_enough_to_read_and_resizable(window, qtbot):
    lib = window.library
    window.resize(1366, 768)
    qtbot.wait(50)
    lib.select_row(_names(window).index("疑点数据核查台账2024.xlsx"))
    qtbot.waitUntil(lambda: lib.preview.kind == "table", timeout=5000)
    assert lib.preview.height() >= 220, lib.preview.height()
    assert lib.preview.height() >= lib.views.height()  # the larger share goes to reading
    sizes = lib.splitter.sizes()
    lib.splitter.moveSplitter(sizes[0] + 60, 1)
    assert lib.splitter.sizes()[0] > sizes[0]


class UrlCatcher(QObject):
    def __init__(self):
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def test_a_program_is_marked_and_never_opened(window, qtbot, tmp_path):
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ" + b"\0" * 200)
    eid = _add(window, qtbot, exe)
    lib, m = window.library, window.evidence_model
    row = m.row_for(eid)
    assert "程序或脚本" in m.index(row, 6).data()
    lib.select_row(row)
    assert not lib.preview.open_button.isEnabled()
    assert not lib.act_open.isEnabled()
    assert "程序或脚本" in lib.preview.message.text()
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")
    try:
        lib.open_evidence(eid)  # even asked directly (a double click), nothing is opened
        lib.open_selected()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.urls == []
    # an ordinary file next to it still opens
    lib.select_row(_names(window).index("指标3.1_追回待遇_银行回单.pdf"))
    assert lib.preview.open_button.isEnabled() and lib.act_open.isEnabled()


def test_an_encrypted_pdf_says_it_cannot_be_read_and_offers_no_retry(window, qtbot, tmp_path):
    import pikepdf

    path = tmp_path / "加密的回单.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, encryption=pikepdf.Encryption(owner="o", user="secret"))
    eid = _add(window, qtbot, path)
    lib, m = window.library, window.evidence_model
    qtbot.waitUntil(lambda: m.evidence(eid)["status"] == "error", timeout=10000)
    assert m.evidence(eid)["error"] == "pdf_encrypted"
    lib.select_row(m.row_for(eid))
    assert "加密文件，无法读取" in m.index(m.row_for(eid), 6).data()
    assert ENCRYPTED_TEXT in lib.preview.message.text()
    assert "加密文件，无法读取" in lib.preview.placeholder.text()
    assert not lib.preview.retry_button.isVisible() and not lib.preview.retry_button.isEnabled()


def test_the_split_is_remembered_in_the_data_folder(qtbot, demo_ws, tmp_path, monkeypatch):
    from desktop.ui.app import make_app
    from desktop.ui.panels.evidence_library import EvidenceLibrary
    from desktop.ui.session import Session

    monkeypatch.setenv("EVIDENCE_DESK_HOME", str(tmp_path / "home"))
    make_app()
    session = Session(demo_ws, inline=True, watch=False)
    monkeypatch.setattr(Session, "interactive", property(lambda self: True))  # as in the app (not a test)
    first = EvidenceLibrary(session)
    qtbot.addWidget(first)
    first.resize(420, 700)
    first.show()
    qtbot.waitExposed(first)
    first.splitter.moveSplitter(450, 1)
    first._save_splitter()
    moved = first.splitter.sizes()
    second = EvidenceLibrary(session)
    qtbot.addWidget(second)
    second.resize(420, 700)
    second.show()
    qtbot.waitExposed(second)
    assert (tmp_path / "home" / "layout.ini").exists()
    assert abs(second.splitter.sizes()[0] - moved[0]) <= 2
    for lib in (first, second):
        lib.close_panel()
    session.shutdown()


def test_every_kind_of_program_or_script_is_marked():
    from desktop.ui.panels.evidence_library.model import EvidenceLibraryModel

    for ext in ("exe", "bat", "cmd", "msi", "js", "vbs", "ps1", "scr", "lnk"):
        e = {"name": f"安装.{ext.upper()}", "ext": ext, "status": "ready", "text_status": "done", "flags": [],
             "paths": ["x"], "superseded_by": []}
        assert EvidenceLibraryModel.executable(e), ext
        assert EvidenceLibraryModel.state_text(e).startswith("⚠ 程序或脚本"), ext
    plain = {"name": "回单.pdf", "ext": "pdf", "status": "ready", "text_status": "done", "flags": [], "paths": ["x"],
             "superseded_by": []}
    assert not EvidenceLibraryModel.executable(plain) and EvidenceLibraryModel.state_text(plain) == "就绪"
