"""Starting the GUI: the QApplication, fonts, and which workspace to open."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import config
from desktop.errors import DeskError
from desktop.resources import resources_dir
from desktop.text.messages import error_text
from desktop.workspace import Workspace

CJK_FONTS = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    from desktop.ui import gui_gc

    gui_gc.install(app)  # Qt objects in garbage cycles must die on the GUI thread, never in a worker
    app.setApplicationName("EvidenceDesk")
    app.setApplicationDisplayName("佐证台")
    app.setOrganizationName("EvidenceDesk")
    install_translations(app)
    families = set(QFontDatabase.families())
    for name in CJK_FONTS:
        if name in families:
            font = QFont(name)
            font.setPointSize(10)
            app.setFont(font)
            break
    icon = resources_dir() / "icons" / "evidence-desk.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _translation_dirs() -> list[Path]:
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:  # a PyInstaller bundle keeps PySide6's folder layout
        dirs.append(Path(frozen) / "PySide6" / "Qt" / "translations")
        dirs.append(Path(frozen) / "PySide6" / "translations")
    return dirs


class _MnemonicFallback(QTranslator):
    """Asked only when ``qtbase_zh_CN`` has no translation: Qt 6 added keyboard mnemonics to a few source
    texts (“&Look in:”, “Files of &type:” in the file dialog) that the shipped Chinese catalogue still
    knows without them. Look the text up without its ``&``."""

    def __init__(self, base: QTranslator, parent=None):
        super().__init__(parent)
        self._base = base

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D102 - Qt's virtual
        if source and "&" in source:
            return self._base.translate(context, source.replace("&", ""), disambiguation, n)
        return ""

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's virtual
        return False


def install_translations(app: QApplication) -> bool:
    """Qt's own words in Chinese (确定 / 取消 / 查找范围 / 文件名 in message boxes and file dialogs): load
    ``qtbase_zh_CN`` shipped with Qt, once. Where the system's own dialogs would speak another language (an
    English desktop, ``LANG=C``), Qt's own — translated — file dialogs are used instead. True when loaded."""
    if app.property("evidenceDeskTranslator") is not None:
        return True
    zh = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    QLocale.setDefault(zh)
    translator = QTranslator(app)
    for folder in _translation_dirs():
        if translator.load(zh, "qtbase", "_", str(folder)):
            fallback = _MnemonicFallback(translator, app)
            app.installTranslator(fallback)  # searched last (Qt asks the newest translator first)
            app.installTranslator(translator)
            app.setProperty("evidenceDeskTranslator", translator.filePath())
            break
    else:
        return False
    if not QLocale.system().name().startswith("zh"):
        app.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    return True


def choose_workspace(explicit: str | None, demo: bool = False) -> Path:
    """The workspace to open: the one asked for, else the last one, else the demo (built if needed)."""
    if explicit:
        return Path(explicit)
    last = config.load_config().get("last_workspace")
    if not demo and isinstance(last, str) and Workspace.is_workspace(last):
        return Path(last)
    from desktop.demo import build_demo

    return build_demo()


def workspace_title(root: Path) -> str:
    """The workspace's own name (演示：湛江市社保局…) for the identity dialog, else its folder's name."""
    from db.database import Database

    try:
        db = Database(Path(root) / "workspace.db", readonly=True)
        try:
            return db.get_setting("name") or Path(root).name
        finally:
            db.close()
    except Exception:  # not a workspace yet, unreadable: the folder name will do
        return Path(root).name


def run(workspace: str | None = None, actor: str | None = None, role: str | None = None, demo: bool = False,
        smoke: bool = False) -> int:
    from desktop.ui.main_window import MainWindow

    app = make_app()
    from desktop.ui.dialogs import crash

    crash.install()  # an unexpected error: logged, and said in a dialog, never a silent exit
    try:
        root = choose_workspace(workspace, demo)
    except DeskError as exc:
        QMessageBox.critical(None, "佐证台", error_text(exc.code, exc.params))
        return 2
    if actor is None or role is None:  # who works, in which role: asked at open, unless given (--actor/--role)
        from desktop.ui.dialogs.identity import ask_identity

        saved = config.load_config()
        chosen = ask_identity(None, actor or config.default_actor(), role or saved.get("role") or "editor",
                              workspace_title(root))
        if chosen is None:
            return 0
        actor, role = chosen
    try:
        ws = Workspace.open(root, actor=actor, role=role)
    except DeskError as exc:
        QMessageBox.critical(None, "佐证台", error_text(exc.code, exc.params))
        return 2
    if not ws.readonly:
        config.save_config(last_workspace=str(ws.root))
    window = MainWindow(ws)
    window.show()
    if smoke:  # packaging/smoke.sh: say the window is up, then close it through the normal shutdown
        QTimer.singleShot(0, lambda: (print(f"smoke: main window shown: {window.isVisible()}", flush=True),
                                      window.close()))
    if ws.readonly:
        from desktop.text.messages import readonly_text

        show = QMessageBox.warning if ws.info.reason == "tampered" else QMessageBox.information
        show(window, "只读打开", readonly_text(ws.info)[1])
    return app.exec()
