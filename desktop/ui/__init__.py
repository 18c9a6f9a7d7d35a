"""The user interface: the only package that imports PySide6.

This ``__init__`` itself stays Qt-free (``desktop.text.messages`` is shared with the CLI). It arms the
guard against a reference-count bug of the pinned Qt binding before any Qt module can be imported
through this package (see :mod:`desktop.ui.refcount_guard`).
"""

from desktop.ui.refcount_guard import make_singletons_immortal

make_singletons_immortal()
