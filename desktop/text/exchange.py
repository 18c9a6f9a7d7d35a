"""Packages, returns and supplements in words (receive, reply, apply, export --since)."""

from __future__ import annotations

from typing import Any

from desktop.text.messages import ERRORS

ERRORS.update({})


def error_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    return params
