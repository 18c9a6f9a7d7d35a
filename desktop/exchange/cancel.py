"""The one exception a cancelled export, binder or verification raises (the user pressed 取消)."""

from __future__ import annotations

from desktop.errors import DeskError


class ExportCancelled(DeskError):
    def __init__(self) -> None:
        super().__init__("export.cancelled")
