"""Window sizes that fit the screen, remembered between runs; docks shown by role and mode.

A 1366×768 office laptop leaves about 1366×728 for windows (the taskbar), less the title bar. A window
opened at a fixed size larger than that hides its status bar below the screen. So every window is sized
from its screen's *available* geometry (:func:`place`): the size it had last time (``QSettings``, per
window and per role) if that still fits, else its preferred size shrunk to fit, centred. Dialogs get the
same treatment through :func:`fit_dialog` (they keep no memory: they are sized by their contents).

The settings live in ``window.ini`` in the user data folder (``EVIDENCE_DESK_HOME`` moves it, as for
``config.json``), not in the registry or ``~/.config``: one place for the app's files, and tests stay
isolated.

:class:`MainWindowDocks` shows the docks by role and mode: 关联建议 is of no use to a reviewer (who cannot
link) and is hidden in 审核模式 (it would follow a selection the page does not show); leaving 审核模式 puts
it back as it was. The main window's dock layout (``saveState``) is remembered per role.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

SETTINGS_FILE = "window.ini"
# What the window manager adds around a window before it is shown (title bar, borders): reserved so the
# frame, not only the client area, fits. Generous for Windows 10/11 at 100 % (31 px title, 8 px borders).
FRAME_RESERVE = QSize(16, 40)


def settings() -> QSettings:
    from desktop import config

    return QSettings(str(config.data_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def available_rect(widget: QWidget | None = None) -> QRect:
    """The screen area windows may use (without taskbars and panels): the widget's screen, else the primary."""
    screen = None
    if widget is not None:
        parent = widget.parentWidget()
        screen = widget.screen() if widget.isVisible() or parent is None else parent.screen()
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def fitted_size(preferred: QSize, avail: QRect, minimum: QSize | None = None) -> QSize:
    """``preferred`` shrunk so the window with its frame fits ``avail`` (never below ``minimum``)."""
    w = min(preferred.width(), avail.width() - FRAME_RESERVE.width())
    h = min(preferred.height(), avail.height() - FRAME_RESERVE.height())
    if minimum is not None:
        w, h = max(w, minimum.width()), max(h, minimum.height())
    return QSize(w, h)


def fits(frame: QRect, avail: QRect) -> bool:
    return avail.contains(frame)


def _key(name: str, role: str | None) -> str:
    return f"{name}/{role}" if role else name


def _centre(window: QWidget, avail: QRect, size: QSize) -> None:
    x = avail.x() + max((avail.width() - size.width() - FRAME_RESERVE.width()) // 2, 0)
    y = avail.y() + max((avail.height() - size.height() - FRAME_RESERVE.height()) // 2, 0)
    window.move(QPoint(x, y))


def place(window: QWidget, name: str, preferred: QSize, role: str | None = None) -> None:
    """Size and place a window before it is shown: as last time (``name``, per ``role``) if that fits the
    available screen, else ``preferred`` shrunk to fit, centred. Call :func:`remember` when it closes."""
    avail = available_rect(window)
    minimum = window.minimumSizeHint()
    saved = settings().value(f"{_key(name, role)}/geometry")
    if isinstance(saved, QByteArray) and not saved.isEmpty() and window.restoreGeometry(saved):
        if window.isMaximized():
            return
        size = fitted_size(window.size(), avail, minimum)  # the screen may be smaller than last time
        window.resize(size)
        if not fits(QRect(window.pos(), size + FRAME_RESERVE), avail):
            _centre(window, avail, size)
        return
    size = fitted_size(preferred, avail, minimum)
    window.resize(size)
    _centre(window, avail, size)


def keep_on_screen(window: QWidget) -> None:
    """After showing: if the frame (now known) sticks out of the available area, shrink and move it in."""
    if window.isMaximized() or window.isFullScreen():
        return
    avail, frame = available_rect(window), window.frameGeometry()
    if fits(frame, avail):
        return
    extra = QSize(frame.width() - window.width(), frame.height() - window.height())
    w = max(min(window.width(), avail.width() - extra.width()), window.minimumWidth())
    h = max(min(window.height(), avail.height() - extra.height()), window.minimumHeight())
    window.resize(w, h)
    x = min(max(frame.x(), avail.x()), avail.right() + 1 - (w + extra.width()))
    y = min(max(frame.y(), avail.y()), avail.bottom() + 1 - (h + extra.height()))
    window.move(max(x, avail.x()), max(y, avail.y()))


def remember(window: QWidget, name: str, role: str | None = None) -> None:
    """Save the window's geometry (and a main window's dock and toolbar state) under ``name``/``role``."""
    s = settings()
    s.setValue(f"{_key(name, role)}/geometry", window.saveGeometry())
    if isinstance(window, QMainWindow):
        s.setValue(f"{_key(name, role)}/state", window.saveState())
    s.sync()


def restore_state(window: QMainWindow, name: str, role: str | None = None) -> bool:
    state = settings().value(f"{_key(name, role)}/state")
    return isinstance(state, QByteArray) and not state.isEmpty() and window.restoreState(state)


def fit_dialog(dialog: QWidget) -> None:
    """A dialog no larger than the available screen (its contents scroll or wrap inside)."""
    avail = available_rect(dialog)
    hint = dialog.sizeHint().expandedTo(dialog.size())
    size = fitted_size(hint, avail)
    if size != dialog.size():
        dialog.resize(size)


class RememberedWindow(QObject):
    """Places a window when made (:func:`place`), keeps it on screen when shown, remembers it when closed."""

    def __init__(self, window: QWidget, name: str, preferred: QSize, role: str | None = None):
        super().__init__(window)
        self.window, self.name, self.role = window, name, role
        place(window, name, preferred, role)
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.window:
            if event.type() == QEvent.Type.Show:
                keep_on_screen(self.window)
            elif event.type() == QEvent.Type.Close:
                remember(self.window, self.name, self.role)
        return False


class MainWindowDocks(QObject):
    """The main window's size and docks: placed to fit, remembered per role; 关联建议 hidden for 审核 and in
    审核模式 (put back as it was when 审核模式 ends)."""

    NAME = "main"

    def __init__(self, window: QMainWindow, suggestions: QDockWidget, *, role: str, preferred: QSize):
        super().__init__(window)
        self.window, self.suggestions, self.role = window, suggestions, role
        self.in_review_mode = False
        self._suggestions_before_review: bool | None = None
        place(window, self.NAME, preferred, role)
        self._apply_role(restore=True)
        window.installEventFilter(self)

    # -- role ----------------------------------------------------------------------------------------

    def _apply_role(self, restore: bool) -> None:
        if restore and restore_state(self.window, self.NAME, self.role):
            pass  # this role's own layout, as it was left (a reviewer may have opened 关联建议 by hand)
        elif self.role != "editor":
            self.suggestions.hide()  # a reviewer cannot link: the suggestions are of no use to them
        else:
            self.suggestions.show()
        if self.in_review_mode:
            self._hide_for_review()

    def role_changed(self, role: str) -> None:
        """Who works changed: keep the old role's layout, show the new role's."""
        if role == self.role:
            return
        self._leave_review_for_save()
        remember(self.window, self.NAME, self.role)
        self.role = role
        self._suggestions_before_review = None  # what the new role shows decides what 审核模式 gives back
        self._apply_role(restore=True)

    # -- 审核模式 ------------------------------------------------------------------------------------

    def set_review_mode(self, on: bool) -> None:
        if on == self.in_review_mode:
            return
        self.in_review_mode = on
        if on:
            self._hide_for_review()
        else:
            if self._suggestions_before_review:
                self.suggestions.show()
            self._suggestions_before_review = None

    def _hide_for_review(self) -> None:
        if self._suggestions_before_review is None:
            self._suggestions_before_review = self.suggestions.isVisible() or (
                not self.window.isVisible() and not self.suggestions.isHidden())
        self.suggestions.hide()

    def _leave_review_for_save(self) -> None:
        """Saved layouts are the main view's: put the suggestions back as they were before 审核模式."""
        if self.in_review_mode and self._suggestions_before_review:
            self.suggestions.show()

    # -- shown and closed -----------------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.window:
            if event.type() == QEvent.Type.Show:
                keep_on_screen(self.window)
            elif event.type() == QEvent.Type.Close:
                self.save()
        return False

    def save(self) -> None:
        """Remember the size and the layout of the main view (as it is outside 审核模式)."""
        self._leave_review_for_save()
        remember(self.window, self.NAME, self.role)
        if self.in_review_mode:
            self.suggestions.hide()
