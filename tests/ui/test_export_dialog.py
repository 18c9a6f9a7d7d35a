"""文件 → 导出佐证材料包…: the dialog writes a package that verifies (and the binder), records the export,
shows where it went; 取消 leaves no file; errors are said in Chinese."""

from __future__ import annotations

import json

import pytest

from desktop.exchange.verify import verify_package
from desktop.ui.dialogs.export import ExportDialog


@pytest.fixture
def out_dir(tmp_path):
    d = tmp_path / "导出"
    d.mkdir()
    return d


def _dialog(qtbot, session):
    dlg = ExportDialog(session)
    qtbot.addWidget(dlg)
    return dlg


def _events(ws, action):
    return [json.loads(e["payload"]) for e in ws.db.query("SELECT payload FROM events WHERE action = ? ORDER BY seq",
                                                         (action,))]


def test_export_writes_a_package_that_verifies_and_is_recorded(window, qtbot, out_dir):
    dlg = _dialog(qtbot, window.session)
    out, binder = out_dir / "材料包.zip", out_dir / "汇编.pdf"
    dlg.set_paths(out, binder)
    dlg.set_mode("both")
    stages = []
    dlg.progress_shown.connect(lambda stage, done, total: stages.append(stage))
    with qtbot.waitSignal(dlg.export_finished, timeout=120_000) as sig:
        dlg.start()
    result = sig.args[0]
    assert result is not None, dlg.error_text
    assert verify_package(out).ok
    assert binder.is_file() and binder.read_bytes().startswith(b"%PDF")
    # progress went through the stages, files and binder included
    assert "files" in stages and any(s.startswith("binder_") for s in stages)
    # recorded as an audit event with the package's hash and counts
    ev = _events(window.ws, "package.exported")[-1]["export"]
    assert ev["package_sha256"] == result["package_sha256"] and ev["counts"]["links"] == result["counts"]["links"]
    assert "已导出佐证材料包" in dlg.summary.toPlainText() and "已生成佐证材料汇编" in dlg.summary.toPlainText()
    # 在文件夹中显示: the folder the package is in
    assert dlg.reveal_button.isEnabled()
    dlg.reveal()
    assert dlg.last_opened == out_dir
    # nothing left beside it but the two files
    assert sorted(p.name for p in out_dir.iterdir()) == ["材料包.zip", "汇编.pdf"]


def test_binder_only_leaves_just_the_binder(window, qtbot, out_dir):
    dlg = _dialog(qtbot, window.session)
    binder = out_dir / "汇编.pdf"
    dlg.set_paths(binder=binder)
    dlg.set_mode("binder")
    assert not dlg.zip_edit.isEnabled()
    with qtbot.waitSignal(dlg.export_finished, timeout=120_000) as sig:
        dlg.start()
    assert sig.args[0] is not None, dlg.error_text
    assert [p.name for p in out_dir.iterdir()] == ["汇编.pdf"]
    assert dlg.exported_path() == binder
    # recorded, naming the binder (the package it describes was not kept)
    ev = _events(window.ws, "package.exported")[-1]["export"]
    assert ev["path"] == str(binder) and ev["binder_path"] == str(binder)
    assert ev["package_sha256"] == sig.args[0]["package_sha256"]


def test_cancel_leaves_no_file(window, qtbot, out_dir):
    dlg = _dialog(qtbot, window.session)
    out, binder = out_dir / "材料包.zip", out_dir / "汇编.pdf"
    dlg.set_paths(out, binder)
    dlg.set_mode("both")
    dlg.set_include_unlinked(True)
    # the session runs inline: 取消 is pressed once the files are being written into the zip (mid-export)
    dlg.progress_shown.connect(lambda stage, *a: stage == "files" and dlg.cancel_button.isEnabled()
                               and dlg.cancel_button.click())
    before = len(_events(window.ws, "package.exported"))
    with qtbot.waitSignal(dlg.export_finished, timeout=60_000) as sig:
        dlg.start()
    assert sig.args[0] is None
    assert "导出已取消，没有留下不完整的文件" in dlg.error_text
    assert list(out_dir.iterdir()) == []  # neither file, nor the hidden work folder
    assert len(_events(window.ws, "package.exported")) == before  # nothing recorded
    assert dlg.export_button.isEnabled() and not dlg.running


def test_errors_in_chinese(window, qtbot, out_dir):
    dlg = _dialog(qtbot, window.session)
    dlg.set_paths(out_dir / "没有这个文件夹" / "材料包.zip")
    with qtbot.waitSignal(dlg.export_finished, timeout=30_000) as sig:
        dlg.start()
    assert sig.args[0] is None
    assert "目标文件夹不存在" in dlg.error_text
    # into the watched folder: refused, the watcher would register the package
    watch = window.ws.watch_dir
    if watch is not None:
        dlg.set_paths(watch / "材料包.zip")
        with qtbot.waitSignal(dlg.export_finished, timeout=30_000):
            dlg.start()
        assert "不能导出到监控的佐证材料文件夹" in dlg.error_text
        assert not (watch / "材料包.zip").exists()


def test_menu_opens_the_dialog(window, qtbot):
    assert window.exchange.act_export.text() == "导出佐证材料包…"
    menu_texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "导出佐证材料包…" in menu_texts
    window.exchange.act_export.trigger()
    dlg = window.findChild(ExportDialog)
    assert dlg is not None and dlg.isVisible()
    dlg.close()


def test_closing_the_window_cancels_a_running_export(qtbot, demo_ws, out_dir):
    """Real lanes: the export runs on the jobs thread; closing the window cancels it (the lanes wait for
    their jobs on the way down) and nothing is left behind."""
    from desktop.ui.main_window import MainWindow

    w = MainWindow(demo_ws, watch=False)
    qtbot.addWidget(w)
    w.show()
    dlg = w.exchange.open_export()
    dlg.set_paths(out_dir / "材料包.zip", out_dir / "汇编.pdf")
    dlg.set_mode("both")
    dlg.start()
    assert dlg.running
    w.close()
    assert list(out_dir.iterdir()) == []
