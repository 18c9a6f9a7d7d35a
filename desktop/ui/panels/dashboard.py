"""The completeness dashboard: per report and per section, how many claims have evidence, as figures and bars.

Rows come from :func:`desktop.review.status.completeness_by_section` — the same counts ``status --json``
prints — over the claim rows the claims panel holds (:meth:`CompletenessDashboard.refresh`, wired by the
main window to the claims panel's ``refreshed``). Every figure and every bar segment is clickable and
filters the claim list to it; above the chart, the filter buttons 缺佐证 / 数值未找到 / 证据有新版本 / 未关联证据
with their counts. The dashboard holds which filter is on and asks for it: ``claim_filter_requested``
(a :class:`~desktop.ui.claim_filter.ClaimFilter`) and ``evidence_filter_requested`` ("unlinked" / "all").

Under the summary, the 一致性检查's figure (一致性 错误 n · 警告 n · 舍入 n, a link: ``checks_requested``) and
the filter 有一致性问题 (the claims an open finding is about), from :meth:`CompletenessDashboard.set_findings`
— the checks panel's last run, passed on by the window (nothing is computed here).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.evidence.queries import evidence_count
from desktop.review import status
from desktop.review.status import SectionCompleteness
from desktop.text import checks as CT
from desktop.ui.claim_filter import CLAIM_FLAG_FILTERS, ClaimFilter
from desktop.ui.common import esc

GREEN = QColor("#2e7d32")
AMBER = QColor("#b26a00")
RED = QColor("#c62828")
GREY = QColor("#9e9e9e")
TRACK = QColor("#eceff1")
TEXT_GREY = QColor("#616161")

# what a click on a figure filters the claim list to
KEYS = ("all", "with", "without", "value_not_found", "not_required")
FIGURE_LABELS = {"all": "共", "with": "有", "without": "缺", "value_not_found": "未找到"}
KEY_FLAG = {"all": None, "with": "has_evidence", "without": "no_evidence", "value_not_found": "value_not_found",
            "not_required": "not_required"}

# the filters above the chart: (flag, button text)
FILTERS = (
    (None, "全部"),
    ("no_evidence", "缺佐证"),
    ("value_not_found", "数值未找到"),
    ("evidence_superseded", "证据有新版本"),
    ("unlinked", "未关联证据"),
)


@dataclass
class _RowGeometry:
    row: SectionCompleteness
    top: int
    height: int
    figures: dict[str, QRect]
    segments: dict[str, QRect]
    title: QRect


class CompletenessChart(QWidget):
    """Rows of figures and stacked bars, painted with QPainter; clicks report (report, section, key)."""

    figure_clicked = Signal(int, object, str)  # report_id, section title (None: whole report), key

    ROW_REPORT = 46
    ROW_SECTION = 38
    PAD = 8

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("completenessChart")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._rows: list[SectionCompleteness] = []
        self._geometry: list[_RowGeometry] = []
        self._hover: tuple[int, str] | None = None
        self._active: tuple[int, object, str] | None = None

    # -- data ------------------------------------------------------------------------------------

    def set_rows(self, rows: list[SectionCompleteness]) -> None:
        self._rows = list(rows)
        self._layout()
        self.updateGeometry()
        self.update()

    def rows(self) -> list[SectionCompleteness]:
        return list(self._rows)

    def set_active(self, report_id: int | None, section: str | None, key: str | None) -> None:
        """Highlight the figure that the claim list is filtered to (None: no figure)."""
        self._active = None if key is None or report_id is None else (report_id, section, key)
        self.update()

    def figure_rect(self, row: int, key: str) -> QRect:
        """Where the figure ``key`` of row ``row`` is drawn (tests click there)."""
        g = self._geometry[row]
        return g.figures.get(key) or g.segments.get(key) or QRect()

    def segment_rect(self, row: int, key: str) -> QRect:
        return self._geometry[row].segments.get(key, QRect())

    # -- layout ----------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(340, self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self._height())

    def _height(self) -> int:
        return sum(self.ROW_REPORT if r.section is None else self.ROW_SECTION for r in self._rows) + self.PAD

    def resizeEvent(self, event) -> None:
        self._layout()
        super().resizeEvent(event)

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        base = QFont(self.font())
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.9))
        return base, bold, small

    def _layout(self) -> None:
        base, bold, small = self._fonts()
        fm_small = QFontMetrics(small)
        width = max(self.width(), 240)
        y = self.PAD // 2
        out = []
        for r in self._rows:
            is_report = r.section is None
            h = self.ROW_REPORT if is_report else self.ROW_SECTION
            indent = 6 if is_report else 18
            line1 = QRect(indent, y + 2, width - indent - 6, fm_small.height() + 2)
            # figures, right-aligned on the first line: 共 12 · 有 8 · 缺 4 · 未找到 1
            figures: dict[str, QRect] = {}
            x = width - 6
            c = r.counts
            values = {"all": c.claims, "with": c.with_evidence, "without": c.without_evidence,
                      "value_not_found": c.value_not_found}
            for key in reversed(("all", "with", "without", "value_not_found")):
                if key == "value_not_found" and not c.value_not_found:
                    continue
                text = f"{FIGURE_LABELS[key]} {values[key]}"
                w = fm_small.horizontalAdvance(text) + 8
                x -= w
                figures[key] = QRect(x, line1.top(), w, line1.height())
            title = QRect(indent, line1.top(), max(20, x - indent - 6), line1.height())
            # the bar on the second line
            bar_top = line1.bottom() + 4
            bar = QRect(indent, bar_top, width - indent - 6, h - (bar_top - y) - 6)
            segments: dict[str, QRect] = {}
            total = max(c.claims, 1)
            parts = (("with_ok", c.linked - c.value_not_found), ("value_not_found", c.value_not_found),
                     ("not_required", c.not_required), ("without", c.without_evidence))
            left = bar.left()
            for key, n in parts:
                if n <= 0:
                    continue
                w = round(bar.width() * n / total)
                if key == parts[-1][0] or left + w > bar.right():
                    w = bar.right() - left + 1
                segments["with" if key == "with_ok" else key] = QRect(left, bar.top(), max(w, 2), bar.height())
                left += w
            out.append(_RowGeometry(r, y, h, figures, segments, title))
            y += h
        self._geometry = out
        self.setMinimumHeight(self._height())

    # -- painting --------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        base, bold, small = self._fonts()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.fillRect(self.rect(), self.palette().base())
        for i, g in enumerate(self._geometry):
            r = g.row
            if r.section is None and i:
                p.setPen(QPen(QColor("#cfd8dc")))
                p.drawLine(4, g.top, self.width() - 4, g.top)
            # title
            p.setFont(bold if r.section is None else base)
            p.setPen(self.palette().text().color())
            fm = QFontMetrics(p.font())
            name = r.report if r.section is None else r.section
            p.drawText(g.title, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(name, Qt.TextElideMode.ElideMiddle, g.title.width()))
            # figures
            p.setFont(small)
            colours = {"all": TEXT_GREY, "with": GREEN, "without": RED, "value_not_found": AMBER}
            c = r.counts
            values = {"all": c.claims, "with": c.with_evidence, "without": c.without_evidence,
                      "value_not_found": c.value_not_found}
            for key, rect in g.figures.items():
                active = self._is_active(r, key)
                if active or self._hover == (i, key):
                    p.fillRect(rect.adjusted(0, 0, 0, 0), QColor("#e3f2fd") if not active else QColor("#bbdefb"))
                colour = colours[key] if (key != "without" or values[key]) else TEXT_GREY
                p.setPen(colour)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{FIGURE_LABELS[key]} {values[key]}")
            # bar
            if g.segments:
                first = min(s.left() for s in g.segments.values())
                last = max(s.right() for s in g.segments.values())
                seg_top = next(iter(g.segments.values())).top()
                seg_h = next(iter(g.segments.values())).height()
                p.fillRect(QRect(first, seg_top, last - first + 1, seg_h), TRACK)
            seg_colours = {"with": GREEN, "value_not_found": AMBER, "not_required": GREY, "without": RED}
            for key, rect in g.segments.items():
                colour = QColor(seg_colours[key])
                if self._hover == (i, key) or self._is_active(r, key):
                    colour = colour.lighter(125)
                p.fillRect(rect, colour)
                n = {"with": c.linked - c.value_not_found, "value_not_found": c.value_not_found,
                     "not_required": c.not_required, "without": c.without_evidence}[key]
                text = str(n)
                if QFontMetrics(small).horizontalAdvance(text) + 4 < rect.width():
                    p.setPen(QColor("#ffffff"))
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        p.end()

    def _is_active(self, row: SectionCompleteness, key: str) -> bool:
        return self._active == (row.report_id, row.section, key)

    # -- mouse -----------------------------------------------------------------------------------

    def _hit(self, pos) -> tuple[int, str] | None:
        for i, g in enumerate(self._geometry):
            if not (g.top <= pos.y() < g.top + g.height):
                continue
            for key, rect in list(g.figures.items()) + list(g.segments.items()):
                if rect.contains(pos):
                    return i, key
            if g.title.contains(pos):
                return i, "all"
            return None
        return None

    def mouseMoveEvent(self, event) -> None:
        hit = self._hit(event.position().toPoint())
        if hit != self._hover:
            self._hover = hit
            self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)
            if hit:
                g = self._geometry[hit[0]]
                self.setToolTip(_tooltip(g.row, hit[1]))
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self._hit(event.position().toPoint())
            if hit is not None:
                row = self._geometry[hit[0]].row
                self.figure_clicked.emit(row.report_id, row.section, hit[1])
                event.accept()
                return
        super().mousePressEvent(event)


def _tooltip(row: SectionCompleteness, key: str) -> str:
    c = row.counts
    where = row.section or row.report
    text = {
        "all": f"{where}：共 {c.claims} 个指标",
        "with": f"已有佐证 {c.with_evidence} 个（其中无需佐证 {c.not_required} 个）",
        "without": f"缺佐证 {c.without_evidence} 个",
        "value_not_found": f"已关联佐证、但佐证中找不到数值的 {c.value_not_found} 个",
        "not_required": f"标记为无需佐证 {c.not_required} 个",
    }[key]
    return text + "\n单击只看这些指标"


class CompletenessDashboard(QWidget):
    """Filter buttons with counts, the current filter, and the chart in a scroll area."""

    filter_requested = Signal(object)  # flag or None (全部): a button
    figure_clicked = Signal(int, object, str)
    clear_requested = Signal()
    claim_filter_requested = Signal(object)  # ClaimFilter: the claims list should show these
    evidence_filter_requested = Signal(str)  # "unlinked" / "all": the evidence library should show these
    refreshed = Signal()
    checks_requested = Signal()  # the 一致性 figure was clicked: open the 一致性检查 panel

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("completenessDashboard")
        self.session = session
        self.claim_filter = ClaimFilter()
        self.unlinked_only = False
        self._reports: dict[int, str] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(6)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("dashboardSummary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)

        self.findings_summary: dict[str, int] | None = None  # None: the checks have not run yet
        self.checks_figure = QLabel()
        self.checks_figure.setObjectName("dashboardChecks")
        self.checks_figure.setTextFormat(Qt.TextFormat.RichText)
        self.checks_figure.setToolTip("一致性检查发现的问题（未忽略的）；单击打开一致性检查")
        self.checks_figure.linkActivated.connect(lambda *_: self.checks_requested.emit())
        lay.addWidget(self.checks_figure)

        grid = QWidget()
        gl = QGridLayout(grid)
        gl.setContentsMargins(0, 0, 0, 0)
        gl.setHorizontalSpacing(4)
        gl.setVerticalSpacing(4)
        self.buttons: dict[str | None, QToolButton] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for i, (flag, text) in enumerate(FILTERS):
            b = QToolButton()
            b.setCheckable(True)
            b.setText(text)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setObjectName(f"filter_{flag or 'all'}")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.setToolTip({None: "显示全部指标", "no_evidence": "只看还没有佐证的指标",
                          "value_not_found": "只看已关联佐证、但佐证里找不到报告所写数值的指标",
                          "evidence_superseded": "只看所关联的文件已有新版本的指标",
                          "unlinked": "右侧只列出没有关联任何指标的佐证材料"}[flag])
            b.clicked.connect(lambda _=False, f=flag: self.filter_requested.emit(f))
            self.group.addButton(b)
            self.buttons[flag] = b
            gl.addWidget(b, i // 3, i % 3)
        b = QToolButton()
        b.setCheckable(True)
        b.setText(CT.FINDINGS_FILTER)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.setObjectName("filter_has_findings")
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        b.setToolTip(CT.FINDINGS_FILTER_TIP)
        b.clicked.connect(lambda *_: self.filter_requested.emit("has_findings"))
        self.group.addButton(b)
        self.buttons["has_findings"] = b  # not in FILTERS: the 查看 menu lists those
        gl.addWidget(b, len(FILTERS) // 3, len(FILTERS) % 3)
        self.buttons[None].setChecked(True)
        lay.addWidget(grid)
        self.set_findings({})

        self.filter_label = QLabel()
        self.filter_label.setObjectName("filterLabel")
        self.filter_label.setTextFormat(Qt.TextFormat.RichText)
        self.filter_label.linkActivated.connect(lambda _: self.clear_requested.emit())
        self.filter_label.hide()
        lay.addWidget(self.filter_label)

        self.chart = CompletenessChart()
        self.chart.figure_clicked.connect(self.figure_clicked)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.chart)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(scroll, 1)

        legend = QLabel(
            "<span style='color:#2e7d32'>■</span> 有佐证　<span style='color:#b26a00'>■</span> 数值未找到　"
            "<span style='color:#9e9e9e'>■</span> 无需佐证　<span style='color:#c62828'>■</span> 缺佐证"
        )
        legend.setObjectName("dashboardLegend")
        lay.addWidget(legend)
        self.filter_requested.connect(self.request_filter)
        self.figure_clicked.connect(self._on_figure_clicked)
        self.clear_requested.connect(lambda: self.request_filter(None))

    # -- data ------------------------------------------------------------------------------------

    def refresh(self, claims: list[dict]) -> None:
        """Counts and bars for these claim rows (the claims panel's, already fresh) and the files linked
        to nothing."""
        db = self.session.ws.db
        with db.snapshot():
            rows = status.completeness_by_section(db, claims)
            unlinked = evidence_count(db, "unlinked")
        self._reports = {r.report_id: r.report for r in rows if r.section is None}
        c = status.Completeness.of(claims)
        self.set_data(rows, {"all": c.claims, "no_evidence": c.without_evidence, "value_not_found": c.value_not_found,
                             "evidence_superseded": c.evidence_superseded, "unlinked": unlinked})
        self._show_filter_state()
        self.refreshed.emit()

    # -- filters ---------------------------------------------------------------------------------

    def request_filter(self, flag: str | None) -> None:
        """A filter button or key: 全部 / 缺佐证 / 数值未找到 / 证据有新版本 (claims) or 未关联证据 (evidence)."""
        was_unlinked = self.unlinked_only
        self.unlinked_only = flag == "unlinked"
        self.claim_filter = ClaimFilter() if flag == "unlinked" else ClaimFilter(flag)
        self.claim_filter_requested.emit(self.claim_filter)
        if self.unlinked_only != was_unlinked:
            self.evidence_filter_requested.emit("unlinked" if self.unlinked_only else "all")
        self._show_filter_state()

    def _on_figure_clicked(self, report_id: int, section: str | None, key: str) -> None:
        """A figure or bar of the chart: just those claims."""
        was_unlinked, self.unlinked_only = self.unlinked_only, False
        self.claim_filter = ClaimFilter(KEY_FLAG[key], report_id, section)
        self.claim_filter_requested.emit(self.claim_filter)
        if was_unlinked:
            self.evidence_filter_requested.emit("all")
        self._show_filter_state()

    def _show_filter_state(self) -> None:
        if self.unlinked_only:
            self.show_filter("unlinked", "未关联证据（右侧佐证列表）")
            self.chart.set_active(None, None, None)
            return
        f = self.claim_filter
        button = (f.flag if f.report_id is None and f.flag in (None, *CLAIM_FLAG_FILTERS, "has_findings")
                  else "__none__")
        self.show_filter(button, f.describe(self._reports))
        key = next((k for k, v in KEY_FLAG.items() if v == f.flag), None)
        self.chart.set_active(f.report_id, f.section, key if f.report_id is not None else None)

    def set_data(self, rows: list[SectionCompleteness], counts: dict[str, int]) -> None:
        """Rows for the chart, and the count behind each filter button."""
        self.chart.set_rows(rows)
        reports = [r for r in rows if r.section is None]
        total = sum(r.counts.claims for r in reports)
        covered = sum(r.counts.with_evidence for r in reports)
        pct = f"{covered / total:.0%}" if total else "—"
        self.summary.setText(
            f"<b>完成情况</b>　已有佐证 <b>{covered}/{total}</b>（{pct}）"
            f"　<span style='color:#c62828'>缺 {total - covered}</span>"
        )
        self.summary.setProperty("covered", covered)
        self.summary.setProperty("total", total)
        for flag, text in FILTERS:
            n = counts.get(flag or "all")
            self.buttons[flag].setText(text if n is None else f"{text} {n}")

    def set_findings(self, findings: dict) -> None:
        """The 一致性检查's last run: ``{"summary": open findings by severity, "claims": {claim id:
        [finding…]}}`` (the checks panel's ``findings_changed``); ``{}`` before the first run."""
        summary = findings.get("summary")
        claims = findings.get("claims") or {}
        self.findings_summary = dict(summary) if summary is not None else None
        if summary is None:
            self.checks_figure.setText("<span style='color:#757575'>一致性：正在检查…</span>")
        else:
            colour = "#c62828" if summary.get("error") else "#b26a00" if summary.get("warning") else "#2e7d32"
            self.checks_figure.setText(f"<a href='checks' style='color:{colour}; text-decoration:none'>"
                                       f"{esc(CT.summary_text(summary))}</a>")
        self.buttons["has_findings"].setText(f"{CT.FINDINGS_FILTER} {len(claims)}" if summary is not None
                                             else CT.FINDINGS_FILTER)

    def show_filter(self, flag: str | None, text: str | None) -> None:
        """Check the button of ``flag`` and describe the filter (``text`` None: no filter)."""
        btn = self.buttons.get(flag)
        if btn is not None:
            btn.setChecked(True)
        else:
            self.group.setExclusive(False)
            for b in self.buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)
        if text:
            self.filter_label.setText(f"筛选：{text}　<a href='clear'>清除筛选</a>")
            self.filter_label.show()
        else:
            self.filter_label.hide()


__all__ = ["CompletenessDashboard", "CompletenessChart", "KEY_FLAG", "FILTERS"]
