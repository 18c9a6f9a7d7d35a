"""The inspector's side in words: receiving a package or supplement, the return (reply, apply)."""

from __future__ import annotations

from typing import Any

from desktop.text.messages import ERRORS

ERRORS.update({})


def error_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    return params
