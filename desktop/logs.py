"""The app's log: one rotating file in the user data folder, written by the CLI and the GUI alike.

``<data dir>/logs/evidence-desk.log`` (1 MiB, then ``.1`` … ``.3``; older text goes). It gets a line when
the app starts (version, platform), the warnings the core logs (watcher, ingest: the ``evidence_desk``
loggers), and the traceback of every unexpected error, with the place the user is told about (the CLI's
"内部错误" line, later the GUI's crash dialog). Nothing here imports Qt.

``EVIDENCE_DESK_HOME`` moves it with the rest of the data folder (tests, portable installs).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path
from types import TracebackType

from desktop import config

LOGGER_NAME = "evidence_desk"  # the core's loggers are its children (evidence_desk.watcher …)
LOG_DIR_NAME = "logs"
LOG_FILE_NAME = "evidence-desk.log"
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"

class SafeFormatter(logging.Formatter):
    """Every log line with control characters escaped (:func:`desktop.text.safe.printable`): a file name
    holding ``ESC[…`` or a line break cannot forge a log line or reach the terminal of whoever ``tail``s it.
    The message is kept on one line; a traceback keeps its own line ends."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        from desktop.text.safe import printable

        return printable(super().formatMessage(record), keep="\t")

    def formatException(self, ei) -> str:
        from desktop.text.safe import printable

        return printable(super().formatException(ei), keep="\n\t")


_lock = threading.Lock()
_handler: logging.Handler | None = None


def log_path() -> Path:
    """Where the log is written (the folder is created; the file only when something is logged)."""
    folder = config.data_dir() / LOG_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder / LOG_FILE_NAME


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def setup_logging(component: str, level: int = logging.INFO) -> Path:
    """Send the ``evidence_desk`` loggers to the rotating file (once per process) and log the start.

    ``component`` says who starts ("cli:init", "gui"). Returns the log's path. A log that cannot be
    opened (read-only home, full disk) never stops the app: the handler is then left out."""
    global _handler
    path = log_path()
    with _lock:
        if _handler is not None and Path(getattr(_handler, "baseFilename", "")) != path.absolute():
            logger().removeHandler(_handler)  # the data folder moved (EVIDENCE_DESK_HOME changed)
            _handler.close()
            _handler = None
        if _handler is None:
            try:
                handler = logging.handlers.RotatingFileHandler(
                    path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True)
            except OSError:
                return path
            handler.setFormatter(SafeFormatter(FORMAT))
            log = logger()
            log.addHandler(handler)
            if log.level == logging.NOTSET or log.level > level:
                log.setLevel(level)
            _handler = handler
    from desktop.version import build_info

    info = build_info()
    logger().info("start %s: EvidenceDesk %s, Python %s, %s, frozen=%s", component, info["version"],
                  info["python"], info["platform"], info["frozen"])
    return path


def log_unexpected(exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None, where: str) -> Path:
    """Log an unexpected error with its traceback (setting the log up if needed); returns the log's path."""
    if _handler is None or Path(getattr(_handler, "baseFilename", "")) != log_path().absolute():
        setup_logging(where)  # none yet, or the data folder moved: the path said must be where it is written
    logger().error("unexpected error in %s", where, exc_info=(exc_type, exc, tb))
    return log_path()


def install_excepthooks(where: str) -> None:
    """Log every exception nobody caught (main thread, other threads) before the usual handling: Qt's
    slots report theirs through ``sys.excepthook`` and the app goes on, so without this they would only
    reach a console the user never sees."""
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def sys_hook(exc_type, exc, tb):
        if not issubclass(exc_type, KeyboardInterrupt):
            log_unexpected(exc_type, exc, tb, where)
        previous_sys(exc_type, exc, tb)

    def thread_hook(args):
        if args.exc_type is not SystemExit and args.exc_value is not None:
            log_unexpected(args.exc_type, args.exc_value, args.exc_traceback,
                           f"{where}, thread {getattr(args.thread, 'name', '?')}")
        previous_thread(args)

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook


def close_logging() -> None:
    """Detach and close the file handler (tests; the process end does it otherwise)."""
    global _handler
    with _lock:
        if _handler is not None:
            logger().removeHandler(_handler)
            _handler.close()
            _handler = None
