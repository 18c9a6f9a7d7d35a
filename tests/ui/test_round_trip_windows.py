"""The round trip through the windows: the group exports, the inspector opens the package (a tampered one is
refused naming the member, or opened with 仍然打开), reviews with a 补充材料 request and replies; the group
applies (twice: no change the second time), answers and sends a supplement; the inspector takes it in."""

from __future__ import annotations

import zipfile

from PySide6.QtWidgets import QApplication

from desktop.exchange.export import export_package
from desktop.integrity import verify_workspace
from desktop.review.links import link_evidence
from desktop.evidence.queries import evidence_ids
from desktop.ui.main_window import MainWindow
from tests.exchange.conftest import flip_byte, rewrite_zip


def _tampered(pkg, dest):
    """A copy of the package with one byte of its first evidence file flipped; returns that member's name."""
    with zipfile.ZipFile(pkg) as zf:
        member = next(n for n in zf.namelist() if n.startswith("佐证材料/"))
        data = zf.read(member)
    rewrite_zip(pkg, dest, change={member: flip_byte(data)})
    return member


def _package(window, tmp_path):
    out = tmp_path / "交换"
    out.mkdir(exist_ok=True)
    pkg = out / "材料包.zip"
    export_package(window.ws, pkg)
    return pkg


def test_receive_refuses_a_tampered_package_naming_the_member(window, qtbot, tmp_path):
    pkg = _package(window, tmp_path)
    bad = pkg.with_name("改过的材料包.zip")
    member = _tampered(pkg, bad)
    dlg = window.exchange.open_receive()
    dest = tmp_path / "审核_坏"
    with qtbot.waitSignal(dlg.checked, timeout=30_000):
        dlg.set_package(bad, dest)
    c = dlg.check
    assert not c["ok"] and [p["path"] for p in c["problems"]] == [member]
    shown = dlg.report.toPlainText()
    assert member in shown and "内容与清单不符" in shown and "默认拒绝打开" in shown
    assert not dlg.open_button.isEnabled()  # refused by default
    assert dlg.force_button.isVisible() and dlg.force_button.isEnabled()
    assert not dest.exists()  # nothing written by the check

    # 仍然打开: the review workspace opens in a window of its own, in the 审核 role, the file flagged
    before = set(QApplication.topLevelWidgets())
    with qtbot.waitSignal(dlg.received, timeout=60_000):
        dlg.force_button.click()
    new = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w not in before]
    assert len(new) == 1
    review = new[0]
    qtbot.addWidget(review)
    try:
        assert review.ws.root == dest and review.ws.role == "reviewer" and review.ws.review_only
        assert "审核" in review.identity_label.text()
        flagged = review.ws.db.query("SELECT reason FROM evidence_remote")
        assert [r["reason"] for r in flagged] == ["failed_verification"]
        assert dlg.result["failed"] == [member]
        # the review workspace's menu: reply and supplements, not apply
        assert review.exchange.act_reply.isEnabled() and review.exchange.act_receive_supplement.isEnabled()
        assert not review.exchange.act_apply_return.isEnabled()
    finally:
        review.close()


def test_receive_refuses_what_is_not_a_package_in_words(window, qtbot, tmp_path):
    junk = tmp_path / "不是材料包.zip"
    junk.write_bytes(b"PK\x03\x04 this is not a zip")
    dlg = window.exchange.open_receive()
    with qtbot.waitSignal(dlg.checked, timeout=30_000) as sig:
        dlg.set_package(junk, tmp_path / "审核")
    assert sig.args[0] is None
    assert "不是有效的 zip 文件" in dlg.error_text
    assert not dlg.open_button.isEnabled() and not dlg.force_button.isEnabled()


def test_round_trip_through_the_windows(window, qtbot, tmp_path):
    group = window
    pkg = _package(group, tmp_path)
    dlg = group.exchange.open_receive()
    with qtbot.waitSignal(dlg.checked, timeout=30_000):
        dlg.set_package(pkg, tmp_path / "审核")
    assert dlg.check["ok"] and dlg.open_button.isEnabled()
    assert "校验通过" in dlg.report.toPlainText()
    opened = []
    group.exchange._open_workspace = opened.append  # the inspector's window is made here, inline
    with qtbot.waitSignal(dlg.received, timeout=60_000):
        dlg.open_button.click()
    review = MainWindow(opened[0], inline_tasks=True)
    qtbot.addWidget(review)
    try:
        _round_trip(group, review, qtbot, tmp_path)
    finally:
        review.close()


def _round_trip(group, review, qtbot, tmp_path):
    out = tmp_path / "交换"
    # the inspector: 需补充 with a request, one 已核实
    review.open_review_mode()
    page = review.review_mode
    cid = page.current_claim_id()
    page.requests_edit.setPlainText("请补充盖章的发放明细表")
    page.record("needs_more")
    page.record("verified")
    review.close_review_mode()
    assert [r["state"] for r in review.requests.rows] == ["open"]
    ret = out / "审核意见回复.zip"
    review.exchange.reply(ret)
    assert ret.is_file() and "已生成审核意见回复" in review.exchange.last_text

    # the group: apply (shown first, then applied), and a second time: no change
    group.exchange.apply_return(ret)
    p = group.exchange.last_preview
    assert (p["new_reviews"], p["newer_requests"], p["already"]) == (2, 1, False)
    assert "已应用" in group.exchange.last_text and "新审核记录 2 条" in group.exchange.last_text
    qtbot.waitUntil(lambda: [r["state"] for r in group.requests.rows] == ["open"])
    rid = group.requests.rows[0]["id"]
    events = group.ws.db.scalar("SELECT count(*) FROM events")
    group.exchange.apply_return(ret)
    assert group.exchange.last_text.startswith("这个审核意见回复已应用过，无变化")
    assert group.ws.db.scalar("SELECT count(*) FROM events") == events

    # the group answers with a file linked since, and sends a supplement (增补包) since the return
    linked = {e for r in group.requests.rows for e in r["basis"]}
    eid = next(e for e in evidence_ids(group.ws.db) if e not in linked)
    link_evidence(group.ws.db, claim_id=cid, evidence_id=eid)
    group.requests.move(rid, "answered", comment="已补充")
    qtbot.waitUntil(lambda: group.requests.state_of(rid) == "answered")
    export = group.exchange.open_export()
    export.set_supplement(ret)
    assert not export.mode_buttons["both"].isEnabled()  # a supplement is a package only
    sup = out / "补充材料包.zip"
    export.set_paths(sup)
    with qtbot.waitSignal(export.export_finished, timeout=120_000) as sig:
        export.start()
    assert sig.args[0] is not None, export.error_text
    assert "已导出补充材料包" in export.summary.toPlainText()

    # the inspector takes the supplement in: the answer shows; accepting it moves it on
    review.exchange.receive_supplement(sup)
    assert review.exchange.last_text.startswith("已并入补充材料"), review.exchange.last_text
    qtbot.waitUntil(lambda: review.requests.state_of(rid) == "answered")
    assert review.requests.request(rid)["answers"] == [eid]
    review.exchange.receive_supplement(sup)  # twice: nothing changes
    assert "已经接收过" in review.exchange.last_text
    review.requests.move(rid, "accepted", comment="无误")
    qtbot.waitUntil(lambda: review.requests.state_of(rid) == "accepted")

    # a package is not a return: refused in words, nothing written
    events = group.ws.db.scalar("SELECT count(*) FROM events")
    group.exchange.apply_return(out / "材料包.zip")
    assert "文件格式不对" in group.exchange.last_text and "审核意见回复" in group.exchange.last_text
    assert group.ws.db.scalar("SELECT count(*) FROM events") == events
    for ws in (group.ws, review.ws):
        report = verify_workspace(ws)
        assert report.ok, report.problems
