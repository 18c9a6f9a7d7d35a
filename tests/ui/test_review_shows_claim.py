"""审核模式 shows the claim itself: the 报告原文 box scrolls to the claim's sentence, not the text before it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.panels.review_mode import sentence_bounds


def test_sentence_bounds_are_the_sentence_around_the_value():
    text = "一、概况。全年共核查疑点数据 21099 条，追回 658.83 万元。下一句。"
    start = text.index("21099")
    s, e = sentence_bounds(text, start, start + 5)
    assert text[s:e] == "全年共核查疑点数据 21099 条，追回 658.83 万元。"


def test_every_claim_is_in_view_and_highlighted_when_shown(window, qtbot):
    window.resize(1366, 768)
    window.open_review_mode()
    page = window.review_mode
    page.walk.setCurrentIndex(0)  # 全部指标
    qtbot.wait(50)
    assert len(page.claims) > 20
    off_screen = []
    scrolled = 0
    for i in range(len(page.claims)):
        page.pos = i
        page._show_current()
        c = page.claims[i]
        cur = page.claim_cursor()
        if c.get("start") is not None:
            assert cur.selectedText().replace("\u2029", "\n").replace("\u2028", "\n") \
                == page._report_text(c["report_id"])[c["start"]:c["end"]]
            # the value is drawn bold on the highlight
            fmt = page.claim_cursor()
            fmt.setPosition(fmt.selectionStart() + 1)
            assert fmt.charFormat().fontWeight() >= 600
        if not page.claim_visible():
            off_screen.append(c["id"])
        scrolled += page.context.verticalScrollBar().value() > 0
    assert off_screen == []
    assert scrolled > 0  # the box did have to scroll for some claims (the test is not vacuous)


def test_the_claim_stays_in_view_when_the_box_is_resized(window, qtbot):
    window.resize(1366, 768)
    window.open_review_mode()
    page = window.review_mode
    page.walk.setCurrentIndex(0)
    last = len(page.claims) - 1
    page.pos = last
    page._show_current()
    window.resize(1440, 900)
    qtbot.wait(50)
    assert page.claim_visible()
    qtbot.keyClick(page, Qt.Key.Key_P)
    assert page.claim_visible()
