"""Simulated drag and drop: the real enter/move/drop events sent to a view's viewport.

A real ``QDrag.exec()`` runs a nested, platform-driven event loop that offscreen Qt cannot complete, so
tests deliver the same three events the platform would, at the centre of the target item.
"""

from __future__ import annotations

import warnings

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication


def drop_on_index(view: QAbstractItemView, index, mime,
                  actions=Qt.DropAction.LinkAction | Qt.DropAction.CopyAction) -> bool:
    """Drag ``mime`` onto ``index`` of ``view``; True when the view accepted the drop."""
    view.scrollTo(index)
    pos = QPointF(view.visualRect(index).center())
    vp = view.viewport()
    with warnings.catch_warnings():
        # PySide6 6.12 exposes only the QPoint constructor of QDragEnterEvent and marks it deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(pos.toPoint(), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, enter)
    move = QDragMoveEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, drop)
    return drop.isAccepted()
