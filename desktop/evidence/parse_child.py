"""Moved to :mod:`desktop.parsing.child` (reports are parsed in the same kind of child); these names stay
for the callers that knew them here."""

from __future__ import annotations

import sys

from desktop.parsing.child import CHILD_FLAG, NO_PDEATHSIG_ENV, TEST_HOOKS_ENV, serve

__all__ = ["CHILD_FLAG", "NO_PDEATHSIG_ENV", "TEST_HOOKS_ENV", "serve"]

if __name__ == "__main__":
    sys.exit(serve())
