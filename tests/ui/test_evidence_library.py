"""The evidence library in the real main window (offscreen): watched-folder latency, filters, search,
drag and drop, preview, errors and retry, opening files, progress and watcher state, GUI responsiveness."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QObject, QPointF, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QDropEvent

from desktop.ui.panels.evidence_library.model import EvidenceLibraryModel
from desktop.ui.main_window import MainWindow
from desktop.workspace import Workspace
from tests.evidence.helpers import DEMO
from tests.ui.dnd import drop_on_index
from tests.ui.heartbeat import Heartbeat


@pytest.fixture
def watched(qtbot, tmp_path):
    """A main window on a fresh workspace whose 佐证材料 folder is watched for real (inotify, threads)."""
    from desktop.ui.app import make_app

    make_app()
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    ws = Workspace.create(tmp_path / "ws", watch_dir=folder, actor="测试员")
    w = MainWindow(ws)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.folder = folder
    qtbot.waitUntil(lambda: w.session.ingest.state == "watching", timeout=5000)
    yield w
    w.close()


def _names(window) -> list[str]:
    m = window.evidence_model
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def _row_of(window, name: str) -> int:
    return _names(window).index(name)


def test_a_file_closed_in_the_watched_folder_shows_within_2_seconds(watched, qtbot):
    """p95 over 50 files of the time from close() to the row in the evidence list, real inotify."""
    seen: dict[str, float] = {}
    model = watched.evidence_model

    def on_rows(parent, first, last):
        now = time.monotonic()
        for r in range(first, last + 1):
            seen.setdefault(model.index(r, 0).data(), now)

    model.rowsInserted.connect(on_rows)
    beat = Heartbeat(10)
    beat.start()
    latencies = []
    for i in range(50):
        name = f"银行回单{i:02d}.txt"
        with open(watched.folder / name, "w", encoding="utf-8") as f:
            f.write(f"回单 {i} 金额 {i * 1000 + 0.5} 元")
        closed = time.monotonic()
        qtbot.waitUntil(lambda: name in seen, timeout=20000)  # a slow file counts against the p95 below
        latencies.append(seen[name] - closed)
    beat.stop()
    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert p95 <= 2.0, latencies
    assert model.rowCount() == 50
    print(f"\nwatched folder → list: median {statistics.median(latencies) * 1000:.0f} ms,"
          f" p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; GUI stall max {beat.max_ms:.0f} ms")


def test_progress_state_and_a_responsive_gui_while_ingesting(watched, qtbot, tmp_path):
    assert "监控中" in watched.library.watch_label.text()
    source = tmp_path / "批量"  # a folder dropped from elsewhere: registered where it is
    source.mkdir()
    for i in range(300):
        (source / f"{i:03d}.bin").write_bytes(os.urandom(16 << 10) + bytes([i % 256]))
    shutil.copy(DEMO / "指标3.1_追回待遇_银行回单.pdf", source / "回单.pdf")
    texts = []
    watched.session.ingest.progress_changed.connect(
        lambda phase, done, total: texts.append(watched.library.progress_bar.format()))
    beat = Heartbeat(10)
    beat.start()
    watched.add_evidence([source])
    qtbot.waitUntil(lambda: watched.evidence_model.rowCount() == 301, timeout=60000)
    qtbot.waitUntil(lambda: watched.session.ingest.engine.idle(), timeout=60000)
    beat.stop()
    print(f"\nGUI stall while ingesting 301 files: max {beat.max_ms:.0f} ms, p99 {beat.percentile_ms(0.99):.0f} ms")
    # The strict 100 ms figure is measured by tests/perf/bench_ingest.py on a quiet machine. Here, with
    # whatever else CI runs beside, the typical tick must stay short and none may show a blocked GUI
    # (with three busy processes beside it: p99 20-30 ms, max 56-119 ms).
    assert beat.percentile_ms(0.99) < 100 and beat.max_ms < 500
    # counts in every phase (registering 301 small files can be over before the first update shows)
    assert any(re.fullmatch(r"正在(处理|提取文字|生成缩略图) \d+/301", t) for t in texts), texts
    qtbot.waitUntil(lambda: not watched.library.progress_bar.isVisible(), timeout=10000)


def test_filters_show_unlinked_errors_and_superseded(window, qtbot, tmp_path):
    lib = window.library
    all_rows = window.evidence_model.rowCount()
    lib.set_filter("unlinked")
    unlinked = set(_names(window))
    assert 0 < len(unlinked) < all_rows
    lib.set_filter("all")
    bad = tmp_path / "损坏的回单.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    empty = tmp_path / "空白.xlsx"
    empty.write_bytes(b"")
    window.add_evidence([bad, empty])  # inline window: processed before it returns
    lib.set_filter("error")
    assert set(_names(window)) == {"损坏的回单.pdf", "空白.xlsx"}
    texts = {window.evidence_model.index(r, 6).data() for r in range(window.evidence_model.rowCount())}
    assert "出错：PDF 文件已损坏或不完整" in texts
    assert "无法登记：文件为空（0 字节），未登记；写入内容后会自动登记" in texts
    qtbot.waitUntil(lambda: lib.filter_buttons["error"].text() == "出错 2", timeout=10000)
    # a new version of a watched file: the old one goes under 已有新版本
    ledger = window.ws.watch_dir / "疑点数据核查台账2024.xlsx"
    new = tmp_path / "台账新版.xlsx"
    new.write_bytes(ledger.read_bytes() + b"\0")
    os.replace(new, ledger)
    window.add_evidence([ledger])
    lib.set_filter("superseded")
    assert _names(window) == ["疑点数据核查台账2024.xlsx"]
    row = window.evidence_model.index(0, 6).data()
    assert "已有新版本" in row


def test_search_names_and_text_short_and_long(window, qtbot):
    lib = window.library
    lib.set_search_text("台账")  # two characters: LIKE (trigram needs three)
    qtbot.waitUntil(lambda: not lib.searching, timeout=5000)
    assert _names(window) == ["疑点数据核查台账2024.xlsx"]
    lib.set_search_text("追回多发")  # text inside the bank slip PDF, not in any name: FTS5 trigram
    qtbot.waitUntil(lambda: not lib.searching, timeout=5000)
    assert _names(window) == ["指标3.1_追回待遇_银行回单.pdf"]
    lib.set_search_text("第一")  # two characters inside a Word document's text
    qtbot.waitUntil(lambda: not lib.searching, timeout=5000)
    assert "党委会会议记录汇总2024.docx" in _names(window)
    lib.set_search_text("")
    qtbot.waitUntil(lambda: not lib.searching, timeout=5000)
    assert len(_names(window)) == len(list(DEMO.iterdir()))  # every demo file again


def test_files_and_folders_dropped_on_the_window_are_registered(window, qtbot, tmp_path):
    folder = tmp_path / "拖进来的文件夹"
    folder.mkdir()
    (folder / "说明.txt").write_text("合计 100 元", encoding="utf-8")
    single = tmp_path / "单个文件.txt"
    single.write_text("合计 200 元", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder)), QUrl.fromLocalFile(str(single))])
    target = window.library.list_view.viewport()
    pos = QPointF(target.rect().center())
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)  # what the window receives once the views pass the URLs up
    assert drop.isAccepted()
    assert {"说明.txt", "单个文件.txt"} <= set(_names(window))


def test_grid_and_list_share_selection_and_drag_onto_a_claim(window, qtbot):
    lib = window.library
    lib.set_view_mode("grid")
    assert lib.views.currentWidget() is lib.grid_view
    ids = [window.evidence_model.evidence_id_at(r) for r in range(window.evidence_model.rowCount())]
    unlinked = [e for e in ids if "unlinked" in window.evidence_model.evidence(e)["flags"]]
    row = window.evidence_model.row_for(unlinked[0])
    lib.select_row(row)
    assert window.selected_evidence_ids() == [unlinked[0]]  # the list view sees the grid's selection
    claim = next(c for c in window.claims_model.claim_ids() if "no_evidence" in window.claims_model.claim(c)["flags"])
    mime = window.evidence_model.mimeData([window.evidence_model.index(row, 0)])
    assert drop_on_index(window.claims_view, window.claims_model.index_for_claim(claim), mime)
    assert window.claims_model.claim(claim)["evidence_ids"] == [unlinked[0]]


@pytest.mark.parametrize("name,kind", [
    ("2024年度部门决算报表（收入支出决算总表）.pdf", "pdf"),
    ("疑点数据核查台账2024.xlsx", "table"),
    ("党委会会议记录汇总2024.docx", "text"),
    ("镇村通服务网点现场照片.jpg", "image"),
])
def test_preview_pane_shows_each_type(window, qtbot, name, kind):
    lib = window.library
    lib.select_row(_row_of(window, name))
    qtbot.waitUntil(lambda: lib.preview.kind == kind, timeout=5000)
    p = lib.preview
    if kind == "pdf":
        assert p.pdf_view.document().pageCount() == 2
    elif kind == "table":
        table = p.sheets.widget(0)
        cells = {table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
                 if table.item(r, c)}
        assert "21,099" in cells and p.sheets.tabText(0) == "台账"
    elif kind == "text":
        assert "第一议题" in p.text_view.toPlainText()
    else:
        assert not p.image_label.image().isNull()
    assert p.open_button.isEnabled() and p.reveal_button.isEnabled()


class UrlCatcher(QObject):
    def __init__(self):
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_with_default_program_and_show_in_folder(window, qtbot):
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")  # Qt's own hook: no program is started
    try:
        lib = window.library
        name = "指标3.1_追回待遇_银行回单.pdf"
        lib.select_row(_row_of(window, name))
        lib.preview.open_button.click()
        original = window.ws.watch_dir / name
        assert Path(catcher.urls[-1].toLocalFile()) == original
        lib.preview.reveal_button.click()
        assert Path(catcher.urls[-1].toLocalFile()) == original.parent
        original.unlink()  # gone from the folder: a copy of the stored bytes opens instead
        lib.open_selected()
        copy = Path(catcher.urls[-1].toLocalFile())
        assert copy.name == name and copy.parent != original.parent
        eid = window.evidence_model.evidence_id_at(_row_of(window, name))
        assert copy.read_bytes() == window.ws.store.object_path(window.evidence_model.evidence(eid)["sha256"]).read_bytes()
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_a_failed_file_is_retried_from_the_library(window, qtbot, tmp_path):
    f = tmp_path / "稍后补充.txt"
    f.write_bytes(b"")
    window.add_evidence([f])
    lib = window.library
    lib.select_row(_row_of(window, "稍后补充.txt"))
    assert lib.preview.retry_button.isVisible()
    assert "无法登记" in lib.preview.message.text()
    f.write_text("补充材料 300 元", encoding="utf-8")
    lib.preview.retry_button.click()
    m = window.evidence_model
    row = _row_of(window, "稍后补充.txt")
    assert m.evidence_id_at(row) is not None and m.problem_at(row) is None
    assert m.index(row, 6).data() == "就绪"


def test_library_model_passes_the_model_tester(qtmodeltester, demo_ws, tmp_path):
    from desktop.evidence.pipeline import IngestEngine

    f = tmp_path / "空.txt"
    f.write_bytes(b"")
    engine = IngestEngine(demo_ws, inline=True)
    engine.start()
    engine.submit_paths([f])
    engine.wait_idle()
    model = EvidenceLibraryModel(demo_ws.db)
    model.set_problems(engine.queue.problems())
    files = len(list(DEMO.iterdir()))  # the demo's files, then the one that could not be registered
    assert model.rowCount() == files + 1 and model.evidence_id_at(files) is None
    qtmodeltester.check(model)


def test_a_failure_can_be_dismissed(window, tmp_path):
    f = tmp_path / "零字节.txt"
    f.write_bytes(b"")
    window.add_evidence([f])
    lib = window.library
    lib.select_row(_row_of(window, "零字节.txt"))
    lib.dismiss_selected()
    assert "零字节.txt" not in _names(window)
    assert window.ws.db.scalar("SELECT count(*) FROM ingest_queue WHERE state = 'failed'") == 0


def test_the_ignore_list_is_a_workspace_setting(window, tmp_path):
    window.library.edit_ignore_list("~$*\n*.bak")
    backup = tmp_path / "台账.xlsx.bak"
    backup.write_bytes(b"old copy")
    lock = tmp_path / "~$纪要.docx"
    lock.write_bytes(b"lock")
    window.add_evidence([backup, lock])
    names = _names(window)
    assert "台账.xlsx.bak" not in names and "~$纪要.docx" not in names
    assert window.ws.db.get_setting("ingest.ignore") == '["~$*", "*.bak"]'


def test_enter_in_the_search_box_selects_the_first_hit_instead_of_opening_a_file(window, qtbot):
    lib = window.library
    lib.search.setFocus()
    lib.search.setText("回单")  # QtTest cannot type Chinese (an input method would commit it)
    qtbot.keyClick(lib.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lib.searching and len(window.selected_evidence_ids()) == 1, timeout=5000)
    sel = window.selected_evidence_ids()
    assert len(sel) == 1
    assert "回单" in window.evidence_model.evidence(sel[0])["name"]
    assert lib.views.currentWidget().hasFocus()


def test_ctrl_enter_in_the_search_box_accepts_the_suggestion(window, qtbot):
    """The search box takes plain Enter for itself, but Ctrl+Enter must still reach 接受建议."""
    lib, suggestions = window.library, window.suggestions
    target = next(c for c in window.claims_model.rows()
                  if (c["value"], c["unit"]) == ("34800.93", "万元") and not c["evidence_ids"])
    window.select_claim(target["id"])
    best = suggestions.current_evidence_id()
    assert best is not None and suggestions.act_accept.isEnabled()
    lib.search.setFocus()
    lib.search.setText("回单")
    assert lib.search.hasFocus()
    qtbot.keyClick(lib.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    links = [r[0] for r in window.ws.db.query("SELECT evidence_id FROM links WHERE claim_id = ?", (target["id"],))]
    assert links == [best]
    assert window.claims_model.claim(target["id"])["evidence_ids"] == [best]
    # plain Enter in the box still goes to the first hit (and opens nothing)
    lib.search.setFocus()
    qtbot.keyClick(lib.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lib.searching and len(window.selected_evidence_ids()) == 1, timeout=5000)
    assert "回单" in window.evidence_model.evidence(window.selected_evidence_ids()[0])["name"]
    assert lib.views.currentWidget().hasFocus()


def test_refreshing_many_rows_signals_each_run_of_rows_once(demo_ws):
    model = EvidenceLibraryModel(demo_ws.db)
    ids = [model.evidence_id_at(r) for r in range(model.rowCount())]
    assert len(ids) >= 5
    changed = []
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row(), b.column())))
    model.add_or_refresh(ids)  # every row, adjacent: one signal
    assert changed == [(0, len(ids) - 1, model.columnCount() - 1)]
    changed.clear()
    model.add_or_refresh([ids[0], ids[1], ids[3]])  # two runs
    assert changed == [(0, 1, model.columnCount() - 1), (3, 3, model.columnCount() - 1)]
