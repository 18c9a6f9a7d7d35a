"""The evidence library's views and pictures: the list and the grid (one selection, two views), file-type
icons drawn on the fly, thumbnails decoded on the reader lane, and "show in folder"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QRect, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from desktop.evidence import thumbnails
from desktop.evidence.risky import is_executable

TYPE_COLOURS = {"pdf": "#c62828", "doc": "#1565c0", "docx": "#1565c0", "xls": "#2e7d32", "xlsx": "#2e7d32",
                "csv": "#2e7d32", "txt": "#546e7a", "jpg": "#6a1b9a", "jpeg": "#6a1b9a", "png": "#6a1b9a"}


def type_pixmap(ext: str, size: int = 128) -> QPixmap:
    """An icon for a file type: a sheet of paper with the extension on it (drawn, no image files)."""
    ext = (ext or "").lower()
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    w, h = size * 0.66, size * 0.84
    x, y = (size - w) / 2, (size - h) / 2
    p.setPen(QColor("#b0bec5"))
    p.setBrush(QColor("#ffffff"))
    p.drawRoundedRect(int(x), int(y), int(w), int(h), size * 0.05, size * 0.05)
    band = QColor(TYPE_COLOURS.get(ext, "#78909c"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(band)
    p.drawRect(int(x), int(y + h * 0.58), int(w), int(h * 0.22))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(8, int(size * 0.13)))
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(int(x), int(y + h * 0.58), int(w), int(h * 0.22), Qt.AlignmentFlag.AlignCenter, (ext or "?").upper()[:5])
    if is_executable(ext):  # a program or script: a warning triangle over the page
        draw_warning(p, size * 0.02, size * 0.02, size * 0.5)
    p.end()
    return pix


def draw_warning(p: QPainter, x: float, y: float, side: float) -> None:
    """A red warning triangle with an exclamation mark, ``side`` wide, its top-left corner at (x, y)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPolygonF

    p.setPen(QColor("#ffffff"))
    p.setBrush(QColor("#d32f2f"))
    p.drawPolygon(QPolygonF([QPointF(x + side / 2, y), QPointF(x + side, y + side * 0.9), QPointF(x, y + side * 0.9)]))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(side * 0.6)))
    p.setFont(font)
    p.drawText(int(x), int(y + side * 0.2), int(side), int(side * 0.7), Qt.AlignmentFlag.AlignCenter, "!")


class ThumbnailCache:
    """Thumbnails as icons, decoded on the reader thread; ``loaded(evidence_id)`` fires on the GUI thread."""

    def __init__(self, thumbs_dir: Path, submit: Callable[[Callable[[], Any], Callable[[Any], None]], None],
                 on_loaded: Callable[[int], None]):
        """``submit(work, done)`` runs ``work`` off the GUI thread and ``done(result)`` back on it."""
        self.dir = Path(thumbs_dir)
        self._submit = submit
        self._on_loaded = on_loaded
        self._icons: dict[str, QIcon] = {}
        self._asked: set[str] = set()
        self._type_icons: dict[str, QIcon] = {}

    def icon(self, evidence_id: int, sha256: str, ext: str | None) -> QIcon:
        icon = self._icons.get(sha256)
        if icon is not None:
            return icon
        if thumbnails.wants_thumbnail(ext) and sha256 not in self._asked:
            self._asked.add(sha256)
            path = thumbnails.thumb_path(self.dir, sha256)

            def work() -> QImage | None:
                if not path.exists():
                    return None
                img = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
                if not img.isNull():  # a hairline frame, so white pages stand out from the background
                    p = QPainter(img)
                    p.setPen(QColor("#b0bec5"))
                    p.drawRect(0, 0, img.width() - 1, img.height() - 1)
                    p.end()
                return img

            def done(img: QImage | None) -> None:
                if img is not None and not img.isNull():
                    self._icons[sha256] = QIcon(QPixmap.fromImage(img))
                    self._on_loaded(evidence_id)

            self._submit(work, done)
        return self.type_icon(ext)

    def type_icon(self, ext: str | None) -> QIcon:
        key = (ext or "").lower()
        if key not in self._type_icons:
            self._type_icons[key] = QIcon(type_pixmap(key))
        return self._type_icons[key]

    def forget(self, sha256: str) -> None:
        self._asked.discard(sha256)
        self._icons.pop(sha256, None)


HitRole = Qt.ItemDataRole.UserRole + 40  # where a search found the file: 台账!D12：…合计 21,099…
ROW_HEIGHT, HIT_ROW_HEIGHT = 26, 44


class NameWithHitDelegate(QStyledItemDelegate):
    """The name column while searching: the name, and under it in grey where the file matched and the text
    around it (as Zotero and calibre show search results), so it shows however narrow the pane is."""

    def paint(self, painter: QPainter, option, index) -> None:
        hit = index.data(HitRole)
        if not hit:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        r = opt.rect
        top = QStyleOptionViewItem(option)
        top.rect = QRect(r.x(), r.y(), r.width(), r.height() // 2 + 2)
        super().paint(painter, top, index)
        painter.save()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText) if selected else QColor("#546e7a"))
        font = QFont(opt.font)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        painter.setFont(font)
        indent = opt.decorationSize.width() + 8
        area = QRect(r.x() + indent, r.y() + r.height() // 2, r.width() - indent - 4, r.height() // 2)
        text = painter.fontMetrics().elidedText(hit, Qt.TextElideMode.ElideRight, area.width())
        painter.drawText(area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.restore()


class EvidenceListView(QTableView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("evidenceView")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.LinkAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # 疑点数据…2024.xlsx: both ends tell files apart
        self.setIconSize(QSize(18, 18))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.setItemDelegateForColumn(0, NameWithHitDelegate(self))
        self.horizontalHeader().setHighlightSections(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.name_min_width = NAME_MIN_WIDTH

    def fit_name_column(self) -> None:
        """The name takes what the other (visible) columns leave, but never less than ``name_min_width``
        (the list scrolls sideways instead): names are what tells files apart."""
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(1, header.count()) if not header.isSectionHidden(c))
        header.resizeSection(0, max(self.name_min_width, self.viewport().width() - others))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_name_column()


NAME_MIN_WIDTH = 230  # px: about 16 Chinese characters of a name, elided in the middle beyond that


def two_lines(text: str, metrics, width: int) -> list[str]:
    """A name in at most two lines of ``width`` px: the first as much as fits, the second the rest, elided
    in the middle (疑点数据核查台账 / …2024.xlsx keeps the end that tells versions and types apart)."""
    if metrics.horizontalAdvance(text) <= width:
        return [text]
    n = 1
    while n < len(text) and metrics.horizontalAdvance(text[: n + 1]) <= width:
        n += 1
    rest = text[n:]
    return [text[:n], metrics.elidedText(rest, Qt.TextElideMode.ElideMiddle, width)]


class GridDelegate(QStyledItemDelegate):
    """A grid cell: the thumbnail, and the file's name under it in up to two lines (Chinese names have no
    spaces to wrap at, so the view's own word wrap left them one elided line)."""

    def paint(self, painter: QPainter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        r = opt.rect.adjusted(4, 4, -4, -4)
        icon_size = opt.decorationSize
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(icon, QIcon):
            icon.paint(painter, QRect(r.x() + (r.width() - icon_size.width()) // 2, r.y(), icon_size.width(),
                                      icon_size.height()))
        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        painter.save()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        fg = index.data(Qt.ItemDataRole.ForegroundRole)
        colour = opt.palette.color(QPalette.ColorRole.HighlightedText) if selected else (
            fg.color() if fg is not None else opt.palette.color(QPalette.ColorRole.Text))
        painter.setPen(colour)
        painter.setFont(opt.font)
        fm = painter.fontMetrics()
        y = r.y() + icon_size.height() + 4
        for line in two_lines(name, fm, r.width()):
            painter.drawText(QRect(r.x(), y, r.width(), fm.height()), int(Qt.AlignmentFlag.AlignHCenter), line)
            y += fm.height()
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        view = option.widget
        return view.gridSize() if isinstance(view, QListView) else super().sizeHint(option, index)


class EvidenceGridView(QListView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("evidenceGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(104, 104))
        self.setGridSize(QSize(150, 156))  # the thumbnail and two lines of its name below it
        self.setItemDelegate(GridDelegate(self))
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.LinkAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)


def reveal_in_file_manager(path: str) -> None:
    """Select ``path`` in Explorer / Finder; elsewhere open its folder."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])
    elif sys.platform == "darwin":  # pragma: no cover - macOS only
        subprocess.Popen(["open", "-R", path])
    else:
        QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))
