"""Errors the core raises: a stable code plus parameters, never user-facing words.

The UI layer (``desktop.text.messages``) turns a code into Chinese; the CLI prints the same text.
"""

from __future__ import annotations

from typing import Any


class DeskError(Exception):
    """An expected failure with a stable ``code`` (``"report.empty"``) and parameters."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return f"{self.code} {self.params}"


class ReadOnlyWorkspace(DeskError):
    def __init__(self, **params: Any):
        super().__init__("workspace.readonly", **params)


class Forbidden(DeskError):
    """The session's role may not do this (an inspector editing a claim, say)."""

    def __init__(self, action: str, role: str):
        super().__init__("role.forbidden", action=action, role=role)
