"""What travels between PCs: the 佐证材料包 (zip) and the 佐证材料汇编 (PDF binder), and checking a package.

Qt-free; the CLI (``desktop/cli/exchange.py``) and the GUI are thin callers. Formats: docs/formats.md.
"""
