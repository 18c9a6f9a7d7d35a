"""Stands in for the real PySide6 on runs that must work without Qt (``./dev.sh test-core``, the CLI checks):
with this folder first on PYTHONPATH, importing PySide6 fails, in this process and in every child it starts."""

raise ImportError("PySide6 is made unimportable for this run (tests/qt_blocked is on PYTHONPATH)")
